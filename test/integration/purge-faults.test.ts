/**
 * Faults during a purge on the real Postgres: pause holds the job between batches (nothing is
 * deleted while paused) and resume finishes it; an administrator killing the purge's database
 * sessions mid-job (as a server restart or a dropped connection would) costs a retry, not a run:
 * the job reconciles the batch whose COMMIT answer was lost and ends with exact totals.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { JobFinished, JobProgress } from '../../shared/domain/jobs';
import type { PurgeOutcome } from '../../shared/domain/purge';
import { countWhere, isStale, pgConnection, seedScenario, snapshot, superClient, tempContext, uniqueTag } from './support/purge-fixture';

const h = inject('harness');
const env = tempContext();
afterAll(() => env.dispose());
const conn = pgConnection(h);

function waitFor(pred: (p: JobProgress) => boolean, jobId: string): Promise<JobProgress> {
  return new Promise((resolve) => {
    const off = env.ctx.bus.subscribe((event, payload) => {
      const p = payload as JobProgress;
      if (p.jobId === jobId && pred(p)) {
        off();
        resolve(p);
      }
    });
  });
}

describe('purge faults', () => {
  it('a cancelled purge is listed as unfinished and resumes to the end through the contract', async () => {
    const { createHandlers } = await import('../../main/handlers');
    const handlers = createHandlers(env.ctx);
    const saved = env.ctx.connections.save(undefined, {
      name: `faults-${uniqueTag()}`,
      apiUrl: conn.apiUrl,
      apiAuth: { kind: 'none' },
      db: { ...(conn.db as Extract<typeof conn.db, { kind: 'postgres' }>), password: (conn.db as { password: string }).password },
      readOnly: false,
    });
    const deps = await seedScenario(h, uniqueTag(), { late: 800 }, 2);
    const plan = await handlers['purge.plan']({ connectionId: saved.id, filter: { olderThan: '1m', deployments: deps.map((d) => d.id), workPools: [], workQueues: [], tags: [], stateNames: ['Scheduled', 'Late'], includeManual: false, keepNewest: 0 }, executor: 'auto' });
    const { jobId, finished } = await env.ctx.purge.execute({ conn: env.ctx.connections.resolve(saved.id), planId: plan.planId, confirmCount: plan.count, tuning: { initialBatch: 10, maxBatch: 10 } });
    await waitFor((p) => p.done > 0, jobId);
    expect((await handlers['jobs.cancel']({ jobId })).cancelled).toBe(true);
    expect(((await finished) as JobFinished).status).toBe('cancelled');
    const unfinished = await handlers['purge.unfinished']({ connectionId: saved.id });
    expect(unfinished.map((u) => u.plan.planId)).toEqual([plan.planId]);
    expect(unfinished[0]!.status).toBe('cancelled');
    expect(unfinished[0]!.counts.deleted).toBeGreaterThan(0);
    expect(unfinished[0]!.counts.deleted).toBeLessThan(plan.count);
    const resumed = await handlers['purge.resume']({ planId: plan.planId });
    const done = await new Promise<JobFinished>((resolve) => {
      const off = env.ctx.bus.subscribe((event, payload) => {
        if (event === 'jobs.finished' && (payload as JobFinished).jobId === resumed.jobId) {
          off();
          resolve(payload as JobFinished);
        }
      });
    });
    expect(done.status).toBe('succeeded');
    expect((done.result as PurgeOutcome).deleted).toBe(plan.count);
    expect(await handlers['purge.unfinished']({ connectionId: saved.id })).toEqual([]);
  });

  it('pauses between batches, deletes nothing while paused, and resumes to the end', async () => {
    const deps = await seedScenario(h, uniqueTag(), { late: 1500, future: 10 }, 2);
    const plan = await env.ctx.purge.plan({ conn, filter: { olderThan: '1m', deployments: deps.map((d) => d.id) } });
    const { jobId, finished } = await env.ctx.purge.execute({ conn, planId: plan.planId, confirmCount: plan.count, tuning: { initialBatch: 20, maxBatch: 20 } });
    await waitFor((p) => p.done > 0, jobId);
    expect(env.ctx.jobs.pause(jobId)).toBe(true);
    await waitFor((p) => p.status === 'paused', jobId);
    // Let any batch in progress finish, then watch the database stand still.
    await new Promise((r) => setTimeout(r, 300));
    const ids = [...env.ctx.store.purge.idsInState(plan.planId, 0), ...env.ctx.store.purge.idsInState(plan.planId, 1), ...env.ctx.store.purge.idsInState(plan.planId, 2)];
    const atPause = await countWhere(h, 'flow_run', ids);
    await new Promise((r) => setTimeout(r, 700));
    expect(await countWhere(h, 'flow_run', ids)).toBe(atPause);
    expect(atPause).toBeGreaterThan(0);
    expect(atPause).toBeLessThan(plan.count);
    expect(env.ctx.store.jobs.get(jobId)?.status).toBe('paused');
    expect(env.ctx.jobs.resume(jobId)).toBe(true);
    const f = (await finished) as JobFinished;
    expect(f.status).toBe('succeeded');
    expect((f.result as PurgeOutcome).deleted).toBe(plan.count);
    expect(await countWhere(h, 'flow_run', ids)).toBe(0);
  });

  it('survives its database sessions being killed mid-job, with exact totals', async () => {
    const deps = await seedScenario(h, uniqueTag(), { late: 3000, scheduledPast: 200, future: 10, running: 3 }, 3);
    const before = await snapshot(h, deps.map((d) => d.id));
    const plan = await env.ctx.purge.plan({ conn, filter: { olderThan: '1m', deployments: deps.map((d) => d.id) } });
    const { jobId, finished } = await env.ctx.purge.execute({ conn, planId: plan.planId, confirmCount: plan.count, tuning: { initialBatch: 25, maxBatch: 50 } });
    const killer = superClient(h);
    await killer.connect();
    let kills = 0;
    const off = env.ctx.bus.subscribe((event, payload) => {
      const p = payload as JobProgress;
      if (event !== 'jobs.progress' || p.jobId !== jobId || p.done === 0 || kills >= 3) return;
      kills++;
      void killer.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'housekeeper-purge' AND pid <> pg_backend_pid()`).catch(() => undefined);
    });
    const f = (await finished) as JobFinished;
    off();
    await killer.end();
    expect(kills).toBeGreaterThan(0);
    expect(f.status, JSON.stringify(f.error)).toBe('succeeded');
    const o = f.result as PurgeOutcome;
    const expected = [...before.values()].filter((r) => isStale(r, plan.cutoff));
    expect(o.deleted).toBe(expected.length);
    expect(o.deleted + o.skipped + o.busy).toBe(plan.count);
    const after = await snapshot(h, deps.map((d) => d.id));
    expect(before.size - after.size).toBe(o.deleted);
    for (const r of before.values()) expect(after.has(r.id)).toBe(!isStale(r, plan.cutoff));
  });
});
