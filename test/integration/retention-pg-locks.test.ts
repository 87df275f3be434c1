/**
 * Retention's runs phase on Postgres against rows someone else holds (runs-pg.ts): the page, its
 * FOR UPDATE SKIP LOCKED re-check and the first level of subflows go in one statement, so this pins
 * what that statement must still do, on the harness's real Prefect database:
 * - runs another transaction holds are skipped, the walk goes on past them, and they are retried;
 * - a run changed under a lock (here: set RUNNING by a transaction that commits later) is retried
 *   while it still matches on its committed version, and left alone once it no longer matches;
 * - every batch journals its transaction id before COMMIT, and that transaction did commit;
 * - the subflows of deleted runs go with them; nothing outside the plan is touched.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TerminalStateType } from '../../shared/domain/retention';
import { finishedOldPg, Params } from '../../main/core/retention/predicate-pg';
import { retryStepPg, runsStepPg, takeSql, type RunsCursor } from '../../main/core/retention/runs-pg';
import type { PreparedBatch, ResolvedRetention, StepContext } from '../../main/core/retention/types';
import { PostgresTarget } from '../../main/core/targets/postgres';
import { expectedDeleted, q, runsOf, seedRetention, TERMINAL, type RetentionScenario, type RunRow } from './support/retention-fixture';

const h = inject('harness');
let s: RetentionScenario;
let before: Map<string, RunRow>;
let target: PostgresTarget;

beforeAll(async () => {
  s = await seedRetention(h, 60);
  before = await runsOf(h, s);
  target = new PostgresTarget({ kind: 'postgres', host: h.pg.host, port: h.pg.port, database: h.pg.database, user: h.pg.owner.user, password: h.pg.owner.password, sslmode: 'disable' }, { maxConnections: 2 });
}, 240_000);
afterAll(async () => {
  await target?.close();
});

/** The scenario's subflows under these runs, at any depth. */
function subflowsUnder(parents: string[]): string[] {
  const out = new Set<string>();
  for (let frontier = parents; frontier.length; ) {
    frontier = s.subflows.filter((x) => frontier.includes(x.parent) && !out.has(x.sub)).map((x) => x.sub);
    frontier.forEach((id) => out.add(id));
  }
  return [...out];
}

function ctx(batches: PreparedBatch[], retry: () => string[] = () => []): StepContext {
  return {
    signal: new AbortController().signal,
    wantExport: false,
    beforeCommit: (b) => batches.push(b),
    retryIds: (n) => retry().slice(0, n).map((id) => ({ id, attempts: 0 })),
  };
}

describe('retention runs phase on Postgres: locks, re-checks, retries', () => {
  it('skips held runs, walks past them, retries them, and leaves a run that stopped matching', async () => {
    const ends = [...before.values()].filter((r) => r.parent_task_run_id === null && r.end_time).map((r) => r.end_time!.getTime()).sort((a, b) => a - b);
    const cutoff = new Date(ends[Math.floor(ends.length * 0.6)]!).toISOString();
    const deps = s.deployments.map((d) => d.id);
    const r: ResolvedRetention = { cutoff, stateTypes: TERMINAL as TerminalStateType[], deploymentIds: deps, keepNewest: 0, eventsCutoff: null, orphans: false };
    const want = expectedDeleted(before, cutoff, deps);
    // Three top-level runs of the plan, from the start, the middle and the end of the walk.
    const tops = [...want].filter((id) => before.get(id)!.parent_task_run_id === null).sort((a, b) => before.get(a)!.end_time!.getTime() - before.get(b)!.end_time!.getTime());
    // Held runs without subflows, so every parent with (nested) subflows goes through the runs phase.
    const plain = tops.filter((id) => !s.subflows.some((x) => x.parent === id));
    const [held1, held2, changed] = [plain[0]!, plain[Math.floor(plain.length / 2)]!, plain[plain.length - 1]!];
    expect(s.subflows.some((x) => s.subflows.some((y) => y.parent === x.sub) && want.has(x.sub))).toBe(true);

    const c = h.pg;
    const locker = new pg.Client({ host: c.host, port: c.port, database: c.database, user: c.superuser.user, password: c.superuser.password });
    const changer = new pg.Client({ host: c.host, port: c.port, database: c.database, user: c.superuser.user, password: c.superuser.password });
    await locker.connect();
    await changer.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT id FROM flow_run WHERE id = ANY($1::uuid[]) FOR UPDATE', [[held1, held2]]);
      await changer.query('BEGIN');
      await changer.query(`UPDATE flow_run SET state_type = 'RUNNING', end_time = NULL WHERE id = $1`, [changed]);

      // Small batches, so the cursor has to move on over the held rows several times.
      const step = runsStepPg(target, r, []);
      const batches: PreparedBatch[] = [];
      let cursor: RunsCursor | undefined;
      const retry = new Set<string>();
      let deletedTop = 0;
      for (let i = 0; i < 1000; i++) {
        const res = await step.run(cursor, 7, ctx(batches));
        if (res.done) break;
        cursor = res.cursorAfter as RunsCursor;
        for (const id of res.retry ?? []) retry.add(id);
        deletedTop += res.delta.runs ?? 0;
      }
      expect(retry).toEqual(new Set([held1, held2, changed]));
      let after = await runsOf(h, s);
      for (const id of [held1, held2, changed]) expect(after.has(id), `${id} is held: it stays`).toBe(true);
      const heldSubs = subflowsUnder([held1, held2, changed]);
      for (const id of want) if (![held1, held2, changed, ...heldSubs].includes(id)) expect(after.has(id), `${id} must be deleted`).toBe(false);
      expect(deletedTop).toBe(tops.length - 3);
      // Every batch that deleted journaled its transaction id before COMMIT, and it committed.
      expect(batches.length).toBeGreaterThan(1);
      const xids = batches.map((b) => b.xid);
      expect(xids.every((x) => typeof x === 'string' && /^\d+$/.test(x))).toBe(true);
      const st = await q<{ s: string }>(h, 'SELECT txid_status(x::bigint) AS s FROM unnest($1::text[]) x', [xids]);
      expect(st.every((x) => x.s === 'committed')).toBe(true);
      expect(batches.flatMap((b) => b.victims).sort()).toEqual([...want].filter((id) => ![held1, held2, changed, ...heldSubs].includes(id)).sort());

      // The holders let go: one gives the rows back unchanged, the other commits its change.
      await locker.query('ROLLBACK');
      await changer.query('COMMIT');
      const retryStep = retryStepPg(target, r, []);
      const rb: PreparedBatch[] = [];
      const res = await retryStep.run(null, 50, ctx(rb, () => [held1, held2, changed]));
      expect(new Set(res.retryDone)).toEqual(new Set([held1, held2, changed]));
      expect(res.retryBump ?? []).toEqual([]);
      expect(res.delta.runs).toBe(2);
      expect(res.delta.skipped).toBe(1);
      after = await runsOf(h, s);
      const gone = new Set([...before.keys()].filter((id) => !after.has(id)));
      const changedSubs = subflowsUnder([changed]);
      expect(gone).toEqual(new Set([...want].filter((id) => id !== changed && !changedSubs.includes(id))));
      expect(after.get(changed)?.state_type).toBe('RUNNING');
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await changer.query('ROLLBACK').catch(() => undefined);
      await locker.end();
      await changer.end();
    }
  }, 240_000);

  it('states the predicate so the planner can estimate it (the walk stays on the end_time index as the table grows)', async () => {
    // Compared as text, state_type had no statistics and the planner put any terminal-state filter
    // at about 2 % of the runs; believing the page rare, it read all of flow_run and sorted it for
    // every batch. Compared as Prefect's enum, the estimate comes from the column's statistics.
    await q(h, 'ANALYZE flow_run');
    const r: ResolvedRetention = { cutoff: new Date(Date.now() + 86_400_000).toISOString(), stateTypes: TERMINAL as TerminalStateType[], deploymentIds: [], keepNewest: 0, eventsCutoff: null, orphans: false };
    const ps = new Params();
    const pred = finishedOldPg(r, ps, []);
    const [actual] = await q<{ n: string }>(h, `SELECT count(*) AS n FROM flow_run fr WHERE ${pred}`, ps.values);
    const [plan] = await q<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> }>(h, `EXPLAIN (FORMAT JSON) SELECT 1 FROM flow_run fr WHERE ${pred}`, ps.values);
    const estimated = plan!['QUERY PLAN'][0]!.Plan['Plan Rows'];
    const n = Number(actual!.n);
    expect(n).toBeGreaterThan(50);
    expect(estimated).toBeGreaterThan(n / 2);
    expect(estimated).toBeLessThan(n * 2);
  });

  it('takes the same page without its subflow probe, for plans where no run can be a subflow', async () => {
    const r: ResolvedRetention = { cutoff: new Date(Date.now() + 86_400_000).toISOString(), stateTypes: TERMINAL as TerminalStateType[], deploymentIds: s.deployments.map((d) => d.id), keepNewest: 0, eventsCutoff: null, orphans: false };
    const c = new pg.Client({ host: h.pg.host, port: h.pg.port, database: h.pg.database, user: h.pg.owner.user, password: h.pg.owner.password });
    await c.connect();
    try {
      const take = async (withSubflows: boolean) => {
        await c.query('BEGIN');
        try {
          const t = takeSql(r, [], undefined, 25, withSubflows);
          return (await c.query<{ n: number; top: string[]; subs: string[]; last_id: string }>(t.sql, t.params)).rows[0]!;
        } finally {
          await c.query('ROLLBACK');
        }
      };
      const withProbe = await take(true);
      const without = await take(false);
      expect(withProbe.n).toBe(25);
      expect(without.n).toBe(25);
      expect(without.top).toEqual(withProbe.top);
      expect(without.last_id).toBe(withProbe.last_id);
      expect(without.subs).toEqual([]);
    } finally {
      await c.end();
    }
  });
});

