/**
 * The Postgres reads Diagnose needs beyond the inspection, in one READ ONLY transaction with a short
 * statement timeout: the connection limit and who uses it, per-table freeze limits, what holds the
 * oldest transaction horizon, runs of deleted deployments (only when the inspection saw some), the
 * oldest event, and a sample of the newest log rows (how clients send logs). Catalog views and
 * index-backed reads only: cheap on any database size.
 */
import type { LogSample, PgProbe, XminHolder } from '../../../shared/domain/diagnose';
import type { ApiRun } from '../schedules/api';
import type { Query } from '../targets/postgres';

export const LIMITS_SQL = `
SELECT current_setting('max_connections')::int AS max_connections,
       current_setting('superuser_reserved_connections')::int AS su_reserved,
       coalesce(nullif(current_setting('reserved_connections', true), ''), '0')::int AS reserved,
       pg_backend_pid() AS me`;

/** Client backends of the whole cluster: max_connections counts them all. */
export const SESSIONS_SQL = `
SELECT a.datname = current_database() AS here, a.pid = pg_backend_pid() AS me,
       coalesce(a.application_name, '') AS app, a.client_addr::text AS addr, a.state,
       a.pid, a.usename, age(a.backend_xmin)::int8 AS xmin_age, a.xact_start
  FROM pg_stat_activity a
 WHERE a.backend_type = 'client backend'`;

export const FREEZE_RELOPTIONS_SQL = `
SELECT c.relname::text AS name, opt
  FROM pg_class c, unnest(c.reloptions) AS opt
 WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND opt LIKE 'autovacuum_freeze_max_age=%'`;

export const PREPARED_SQL = `SELECT gid, age(transaction)::int8 AS age, prepared FROM pg_prepared_xacts ORDER BY age(transaction) DESC LIMIT 3`;
export const SLOTS_SQL = `
SELECT slot_name::text AS name, greatest(coalesce(age(xmin), 0), coalesce(age(catalog_xmin), 0))::int8 AS age
  FROM pg_replication_slots WHERE xmin IS NOT NULL OR catalog_xmin IS NOT NULL`;

/** One pass over the SCHEDULED runs (ix_flow_run__state_type), grouped, then the missing deployments. */
export const GONE_DEPLOYMENTS_SQL = `
SELECT s.deployment_id::text AS id, s.n, s.past
  FROM (SELECT deployment_id, count(*) AS n, count(*) FILTER (WHERE next_scheduled_start_time <= now()) AS past
          FROM flow_run WHERE state_type = 'SCHEDULED' AND deployment_id IS NOT NULL GROUP BY 1) s
 WHERE NOT EXISTS (SELECT 1 FROM deployment d WHERE d.id = s.deployment_id)
 ORDER BY s.n DESC LIMIT 500`;

/** ix_events__occurred. */
export const OLDEST_EVENT_SQL = `SELECT occurred FROM events ORDER BY occurred LIMIT 1`;

/** The newest log rows (ix_log__updated), for how they were inserted. */
export const LOG_SAMPLE_SQL = `
SELECT flow_run_id::text AS run, extract(epoch FROM "timestamp")::float8 AS t, extract(epoch FROM updated)::float8 AS u
  FROM log WHERE flow_run_id IS NOT NULL AND updated > now() - interval '7 days'
 ORDER BY updated DESC LIMIT $1`;

export const LOG_SAMPLE_ROWS = 5000;
/** Logs of one run this close in client time would be in one batch with Prefect's 2-second interval. */
const CLOSE_S = 1;
/** Rows of one multi-row insert get their `updated` within microseconds; separate requests, milliseconds. */
const SAME_INSERT_S = 0.005;

interface SessionRow {
  here: boolean;
  me: boolean;
  app: string;
  addr: string | null;
  state: string | null;
  pid: number;
  usename: string | null;
  xmin_age: number | null;
  xact_start: Date | null;
}

export async function probePg(q: Query, opts: { tables: Set<string>; lookForGone: boolean }): Promise<PgProbe> {
  const [lim] = await q<{ max_connections: number; su_reserved: number; reserved: number; me: number }>(LIMITS_SQL);
  const sessions = await q<SessionRow>(SESSIONS_SQL);
  const ours = (s: SessionRow) => s.me || s.app.startsWith('housekeeper');
  const prefect = sessions.filter((s) => s.here && !ours(s));
  const visible = prefect.filter((s) => s.addr !== null || s.state !== null);
  const addresses = visible.length ? [...new Set(visible.map((s) => (s.addr ?? 'local socket').replace(/\/32$|\/128$/, '')))] : null;

  const tableFreezeMaxAge: Record<string, number> = {};
  for (const r of await q<{ name: string; opt: string }>(FREEZE_RELOPTIONS_SQL)) {
    const v = Number(r.opt.split('=')[1]);
    if (Number.isFinite(v)) tableFreezeMaxAge[r.name] = v;
  }

  const holders: XminHolder[] = sessions
    .filter((s) => !s.me && s.xmin_age !== null)
    .map((s) => ({
      kind: 'session' as const,
      name: `${s.pid}${s.usename ? ` (${s.usename}${s.app ? `, ${s.app}` : ''})` : ''}`,
      age: Number(s.xmin_age),
      since: s.xact_start ? s.xact_start.toISOString() : null,
      state: s.state,
    }));
  for (const r of await q<{ gid: string; age: number; prepared: Date }>(PREPARED_SQL)) {
    holders.push({ kind: 'prepared', name: r.gid, age: Number(r.age), since: r.prepared.toISOString(), state: 'prepared' });
  }
  for (const r of await q<{ name: string; age: number }>(SLOTS_SQL)) holders.push({ kind: 'slot', name: r.name, age: Number(r.age), since: null, state: null });
  holders.sort((a, b) => b.age - a.age);

  let goneDeployments: PgProbe['goneDeployments'] = null;
  if (opts.lookForGone && opts.tables.has('flow_run') && opts.tables.has('deployment')) {
    goneDeployments = (await q<{ id: string; n: number; past: number }>(GONE_DEPLOYMENTS_SQL)).map((r) => ({ id: r.id, runs: Number(r.n), pastDue: Number(r.past) }));
  }
  let oldestEvent: string | null = null;
  if (opts.tables.has('events')) {
    const [r] = await q<{ occurred: Date }>(OLDEST_EVENT_SQL);
    oldestEvent = r ? r.occurred.toISOString() : null;
  }
  return {
    maxConnections: lim!.max_connections,
    reserved: lim!.su_reserved + lim!.reserved,
    sessions: {
      total: sessions.length,
      prefect: prefect.length,
      ours: sessions.filter(ours).length,
      idleInTransaction: prefect.filter((s) => s.state?.startsWith('idle in transaction')).length,
      addresses,
    },
    tableFreezeMaxAge,
    // Only holders old enough to matter beside a fresh autovacuum (a few thousand is normal traffic).
    xminHolders: holders.filter((h) => h.age >= 10_000).slice(0, 5),
    goneDeployments,
    oldestEvent,
  };
}

export async function sampleLogsPg(q: Query): Promise<LogSample> {
  const rows = await q<{ run: string; t: number; u: number }>(LOG_SAMPLE_SQL, [LOG_SAMPLE_ROWS]);
  return summarizeLogs(rows);
}

/** Pure: the pairs of logs written close together and whether they shared an insert. */
export function summarizeLogs(rows: Array<{ run: string; t: number; u: number }>): LogSample {
  const byRun = new Map<string, Array<{ t: number; u: number }>>();
  for (const r of rows) byRun.set(r.run, [...(byRun.get(r.run) ?? []), { t: Number(r.t), u: Number(r.u) }]);
  let closePairs = 0;
  let splitPairs = 0;
  let example: LogSample['example'] = null;
  for (const [run, logs] of byRun) {
    logs.sort((a, b) => a.u - b.u || a.t - b.t);
    let inserts = logs.length ? 1 : 0;
    for (let i = 1; i < logs.length; i++) {
      const separate = logs[i]!.u - logs[i - 1]!.u > SAME_INSERT_S;
      if (separate) inserts++;
      if (Math.abs(logs[i]!.t - logs[i - 1]!.t) <= CLOSE_S) {
        closePairs++;
        if (separate) splitPairs++;
      }
    }
    if (!example || logs.length > example.logs) {
      const ts = logs.map((l) => l.t);
      example = { flowRunId: run, logs: logs.length, inserts, spanSeconds: Math.max(...ts) - Math.min(...ts) };
    }
  }
  return { sampled: rows.length, runs: byRun.size, closePairs, splitPairs, example };
}

/**
 * Future SCHEDULED runs of these deployments, in the shape the Schedules feature reads from
 * POST /flow_runs/filter (schedules/api.ts ApiRun). One indexed read instead of paging the API 200 at
 * a time, which is what a server holding thousands of future runs (the issue's situation) needs.
 */
export const FUTURE_RUNS_SQL = `
SELECT fr.id::text AS id, fr.deployment_id::text AS deployment_id, fr.next_scheduled_start_time AS next,
       fr.state_type::text AS state_type, fr.state_name, fr.run_count, fr.auto_scheduled, fr.created_by
  FROM flow_run fr
 WHERE fr.state_type = 'SCHEDULED' AND fr.next_scheduled_start_time >= $1::timestamptz AND fr.deployment_id = ANY($2::uuid[])`;

export async function futureRunsPg(q: Query, deploymentIds: string[], now: number): Promise<ApiRun[]> {
  if (deploymentIds.length === 0) return [];
  const rows = await q<{ id: string; deployment_id: string; next: Date | null; state_type: string; state_name: string | null; run_count: number; auto_scheduled: boolean; created_by: ApiRun['created_by'] }>(FUTURE_RUNS_SQL, [
    new Date(now).toISOString(),
    deploymentIds,
  ]);
  return rows.map((r) => ({
    id: r.id,
    deployment_id: r.deployment_id,
    next_scheduled_start_time: r.next ? r.next.toISOString() : null,
    state_type: r.state_type,
    state_name: r.state_name,
    run_count: Number(r.run_count),
    auto_scheduled: r.auto_scheduled,
    created_by: r.created_by,
  }));
}

/**
 * What the Schedules list counts per deployment through three API calls each (schedules/api.ts
 * backlog, orphaned), in one pass over the SCHEDULED runs: past-due Scheduled/Late runs, runs made by
 * schedules that no longer exist, and runs made by schedules of deployments that no longer exist.
 * "Made by the scheduler" is decided as the API path decides it (SchedulesApi.madeByScheduler):
 * created_by where the server can filter on it, else the auto-scheduled tag, because runs before
 * Prefect 3.2 carry no created_by at all (the capabilities module's flowRunCreatedBy).
 */
export const BACKLOG_SQL = `
SELECT fr.deployment_id::text AS id,
       count(*) FILTER (WHERE fr.state_name IN ('Scheduled', 'Late') AND fr.next_scheduled_start_time < $1::timestamptz) AS past_due,
       count(*) FILTER (WHERE fr.created_by->>'type' = 'SCHEDULE'
                          AND NOT EXISTS (SELECT 1 FROM deployment_schedule ds WHERE ds.id::text = fr.created_by->>'id')) AS left_behind,
       count(*) FILTER (WHERE CASE WHEN $2::boolean THEN fr.created_by->>'type' = 'SCHEDULE' ELSE fr.tags ? 'auto-scheduled' END) AS made,
       bool_or(EXISTS (SELECT 1 FROM deployment d WHERE d.id = fr.deployment_id)) AS exists
  FROM flow_run fr
 WHERE fr.state_type = 'SCHEDULED' AND fr.deployment_id IS NOT NULL
 GROUP BY fr.deployment_id`;

export async function backlogPg(q: Query, now: number, byCreatedBy: boolean): Promise<{ backlog: Map<string, { pastDue: number; leftBehind: number }>; orphaned: number }> {
  const rows = await q<{ id: string; past_due: number; left_behind: number; made: number; exists: boolean }>(BACKLOG_SQL, [new Date(now).toISOString(), byCreatedBy]);
  const backlog = new Map<string, { pastDue: number; leftBehind: number }>();
  let orphaned = 0;
  for (const r of rows) {
    if (r.exists) backlog.set(r.id, { pastDue: Number(r.past_due), leftBehind: Number(r.left_behind) });
    else orphaned += Number(r.made);
  }
  return { backlog, orphaned };
}
