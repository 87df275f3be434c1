/**
 * Run health on Postgres without reading flow_run end to end:
 * - totals and the big terminal states come from planner statistics (reltuples × the MCV
 *   frequencies of state_type / state_name) and are marked as estimates;
 * - every state whose estimate is small is counted exactly through ix_flow_run__state_type /
 *   ix_flow_run__state_name, with a LIMIT so a stale estimate cannot turn into a long scan;
 * - the SCHEDULED runs (Late backlog, future runs, orphans whose deployment or schedule is gone) are
 *   read in one pass over the rows with state_type = 'SCHEDULED', which ix_flow_run__state_type and
 *   the partial scheduler index (…WHERE state_type = 'SCHEDULED') serve. It never filters on
 *   deployment_id alone: Prefect 3.1.6 … 3.8.3 have no plain index on that column
 *   (docs/prefect.md §6);
 * - terminal runs by age come from the end_time histogram, exact where the bucket is small.
 */
import { AGE_BUCKET_DAYS, STATE_TYPES, type AgeBucket, type DeploymentBacklog, type Orphans, type RunHealth, type StateCount } from '../../../shared/domain/inspect';
import type { Query } from '../targets/postgres';
import { iso, optional } from './pg-util';
import type { PgServerFacts } from './server-pg';
import { estimateBelow, estimateByValue, parsePgArray } from './stats-math';

/** Exact counts stop here: above it the estimate is shown (and the LIMIT keeps the query short). */
export const EXACT_CAP = 100_000;

/** Prefect's state names and their types (schemas/states.py), for names that come only from statistics. */
export const NAME_TYPES: Record<string, string> = {
  Scheduled: 'SCHEDULED',
  Late: 'SCHEDULED',
  AwaitingRetry: 'SCHEDULED',
  AwaitingConcurrencySlot: 'SCHEDULED',
  Resuming: 'SCHEDULED',
  Pending: 'PENDING',
  Running: 'RUNNING',
  Retrying: 'RUNNING',
  Completed: 'COMPLETED',
  Cached: 'COMPLETED',
  RolledBack: 'COMPLETED',
  Failed: 'FAILED',
  TimedOut: 'FAILED',
  Cancelled: 'CANCELLED',
  Cancelling: 'CANCELLING',
  Crashed: 'CRASHED',
  Paused: 'PAUSED',
  Suspended: 'PAUSED',
};

export const FLOW_RUN_STATS_SQL = `
SELECT c.reltuples::float8 AS reltuples,
       (SELECT s.null_frac::float8 FROM pg_stats s WHERE s.schemaname = current_schema() AND s.tablename = 'flow_run' AND s.attname = 'state_type' AND NOT s.inherited) AS type_null,
       (SELECT s.most_common_vals::text FROM pg_stats s WHERE s.schemaname = current_schema() AND s.tablename = 'flow_run' AND s.attname = 'state_type' AND NOT s.inherited) AS type_mcv,
       (SELECT s.most_common_freqs::float8[] FROM pg_stats s WHERE s.schemaname = current_schema() AND s.tablename = 'flow_run' AND s.attname = 'state_type' AND NOT s.inherited) AS type_mcf,
       (SELECT s.null_frac::float8 FROM pg_stats s WHERE s.schemaname = current_schema() AND s.tablename = 'flow_run' AND s.attname = 'state_name' AND NOT s.inherited) AS name_null,
       (SELECT s.most_common_vals::text FROM pg_stats s WHERE s.schemaname = current_schema() AND s.tablename = 'flow_run' AND s.attname = 'state_name' AND NOT s.inherited) AS name_mcv,
       (SELECT s.most_common_freqs::float8[] FROM pg_stats s WHERE s.schemaname = current_schema() AND s.tablename = 'flow_run' AND s.attname = 'state_name' AND NOT s.inherited) AS name_mcf
  FROM pg_class c WHERE c.oid = to_regclass('flow_run')`;

export const END_TIME_STATS_SQL = `
SELECT s.null_frac::float8 AS null_frac,
       (SELECT array_agg(extract(epoch FROM x.v)::float8 ORDER BY x.i) FROM unnest(s.histogram_bounds::text::timestamptz[]) WITH ORDINALITY AS x(v, i)) AS hist,
       (SELECT array_agg(extract(epoch FROM x.v)::float8 ORDER BY x.i) FROM unnest(s.most_common_vals::text::timestamptz[]) WITH ORDINALITY AS x(v, i)) AS mcv,
       s.most_common_freqs::float8[] AS mcf
  FROM pg_stats s
 WHERE s.schemaname = current_schema() AND s.tablename = 'flow_run' AND s.attname = 'end_time' AND NOT s.inherited`;

/** Served by ix_flow_run__state_type (an index-only scan once the visibility map is set). */
export const COUNT_TYPE_SQL = `SELECT count(*) AS n FROM (SELECT 1 FROM flow_run WHERE state_type = $1::state_type LIMIT $2) x`;
/** Served by ix_flow_run__state_name. */
export const COUNT_NAME_SQL = `SELECT count(*) AS n FROM (SELECT 1 FROM flow_run WHERE state_name = $1 LIMIT $2) x`;
/** Served by ix_flow_run__end_time_desc. */
export const COUNT_ENDED_BEFORE_SQL = `
SELECT count(*) AS n FROM (
  SELECT 1 FROM flow_run WHERE end_time < $1::timestamptz AND state_type IN ('COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED') LIMIT $2) x`;

/**
 * One pass over the SCHEDULED runs, grouped so that one row carries a deployment's Late backlog, its
 * future runs and whether its deployment / schedule still exist. The joins are to the small
 * deployment and deployment_schedule tables, after grouping.
 */
export function scheduledPassSql(opts: { createdBy: boolean; schedules: boolean; deployments: boolean }): string {
  const scheduleKey = opts.createdBy
    ? `CASE WHEN fr.auto_scheduled AND fr.created_by->>'type' = 'SCHEDULE' THEN fr.created_by->>'id' END`
    : 'NULL::text';
  const scheduleGone = opts.schedules
    ? `(s.schedule_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM deployment_schedule ds WHERE ds.id::text = s.schedule_key))`
    : 'false';
  const deploymentExists = opts.deployments ? 'EXISTS (SELECT 1 FROM deployment d WHERE d.id = s.deployment_id)' : 'true';
  return `
WITH s AS (
  SELECT fr.deployment_id, fr.state_name, (fr.next_scheduled_start_time > now()) AS future, ${scheduleKey} AS schedule_key,
         count(*) AS n, min(fr.expected_start_time) AS oldest_expected,
         min(fr.next_scheduled_start_time) AS first_next, max(fr.next_scheduled_start_time) AS last_next
    FROM flow_run fr
   WHERE fr.state_type = 'SCHEDULED'
   GROUP BY 1, 2, 3, 4)
SELECT s.deployment_id::text AS deployment_id, s.state_name, coalesce(s.future, false) AS future, s.n,
       s.oldest_expected, s.first_next, s.last_next,
       (s.deployment_id IS NULL OR ${deploymentExists}) AS deployment_exists,
       ${scheduleGone} AS schedule_gone
  FROM s`;
}

export const DEPLOYMENT_NAMES_SQL = `
SELECT d.id::text AS id, f.name || '/' || d.name AS name, d.paused, d.status::text AS status, d.last_polled
  FROM deployment d JOIN flow f ON f.id = d.flow_id
 WHERE d.id = ANY($1::uuid[])`;

interface PassRow {
  deployment_id: string | null;
  state_name: string | null;
  future: boolean;
  n: number;
  oldest_expected: Date | null;
  first_next: Date | null;
  last_next: Date | null;
  deployment_exists: boolean;
  schedule_gone: boolean;
}

export interface RunHealthResult {
  runs: RunHealth;
  notes: string[];
  partial: boolean;
}

/** Counts by state type and name plus the age buckets: statistics first, exact where cheap. */
export interface CountsPart {
  rows: number;
  haveStats: boolean;
  byType: StateCount[];
  /** Name estimates (MCV) and exact counts of non-SCHEDULED names. */
  byName: StateCount[];
  nameOthers: number;
  terminalByAge: AgeBucket[];
  notes: string[];
  partial: boolean;
}

/** What the one pass over the SCHEDULED runs found. */
export interface ScheduledPart {
  late: NonNullable<RunHealth['late']>;
  future: NonNullable<RunHealth['future']>;
  orphans: Pick<Orphans, 'deploymentGone' | 'scheduleGone'>;
  /** Exact counts per SCHEDULED-type state name. */
  names: Map<string, number>;
  notes: string[];
}

export async function readCountsPg(q: Query, now = new Date()): Promise<CountsPart> {
  const notes: string[] = [];
  let partial = false;
  const [st] = await q<{
    reltuples: number;
    type_null: number | null;
    type_mcv: string | null;
    type_mcf: number[] | null;
    name_null: number | null;
    name_mcv: string | null;
    name_mcf: number[] | null;
  }>(FLOW_RUN_STATS_SQL);
  const rows = st ? st.reltuples : -1;
  const haveStats = st?.type_mcv != null;
  if (rows < 0) notes.push('flow_run was never analyzed: totals are unknown until ANALYZE (or autovacuum) runs.');
  if (!haveStats && rows >= 0) {
    partial = true;
    notes.push('No planner statistics on flow_run.state_type are visible (never analyzed, or no SELECT on flow_run): only small states are counted.');
  }
  const typeEst = estimateByValue(parsePgArray(st?.type_mcv), st?.type_mcf ?? [], st?.type_null ?? 0, rows);
  const nameEst = estimateByValue(parsePgArray(st?.name_mcv), st?.name_mcf ?? [], st?.name_null ?? 0, rows);

  const byType: StateCount[] = [];
  for (const type of STATE_TYPES) {
    const est = typeEst.counts.get(type);
    // SCHEDULED is counted exactly by the SCHEDULED pass, which reads those rows anyway.
    if (type === 'SCHEDULED' || (haveStats && est !== undefined && est >= EXACT_CAP)) {
      if (est !== undefined) byType.push({ type, name: null, count: est, exact: false });
      continue;
    }
    const r = await optional(q, 'hk_count_type', () => q<{ n: number }>(COUNT_TYPE_SQL, [type, EXACT_CAP]));
    if (r.ok) {
      const n = Number(r.value[0]?.n ?? 0);
      if (n < EXACT_CAP) byType.push({ type, name: null, count: n, exact: true });
      else byType.push({ type, name: null, count: Math.max(n, est ?? 0), exact: false });
    } else {
      partial = true;
      if (est !== undefined) byType.push({ type, name: null, count: est, exact: false });
      notes.push(`Counting ${type} runs failed: ${r.error.message}`);
    }
  }

  const byName: StateCount[] = [];
  for (const [name, est] of nameEst.counts) {
    const type = NAME_TYPES[name] ?? null;
    if (type === 'SCHEDULED') continue;
    if (est >= EXACT_CAP) {
      byName.push({ type, name, count: est, exact: false });
      continue;
    }
    const r = await optional(q, 'hk_count_name', () => q<{ n: number }>(COUNT_NAME_SQL, [name, EXACT_CAP]));
    const n = r.ok ? Number(r.value[0]?.n ?? 0) : est;
    byName.push({ type, name, count: n, exact: r.ok && n < EXACT_CAP });
  }
  const terminalByAge = await ageBuckets(q, rows, now, notes);
  return { rows, haveStats, byType, byName, nameOthers: haveStats ? nameEst.others : 0, terminalByAge, notes, partial };
}

export async function readScheduledPg(q: Query, facts: PgServerFacts): Promise<ScheduledPart> {
  const notes: string[] = [];
  const passRows = await q<PassRow>(
    scheduledPassSql({
      createdBy: facts.flowRunColumns.has('created_by') && facts.flowRunColumns.has('auto_scheduled'),
      schedules: facts.tables.has('deployment_schedule'),
      deployments: facts.tables.has('deployment'),
    }),
  );
  const lateBy = new Map<string | null, { count: number; first: Date | null; exists: boolean }>();
  const futureBy = new Map<string | null, { count: number; first: Date | null; last: Date | null; exists: boolean }>();
  const names = new Map<string, number>();
  let goneCount = 0;
  const goneDeployments = new Set<string>();
  let goneOldest: Date | null = null;
  let schedGone = 0;
  let schedOldest: Date | null = null;
  const minDate = (a: Date | null, b: Date | null) => (a && b ? (a < b ? a : b) : (a ?? b));
  const maxDate = (a: Date | null, b: Date | null) => (a && b ? (a > b ? a : b) : (a ?? b));
  for (const r of passRows) {
    const n = Number(r.n);
    const name = r.state_name ?? '(no name)';
    names.set(name, (names.get(name) ?? 0) + n);
    if (r.state_name === 'Late') {
      const g = lateBy.get(r.deployment_id) ?? { count: 0, first: null, exists: r.deployment_exists };
      g.count += n;
      g.first = minDate(g.first, r.oldest_expected);
      lateBy.set(r.deployment_id, g);
    }
    if (r.future) {
      const g = futureBy.get(r.deployment_id) ?? { count: 0, first: null, last: null, exists: r.deployment_exists };
      g.count += n;
      g.first = minDate(g.first, r.first_next);
      g.last = maxDate(g.last, r.last_next);
      futureBy.set(r.deployment_id, g);
    }
    if (!r.deployment_exists && r.deployment_id) {
      goneCount += n;
      goneDeployments.add(r.deployment_id);
      goneOldest = minDate(goneOldest, r.oldest_expected);
    }
    if (r.schedule_gone && r.deployment_exists) {
      schedGone += n;
      schedOldest = minDate(schedOldest, r.oldest_expected);
    }
  }
  const ids = [...new Set([...lateBy.keys(), ...futureBy.keys()].filter((x): x is string => x !== null))];
  const dnames = await deploymentNames(q, ids, notes);
  const backlog = (id: string | null, g: { count: number; first: Date | null; last?: Date | null; exists: boolean }): DeploymentBacklog => {
    const d = id ? dnames.get(id) : undefined;
    return {
      deploymentId: id,
      name: d?.name ?? null,
      exists: id === null || g.exists,
      paused: d?.paused ?? null,
      status: d?.status ?? null,
      lastPolled: d?.lastPolled ?? null,
      count: g.count,
      first: iso(g.first),
      last: iso(g.last ?? null),
    };
  };
  const lateList = [...lateBy].map(([id, g]) => backlog(id, g)).sort((a, b) => b.count - a.count);
  const futureList = [...futureBy].map(([id, g]) => backlog(id, g)).sort((a, b) => b.count - a.count);
  return {
    late: { count: lateList.reduce((n, d) => n + d.count, 0), exact: true, deployments: lateList },
    future: { count: futureList.reduce((n, d) => n + d.count, 0), exact: true, deployments: futureList },
    orphans: {
      deploymentGone: { count: goneCount, deployments: goneDeployments.size, oldest: iso(goneOldest) },
      scheduleGone: facts.tables.has('deployment_schedule') ? { count: schedGone, oldest: iso(schedOldest) } : null,
    },
    names,
    notes,
  };
}

/** Puts the two parts together; either may be missing (its failure is already a note). */
export function mergeRunHealth(counts: CountsPart, pass: ScheduledPart | null): RunHealth {
  const byType = counts.byType.map((t) => {
    if (t.type !== 'SCHEDULED' || !pass) return t;
    return { ...t, count: [...pass.names.values()].reduce((a, b) => a + b, 0), exact: true };
  });
  if (pass && !byType.some((t) => t.type === 'SCHEDULED')) {
    byType.push({ type: 'SCHEDULED', name: null, count: [...pass.names.values()].reduce((a, b) => a + b, 0), exact: true });
  }
  const byName: StateCount[] = [...counts.byName];
  if (pass) for (const [name, n] of pass.names) byName.push({ type: 'SCHEDULED', name, count: n, exact: true });
  if (counts.nameOthers > 0) byName.push({ type: null, name: null, count: counts.nameOthers, exact: false });
  byName.sort((a, b) => b.count - a.count);
  const exactTotal = byType.every((t) => t.exact);
  const total = exactTotal ? byType.reduce((n, t) => n + t.count, 0) : counts.rows < 0 ? null : Math.round(counts.rows);
  return {
    method: 'sql',
    total,
    totalExact: exactTotal,
    byType: byType.filter((t) => t.count > 0).sort((a, b) => b.count - a.count),
    byName,
    late: pass?.late ?? null,
    future: pass?.future ?? null,
    terminalByAge: counts.terminalByAge,
    orphans: { deploymentGone: pass?.orphans.deploymentGone ?? null, scheduleGone: pass?.orphans.scheduleGone ?? null, logs: null, artifacts: null },
    recent: null,
  };
}

/** Both parts in one transaction (tests and callers without a pool); inspect-pg runs them in parallel. */
export async function readRunHealthPg(q: Query, facts: PgServerFacts, now = new Date()): Promise<RunHealthResult> {
  const counts = await readCountsPg(q, now);
  const pass = await optional(q, 'hk_scheduled', () => readScheduledPg(q, facts));
  const notes = [...counts.notes, ...(pass.ok ? pass.value.notes : [`The Late backlog and future runs could not be read: ${pass.error.message}`])];
  return { runs: mergeRunHealth(counts, pass.ok ? pass.value : null), notes, partial: counts.partial || !pass.ok };
}

async function deploymentNames(
  q: Query,
  ids: string[],
  notes: string[],
): Promise<Map<string, { name: string; paused: boolean | null; status: string | null; lastPolled: string | null }>> {
  const out = new Map<string, { name: string; paused: boolean | null; status: string | null; lastPolled: string | null }>();
  if (ids.length === 0) return out;
  const r = await optional(q, 'hk_names', () =>
    q<{ id: string; name: string; paused: boolean | null; status: string | null; last_polled: Date | null }>(DEPLOYMENT_NAMES_SQL, [ids]),
  );
  if (!r.ok) {
    notes.push(`Deployment names could not be read: ${r.error.message}`);
    return out;
  }
  for (const d of r.value) out.set(d.id, { name: d.name, paused: d.paused, status: d.status, lastPolled: iso(d.last_polled) });
  return out;
}

async function ageBuckets(q: Query, rows: number, now: Date, notes: string[]): Promise<AgeBucket[]> {
  const stats = await optional(q, 'hk_end_time', () =>
    q<{ null_frac: number; hist: number[] | null; mcv: number[] | null; mcf: number[] | null }>(END_TIME_STATS_SQL),
  );
  const dist = stats.ok && stats.value[0] ? stats.value[0] : null;
  if (!dist) notes.push('No statistics on flow_run.end_time: terminal runs by age are counted only where small.');
  const out: AgeBucket[] = [];
  for (const days of AGE_BUCKET_DAYS) {
    const before = new Date(now.getTime() - days * 86_400_000);
    const est = dist
      ? estimateBelow(
          { nullFrac: dist.null_frac, histogram: (dist.hist ?? []).map((s) => s * 1000), mcv: (dist.mcv ?? []).map((s) => s * 1000), mcf: dist.mcf ?? [] },
          Math.max(0, rows),
          before.getTime(),
        )
      : null;
    if (est !== null && est >= EXACT_CAP) {
      out.push({ days, before: before.toISOString(), count: est, exact: false });
      continue;
    }
    const r = await optional(q, 'hk_age', () => q<{ n: number }>(COUNT_ENDED_BEFORE_SQL, [before.toISOString(), EXACT_CAP]));
    if (r.ok) {
      const n = Number(r.value[0]?.n ?? 0);
      out.push({ days, before: before.toISOString(), count: n < EXACT_CAP ? n : Math.max(n, est ?? 0), exact: n < EXACT_CAP });
    } else if (est !== null) {
      out.push({ days, before: before.toISOString(), count: est, exact: false });
    }
  }
  return out;
}

