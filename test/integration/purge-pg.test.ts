/**
 * Purge on the real Prefect server's Postgres: the plan matches Prefect's predicate row by row,
 * the delete removes exactly the planned stale runs with their states, logs and artifacts, runs
 * moved out of SCHEDULED through Prefect's API meanwhile are never deleted, rows a worker holds
 * locked are left alone, and every refusal changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { SeededDeployment } from '../harness/seed-api';
import { prefectApi } from '../harness/prefect-api';
import type { PurgePlan, PurgeOutcome } from '../../shared/domain/purge';
import type { JobFinished } from '../../shared/domain/jobs';
import {
  addLogsAndArtifacts,
  countWhere,
  isStale,
  pgConnection,
  seedScenario,
  snapshot,
  superClient,
  tempContext,
  uniqueTag,
  type SnapshotRow,
} from './support/purge-fixture';
import { failure } from '../support/failures';

const h = inject('harness');
const tag = uniqueTag();
let deployments: SeededDeployment[];
let before: Map<string, SnapshotRow>;
const env = tempContext();
const conn = pgConnection(h);

const VOLUME = { late: 400, scheduledPast: 100, future: 60, running: 6, pending: 6, completedOld: 20, failed: 4, manual: 24, awaitingRetry: 8 };

beforeAll(async () => {
  deployments = await seedScenario(h, tag, VOLUME);
  before = await snapshot(h, deployments.map((d) => d.id));
});
afterAll(() => env.dispose());


describe('purge on Postgres', () => {
  let plan: PurgePlan;

  it('plans exactly the runs Prefect considers stale, per deployment', async () => {
    plan = await env.ctx.purge.plan({ conn, filter: { olderThan: '1m', deployments: deployments.map((d) => d.fullName) } });
    const expected = [...before.values()].filter((r) => isStale(r, plan.cutoff)).map((r) => r.id).sort();
    expect(expected.length).toBeGreaterThan(400);
    const planned = env.ctx.store.purge.idsInState(plan.planId, 0).sort();
    expect(planned).toEqual(expected);
    expect(plan.count).toBe(expected.length);
    expect(plan.executor).toBe('sql');
    expect(plan.byDeployment.map((g) => g.name).sort()).toEqual(deployments.map((d) => d.fullName).sort());
    expect(plan.byDeployment.reduce((n, g) => n + g.count, 0)).toBe(plan.count);
    expect(plan.impact.flowRuns).toBe(plan.count);
    expect(plan.impact.flowRunStates).toBeGreaterThanOrEqual(plan.count); // at least one state each
    expect(plan.sample.length).toBeGreaterThan(0);
    expect(plan.bytesEstimate).toBeGreaterThan(0);
    // manual runs, AwaitingRetry, future and running ones are not in the plan
    for (const r of before.values()) {
      if (!r.auto_scheduled || r.state_name === 'AwaitingRetry' || r.state_type !== 'SCHEDULED') expect(planned).not.toContain(r.id);
    }
  });

  it('keeps the newest N per deployment when asked', async () => {
    const p = await env.ctx.purge.plan({ conn, filter: { olderThan: '1m', deployments: deployments.map((d) => d.fullName), keepNewest: 5 } });
    expect(p.kept).toBe(5 * deployments.length);
    expect(p.count).toBe(plan.count - 5 * deployments.length);
  });

  it('includes manual runs only when asked', async () => {
    const p = await env.ctx.purge.plan({ conn, filter: { olderThan: '1m', deployments: deployments.map((d) => d.fullName), includeManual: true } });
    const expected = [...before.values()].filter((r) => isStale(r, p.cutoff, true)).length;
    expect(p.count).toBe(expected);
    expect(p.count).toBeGreaterThan(plan.count);
  });

  it('refuses bad input clearly and changes nothing', async () => {
    const unknown = await failure(env.ctx.purge.plan({ conn, filter: { deployments: [`purge-flow-${tag}/dep-9`] } }));
    expect(unknown.code).toBe('VALIDATION');
    expect(unknown.message).toMatch(/Did you mean/);
    const future = await failure(env.ctx.purge.plan({ conn, filter: { olderThan: '2999-01-01T00:00:00Z' } }));
    expect(future.code).toBe('VALIDATION');
    expect(future.hint).toMatch(/scheduler would recreate|Schedules/);
    const bad = await failure(env.ctx.purge.plan({ conn, filter: { olderThan: 'soonish' } }));
    expect(bad.code).toBe('VALIDATION');
    const ro = await failure(env.ctx.purge.execute({ conn: { ...conn, readOnly: true }, planId: plan.planId, confirmCount: plan.count }));
    expect(ro.code).toBe('FORBIDDEN');
    const mismatch = await failure(env.ctx.purge.execute({ conn, planId: plan.planId, confirmCount: plan.count - 1 }));
    expect(mismatch.code).toBe('FORBIDDEN');
    expect(mismatch.message).toMatch(/Confirmation mismatch/);
    const after = await snapshot(h, deployments.map((d) => d.id));
    expect(after.size).toBe(before.size);
    const audit = env.ctx.store.audit.list({ limit: 50 });
    expect(audit.filter((a) => a.action === 'purge.execute' && a.outcome === 'refused').length).toBeGreaterThanOrEqual(2);
  });

  it('deletes the planned runs with their states, logs and artifacts; races with the API and with locks lose nothing', async () => {
    const planned = env.ctx.store.purge.idsInState(plan.planId, 0).sort();
    await addLogsAndArtifacts(h, planned.slice(0, 50));
    // Before execution: a worker picks up 5 planned runs (SCHEDULED -> PENDING through Prefect's API).
    const api = prefectApi(h.prefectPg.apiUrl);
    const pickedUp = planned.slice(-5);
    for (const id of pickedUp) {
      await api.post(`/flow_runs/${id}/set_state`, { state: { type: 'PENDING', name: 'Pending' }, force: true });
    }
    // During execution: another session holds row locks on 3 planned runs, like a worker mid-update.
    const locker = superClient(h);
    await locker.connect();
    const locked = planned.slice(-10, -7);
    await locker.query('BEGIN');
    await locker.query('SELECT id FROM flow_run WHERE id = ANY($1::uuid[]) FOR UPDATE', [locked]);
    // And while the job runs, 5 more planned runs are moved out of SCHEDULED through the API.
    const racing = planned.slice(-15, -10);
    let raced = false;
    const moved: string[] = [];
    const off = env.ctx.bus.subscribe((event, payload) => {
      if (event !== 'jobs.progress' || raced || (payload as { done: number }).done === 0) return;
      raced = true;
      void (async () => {
        for (const id of racing) {
          const res = await api.raw('POST', `/flow_runs/${id}/set_state`, { state: { type: 'PENDING', name: 'Pending' }, force: true });
          if (res.ok) moved.push(id);
        }
      })();
    });

    const exportFile = path.join(env.home, 'export', 'deleted.jsonl');
    const { finished } = await env.ctx.purge.execute({ conn, planId: plan.planId, confirmCount: plan.count, exportFile, tuning: { initialBatch: 25, targetBatchMs: 50 } });
    const f = (await finished) as JobFinished;
    off();
    await locker.query('ROLLBACK');
    await locker.end();
    expect(f.status).toBe('succeeded');
    const o = f.result as PurgeOutcome;

    const after = await snapshot(h, deployments.map((d) => d.id));
    // Row by row: every run still present is exactly one that should be.
    for (const [id, r] of before) {
      const wasPlanned = planned.includes(id);
      const protectedRun = pickedUp.includes(id) || locked.includes(id) || moved.includes(id);
      if (!wasPlanned || protectedRun) {
        expect(after.has(id), `${id} (${r.state_name}) must survive`).toBe(true);
      }
    }
    for (const id of planned) {
      if (!pickedUp.includes(id) && !locked.includes(id) && !racing.includes(id)) expect(after.has(id), `${id} must be deleted`).toBe(false);
    }
    expect(o.planned).toBe(planned.length);
    expect(o.deleted + o.skipped + o.busy).toBe(planned.length);
    expect(o.busy).toBe(locked.length);
    expect(o.skipped).toBeGreaterThanOrEqual(pickedUp.length + moved.length);
    expect(o.deleted).toBe(planned.length - [...after.keys()].filter((id) => planned.includes(id)).length);
    expect(o.batches).toBeGreaterThan(3);
    // Nothing orphaned: states cascade, logs and artifacts were deleted in the same batches.
    const gone = planned.filter((id) => !after.has(id));
    expect(await countWhere(h, 'flow_run_state', gone)).toBe(0);
    expect(await countWhere(h, 'log', gone)).toBe(0);
    expect(await countWhere(h, 'artifact', gone)).toBe(0);
    expect(o.deletedLogs).toBeGreaterThanOrEqual(45);
    // Exported before deleting: one JSON line per deleted run, with its states.
    const lines = fs.readFileSync(exportFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { flow_run: { id: string }; states: unknown[] });
    expect(lines.map((l) => l.flow_run.id).sort()).toEqual(gone.sort());
    expect(lines.every((l) => l.states.length >= 1)).toBe(true);
    // Verified and audited.
    expect(o.remaining).toBe(locked.length);
    const audit = env.ctx.store.audit.list({ limit: 10 }).find((a) => a.action === 'purge.execute' && a.outcome === 'succeeded');
    expect(audit?.summary).toMatch(new RegExp(`Deleted ${o.deleted} of ${planned.length}`));
  });

  it('refuses to execute the same plan twice', async () => {
    const again = await failure(env.ctx.purge.execute({ conn, planId: plan.planId, confirmCount: plan.count }));
    expect(again.code).toBe('CONFLICT');
  });

  it('a role without DELETE rights gets a clear permission error and nothing is deleted', async () => {
    const monitor = pgConnection(h, { role: 'monitor' });
    const p = await env.ctx.purge.plan({ conn: monitor, filter: { olderThan: '1m', deployments: deployments.map((d) => d.fullName) } });
    expect(p.count).toBe(3); // the rows that were locked earlier
    const { finished } = await env.ctx.purge.execute({ conn: monitor, planId: p.planId, confirmCount: p.count });
    const f = (await finished) as JobFinished;
    expect(f.status).toBe('failed');
    expect(f.error?.code).toBe('PG_PERMISSION');
    // The failed batch stays 'in flight' in the journal until a resume checks what committed.
    const journal = [...env.ctx.store.purge.idsInState(p.planId, 0), ...env.ctx.store.purge.idsInState(p.planId, 1)];
    expect(journal).toHaveLength(3);
    expect(await countWhere(h, 'flow_run', journal)).toBe(3);
  });

  it('VACUUM (ANALYZE) runs as a job on the tables a purge touches', async () => {
    const { vacuumPg } = await import('../../main/core/purge/vacuum');
    const db = conn.db as Extract<typeof conn.db, { kind: 'postgres' }>;
    const { finished } = env.ctx.jobs.start({ kind: 'vacuum', connectionId: null, payload: {}, run: (jc) => vacuumPg(db, ['flow_run', 'flow_run_state', 'log'], jc) });
    const f = (await finished) as JobFinished;
    expect(f.status).toBe('succeeded');
    const result = f.result as { tables: Array<{ table: string; status: string }> };
    expect(result.tables.map((t) => t.status)).toEqual(['vacuumed', 'vacuumed', 'vacuumed']);
    const c = superClient(h);
    await c.connect();
    const r = await c.query<{ v: Date | null }>("SELECT last_vacuum AS v FROM pg_stat_user_tables WHERE relname = 'flow_run'");
    await c.end();
    expect(r.rows[0]?.v).not.toBeNull();
  });
});
