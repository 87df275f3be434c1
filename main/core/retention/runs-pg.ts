/**
 * The runs phase on Postgres. One batch = one short transaction:
 * 1. a page of the plan's runs, walked oldest first through the end_time index by the keyset
 *    (end_time, id) > cursor, re-checking the predicate (no ids are stored anywhere);
 * 2. the page's runs locked FOR UPDATE SKIP LOCKED with the predicate again, which under READ
 *    COMMITTED re-checks each row on its newest version: a run someone just changed no longer
 *    matches, a run someone holds is skipped and retried at the end;
 * 3. their subflows that are finished and old too, level by level (Prefect's delete sets a deleted
 *    parent task run's subflows' parent_task_run_id to NULL, and its next pass takes them as top-level
 *    runs: services/db_vacuum.py; deleting them with their parent reaches the same end in one pass);
 * 4. one statement deleting, set-based and counted: flow-run and task-run logs, artifacts (with the
 *    artifact_collection pointers repaired), then the runs, whose states, task runs (and theirs) and
 *    inputs go by Prefect's cascades (DELETE_RUNS_SQL). log and artifact have no foreign key to
 *    flow_run (docs/prefect.md §3), so a plain DELETE FROM flow_run would orphan them.
 * Everything is journaled (pending batch with txid_current) just before COMMIT.
 * Steps 1-3 (its first level) and txid_current are one statement (takeSql), step 4 another: with
 * BEGIN/COMMIT a batch is four round trips when nothing was skipped and there are no nested subflows.
 */
import { collectionFixPg } from '../batches/artifact-collections';
import type { Query } from '../targets/postgres';
import type { PostgresTarget } from '../targets/postgres';
import type { RetentionTotals } from '../../../shared/domain/retention';
import { END_TEXT, finishedOldPg, Params, topLevelPg } from './predicate-pg';
import type { ResolvedRetention, Step, StepContext, StepResult } from './types';

export interface RunsCursor {
  end: string;
  id: string;
}

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
export const MAX_RETRY_ATTEMPTS = 3;
/** Each batch is one transaction: a short lock wait, then back off (a smaller batch, later). */
const TX = { lockTimeoutMs: 2_000, statementTimeoutMs: 60_000 };

/**
 * One statement instead of four round trips (page, lock, first subflow level, txid_current): the
 * page of the plan's runs, those of them locked FOR UPDATE SKIP LOCKED with the predicate again
 * (READ COMMITTED re-evaluates it on the newest version of each row it locks, as the separate
 * statement did), their finished old subflows locked the same way, and the transaction id. The
 * cursor is the page's last row whether or not it was locked, so the walk moves on over skipped rows
 * (they are retried at the end). Every CTE is MATERIALIZED so each runs, and locks, exactly once.
 * Measured in docs/bench-retention.md ("Round trips per batch").
 */
export function takeSql(r: ResolvedRetention, keep: readonly string[], cursor: RunsCursor | undefined, size: number, withSubflows = true): { sql: string; params: unknown[] } {
  const ps = new Params();
  const pred = topLevelPg(r, ps, keep);
  const subCond = withSubflows ? finishedOldPg(r, ps, keep) : null;
  const ce = ps.p(cursor?.end ?? '-infinity');
  const ci = ps.p(cursor?.id ?? ZERO_UUID);
  const lim = ps.p(size);
  return {
    sql: `WITH page AS MATERIALIZED (
            SELECT fr.id, fr.end_time FROM flow_run fr
             WHERE ${pred} AND fr.end_time >= ${ce}::timestamptz AND (fr.end_time > ${ce}::timestamptz OR fr.id > ${ci}::uuid)
             ORDER BY fr.end_time, fr.id LIMIT ${lim}),
          top AS MATERIALIZED (
            SELECT fr.id FROM flow_run fr WHERE fr.id IN (SELECT id FROM page) AND ${pred} FOR UPDATE SKIP LOCKED),
          sub AS MATERIALIZED (${
            subCond
              ? `SELECT fr.id FROM flow_run fr JOIN task_run tr ON tr.id = fr.parent_task_run_id
             WHERE tr.flow_run_id IN (SELECT id FROM top) AND ${subCond} FOR UPDATE OF fr SKIP LOCKED`
              : 'SELECT NULL::uuid AS id WHERE false'
          }),
          lst AS MATERIALIZED (SELECT p.id, p.end_time FROM page p ORDER BY p.end_time DESC, p.id DESC LIMIT 1)
          SELECT (SELECT count(*) FROM page)::int AS n,
                 (SELECT ${END_TEXT} FROM lst fr) AS last_end, (SELECT id::text FROM lst) AS last_id,
                 ARRAY(SELECT id::text FROM top) AS top,
                 ARRAY(SELECT p.id::text FROM page p WHERE p.id NOT IN (SELECT id FROM top)) AS rest,
                 ARRAY(SELECT id::text FROM sub) AS subs,
                 CASE WHEN EXISTS (SELECT 1 FROM top) THEN txid_current()::text END AS xid`,
    params: ps.values,
  };
}

interface Taken {
  n: number;
  last_end: string | null;
  last_id: string | null;
  top: string[];
  rest: string[];
  subs: string[];
  xid: string | null;
}

/**
 * Subflows of these runs that are finished and older than the cutoff, locked (SKIP LOCKED), level by
 * level. The runs phase passes the first level it locked with its page (takeSql); a query is sent
 * for the next level only when a level found some, so a batch without subflows sends none.
 */
async function lockSubflows(q: Query, r: ResolvedRetention, keep: readonly string[], parents: readonly string[], firstLevel?: readonly string[]): Promise<string[]> {
  const all = new Set(parents);
  const subs: string[] = [];
  const add = (ids: readonly string[]): string[] => {
    const fresh = ids.filter((id) => !all.has(id));
    for (const id of fresh) {
      all.add(id);
      subs.push(id);
    }
    return fresh;
  };
  let frontier: readonly string[] = firstLevel ? add(firstLevel) : parents;
  // Nested subflows: a few levels at most in practice; the set guards against cycles in bad data.
  for (let depth = 0; frontier.length && depth < 50; depth++) {
    const ps = new Params();
    const cond = finishedOldPg(r, ps, keep);
    const rows = await q<{ id: string }>(
      `SELECT fr.id::text AS id FROM flow_run fr JOIN task_run tr ON tr.id = fr.parent_task_run_id
        WHERE tr.flow_run_id = ANY(${ps.p(frontier)}::uuid[]) AND ${cond}
        FOR UPDATE OF fr SKIP LOCKED`,
      ps.values,
    );
    frontier = add(rows.map((x) => x.id));
  }
  return subs;
}

/**
 * The delete of a batch's locked runs. Their states, task runs (with their states) and inputs go by
 * Prefect's own ON DELETE CASCADE from flow_run, as in Prefect's db_vacuum; they are counted first,
 * in the same statement's snapshot. Every run is locked FOR UPDATE, so nobody can add a state, task
 * run or input to it before COMMIT (those foreign keys need a share lock on the run); a task run state
 * written to one of its task runs in between would go uncounted, as it did when this statement
 * deleted the children itself and the cascade took the late one. Deleting
 * them by hand as well, as this statement once did, made every cascade probe its index a second time
 * for rows already gone: 7 % slower per batch (docs/bench-retention.md). log and artifact have no
 * foreign key to flow_run, so they are deleted here; the states are read only for an export.
 */
export const DELETE_RUNS_SQL = `
WITH tr AS MATERIALIZED (SELECT t.id FROM task_run t WHERE t.flow_run_id = ANY($1::uuid[])),
cnt AS MATERIALIZED (
  SELECT (SELECT count(*) FROM flow_run_state s WHERE s.flow_run_id = ANY($1::uuid[])) AS states,
         (SELECT count(*) FROM task_run_state s WHERE s.task_run_id IN (SELECT id FROM tr)) AS task_run_states,
         (SELECT count(*) FROM flow_run_input i WHERE i.flow_run_id = ANY($1::uuid[])) AS inputs),
frs AS MATERIALIZED (SELECT s.flow_run_id, s.timestamp AS ts, to_jsonb(s) AS row FROM flow_run_state s WHERE $2::boolean AND s.flow_run_id = ANY($1::uuid[])),
lg1 AS (DELETE FROM log g WHERE g.flow_run_id = ANY($1::uuid[]) RETURNING 1),
lg2 AS (DELETE FROM log g WHERE g.flow_run_id IS NULL AND g.task_run_id IN (SELECT id FROM tr) RETURNING 1),
gone1 AS (DELETE FROM artifact x WHERE x.flow_run_id = ANY($1::uuid[]) RETURNING x.id),
gone2 AS (DELETE FROM artifact x WHERE x.flow_run_id IS NULL AND x.task_run_id IN (SELECT id FROM tr) RETURNING x.id),
gone AS (SELECT id FROM gone1 UNION ALL SELECT id FROM gone2),
${collectionFixPg('gone')},
d AS (DELETE FROM flow_run f WHERE f.id = ANY($1::uuid[]) RETURNING f.id, CASE WHEN $2::boolean THEN to_jsonb(f) END AS row),
st AS (SELECT flow_run_id, jsonb_agg(row ORDER BY ts) AS states FROM frs GROUP BY flow_run_id)
SELECT (SELECT count(*) FROM d) AS runs, (SELECT states FROM cnt) AS states, (SELECT count(*) FROM tr) AS task_runs,
       (SELECT task_run_states FROM cnt) AS task_run_states, (SELECT inputs FROM cnt) AS inputs,
       (SELECT count(*) FROM lg1) + (SELECT count(*) FROM lg2) AS logs, (SELECT count(*) FROM gone) AS artifacts,
       (SELECT count(*) FROM coll_repointed) AS repointed, (SELECT count(*) FROM coll_removed) AS removed,
       CASE WHEN $2::boolean THEN (SELECT jsonb_agg(jsonb_build_object('flow_run', d.row, 'states', coalesce(st.states, '[]'::jsonb)))
                                     FROM d LEFT JOIN st ON st.flow_run_id = d.id) END AS export`;

interface DeleteCounts {
  runs: number;
  states: number;
  task_runs: number;
  task_run_states: number;
  inputs: number;
  logs: number;
  artifacts: number;
  repointed: number;
  removed: number;
  export: unknown[] | null;
}

/** Deletes locked top-level runs and their locked subflows with everything that is theirs. */
async function deleteLocked(q: Query, r: ResolvedRetention, keep: readonly string[], top: string[], wantExport: boolean, firstLevel?: readonly string[]): Promise<{ victims: string[]; delta: Partial<RetentionTotals>; exportLines: unknown[] }> {
  const subs = await lockSubflows(q, r, keep, top, firstLevel);
  const victims = [...top, ...subs];
  const [c] = await q<DeleteCounts>(DELETE_RUNS_SQL, [victims, wantExport], { prepare: true });
  const n = (v: unknown) => Number(v ?? 0);
  const delta: Partial<RetentionTotals> = {
    runs: top.length,
    subflows: subs.length,
    flowRunStates: n(c?.states),
    taskRuns: n(c?.task_runs),
    taskRunStates: n(c?.task_run_states),
    flowRunInputs: n(c?.inputs),
    logs: n(c?.logs),
    artifacts: n(c?.artifacts),
    collectionsRepointed: n(c?.repointed),
    collectionsRemoved: n(c?.removed),
  };
  return { victims, delta, exportLines: wantExport ? (c?.export ?? []) : [] };
}

/** Of `ids`, those that still match the top-level predicate (so were skipped because someone holds them). */
async function stillMatching(q: Query, r: ResolvedRetention, keep: readonly string[], ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const ps = new Params();
  const pred = topLevelPg(r, ps, keep);
  const rows = await q<{ id: string }>(`SELECT fr.id::text AS id FROM flow_run fr WHERE fr.id = ANY(${ps.p(ids)}::uuid[]) AND ${pred}`, ps.values);
  return new Set(rows.map((x) => x.id));
}

async function lockTop(q: Query, r: ResolvedRetention, keep: readonly string[], ids: string[]): Promise<string[]> {
  const ps = new Params();
  const pred = topLevelPg(r, ps, keep);
  const rows = await q<{ id: string }>(`SELECT fr.id::text AS id FROM flow_run fr WHERE fr.id = ANY(${ps.p(ids)}::uuid[]) AND ${pred} FOR UPDATE SKIP LOCKED`, ps.values);
  return rows.map((x) => x.id);
}

/**
 * Whether any run the plan covers could be a subflow (finished, old, with a parent task run). Asked
 * once per execution: when none is, the take leaves out its subflow probe (a task_run and a flow_run
 * index lookup per run, 6 % of a batch). No subflow can become one later: a run that finishes now
 * ends after the cutoff. Were one written with an old end by hand, Prefect's cascade would make it a
 * top-level run when its parent goes, as with Prefect's own vacuum, for the next retention to take.
 */
async function anySubflows(q: Query, r: ResolvedRetention, keep: readonly string[]): Promise<boolean> {
  const ps = new Params();
  const cond = finishedOldPg(r, ps, keep);
  const [row] = await q<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM flow_run fr WHERE fr.parent_task_run_id IS NOT NULL AND ${cond}) AS any`, ps.values);
  return row?.any === true;
}

export function runsStepPg(target: PostgresTarget, r: ResolvedRetention, keep: readonly string[]): Step {
  let withSubflows: boolean | undefined;
  return {
    phase: 'runs',
    minBatch: 10,
    initialBatch: 200,
    maxBatch: 5000,
    async run(cursorIn, size, ctx: StepContext): Promise<StepResult> {
      const cursor = cursorIn as RunsCursor | undefined;
      return target.write(
        async (q) => {
          withSubflows ??= await anySubflows(q, r, keep);
          const take = takeSql(r, keep, cursor, size, withSubflows);
          const [t] = await q<Taken>(take.sql, take.params, { prepare: true });
          if (!t || !t.n || !t.last_end || !t.last_id) return { done: true, cursorAfter: cursor, delta: {}, units: 0, prepared: false };
          const cursorAfter: RunsCursor = { end: t.last_end, id: t.last_id };
          const { top, rest } = t;
          // Only when something was skipped: of those, the ones that still match are held by someone.
          const held = await stillMatching(q, r, keep, rest);
          const retry = rest.filter((id) => held.has(id));
          const skipped = rest.length - retry.length;
          if (!top.length || !t.xid) return { done: false, cursorAfter, delta: { skipped }, units: t.n, prepared: false, retry };
          const xid = t.xid;
          const del = await deleteLocked(q, r, keep, top, ctx.wantExport, t.subs);
          const delta = { ...del.delta, skipped, batches: 1 };
          ctx.beforeCommit({ xid, victims: del.victims, delta, cursorAfter, retry, exportLines: del.exportLines });
          return { done: false, cursorAfter, delta, units: t.n, prepared: true, retry };
        },
        { signal: ctx.signal, ...TX },
      );
    },
  };
}

/** Runs a batch found locked, tried again at the end; after MAX_RETRY_ATTEMPTS they are left alone. */
export function retryStepPg(target: PostgresTarget, r: ResolvedRetention, keep: readonly string[]): Step {
  return {
    phase: 'retry',
    minBatch: 10,
    initialBatch: 200,
    maxBatch: 2000,
    async run(_cursor, size, ctx): Promise<StepResult> {
      const todo = ctx.retryIds(size);
      if (!todo.length) return { done: true, cursorAfter: null, delta: {}, units: 0, prepared: false };
      // Give whoever holds them a moment.
      await new Promise((res) => setTimeout(res, 300));
      const ids = todo.map((t) => t.id);
      return target.write(
        async (q) => {
          const top = await lockTop(q, r, keep, ids);
          const lockedSet = new Set(top);
          const rest = ids.filter((id) => !lockedSet.has(id));
          const held = await stillMatching(q, r, keep, rest);
          const bump = rest.filter((id) => held.has(id));
          const gone = rest.filter((id) => !held.has(id));
          const retryDone = [...top, ...gone];
          if (!top.length) return { done: false, cursorAfter: null, delta: { skipped: gone.length }, units: ids.length, prepared: false, retryDone, retryBump: bump };
          const [{ xid } = { xid: '' }] = await q<{ xid: string }>('SELECT txid_current()::text AS xid');
          const del = await deleteLocked(q, r, keep, top, ctx.wantExport);
          const delta = { ...del.delta, skipped: gone.length, batches: 1 };
          ctx.beforeCommit({ xid, victims: del.victims, delta, cursorAfter: null, retry: [], retryDone, exportLines: del.exportLines });
          return { done: false, cursorAfter: null, delta, units: ids.length, prepared: true, retryDone, retryBump: bump };
        },
        { signal: ctx.signal, ...TX },
      );
    },
  };
}
