/**
 * Dry run on Postgres: which runs match, per deployment, what the delete would touch in every table,
 * and roughly how many bytes it frees. Read-only, index-backed (the predicate leads with the
 * SCHEDULED partial/next_scheduled_start_time indexes; child tables are counted by flow_run_id).
 */
import type { PurgeDeploymentGroup, PurgeFilter, PurgeImpact, PurgeSampleRow } from '../../../shared/domain/purge';
import type { PostgresTarget, Query } from '../targets/postgres';
import { loadDeploymentNamesPg, loadQueuesPg, resolveDeployments, resolveQueueIds } from './names';
import { stalePredicatePg, type ResolvedPurgeFilter } from './predicate-pg';
import { selectAndSummarise, type Candidate } from './summarise';

export interface SqlPlanResult {
  resolved: ResolvedPurgeFilter;
  serverNow: string;
  candidates: Candidate[];
  kept: number;
  byDeployment: PurgeDeploymentGroup[];
  sample: PurgeSampleRow[];
  oldest: string | null;
  newest: string | null;
  impact: PurgeImpact;
  bytesEstimate: number | null;
}

/** The server's clock, so "30m ago" means 30 minutes by the database's time, not this laptop's. */
export async function serverNowPg(target: PostgresTarget, signal?: AbortSignal): Promise<Date> {
  const rows = await target.query<{ now: Date }>('SELECT now() AS now', [], { signal });
  return rows[0]!.now;
}

export async function planPg(
  target: PostgresTarget,
  filter: PurgeFilter,
  cutoff: string,
  signal?: AbortSignal,
): Promise<SqlPlanResult> {
  return target.readOnly(
    async (q) => {
      const deployments = await loadDeploymentNamesPg(q);
      const resolved: ResolvedPurgeFilter = {
        cutoff,
        stateNames: filter.stateNames,
        includeManual: filter.includeManual,
        deploymentIds: resolveDeployments(filter.deployments, deployments),
        workQueueIds: filter.workPools.length || filter.workQueues.length ? resolveQueueIds(filter.workPools, filter.workQueues, await loadQueuesPg(q)) : [],
        tags: filter.tags,
        keepNewest: filter.keepNewest,
      };
      const pred = stalePredicatePg(resolved);
      const rows = await q<{
        id: string;
        deployment_id: string | null;
        name: string;
        state_name: string;
        scheduled: Date | null;
        auto_scheduled: boolean;
        work_queue_name: string | null;
        rn: number;
      }>(
        `SELECT fr.id::text AS id, fr.deployment_id::text AS deployment_id, fr.name, fr.state_name,
                fr.next_scheduled_start_time AS scheduled, fr.auto_scheduled, fr.work_queue_name,
                row_number() OVER (PARTITION BY fr.deployment_id ORDER BY fr.next_scheduled_start_time DESC, fr.id DESC) AS rn
           FROM flow_run fr
          WHERE ${pred.sql}
          ORDER BY fr.next_scheduled_start_time, fr.id`,
        pred.params,
      );
      const nowRow = await q<{ now: Date }>('SELECT now() AS now');
      const all: Candidate[] = rows.map((r) => ({
        id: r.id,
        deploymentId: r.deployment_id,
        name: r.name,
        stateName: r.state_name,
        scheduledStart: r.scheduled ? r.scheduled.toISOString() : null,
        autoScheduled: r.auto_scheduled,
        workQueue: r.work_queue_name,
        rankNewest: Number(r.rn),
      }));
      const summary = selectAndSummarise(all, filter.keepNewest, new Map(deployments.map((d) => [d.id, d.fullName])));
      const impact = await countImpactPg(q, summary.candidates.map((c) => c.id));
      return {
        resolved,
        serverNow: nowRow[0]!.now.toISOString(),
        ...summary,
        impact,
        bytesEstimate: await estimateBytesPg(q, impact),
      };
    },
    { signal, statementTimeoutMs: 120_000 },
  );
}

export async function countImpactPg(q: Query, ids: string[]): Promise<PurgeImpact> {
  if (ids.length === 0) return { flowRuns: 0, flowRunStates: 0, taskRuns: 0, taskRunStates: 0, logs: 0, artifacts: 0, flowRunInputs: 0 };
  const rows = await q<Record<string, number>>(
    `WITH v AS (SELECT unnest($1::uuid[]) AS id)
     SELECT (SELECT count(*) FROM flow_run_state s JOIN v ON s.flow_run_id = v.id) AS states,
            (SELECT count(*) FROM task_run t JOIN v ON t.flow_run_id = v.id) AS task_runs,
            (SELECT count(*) FROM task_run_state ts JOIN task_run t ON ts.task_run_id = t.id JOIN v ON t.flow_run_id = v.id) AS task_run_states,
            (SELECT count(*) FROM log l JOIN v ON l.flow_run_id = v.id) AS logs,
            (SELECT count(*) FROM artifact a JOIN v ON a.flow_run_id = v.id) AS artifacts,
            (SELECT count(*) FROM flow_run_input i JOIN v ON i.flow_run_id = v.id) AS inputs`,
    [ids],
  );
  const r = rows[0]!;
  return {
    flowRuns: ids.length,
    flowRunStates: Number(r.states),
    taskRuns: Number(r.task_runs),
    taskRunStates: Number(r.task_run_states),
    logs: Number(r.logs),
    artifacts: Number(r.artifacts),
    flowRunInputs: Number(r.inputs),
  };
}

const IMPACT_TABLES: Array<[keyof PurgeImpact, string]> = [
  ['flowRuns', 'flow_run'],
  ['flowRunStates', 'flow_run_state'],
  ['taskRuns', 'task_run'],
  ['taskRunStates', 'task_run_state'],
  ['logs', 'log'],
  ['artifacts', 'artifact'],
  ['flowRunInputs', 'flow_run_input'],
];

/**
 * Bytes per row from the catalog (total relation size incl. indexes and TOAST / estimated rows),
 * times the rows deleted. An estimate: deleted space becomes reusable after VACUUM; the files only
 * shrink after a rewrite.
 */
export async function estimateBytesPg(q: Query, impact: PurgeImpact): Promise<number | null> {
  const rows = await q<{ relname: string; bytes: number; tuples: number }>(
    `SELECT c.relname, pg_total_relation_size(c.oid) AS bytes, greatest(c.reltuples, 0)::float8 AS tuples
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname = ANY($1::text[])`,
    [IMPACT_TABLES.map(([, t]) => t)],
  );
  const byName = new Map(rows.map((r) => [r.relname, r]));
  let total = 0;
  let known = false;
  for (const [key, table] of IMPACT_TABLES) {
    const r = byName.get(table);
    const rows = impact[key];
    if (!r || !rows) continue;
    if (r.tuples <= 0) continue;
    total += (Number(r.bytes) / Number(r.tuples)) * rows;
    known = true;
  }
  return known ? Math.round(total) : impact.flowRuns === 0 ? 0 : null;
}
