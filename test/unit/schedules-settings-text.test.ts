/**
 * The simulator never suggests a value Prefect rejects (issue #10 part 4): durations are shown as
 * ISO 8601 (PT1H, not 3600), a profile holding plain seconds is reported instead of simulated, and
 * typed plain seconds come with the form a profile needs.
 */
import { describe, expect, it } from 'vitest';
import { readOverrides } from '../../main/core/schedules/simulate';
import { DEFAULT_SCHEDULER_SETTINGS, fromEnvValues, readSetting, settingText } from '../../shared/schedules/settings';

describe('scheduler settings as Prefect takes them', () => {
  it('spells durations as ISO 8601', () => {
    expect(settingText('min_scheduled_time', 3600)).toBe('PT1H');
    expect(settingText('max_scheduled_time', 100 * 86400)).toBe('P100D');
    expect(settingText('minScheduledTime', 900)).toBe('PT15M');
    expect(settingText('max_runs', 20)).toBe('20');
    expect(settingText('enabled', false)).toBe('false');
  });

  it('never names plain seconds as an example', () => {
    const r = readSetting('minScheduledTime', 'soon');
    expect('issue' in r && r.issue).toMatch(/PT1H/);
    expect('issue' in r && r.issue).not.toMatch(/3600/);
  });

  it('reports a profile duration Prefect refuses instead of simulating it', () => {
    const r = fromEnvValues({ PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME: '3600', PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS: '20' });
    expect(r.settings.minScheduledTime).toBe(DEFAULT_SCHEDULER_SETTINGS.minScheduledTime);
    expect(r.settings.maxRuns).toBe(20);
    expect(r.issues[0]!.message).toMatch(/min_scheduled_time: "3600" is refused by Prefect.*PT1H/);
    expect(fromEnvValues({ PREFECT_API_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME: 'PT15M' }).settings.minScheduledTime).toBe(900);
  });

  it('accepts typed plain seconds in the simulator but says what a profile needs', () => {
    const base = { settings: { ...DEFAULT_SCHEDULER_SETTINGS }, source: 'live server', given: [], notes: [] };
    const o = readOverrides(base, { min_scheduled_time: '3600' });
    expect(o.applied).toEqual({ min_scheduled_time: 3600 });
    expect(o.view.notes).toEqual(['min_scheduled_time: in a profile or env file write PT1H; Prefect refuses plain seconds there.']);
    expect(readOverrides(base, { min_scheduled_time: 'PT15M' }).view.notes).toEqual([]);
  });
});
