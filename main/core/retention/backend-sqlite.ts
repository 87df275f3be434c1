/**
 * Retention on a SQLite-backed Prefect server: the same predicate, phases and journal as on
 * Postgres, on Prefect's SQLite encoding (UUIDs and timestamps as text, "YYYY-MM-DD HH:MM:SS.ffffff"
 * in UTC, so comparisons are string comparisons). SQLite has no row locks: each batch takes the
 * database write lock briefly (BEGIN IMMEDIATE; the Prefect server waits for it, busy_timeout), and
 * the predicate inside that transaction is the re-check. Foreign keys are on (the writable handle
 * checks it), as in Prefect's own engine. Plans count exactly (a SQLite Prefect is small enough),
 * except the children of very large plans, which are scaled from a sample.
 */
import type Database from 'better-sqlite3';
import type { Count, IndexNote, RetentionImpact } from '../../../shared/domain/retention';
import { AppError } from '../../../shared/errors';
import { repointCollectionsSqlite } from '../batches/artifact-collections';
import { fromSqliteTimestamp, toSqliteTimestamp } from '../purge/backend-sqlite';
import { resolveDeployments, type DeploymentName } from '../purge/names';
import { SqliteTarget } from '../targets/sqlite';
import { exact, scaleSample } from './estimate';
import { EXACT_CHILDREN } from './plan-pg';
import type { BackendPlan, PlanInput, ResolvedRetention, RetentionBackend, RetentionExecution, Step, StepResult } from './types';

const json = (v: unknown) => JSON.stringify(v);

interface Pred {
  sql: string;
  params: Record<string, unknown>;
}

function finishedOld(r: ResolvedRetention, keep: readonly string[]): Pred {
  return {
    sql: `fr.state_type IN (SELECT value FROM json_each(@types)) AND fr.end_time < @cutoff
          AND (json_array_length(@keep) = 0 OR fr.id NOT IN (SELECT value FROM json_each(@keep)))`,
    params: { types: json(r.stateTypes), cutoff: toSqliteTimestamp(r.cutoff), keep: json(keep) },
  };
}

function topLevel(r: ResolvedRetention, keep: readonly string[]): Pred {
  const f = finishedOld(r, keep);
  return {
    sql: `${f.sql} AND fr.parent_task_run_id IS NULL
          AND (json_array_length(@deps) = 0 OR fr.deployment_id IN (SELECT value FROM json_each(@deps)))`,
    params: { ...f.params, deps: json(r.deploymentIds) },
  };
}

function hasIndexOn(db: Database.Database, table: string, lead: string): string | null {
  const list = db.prepare(`SELECT name, partial FROM pragma_index_list(?)`).all(table) as Array<{ name: string; partial: number }>;
  for (const ix of list) {
    if (ix.partial) continue;
    const first = db.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno LIMIT 1').get(ix.name) as { name: string | null } | undefined;
    if (first?.name === lead) return ix.name;
  }
  return null;
}

const PER_ROOT = (rootsSql: string, sub: string) => `
  WITH RECURSIVE v(id, root, top) AS (
    SELECT x.id, x.id, 1 FROM (${rootsSql}) x
    UNION
    SELECT fr.id, v.root, 0 FROM v JOIN task_run tr ON tr.flow_run_id = v.id JOIN flow_run fr ON fr.parent_task_run_id = tr.id WHERE ${sub}
  )
  SELECT sum(1 - v.top) AS subflows,
         sum((SELECT count(*) FROM flow_run_state s WHERE s.flow_run_id = v.id)) AS states,
         sum((SELECT count(*) FROM task_run t WHERE t.flow_run_id = v.id)) AS task_runs,
         sum((SELECT count(*) FROM task_run_state s JOIN task_run t ON t.id = s.task_run_id WHERE t.flow_run_id = v.id)) AS task_run_states,
         sum((SELECT count(*) FROM log l WHERE l.flow_run_id = v.id AND l.task_run_id IS NULL)) AS flow_logs,
         sum((SELECT count(*) FROM log l WHERE l.flow_run_id = v.id AND l.task_run_id IS NOT NULL)) AS task_logs,
         sum((SELECT count(*) FROM artifact a WHERE a.flow_run_id = v.id)) AS artifacts,
         sum((SELECT count(*) FROM flow_run_input i WHERE i.flow_run_id = v.id)) AS inputs
    FROM v GROUP BY v.root`;

type ChildKey = 'subflows' | 'states' | 'task_runs' | 'task_run_states' | 'flow_logs' | 'task_logs' | 'artifacts' | 'inputs';

function planSqlite(db: Database.Database, input: PlanInput): BackendPlan {
  const deps = db.prepare(`SELECT d.id AS id, f.name || '/' || d.name AS fullName, d.name AS name FROM deployment d JOIN flow f ON f.id = d.flow_id`).all() as DeploymentName[];
  const names = new Map(deps.map((d) => [d.id, d.fullName]));
  const resolved: ResolvedRetention = {
    cutoff: input.cutoff,
    stateTypes: input.stateTypes,
    deploymentIds: resolveDeployments(input.deployments, deps),
    keepNewest: input.keepNewest,
    eventsCutoff: input.eventsCutoff,
    orphans: input.orphans,
  };
  const notes: string[] = [];
  // --keep-newest: the newest N per deployment, by a window over the plan's runs.
  let keepIds: string[] = [];
  if (resolved.keepNewest > 0) {
    const p = topLevel(resolved, []);
    keepIds = (
      db
        .prepare(
          `SELECT id FROM (SELECT fr.id, row_number() OVER (PARTITION BY coalesce(fr.deployment_id, '') ORDER BY fr.end_time DESC, fr.id DESC) AS rn
                             FROM flow_run fr WHERE ${p.sql}) WHERE rn <= @n`,
        )
        .all({ ...p.params, n: resolved.keepNewest }) as { id: string }[]
    ).map((x) => x.id);
  }
  const p = topLevel(resolved, keepIds);
  const states = db
    .prepare(`SELECT fr.state_type AS st, count(*) AS n, min(fr.end_time) AS oldest, max(fr.end_time) AS newest FROM flow_run fr WHERE ${p.sql} GROUP BY 1 ORDER BY 2 DESC`)
    .all(p.params) as Array<{ st: string; n: number; oldest: string; newest: string }>;
  const runCount = states.reduce((a, b) => a + b.n, 0);
  const runs = exact(runCount);
  const exactMode = runCount <= EXACT_CHILDREN;
  const f = finishedOld(resolved, keepIds);
  const rootsSql = exactMode ? `SELECT fr.id AS id FROM flow_run fr WHERE ${p.sql}` : `SELECT fr.id AS id FROM flow_run fr WHERE ${p.sql} AND abs(random()) % @every = 0 LIMIT 2000`;
  const rows = runCount === 0 ? [] : (db.prepare(PER_ROOT(rootsSql, f.sql)).all({ ...p.params, every: Math.max(1, Math.floor(runCount / 2000)) }) as Array<Record<string, number | null>>);
  const child = (k: ChildKey): Count => {
    const values = rows.map((r) => Number(r[k] ?? 0));
    return exactMode ? exact(values.reduce((a, b) => a + b, 0)) : scaleSample(values, runs);
  };
  const collections = (
    db
      .prepare(`SELECT count(*) AS n FROM artifact_collection c JOIN artifact a ON a.id = c.latest_id JOIN flow_run fr ON fr.id = a.flow_run_id WHERE ${p.sql}`)
      .get(p.params) as { n: number }
  ).n;
  const orphan = (table: 'log' | 'artifact'): Count =>
    exact((db.prepare(`SELECT count(*) AS n FROM ${table} t WHERE t.flow_run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM flow_run fr WHERE fr.id = t.flow_run_id)`).get() as { n: number }).n);
  const older = (table: 'events' | 'event_resources'): Count =>
    exact((db.prepare(`SELECT count(*) AS n FROM ${table} WHERE occurred < ?`).get(toSqliteTimestamp(input.eventsCutoff!)) as { n: number }).n);
  const impact: RetentionImpact = {
    flowRuns: runs,
    subflowRuns: child('subflows'),
    flowRunStates: child('states'),
    taskRuns: child('task_runs'),
    taskRunStates: child('task_run_states'),
    flowRunLogs: child('flow_logs'),
    taskRunLogs: child('task_logs'),
    artifacts: child('artifacts'),
    artifactCollections: exact(collections),
    flowRunInputs: child('inputs'),
    orphanLogs: input.orphans ? orphan('log') : null,
    orphanArtifacts: input.orphans ? orphan('artifact') : null,
    events: input.eventsCutoff ? older('events') : null,
    eventResources: input.eventsCutoff ? older('event_resources') : null,
  };
  const sample = (
    db
      .prepare(`SELECT fr.id, fr.name, fr.deployment_id AS dep, fr.state_type AS st, fr.end_time AS e FROM flow_run fr WHERE ${p.sql} ORDER BY fr.end_time, fr.id LIMIT 10`)
      .all(p.params) as Array<{ id: string; name: string; dep: string | null; st: string; e: string }>
  ).map((r) => ({ id: r.id, name: r.name, deployment: r.dep ? (names.get(r.dep) ?? `deleted deployment ${r.dep.slice(0, 8)}`) : '(no deployment)', stateType: r.st, endTime: fromSqliteTimestamp(r.e) }));
  const indexNotes: IndexNote[] = [];
  const er = hasIndexOn(db, 'event_resources', 'occurred');
  indexNotes.push({
    table: 'event_resources',
    index: er ?? 'ix_event_resources__occurred',
    present: !!er,
    note: er ? 'Old event resources are walked through this index.' : 'Missing (added by Prefect 3.7.5): event resources are walked by rowid ranges, one pass over the table.',
  });
  return {
    resolved,
    keepIds,
    runs,
    byState: states.map((s) => ({ stateType: s.st, count: s.n })),
    oldestEnd: fromSqliteTimestamp(states.reduce<string | null>((m, s) => (m === null || s.oldest < m ? s.oldest : m), null)),
    newestEnd: fromSqliteTimestamp(states.reduce<string | null>((m, s) => (m === null || s.newest > m ? s.newest : m), null)),
    sample,
    impact,
    bytesEstimate: null,
    kept: keepIds.length,
    indexNotes,
    notes,
  };
}

interface RunsCursor {
  end: string;
  id: string;
}

/** Deletes the given top-level runs (re-checked) and their matching subflows, inside the write lock. */
function deleteRuns(db: Database.Database, r: ResolvedRetention, keep: readonly string[], ids: string[], wantExport: boolean) {
  const p = topLevel(r, keep);
  const top = (db.prepare(`SELECT fr.id FROM flow_run fr WHERE fr.id IN (SELECT value FROM json_each(@ids)) AND ${p.sql}`).all({ ...p.params, ids: json(ids) }) as { id: string }[]).map((x) => x.id);
  const f = finishedOld(r, keep);
  const all = new Set(top);
  const subs: string[] = [];
  let frontier = top;
  for (let depth = 0; frontier.length && depth < 50; depth++) {
    const rows = db
      .prepare(`SELECT fr.id FROM flow_run fr JOIN task_run tr ON tr.id = fr.parent_task_run_id WHERE tr.flow_run_id IN (SELECT value FROM json_each(@ids)) AND ${f.sql}`)
      .all({ ...f.params, ids: json(frontier) }) as { id: string }[];
    frontier = rows.map((x) => x.id).filter((id) => !all.has(id));
    for (const id of frontier) {
      all.add(id);
      subs.push(id);
    }
  }
  const victims = [...top, ...subs];
  if (!victims.length) return { top, victims, delta: {}, exportLines: [] as unknown[] };
  const v = json(victims);
  let exportLines: unknown[] = [];
  if (wantExport) {
    const runRows = db.prepare('SELECT * FROM flow_run WHERE id IN (SELECT value FROM json_each(?))').all(v) as Array<{ id: string }>;
    const stateRows = db.prepare('SELECT * FROM flow_run_state WHERE flow_run_id IN (SELECT value FROM json_each(?)) ORDER BY timestamp').all(v) as Array<{ flow_run_id: string }>;
    exportLines = runRows.map((run) => ({ flow_run: run, states: stateRows.filter((s) => s.flow_run_id === run.id) }));
  }
  const tr = json((db.prepare('SELECT id FROM task_run WHERE flow_run_id IN (SELECT value FROM json_each(?))').all(v) as { id: string }[]).map((x) => x.id));
  const run = (sql: string, arg: string) => db.prepare(sql).run(arg).changes;
  const taskRunStates = run('DELETE FROM task_run_state WHERE task_run_id IN (SELECT value FROM json_each(?))', tr);
  const logs = run('DELETE FROM log WHERE flow_run_id IN (SELECT value FROM json_each(?))', v) + run('DELETE FROM log WHERE flow_run_id IS NULL AND task_run_id IN (SELECT value FROM json_each(?))', tr);
  const gone = [
    ...(db.prepare('DELETE FROM artifact WHERE flow_run_id IN (SELECT value FROM json_each(?)) RETURNING id').pluck().all(v) as string[]),
    ...(db.prepare('DELETE FROM artifact WHERE flow_run_id IS NULL AND task_run_id IN (SELECT value FROM json_each(?)) RETURNING id').pluck().all(tr) as string[]),
  ];
  const coll = repointCollectionsSqlite(db, gone);
  const taskRuns = run('DELETE FROM task_run WHERE id IN (SELECT value FROM json_each(?))', tr);
  const states = run('DELETE FROM flow_run_state WHERE flow_run_id IN (SELECT value FROM json_each(?))', v);
  const inputs = run('DELETE FROM flow_run_input WHERE flow_run_id IN (SELECT value FROM json_each(?))', v);
  run('DELETE FROM flow_run WHERE id IN (SELECT value FROM json_each(?))', v);
  return {
    top,
    victims,
    delta: { runs: top.length, subflows: subs.length, flowRunStates: states, taskRuns, taskRunStates, flowRunInputs: inputs, logs, artifacts: gone.length, collectionsRepointed: coll.repointed, collectionsRemoved: coll.removed, batches: 1 },
    exportLines,
  };
}

function cancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new AppError('CANCELLED', 'Cancelled by the user.');
}

export function openSqliteRetention(file: string): RetentionBackend {
  const target = new SqliteTarget(file, { busyTimeoutMs: 10_000 });
  const runsStep = (r: ResolvedRetention, keep: readonly string[]): Step => ({
    phase: 'runs',
    minBatch: 10,
    initialBatch: 200,
    maxBatch: 2000,
    async run(cursorIn, size, ctx): Promise<StepResult> {
      cancelled(ctx.signal);
      const cursor = cursorIn as RunsCursor | undefined;
      return target.write((db) => {
        const p = topLevel(r, keep);
        const page = db
          .prepare(`SELECT fr.id, fr.end_time AS e FROM flow_run fr WHERE ${p.sql} AND fr.end_time >= @ce AND (fr.end_time > @ce OR fr.id > @ci) ORDER BY fr.end_time, fr.id LIMIT @n`)
          .all({ ...p.params, ce: cursor?.end ?? '', ci: cursor?.id ?? '', n: size }) as Array<{ id: string; e: string }>;
        if (!page.length) return { done: true, cursorAfter: cursor, delta: {}, units: 0, prepared: false };
        const last = page[page.length - 1]!;
        const cursorAfter: RunsCursor = { end: last.e, id: last.id };
        const del = deleteRuns(db, r, keep, page.map((x) => x.id), ctx.wantExport);
        const delta = { ...del.delta, skipped: page.length - del.top.length };
        if (del.victims.length) ctx.beforeCommit({ xid: null, victims: del.victims, delta, cursorAfter, retry: [], exportLines: del.exportLines });
        return { done: false, cursorAfter, delta, units: page.length, prepared: del.victims.length > 0 };
      });
    },
  });
  const eventsStep = (table: 'events' | 'event_resources', cutoff: string, byOccurred: boolean): Step => ({
    phase: table === 'events' ? 'events' : 'event-resources',
    minBatch: 50,
    initialBatch: 500,
    maxBatch: 5000,
    async run(cursorIn, size, ctx): Promise<StepResult> {
      cancelled(ctx.signal);
      const key = table === 'events' ? 'events' : 'eventResources';
      const cut = toSqliteTimestamp(cutoff);
      return target.write((db) => {
        let ids: string[];
        let cursorAfter: unknown;
        if (byOccurred) {
          const c = cursorIn as { at: string; id: string } | undefined;
          const page = db
            .prepare(`SELECT id, occurred FROM ${table} WHERE occurred < @cut AND occurred >= @at AND (occurred > @at OR id > @id) ORDER BY occurred, id LIMIT @n`)
            .all({ cut, at: c?.at ?? '', id: c?.id ?? '', n: size }) as Array<{ id: string; occurred: string }>;
          if (!page.length) return { done: true, cursorAfter: c, delta: {}, units: 0, prepared: false };
          ids = page.map((x) => x.id);
          cursorAfter = { at: page[page.length - 1]!.occurred, id: page[page.length - 1]!.id };
        } else {
          // No index on occurred: walk the table by rowid ranges (one pass, in short batches).
          const c = (cursorIn as { rowid: number; end: number } | undefined) ?? { rowid: 0, end: Number((db.prepare(`SELECT coalesce(max(rowid), 0) AS m FROM ${table}`).get() as { m: number }).m) };
          if (c.rowid >= c.end) return { done: true, cursorAfter: c, delta: {}, units: 0, prepared: false };
          const hi = Math.min(c.end, c.rowid + size);
          ids = db.prepare(`SELECT id FROM ${table} WHERE rowid > ? AND rowid <= ? AND occurred < ?`).pluck().all(c.rowid, hi, cut) as string[];
          cursorAfter = { rowid: hi, end: c.end };
        }
        const n = ids.length ? db.prepare(`DELETE FROM ${table} WHERE id IN (SELECT value FROM json_each(?)) AND occurred < ?`).run(json(ids), cut).changes : 0;
        const delta = { [key]: n, batches: 1 };
        if (n) ctx.beforeCommit({ xid: null, victims: ids, delta, cursorAfter, retry: [] });
        return { done: false, cursorAfter, delta, units: Math.max(ids.length, 1), prepared: n > 0 };
      });
    },
  });
  const orphansStep = (table: 'log' | 'artifact'): Step => ({
    phase: table === 'log' ? 'orphan-logs' : 'orphan-artifacts',
    minBatch: 50,
    initialBatch: 500,
    maxBatch: 5000,
    async run(cursorIn, size, ctx): Promise<StepResult> {
      cancelled(ctx.signal);
      const cursor = (cursorIn as string | undefined) ?? '';
      return target.write((db) => {
        const ids = db.prepare(`SELECT DISTINCT flow_run_id FROM ${table} WHERE flow_run_id > ? ORDER BY flow_run_id LIMIT ?`).pluck().all(cursor, size) as string[];
        if (!ids.length) return { done: true, cursorAfter: cursor, delta: {}, units: 0, prepared: false };
        const cursorAfter = ids[ids.length - 1]!;
        const gone = db.prepare(`SELECT value FROM json_each(?) WHERE NOT EXISTS (SELECT 1 FROM flow_run fr WHERE fr.id = value)`).pluck().all(json(ids)) as string[];
        if (!gone.length) return { done: false, cursorAfter, delta: {}, units: ids.length, prepared: false };
        let delta;
        let victims: string[];
        if (table === 'log') {
          victims = db.prepare('DELETE FROM log WHERE flow_run_id IN (SELECT value FROM json_each(?)) RETURNING id').pluck().all(json(gone)) as string[];
          delta = { orphanLogs: victims.length, batches: 1 };
        } else {
          victims = db.prepare('DELETE FROM artifact WHERE flow_run_id IN (SELECT value FROM json_each(?)) RETURNING id').pluck().all(json(gone)) as string[];
          const coll = repointCollectionsSqlite(db, victims);
          delta = { orphanArtifacts: victims.length, collectionsRepointed: coll.repointed, collectionsRemoved: coll.removed, batches: 1 };
        }
        ctx.beforeCommit({ xid: null, victims, delta, cursorAfter, retry: [] });
        return { done: false, cursorAfter, delta, units: ids.length, prepared: true };
      });
    },
  });
  const victimTable: Record<string, string> = { runs: 'flow_run', retry: 'flow_run', events: 'events', 'event-resources': 'event_resources', 'orphan-logs': 'log', 'orphan-artifacts': 'artifact' };
  return {
    kind: 'sqlite',
    executor: 'sql',
    notes: ['SQLite: each batch takes the database write lock for a moment; the Prefect server waits for it (busy timeout) rather than failing.'],
    serverNow: async () => new Date(),
    plan: async (input) => target.readOnly((db) => planSqlite(db, input)),
    async execution(r, keep): Promise<RetentionExecution> {
      const steps: Step[] = [runsStep(r, keep)];
      const byOcc = target.readOnly((db) => hasIndexOn(db, 'event_resources', 'occurred') !== null);
      if (r.orphans) steps.push(orphansStep('log'), orphansStep('artifact'));
      if (r.eventsCutoff) steps.push(eventsStep('event_resources', r.eventsCutoff, byOcc), eventsStep('events', r.eventsCutoff, true));
      return {
        steps,
        // No transaction ids here: a batch deleted all of its victims (committed) or none.
        committed: async (pb) => {
          const table = victimTable[pb.phase];
          if (!table || !pb.victims.length) return false;
          const left = target.readOnly((db) => (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE id IN (SELECT value FROM json_each(?))`).get(json(pb.victims)) as { n: number }).n);
          return left === 0;
        },
        recount: async () =>
          target.readOnly((db) => {
            const p = topLevel(r, keep);
            const runs = (db.prepare(`SELECT count(*) AS n FROM flow_run fr WHERE ${p.sql}`).get(p.params) as { n: number }).n;
            const events = r.eventsCutoff ? (db.prepare('SELECT count(*) AS n FROM events WHERE occurred < ?').get(toSqliteTimestamp(r.eventsCutoff)) as { n: number }).n : null;
            return { runs, events };
          }),
        isTransient: (e) => e instanceof AppError && e.code === 'SQLITE' && /locked|busy/i.test(e.message),
        close: async () => undefined,
      };
    },
    close: async () => target.close(),
  };
}
