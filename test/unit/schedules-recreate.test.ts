/** What "recreate from now" writes per schedule kind, and how changes are compared field by field. */
import { describe, expect, it } from 'vitest';
import { bodyDiff, storedDiff } from '../../shared/schedules/compare';
import { parseInstant } from '../../shared/schedules/instant';
import { nextDates, toSchedule } from '../../shared/schedules/occurrences';
import { recreateBody } from '../../shared/schedules/recreate';
import { parseRRule } from '../../shared/schedules/rrule';
import { driftOf } from '../../main/core/schedules/apply';
import { resolveAnchor } from '../../main/core/schedules/anchor';

const NOW = parseInstant('2026-11-29T09:14:02.250Z');
const ANCHOR = Math.floor(NOW / 1000) * 1000;

describe('recreateBody', () => {
  it('interval: anchor moves to the anchor, nothing else changes; day intervals say what time they will run', () => {
    const body = { interval: 120.0, anchor_date: '2020-01-01T00:00:07Z', timezone: 'America/New_York' };
    const r = recreateBody(body, ANCHOR, NOW);
    expect(bodyDiff(body, r.body)).toEqual(['anchor_date']);
    expect(parseInstant(String(r.body.anchor_date))).toBe(ANCHOR);
    expect(nextDates(toSchedule(r.body), NOW, 2)).toEqual([ANCHOR + 120_000, ANCHOR + 240_000]);
    const daily = recreateBody({ interval: 86400, anchor_date: '2026-01-01T09:00:00+01:00', timezone: 'Europe/Berlin' }, ANCHOR, NOW);
    expect(daily.notes.join(' ')).toMatch(/10:14:02 \(Europe\/Berlin\)/);
  });

  it('rrule: DTSTART moves close to the anchor without changing a single occurrence', () => {
    for (const rrule of [
      'DTSTART:20200101T000000\nFREQ=MINUTELY;INTERVAL=10',
      'DTSTART:20200101T000000\nRRULE:FREQ=DAILY;BYHOUR=2;BYMINUTE=30',
      'DTSTART:20210305T083000\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=FR',
      'DTSTART:20200131T100000\nRRULE:FREQ=MONTHLY;BYMONTHDAY=31',
      'DTSTART:20200101T120000\nRRULE:FREQ=HOURLY;INTERVAL=5\nEXDATE:20261130T120000',
    ]) {
      const body = { rrule, timezone: 'America/New_York' };
      const r = recreateBody(body, ANCHOR, NOW);
      expect(bodyDiff(body, r.body), rrule).toEqual(['DTSTART']);
      const moved = parseRRule(String(r.body.rrule)).dtstartWall!;
      expect(moved, rrule).toBeGreaterThan(Date.UTC(2026, 0, 1));
      expect(moved, rrule).toBeLessThanOrEqual(ANCHOR);
      expect(nextDates(toSchedule(r.body), NOW, 30), rrule).toEqual(nextDates(toSchedule(body), NOW, 30));
    }
  });

  it('rrule without DTSTART gets an explicit one; COUNT rules keep theirs (moving it would add runs)', () => {
    const noDt = recreateBody({ rrule: 'FREQ=DAILY;BYHOUR=3', timezone: 'UTC' }, ANCHOR, NOW);
    expect(String(noDt.body.rrule)).toMatch(/^DTSTART:2026\d{4}T\d{6}\nFREQ=DAILY;BYHOUR=3$/);
    const count = { rrule: 'DTSTART:20261101T000000\nRRULE:FREQ=DAILY;COUNT=40', timezone: 'UTC' };
    const r = recreateBody(count, ANCHOR, NOW);
    expect(bodyDiff(count, r.body)).toEqual([]);
    expect(r.notes.join(' ')).toMatch(/COUNT/);
    const countNoDt = recreateBody({ rrule: 'FREQ=DAILY;COUNT=40', timezone: 'UTC' }, ANCHOR, NOW);
    expect(String(countNoDt.body.rrule)).toBe('DTSTART:20200101T000000\nFREQ=DAILY;COUNT=40');
  });

  it('cron: unchanged', () => {
    const body = { cron: '*/5 * * * *', timezone: 'UTC', day_or: true };
    expect(bodyDiff(body, recreateBody(body, ANCHOR, NOW).body)).toEqual([]);
  });
});

describe('comparison', () => {
  const base = { id: 's', schedule: { interval: 600.0, anchor_date: '2026-01-01T00:00:00Z', timezone: 'UTC' }, active: true, parameters: { a: 1, b: [1, 2] }, slug: 'x', maxScheduledRuns: null };
  it('treats equal meaning as equal (Z vs +00:00, 600 vs 600.0, key order)', () => {
    expect(storedDiff(base, { ...base, schedule: { timezone: 'UTC', anchor_date: '2026-01-01T00:00:00+00:00', interval: 600 }, parameters: { b: [1, 2], a: 1 } })).toEqual([]);
  });
  it('names every differing field', () => {
    expect(storedDiff(base, { ...base, active: false, parameters: {}, slug: null })).toEqual(['active', 'parameters', 'slug']);
    expect(bodyDiff({ cron: '0 * * * *' }, { cron: '0 * * * *', day_or: false })).toEqual(['day_or']);
  });
  it('reports what someone else changed between plan and apply', () => {
    const item = { deploymentId: 'd', deploymentName: 'f/d', paused: false, schedules: [base], target: { paused: false, schedules: [] }, state: 'pending', error: null };
    const live = { id: 'd', name: 'd', flowName: 'f', fullName: 'f/d', paused: true, updated: null, schedules: [{ ...base, parameters: {} }, { ...base, id: 'new', slug: 'y' }] };
    expect(driftOf(live, item)).toEqual(['paused', 'schedule x: parameters', 'schedule y added']);
    expect(driftOf(null, item)).toEqual(['deleted']);
  });
});

describe('anchors', () => {
  it('accepts now or ISO 8601 and refuses anything else with the fix', () => {
    expect(resolveAnchor('now', NOW).anchor).toBe(ANCHOR);
    expect(resolveAnchor('2026-11-30T09:00:00+01:00', NOW).anchor).toBe(Date.UTC(2026, 10, 30, 8));
    expect(() => resolveAnchor('tomorrow', NOW)).toThrow(/not a date/);
    expect(() => resolveAnchor('2026-13-45T00:00:00Z', NOW)).toThrow(/not a date/);
  });
});
