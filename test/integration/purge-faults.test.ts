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
