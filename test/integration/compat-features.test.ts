/**
 * The features no other integration file drives through the service on every 3.x line: the
 * scheduler simulation as `housekeeper schedules simulate` computes it, the backlog reset (with and
 * without keeping the newest runs) and its restore, and drift reading /admin/settings in the layout
 * of an older line. Expectations follow the harness's own facts about its release.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { JobFinished } from '../../shared/domain/jobs';
import type { ChangeOutcome } from '../../shared/domain/schedules';
import { PrefectApi } from '../../main/core/targets/prefect-api';
import { prefectApi } from '../harness/prefect-api';
import type { SeededDeployment } from '../harness/seed-api';
import { tempContext, uniqueTag } from './support/purge-fixture';
import { apiConnection, createDeployments, runsOf, scheduleRuns } from './support/schedules-fixture';

const h = inject('harness');
const api = prefectApi(h.prefectPg.apiUrl);
const conn = apiConnection(h.prefectPg.apiUrl, { name: 'it-compat' });
const env = tempContext();
const flow = `compat-${uniqueTag()}`;
let deps: SeededDeployment[] = [];
afterAll(() => env.dispose());

/** Scheduled runs of `d` due before `at` (default now). */
const pastDue = async (d: SeededDeployment, at = new Date().toISOString()) =>
  (await runsOf(api, d.id, { state: { type: { any_: ['SCHEDULED'] } }, next_scheduled_start_time: { before_: at } })).length;

beforeAll(async () => {
  deps = await createDeployments(
    h.prefectPg.apiUrl,
    ['sim', 'reset-all', 'reset-keep'].map((name, i) => ({
      flow,
      name,
      schedules: [
        { schedule: { kind: 'interval' as const, interval: 600 + 60 * i, anchorDate: '2026-01-01T00:00:00Z', timezone: 'UTC' }, slug: 'main' },
        ...(name === 'sim' ? [{ schedule: { kind: 'cron' as const, cron: '7 * * * *', timezone: 'UTC' }, slug: 'hourly' }] : []),
      ],
    })),
  );
  const now = Date.now();
  for (const d of deps) {
    await scheduleRuns(api, d.id);
    if (d.name !== 'sim') await scheduleRuns(api, d.id, { start_time: new Date(now - 4 * 3_600_000).toISOString(), end_time: new Date(now - 60_000).toISOString() });
  }
});

describe(`schedules simulate on Prefect ${h.prefect.version}`, () => {
  it('starts from the runs the server holds and models its scheduler', async () => {
    const sim = await env.ctx.schedules.simulate({ conn, deployments: [`${flow}/sim`], horizonHours: 2, overrides: { min_runs: 6 } });
    expect(sim.baseline.schedules).toHaveLength(2);
    const byLabel = new Map(sim.baseline.schedules.map((s) => [s.label.includes('10 minutes') || s.label === 'main' ? 'main' : 'hourly', s]));
    for (const s of sim.baseline.schedules) expect(s.error).toBeNull();
    // The hourly rule keeps 3 runs (3 hours) and the 10-minute one 7 (one hour). Selecting per
    // schedule (3.6.19+) tops the 10-minute one up in time; selecting the deployment as a whole
    // (before) waits for the hourly one to run low, so the 10-minute schedule runs dry for an hour:
    // the simulator must show the starvation the real scheduler has (schedules-scheduler.test.ts).
    // How dry depends on the minute the test starts: the deployment is topped up once it holds fewer
    // than 3 runs, so the 10-minute schedule is down to 0 or, when an hourly run falls due first
    // (a start between :00 and :07), to 1.
    expect(byLabel.get('hourly')!.heldMin).toBeGreaterThanOrEqual(1);
    if (h.prefect.perScheduleSelection) expect(byLabel.get('main')!.heldMin).toBeGreaterThanOrEqual(3);
    else expect(byLabel.get('main')!.heldMin).toBeLessThanOrEqual(1);
    expect(sim.modified!.totals.held).toBeGreaterThan(sim.baseline.totals.held);
    const features = (sim.degraded ?? []).map((d) => d.feature);
    expect(features.includes('schedules.scheduler-selection')).toBe(!h.prefect.perScheduleSelection);
    expect(features.includes('schedules.run-attribution')).toBe(!h.prefect.runsAttributed);
    for (const d of sim.degraded ?? []) expect(sim.notes).toContain(d.reason);
  });
});

describe(`the backlog reset on Prefect ${h.prefect.version}`, () => {
  it('keeping the newest runs works where a pause keeps the backlog (3.3.4+), and is refused with the reason before', async () => {
    const d = deps.find((x) => x.name === 'reset-keep')!;
    const before = await pastDue(d);
    expect(before).toBeGreaterThan(5);
    const plan = env.ctx.schedules.plan({ conn, kind: 'reset', deployments: [`${flow}/reset-keep`], keepNewest: 2 });
    if (!h.prefect.updatesKeepPastDue) {
      await expect(plan).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/not possible on Prefect .* paused/) });
      expect(await pastDue(d)).toBe(before);
      return;
    }
    const p = await plan;
    expect(p.purgePreview!.count).toBe((await pastDue(d, p.purgePreview!.cutoff)) - 2);
    const { finished } = await env.ctx.schedules.apply({ conn, planId: p.planId, confirmCount: p.confirmCount, options: { verifyTimeoutMs: 0 } });
    const f = (await finished) as JobFinished;
    expect(f.status, JSON.stringify(f.error)).toBe('succeeded');
    expect(await pastDue(d)).toBe(2);
  });

  it('resets the whole backlog and recreates the schedule; a restore puts the schedule back', async () => {
    const d = deps.find((x) => x.name === 'reset-all')!;
    const plan = await env.ctx.schedules.plan({ conn, kind: 'reset', deployments: [`${flow}/reset-all`], anchor: 'now' });
    expect(plan.deployments).toHaveLength(1);
    // Counted at the plan's own cutoff (its purge takes runs due at least a second before it was
    // made): a run of the 11-minute schedule falling due in that second is not in it (a CI run did).
    const before = await pastDue(d, plan.purgePreview?.cutoff);
    expect(before).toBeGreaterThan(5);
    expect(plan.deployments[0]!.pastDueGoing).toBe(before);
    expect(plan.deployments[0]!.schedules[0]!.changes).toEqual(['anchor_date']);
    if (!h.prefect.updatesKeepPastDue) expect(plan.degraded?.map((x) => x.feature)).toContain('schedules.update-deletes-backlog');
    const { finished } = await env.ctx.schedules.apply({ conn, planId: plan.planId, confirmCount: plan.confirmCount, options: { verifyTimeoutMs: 0 } });
    const f = (await finished) as JobFinished;
    expect(f.status, JSON.stringify(f.error)).toBe('succeeded');
    expect((f.result as ChangeOutcome).status).toBe('applied');
    expect(await pastDue(d)).toBe(0);
    const live = await api.get<{ schedules: Array<{ schedule: { anchor_date: string } }> }>(`/deployments/${d.id}`);
    expect(Math.abs(Date.parse(live.schedules[0]!.schedule.anchor_date) - Date.now())).toBeLessThan(10 * 60_000);

    const restore = await env.ctx.schedules.plan({ conn, kind: 'restore', deployments: [], changeId: plan.planId });
    const r = await env.ctx.schedules.apply({ conn, planId: restore.planId, confirmCount: restore.confirmCount, options: { verifyTimeoutMs: 0 } });
    expect(((await r.finished) as JobFinished).status).toBe('succeeded');
    const back = await api.get<{ schedules: Array<{ schedule: { anchor_date: string } }> }>(`/deployments/${d.id}`);
    expect(Date.parse(back.schedules[0]!.schedule.anchor_date)).toBe(Date.parse('2026-01-01T00:00:00Z'));
  });
});

describe(`server settings of Prefect ${h.prefect.version}`, () => {
  it('are read in the newest layout, whatever moved since this line', async () => {
    const raw = await api.get<{ server: { database: Record<string, unknown> } }>('/admin/settings');
    const s = (await new PrefectApi({ apiUrl: h.prefectPg.apiUrl, apiAuth: { kind: 'none' } }).adminSettings()) as { server: { database: { sqlalchemy?: Record<string, unknown> }; services: { scheduler: Record<string, unknown> } } };
    // Pool settings sit under server.database.sqlalchemy from 3.1; 3.0 reports sqlalchemy_pool_size.
    expect(s.server.database.sqlalchemy).toHaveProperty('pool_size');
    if ('sqlalchemy_pool_size' in raw.server.database) expect(s.server.database.sqlalchemy!.pool_size).toBe(raw.server.database.sqlalchemy_pool_size);
    expect(s.server.services.scheduler.enabled).toBe(false);
  });
});
