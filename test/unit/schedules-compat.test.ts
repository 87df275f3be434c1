/**
 * Older Prefect lines, pure logic: which schedule a run belongs to when the server does not record it
 * (before 3.2), and the scheduler models of older lines (selection per deployment before 3.6.19; runs
 * keyed by deployment and time before 3.2.2). The models are held to the real schedulers by
 * test/integration/schedules-scheduler.test.ts on each line.
 */
import { describe, expect, it } from 'vitest';
import { runsBySchedule } from '../../main/core/schedules/attribution';
import type { ApiRun, DeploymentInfo } from '../../main/core/schedules/api';
import { parseInstant } from '../../shared/schedules/instant';
import { toSchedule } from '../../shared/schedules/occurrences';
import { DEFAULT_SCHEDULER_SETTINGS } from '../../shared/schedules/settings';
import { simulate, type SimInputSchedule } from '../../shared/schedules/simulate';

const T0 = parseInstant('2026-11-29T09:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

const dep: DeploymentInfo = {
  id: 'd1',
  name: 'multi',
  flowName: 'f',
  fullName: 'f/multi',
  paused: false,
  updated: null,
  schedules: [
    { id: 'every-10m', schedule: { interval: 600, anchor_date: '2026-01-01T00:00:00Z', timezone: 'UTC' }, active: true, parameters: {}, slug: null, maxScheduledRuns: null },
    { id: 'at-07', schedule: { cron: '7 * * * *', timezone: 'UTC' }, active: true, parameters: {}, slug: null, maxScheduledRuns: null },
    // Inactive, on the same instants as every-10m: an active schedule wins a shared instant.
    { id: 'every-5m-off', schedule: { interval: 300, anchor_date: '2026-01-01T00:00:00Z', timezone: 'UTC' }, active: false, parameters: {}, slug: null, maxScheduledRuns: null },
  ],
};

function run(id: string, at: number, extra: Partial<ApiRun> = {}): ApiRun {
  return { id, deployment_id: 'd1', next_scheduled_start_time: iso(at), state_type: 'SCHEDULED', state_name: 'Scheduled', run_count: 0, auto_scheduled: true, created_by: null, ...extra };
}

describe('runs matched to schedules', () => {
  it('by created_by where the server records it', () => {
    const runs = [run('a', T0 + 60_000, { created_by: { id: 'at-07', type: 'SCHEDULE' } }), run('b', T0, { created_by: null })];
    const m = runsBySchedule(runs, [dep], true);
    expect([...m.keys()]).toEqual(['at-07']);
  });

  it('by their times where it does not (before 3.2): active schedules first, manual and stray runs left out', () => {
    const runs = [
      run('ten-a', T0), // 09:00 on every-10m (and on the inactive every-5m)
      run('ten-b', T0 + 600_000),
      run('cron', T0 + 7 * 60_000), // 09:07
      run('five', T0 + 5 * 60_000), // 09:05: only the inactive schedule's time
      run('stray', T0 + 61_000), // on no schedule
      run('manual', T0 + 1_200_000, { auto_scheduled: false }),
      run('other-deployment', T0, { deployment_id: 'd2' }),
    ];
    const m = runsBySchedule(runs, [dep], false);
    expect(m.get('every-10m')!.map((r) => r.id)).toEqual(['ten-a', 'ten-b']);
    expect(m.get('at-07')!.map((r) => r.id)).toEqual(['cron']);
    expect(m.get('every-5m-off')!.map((r) => r.id)).toEqual(['five']);
    expect([...m.values()].flat().map((r) => r.id)).not.toContain('stray');
  });
});

describe('scheduler models of older lines', () => {
  const st = { ...DEFAULT_SCHEDULER_SETTINGS, minRuns: 3, maxRuns: 100, minScheduledTime: 3600, maxScheduledTime: 8_640_000, loopSeconds: 60 };
  const input = (held: Record<string, number[]>): SimInputSchedule[] =>
    dep.schedules.map((s) => ({ key: s.id, deploymentId: dep.id, active: s.active, paused: false, schedule: toSchedule(s.schedule), held: held[s.id] ?? [] }));

  it('per schedule (3.6.19+): a schedule that runs low is topped up though its sibling holds hours of runs', () => {
    const held = { 'every-10m': [T0 + 600_000], 'at-07': [T0 + 7 * 60_000, T0 + 67 * 60_000, T0 + 127 * 60_000, T0 + 187 * 60_000] };
    const pass = simulate(input(held), st, [T0 + 1000]).passes[0]!;
    expect(pass.selectedDeployments).toEqual(['d1']);
    expect(pass.inserted.get('every-10m')!.length).toBeGreaterThan(0);
  });

  it('per deployment (before 3.6.19): nothing is inserted while the deployment as a whole holds enough', () => {
    const held = { 'every-10m': [T0 + 600_000], 'at-07': [T0 + 7 * 60_000, T0 + 67 * 60_000, T0 + 127 * 60_000, T0 + 187 * 60_000] };
    const pass = simulate(input(held), st, [T0 + 1000], { perScheduleSelection: false, keyedBySchedule: true }).passes[0]!;
    expect(pass.selectedDeployments).toEqual([]);
    // Once the deployment's latest run is within min_scheduled_time, every active schedule is filled.
    const late = simulate(input({ 'every-10m': [T0 + 600_000], 'at-07': [T0 + 7 * 60_000] }), st, [T0 + 1000], { perScheduleSelection: false, keyedBySchedule: true }).passes[0]!;
    expect(late.selectedDeployments).toEqual(['d1']);
    expect([...late.inserted.keys()].sort()).toEqual(['at-07', 'every-10m']);
  });

  it('keyed by deployment and time (before 3.2.2): an instant two schedules share is inserted once', () => {
    const twin: SimInputSchedule[] = [
      { key: 'a', deploymentId: 'd', active: true, paused: false, schedule: toSchedule({ interval: 600, anchor_date: '2026-01-01T00:00:00Z', timezone: 'UTC' }) },
      { key: 'b', deploymentId: 'd', active: true, paused: false, schedule: toSchedule({ interval: 1200, anchor_date: '2026-01-01T00:00:00Z', timezone: 'UTC' }) },
    ];
    const keyed = simulate(twin, st, [T0 + 1000]).passes[0]!;
    const legacy = simulate(twin, st, [T0 + 1000], { perScheduleSelection: false, keyedBySchedule: false }).passes[0]!;
    const count = (p: typeof keyed) => [...p.inserted.values()].reduce((n, d) => n + d.length, 0);
    const shared = keyed.inserted.get('b')!.filter((t) => keyed.inserted.get('a')!.includes(t)).length;
    expect(shared).toBeGreaterThan(0);
    expect(count(legacy)).toBe(count(keyed) - shared);
    expect(legacy.inserted.get('a')).toEqual(keyed.inserted.get('a'));
  });
});
