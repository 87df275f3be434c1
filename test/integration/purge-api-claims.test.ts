/**
 * The API executor's claim (issue #11 item 1) against Prefect's real orchestration rules:
 * - a stale run is claimed, and a worker's Pending on it is then refused;
 * - a run a worker holds refuses the claim;
 * - a run that went on to finish (which the rules would let go back to Pending) is recognised by the
 *   missing scheduled time and put back in the state it had;
 * - deployments with a concurrency limit: claims take no more slots than are free, so no stale run
 *   is moved to AwaitingConcurrencySlot, the slots are all free again afterwards, and the runs of a
 *   deployment whose slots stay full are left alone (busy), unchanged.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { ResolvedConnection } from '../../main/core/connections/types';
import { claimMessage, claimRuns } from '../../main/core/purge/api-claim';
import { PrefectApi } from '../../main/core/targets/prefect-api';
import type { JobFinished } from '../../shared/domain/jobs';
import type { PurgeOutcome } from '../../shared/domain/purge';
import { prefectApi } from '../harness/prefect-api';
import { seedScenario, tempContext, uniqueTag } from './support/purge-fixture';
import { runsOf, staleIds } from './support/purge-race';

const h = inject('harness');
const env = tempContext();
afterAll(() => env.dispose());
const conn: ResolvedConnection = { id: null, name: 'it-api', apiUrl: h.prefectPg.apiUrl, apiAuth: { kind: 'none' }, db: { kind: 'none' }, readOnly: false };
const api = prefectApi(h.prefectPg.apiUrl);
const pending = { state: { type: 'PENDING', name: 'Pending' }, force: false };

describe('claims through Prefect orchestration rules', () => {
  it('claims stale runs, is refused on a worker’s run, and puts back a run that had finished', async () => {
    const deps = await seedScenario(h, uniqueTag(), { late: 6 }, 1);
    const [a, b, c] = staleIds(await runsOf(api, [deps[0]!.id]), new Date().toISOString());
    const cutoff = new Date(Date.now() - 1000).toISOString();
    // b: a worker took it. c: a worker took it and it failed (no persisted result).
    expect((await api.post<{ status: string }>(`/flow_runs/${b}/set_state`, pending)).status).toBe('ACCEPT');
    await api.post(`/flow_runs/${c}/set_state`, { state: { type: 'FAILED', name: 'Failed', message: 'boom' }, force: true });
    const out = await claimRuns(new PrefectApi(conn), [a!, b!, c!], { planId: 'plan-x', cutoff, isTransient: () => false });
    expect(out.claimed).toEqual([a]);
    expect(out.refused).toEqual([b]);
    expect(out.restored).toEqual([c]);
    const after = await runsOf(api, [deps[0]!.id]);
    expect(after.get(a!)?.state_type).toBe('PENDING');
    expect(after.get(a!)?.state?.message).toBe(claimMessage('plan-x'));
    expect(after.get(b!)?.state_type).toBe('PENDING');
    expect(after.get(b!)?.state?.message).not.toBe(claimMessage('plan-x'));
    expect(after.get(c!)?.state_type).toBe('FAILED');
    expect(after.get(c!)?.state_name).toBe('Failed');
    // Once claimed, a worker's Pending is refused.
    const worker = await api.post<{ status: string; details: { reason?: string } }>(`/flow_runs/${a}/set_state`, pending);
    expect(worker.status).toBe('ABORT');
    expect(worker.details.reason).toMatch(/cannot transition to a PENDING state/);
  });
});

describe('deployments with a concurrency limit', () => {
  const limited = async (limit: number) => {
    // The limit is set before the runs exist: the update would delete them before Prefect 3.3.4.
    const deps = await seedScenario(h, uniqueTag(), { late: 24, future: 3 }, 1, async ([d]) => {
      await api.patch(`/deployments/${d!.id}`, { concurrency_limit: limit });
    });
    return deps[0]!;
  };
  const slots = async (id: string) => (await api.get<{ global_concurrency_limit: { limit: number; active_slots: number } | null }>(`/deployments/${id}`)).global_concurrency_limit;

  it('claims within the free slots, moves no run to AwaitingConcurrencySlot, and frees every slot', async () => {
    const dep = await limited(2);
    expect(await slots(dep.id)).toMatchObject({ limit: 2, active_slots: 0 });
    const plan = await env.ctx.purge.plan({ conn, filter: { olderThan: '1m', deployments: [dep.fullName] } });
    const { finished } = await env.ctx.purge.execute({ conn, planId: plan.planId, confirmCount: plan.count });
    const f = (await finished) as JobFinished;
    expect(f.status, JSON.stringify(f.error)).toBe('succeeded');
    const o = f.result as PurgeOutcome;
    expect(o.deleted).toBe(plan.count);
    const after = await runsOf(api, [dep.id]);
    expect([...after.values()].filter((r) => r.state_name === 'AwaitingConcurrencySlot')).toEqual([]);
    expect((await slots(dep.id))?.active_slots).toBe(0);
  });

  it('leaves the runs of a deployment whose slots stay full alone, unchanged', async () => {
    const dep = await limited(1);
    const stale = staleIds(await runsOf(api, [dep.id]), new Date(Date.now() - 60_000).toISOString());
    const plan = await env.ctx.purge.plan({ conn, filter: { olderThan: '1m', deployments: [dep.fullName] } });
    // A worker takes the one slot with a run of its own (not in the plan: taken after planning).
    const taken = stale[0]!;
    expect((await api.post<{ status: string }>(`/flow_runs/${taken}/set_state`, pending)).status).toBe('ACCEPT');
    expect((await slots(dep.id))?.active_slots).toBe(1);
    const { finished } = await env.ctx.purge.execute({ conn, planId: plan.planId, confirmCount: plan.count });
    const f = (await finished) as JobFinished;
    expect(f.status, JSON.stringify(f.error)).toBe('succeeded');
    const o = f.result as PurgeOutcome;
    expect(o.deleted).toBe(0);
    expect(o.skipped).toBe(1); // the worker's
    expect(o.busy).toBe(plan.count - 1);
    const after = await runsOf(api, [dep.id]);
    for (const id of stale.slice(1)) expect(['Late', 'Scheduled']).toContain(after.get(id)?.state_name);
  });
});
