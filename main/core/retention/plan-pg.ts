/**
 * A retention plan on Postgres: what the frozen predicate covers, counted per table. Exact where it
 * is cheap (the runs by state in one index-guided pass under a time budget; every child table when
 * the plan has at most EXACT_CHILDREN runs), otherwise a random sample of the plan's runs whose
 * children are counted exactly and scaled (estimate.ts), with the 99 % margin said. Read-only.
 */
import { AppError } from '../../../shared/errors';
import type { Count, RetentionImpact, RetentionSampleRow } from '../../../shared/domain/retention';
import { extrapolateClusters } from '../inspect/stats-math';
import { sampleOrphans } from '../inspect/orphans-pg';
import { resolveDeployments, type DeploymentName } from '../purge/names';
import type { PostgresTarget, Query } from '../targets/postgres';
import { addCounts, exact, fromSampled, samplePercentFor, scaleSample } from './estimate';
import { planIndexes, readIndexes, type IndexPlan } from './indexes-pg';
import { keepNewestPg } from './keep-pg';
import { END_TEXT, finishedOldPg, Params, topLevelPg } from './predicate-pg';
import type { ResolvedRetention } from './types';

/** Up to this many runs, every child table is counted exactly. */
export const EXACT_CHILDREN = 20_000;
/** Sampled runs wanted for the estimates, and the most pages a sample may read. */
const SAMPLE_RUNS = 2_000;
const SAMPLE_MAX_PAGES = 4_000;
const SEED = 1_402_026;
/** The exact count of runs may take this long before the plan settles for a sample. */
const COUNT_BUDGET_MS = 20_000;

export interface PgPlanInput {
  cutoff: string;
  eventsCutoff: string | null;
  stateTypes: ResolvedRetention['stateTypes'];
  deployments: string[];
  keepNewest: number;
  orphans: boolean;
}

export interface SqlRetentionPlan {
  resolved: ResolvedRetention;
  keepIds: string[];
  runs: Count;
  byState: Array<{ stateType: string; count: number }>;
  oldestEnd: string | null;
  newestEnd: string | null;
  sample: RetentionSampleRow[];
  impact: RetentionImpact;
  bytesEstimate: number | null;
  kept: number;
  indexes: IndexPlan;
  notes: string[];
}

const isTimeout = (e: unknown) => e instanceof AppError && e.code !== 'CANCELLED' && e.details?.sqlstate === '57014';

/** Per top-level run: itself and its matching subflows, with every child table counted. */
function perRootSql(roots: string, r: ResolvedRetention, ps: Params, keep: readonly string[]): string {
  const sub = finishedOldPg(r, ps, keep);
  return `WITH RECURSIVE v(id, root, top) AS (
            SELECT x.id, x.id, true FROM (${roots}) x
            UNION
            SELECT fr.id, v.root, false FROM v JOIN task_run tr ON tr.flow_run_id = v.id JOIN flow_run fr ON fr.parent_task_run_id = tr.id WHERE ${sub}
          )
          SELECT count(*) FILTER (WHERE NOT v.top) AS subflows,
                 sum((SELECT count(*) FROM flow_run_state s WHERE s.flow_run_id = v.id)) AS states,
                 sum((SELECT count(*) FROM task_run t WHERE t.flow_run_id = v.id)) AS task_runs,
                 sum((SELECT count(*) FROM task_run_state s JOIN task_run t ON t.id = s.task_run_id WHERE t.flow_run_id = v.id)) AS task_run_states,
                 sum((SELECT count(*) FROM log l WHERE l.flow_run_id = v.id AND l.task_run_id IS NULL)) AS flow_logs,
                 sum((SELECT count(*) FROM log l WHERE l.flow_run_id = v.id AND l.task_run_id IS NOT NULL)) AS task_logs,
                 sum((SELECT count(*) FROM artifact a WHERE a.flow_run_id = v.id)) AS artifacts,
                 sum((SELECT count(*) FROM flow_run_input i WHERE i.flow_run_id = v.id)) AS inputs
            FROM v GROUP BY v.root`;
}

const CHILD_KEYS = ['subflows', 'states', 'task_runs', 'task_run_states', 'flow_logs', 'task_logs', 'artifacts', 'inputs'] as const;
type ChildKey = (typeof CHILD_KEYS)[number];
type ChildRow = Record<ChildKey, number | string | null>;

function childImpact(rows: readonly ChildRow[], runs: Count, exactMode: boolean): Record<ChildKey, Count> {
  const out = {} as Record<ChildKey, Count>;
  for (const k of CHILD_KEYS) {
    const values = rows.map((r) => Number(r[k] ?? 0));
    out[k] = exactMode ? exact(values.reduce((a, b) => a + b, 0)) : scaleSample(values, runs);
  }
  return out;
}

async function countOlder(q: Query, table: 'events' | 'event_resources', cutoff: string, indexed: boolean): Promise<Count> {
  const [size] = await q<{ reltuples: number; pages: number }>(
    `SELECT greatest(c.reltuples, 0)::float8 AS reltuples, (pg_relation_size(c.oid) / current_setting('block_size')::int)::int8 AS pages FROM pg_class c WHERE c.oid = to_regclass($1)`,
    [table],
  );
  const rows = Number(size?.reltuples ?? 0);
  const pages = Number(size?.pages ?? 0);
  if (indexed || rows < 200_000) {
    await q('SAVEPOINT hk_events');
    try {
      await q(`SELECT set_config('statement_timeout', $1, true)`, ['15000']);
      // Fixed table names only; the index on occurred serves it.
      const [r] = await q<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE occurred < $1::timestamptz`, [cutoff]);
      await q('RELEASE SAVEPOINT hk_events');
      return exact(Number(r?.n ?? 0));
    } catch (e) {
      if (!isTimeout(e)) throw e;
      await q('ROLLBACK TO SAVEPOINT hk_events');
    } finally {
      await q(`SELECT set_config('statement_timeout', $1, true)`, ['300000']).catch(() => undefined);
    }
  }
  const pct = Math.min(100, Math.max(0.0001, (100 * 1000) / Math.max(pages, 1)));
  const clusters = await q<{ n: number; k: number }>(
    `SELECT count(*) AS n, count(*) FILTER (WHERE t.occurred < $1::timestamptz) AS k
       FROM (SELECT ctid, occurred FROM ${table} TABLESAMPLE SYSTEM ($2) REPEATABLE ($3)) t GROUP BY (t.ctid::text::point)[0]`,
    [cutoff, pct, SEED],
  );
  return fromSampled(extrapolateClusters(clusters.map((c) => ({ n: Number(c.n), k: Number(c.k) })), rows, pages), 'rows');
}

export async function planPg(target: PostgresTarget, input: PgPlanInput, pgVersionNum: number, signal?: AbortSignal): Promise<SqlRetentionPlan> {
  const opts = signal ? { signal } : {};
  const notes: string[] = [];
  const base = await target.readOnly(async (q) => {
    const deps = await q<DeploymentName>(`SELECT d.id::text AS id, f.name || '/' || d.name AS "fullName", d.name AS name FROM deployment d JOIN flow f ON f.id = d.flow_id`);
    const idx = planIndexes(await readIndexes(q), pgVersionNum);
    return { deps, idx };
  }, opts);
  if (!base.idx.runsByEndTime) {
    throw new AppError('VALIDATION', 'This database has no index on flow_run(end_time), which every Prefect 3 release creates (ix_flow_run__end_time_desc): runs cannot be walked by age without scanning the table on every batch.', {
      hint: 'Recreate it as the database owner: CREATE INDEX CONCURRENTLY ix_flow_run__end_time_desc ON flow_run (end_time DESC);',
    });
  }
  const resolved: ResolvedRetention = {
    cutoff: input.cutoff,
    stateTypes: input.stateTypes,
    deploymentIds: resolveDeployments(input.deployments, base.deps),
    keepNewest: input.keepNewest,
    eventsCutoff: input.eventsCutoff,
    orphans: input.orphans,
  };
  const names = new Map(base.deps.map((d) => [d.id, d.fullName]));
  const keep = await keepNewestPg(target, resolved, signal);
  if (resolved.keepNewest > 0) notes.push(`Keep-newest read ${keep.scanned.toLocaleString('en-US')} matching runs newest first and keeps ${keep.ids.length.toLocaleString('en-US')} of them.`);

  return target.readOnly(
    async (q) => {
      // Runs, exact by state in one pass, within a budget.
      let runs: Count | null = null;
      let byState: SqlRetentionPlan['byState'] = [];
      let oldestEnd: string | null = null;
      let newestEnd: string | null = null;
      {
        const ps = new Params();
        const pred = topLevelPg(resolved, ps, keep.ids);
        // A timeout aborts the statement only: the savepoint keeps the rest of the plan's transaction.
        await q('SAVEPOINT hk_count');
        try {
          await q(`SELECT set_config('statement_timeout', $1, true)`, [String(COUNT_BUDGET_MS)]);
          const rows = await q<{ st: string; n: number; oldest: string; newest: string }>(
            `SELECT fr.state_type::text AS st, count(*) AS n, min(${END_TEXT}) AS oldest, max(${END_TEXT}) AS newest FROM flow_run fr WHERE ${pred} GROUP BY 1 ORDER BY 2 DESC`,
            ps.values,
          );
          byState = rows.map((r) => ({ stateType: r.st, count: Number(r.n) }));
          runs = exact(byState.reduce((a, b) => a + b.count, 0));
          oldestEnd = rows.reduce<string | null>((m, r) => (m === null || r.oldest < m ? r.oldest : m), null);
          newestEnd = rows.reduce<string | null>((m, r) => (m === null || r.newest > m ? r.newest : m), null);
          await q('RELEASE SAVEPOINT hk_count');
        } catch (e) {
          if (!isTimeout(e)) throw e;
          await q('ROLLBACK TO SAVEPOINT hk_count');
          notes.push(`Counting the runs exactly took longer than ${COUNT_BUDGET_MS / 1000} s, so it is estimated from a sample.`);
        } finally {
          await q(`SELECT set_config('statement_timeout', $1, true)`, ['300000']).catch(() => undefined);
        }
      }

      // A random sample of the plan's runs (needed when the count was too slow, and for large plans).
      const [size] = await q<{ reltuples: number; pages: number }>(
        `SELECT greatest(c.reltuples, 0)::float8 AS reltuples, (pg_relation_size(c.oid) / current_setting('block_size')::int)::int8 AS pages FROM pg_class c WHERE c.oid = 'flow_run'::regclass`,
      );
      const relPages = Math.max(1, Number(size?.pages ?? 1));
      const relRows = Math.max(1, Number(size?.reltuples ?? 1));
      let sampleIds: string[] = [];
      if (runs === null || runs.value > EXACT_CHILDREN) {
        const guess = runs?.value ?? relRows;
        const pct = Math.min(samplePercentFor(SAMPLE_RUNS, guess), (100 * SAMPLE_MAX_PAGES) / relPages);
        const ps = new Params();
        const pred = topLevelPg(resolved, ps, keep.ids);
        const clusters = await q<{ n: number; k: number; ids: string[] | null }>(
          `SELECT count(*) AS n, count(*) FILTER (WHERE s.m) AS k, array_agg(s.id::text) FILTER (WHERE s.m) AS ids
             FROM (SELECT fr.ctid, fr.id, (${pred}) AS m FROM flow_run fr TABLESAMPLE SYSTEM (${ps.p(pct)}) REPEATABLE (${ps.p(SEED)})) s
            GROUP BY (s.ctid::text::point)[0]`,
          ps.values,
        );
        sampleIds = clusters.flatMap((c) => c.ids ?? []);
        if (runs === null) runs = fromSampled(extrapolateClusters(clusters.map((c) => ({ n: Number(c.n), k: Number(c.k) })), relRows, relPages), 'rows of flow_run');
      }
      const runCount: Count = runs ?? exact(0);

      // Children: exact for small plans, else scaled from the sampled runs.
      const exactMode = runCount.exact && runCount.value <= EXACT_CHILDREN;
      let children: Record<ChildKey, Count>;
      {
        const ps = new Params();
        const roots = exactMode ? `SELECT fr.id FROM flow_run fr WHERE ${topLevelPg(resolved, ps, keep.ids)}` : `SELECT unnest(${ps.p(sampleIds)}::uuid[]) AS id`;
        const rows = runCount.value === 0 ? [] : await q<ChildRow>(perRootSql(roots, resolved, ps, keep.ids), ps.values);
        children = childImpact(rows, runCount, exactMode);
      }

      // Collections whose "latest" artifact belongs to a planned run (artifact_collection is one row per key).
      let collections: Count;
      {
        const ps = new Params();
        const [c] = await q<{ n: number }>(
          `SELECT count(*) AS n FROM artifact_collection c JOIN artifact a ON a.id = c.latest_id JOIN flow_run fr ON fr.id = a.flow_run_id WHERE ${topLevelPg(resolved, ps, keep.ids)}`,
          ps.values,
        );
        collections = { value: Number(c?.n ?? 0), exact: children.subflows.value === 0, margin: children.subflows.value === 0 ? 0 : null, how: children.subflows.value === 0 ? null : 'top-level runs only' };
      }

      const orphanLogs = input.orphans ? fromSampled(await sampleOrphans(q, 'log'), 'log rows') : null;
      const orphanArtifacts = input.orphans ? fromSampled(await sampleOrphans(q, 'artifact'), 'artifact rows') : null;
      const events = input.eventsCutoff && base.idx.events !== 'none' ? await countOlder(q, 'events', input.eventsCutoff, base.idx.events !== 'blocks') : null;
      const eventResources = input.eventsCutoff && base.idx.eventResources !== 'none' ? await countOlder(q, 'event_resources', input.eventsCutoff, base.idx.eventResources !== 'blocks') : null;

      const impact: RetentionImpact = {
        flowRuns: runCount,
        subflowRuns: children.subflows,
        flowRunStates: children.states,
        taskRuns: children.task_runs,
        taskRunStates: children.task_run_states,
        flowRunLogs: children.flow_logs,
        taskRunLogs: children.task_logs,
        artifacts: children.artifacts,
        artifactCollections: collections,
        flowRunInputs: children.inputs,
        orphanLogs,
        orphanArtifacts,
        events,
        eventResources,
      };

      // The oldest runs, for the eye.
      const ps = new Params();
      const sampleRows = await q<{ id: string; name: string; dep: string | null; st: string; end_text: string }>(
        `SELECT fr.id::text AS id, fr.name, fr.deployment_id::text AS dep, fr.state_type::text AS st, ${END_TEXT} AS end_text
           FROM flow_run fr WHERE ${topLevelPg(resolved, ps, keep.ids)} ORDER BY fr.end_time, fr.id LIMIT 10`,
        ps.values,
      );
      const sample: RetentionSampleRow[] = sampleRows.map((r) => ({
        id: r.id,
        name: r.name,
        deployment: r.dep ? (names.get(r.dep) ?? `deleted deployment ${r.dep.slice(0, 8)}`) : '(no deployment)',
        stateType: r.st,
        endTime: r.end_text,
      }));
      if (runs?.exact && sampleRows.length && !oldestEnd) oldestEnd = sampleRows[0]!.end_text;

      const bytesEstimate = await estimateBytes(q, impact);
      return { resolved, keepIds: keep.ids, runs: runCount, byState, oldestEnd, newestEnd, sample, impact, bytesEstimate, kept: keep.ids.length, indexes: base.idx, notes };
    },
    { ...opts, statementTimeoutMs: 300_000 },
  );
}

/** Share of each table's bytes that the plan's rows occupy (rough: average row width). */
async function estimateBytes(q: Query, impact: RetentionImpact): Promise<number | null> {
  const parts: Array<[string, Count | null]> = [
    ['flow_run', addCounts(impact.flowRuns, impact.subflowRuns)],
    ['flow_run_state', impact.flowRunStates],
    ['task_run', impact.taskRuns],
    ['task_run_state', impact.taskRunStates],
    ['log', addCounts(addCounts(impact.flowRunLogs, impact.taskRunLogs), impact.orphanLogs)],
    ['artifact', addCounts(impact.artifacts, impact.orphanArtifacts)],
    ['flow_run_input', impact.flowRunInputs],
    ['events', impact.events],
    ['event_resources', impact.eventResources],
  ];
  const rows = await q<{ relname: string; reltuples: number; bytes: number }>(
    `SELECT c.relname, greatest(c.reltuples, 0)::float8 AS reltuples, pg_total_relation_size(c.oid) AS bytes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname = ANY($1::text[])`,
    [parts.map((p) => p[0])],
  );
  const by = new Map(rows.map((r) => [r.relname, r]));
  let total = 0;
  for (const [table, count] of parts) {
    const r = by.get(table);
    if (!r || !count || Number(r.reltuples) <= 0) continue;
    total += (Number(r.bytes) * Math.min(count.value, Number(r.reltuples))) / Number(r.reltuples);
  }
  return Math.round(total);
}
