/**
 * The scheduler simulator: its per-pass dates equal the exact rule (scheduler.ts, itself held to
 * Prefect by schedule-math.test.ts), and its loop-by-loop behaviour matches the arithmetic of
 * docs/prefect.md §9.1 for the classic shapes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInstant } from '../../shared/schedules/instant';
import { toSchedule, type Schedule } from '../../shared/schedules/occurrences';
import { keptDates } from '../../shared/schedules/scheduler';
import { DEFAULT_SCHEDULER_SETTINGS, fromAdminSettings, fromEnvValues, withOverrides } from '../../shared/schedules/settings';
import { keptFromList, occurrencesForPasses, passTimes, simulate } from '../../shared/schedules/simulate';

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'schedule-dates.json'), 'utf8')) as {
  cases: Array<{ name: string; stored: Record<string, unknown> }>;
  settings: Array<{ name: string; min_runs: number; max_runs: number; min_scheduled_time: number; max_scheduled_time: number }>;
};

const T0 = parseInstant('2026-11-29T09:00:00Z');
const every = (seconds: number, anchor = '2026-01-01T00:00:00Z'): Schedule => toSchedule({ interval: seconds, anchor_date: anchor, timezone: 'UTC' });

describe('simulator dates', () => {
  it('equal the exact per-pass rule for every fixture schedule at several pass times', () => {
    for (const c of fixture.cases) {
      const s = toSchedule(c.stored);
      for (const st of fixture.settings) {
        const settings = { minRuns: st.min_runs, maxRuns: st.max_runs, minScheduledTime: st.min_scheduled_time, maxScheduledTime: st.max_scheduled_time };
        const times = [T0, T0 + 37_000, T0 + 3_600_000, T0 + 86_400_000 + 123];
        const list = occurrencesForPasses(s, T0, times[times.length - 1]!, settings);
        for (const t of times) {
          expect(keptFromList(list, t, settings).dates, `${c.name} ${st.name} at ${t - T0}`).toEqual(keptDates(s, t, settings).dates);
        }
      }
    }
    // Pure but heavy (every fixture x settings x pass time): about 3 s idle, 15 s on a loaded machine.
  }, 60_000);
});

describe('simulator loops (defaults: min_runs 3, max_runs 100, 1 h, 100 d, 60 s loop)', () => {
  const st = DEFAULT_SCHEDULER_SETTINGS;
  const run = (schedule: Schedule, hours = 2) => simulate([{ key: 's', deploymentId: 'd', active: true, paused: false, schedule }], st, passTimes(T0, hours * 3_600_000, st.loopSeconds));

  it('every 10 s: keeps max_runs, reselected every loop, inserts 6 per loop', () => {
    const r = run(every(10)).schedules[0]!;
    expect(r.kept).toBe(100);
    expect(r.limitedBy).toBe('max_runs');
    expect(r.selectedShare).toBe(1);
    expect(r.insertsPerLoopAvg).toBeCloseTo(6, 5);
    expect(r.horizonMs).toBe(990_000);
  });

  it('every minute: keeps 61, inserts one per loop', () => {
    const r = run(every(60)).schedules[0]!;
    expect(r.kept).toBe(61);
    expect(r.limitedBy).toBe('min_scheduled_time');
    expect(r.insertsPerLoopAvg).toBeCloseTo(1, 5);
    expect(r.heldMax).toBe(61);
  });

  it('hourly: keeps 3, falls to 2 between refills', () => {
    const r = run(every(3600), 6).schedules[0]!;
    expect(r.kept).toBe(3);
    expect(r.heldMin).toBe(2);
    expect(r.heldMax).toBe(3);
  });

  it('paused deployments and inactive schedules are never selected', () => {
    const out = simulate(
      [
        { key: 'p', deploymentId: 'd1', active: true, paused: true, schedule: every(10) },
        { key: 'i', deploymentId: 'd2', active: false, paused: false, schedule: every(10) },
      ],
      st,
      passTimes(T0, 600_000, 60),
    );
    expect(out.totals.insertsPerLoopMax).toBe(0);
    expect(out.schedules.map((s) => s.limitedBy)).toEqual(['inactive', 'inactive']);
  });

  it('a selected deployment regenerates all its active schedules (per-deployment selection)', () => {
    // The hourly schedule alone would not be selected; its 10 s sibling makes the deployment selected
    // every loop, so the hourly one is asked for its dates every loop too (work, not inserts).
    const out = simulate(
      [
        { key: 'fast', deploymentId: 'd', active: true, paused: false, schedule: every(10) },
        { key: 'slow', deploymentId: 'd', active: true, paused: false, schedule: every(3600) },
      ],
      st,
      passTimes(T0, 3_600_000, 60),
    );
    expect(out.schedules.find((s) => s.key === 'slow')!.selectedShare).toBe(1);
    expect(out.totals.datesGeneratedPerLoopAvg).toBeCloseTo(103, 0);
  });

  it('leftover runs from a larger configuration are counted and not re-inserted', () => {
    const s = every(60);
    const held = Array.from({ length: 200 }, (_, i) => T0 + i * 60_000);
    const out = simulate([{ key: 's', deploymentId: 'd', active: true, paused: false, schedule: s, held }], st, passTimes(T0, 600_000, 60));
    expect(out.passes[0]!.inserted.size).toBe(0);
    expect(out.schedules[0]!.heldMax).toBe(200);
  });

  it('a tighter setting shows its difference', () => {
    const tight = withOverrides(st, { maxRuns: 20, minScheduledTime: '10m' }).settings;
    const out = simulate([{ key: 's', deploymentId: 'd', active: true, paused: false, schedule: every(10) }], tight, passTimes(T0, 3_600_000, 60));
    expect(out.schedules[0]!.kept).toBe(20);
    expect(out.totals.held).toBe(20);
  });
});

describe('scheduler settings', () => {
  it('reads /admin/settings (ISO durations)', () => {
    const r = fromAdminSettings({ server: { services: { scheduler: { enabled: true, loop_seconds: 60.0, max_runs: 50, min_runs: 5, max_scheduled_time: 'P2D', min_scheduled_time: 'PT10M', insert_batch_size: 500, deployment_batch_size: 100, recent_deployments_loop_seconds: 5.0 } } } });
    expect(r.issues).toEqual([]);
    expect(r.settings).toMatchObject({ maxRuns: 50, minRuns: 5, maxScheduledTime: 172800, minScheduledTime: 600 });
  });

  it('reads profile values, canonical and legacy names, and reports unreadable ones', () => {
    const r = fromEnvValues({ PREFECT_API_SERVICES_SCHEDULER_MIN_RUNS: '7', prefect_server_services_scheduler_loop_seconds: '15', PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS: 'lots' });
    expect(r.settings.minRuns).toBe(7);
    expect(r.settings.loopSeconds).toBe(15);
    expect(r.settings.maxRuns).toBe(100);
    expect(r.issues.map((i) => i.key)).toEqual(['maxRuns']);
  });

  it('refuses impossible values', () => {
    expect(withOverrides(DEFAULT_SCHEDULER_SETTINGS, { loopSeconds: 0 }).issues).toHaveLength(1);
    expect(withOverrides(DEFAULT_SCHEDULER_SETTINGS, { minRuns: 2.5 }).issues).toHaveLength(1);
    expect(withOverrides(DEFAULT_SCHEDULER_SETTINGS, { minScheduledTime: 'soon' }).issues).toHaveLength(1);
  });
});
