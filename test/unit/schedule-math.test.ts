/**
 * Housekeeper's schedule math against the real Prefect server code: test/fixtures/schedule-dates.json
 * holds what Prefect 3.9.1 computes for interval, cron and rrule schedules across DST changes
 * (next occurrences from several start times, and runs kept per scheduler pass under several
 * settings). Refresh it with `node scripts/gen-schedule-fixture.mjs`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInstant, formatInstant } from '../../shared/schedules/instant';
import { nextDates, toSchedule } from '../../shared/schedules/occurrences';
import { keptDates } from '../../shared/schedules/scheduler';

interface Point {
  iso: string;
  us: number;
}
interface Fixture {
  prefectVersion: string;
  settings: Array<{ name: string; min_runs: number; max_runs: number; min_scheduled_time: number; max_scheduled_time: number }>;
  starts: string[];
  cases: Array<{
    name: string;
    stored: Record<string, unknown>;
    runs: Array<{ start: string; next: Point[]; kept: Record<string, { count: number; head: Point[]; tail: Point[] }> }>;
  }>;
}

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'schedule-dates.json'), 'utf8')) as Fixture;
const ms = (p: Point) => p.us / 1000;

describe('schedule math matches Prefect ' + fixture.prefectVersion, () => {
  it('parses and formats instants with microseconds', () => {
    expect(parseInstant('2026-01-01T00:00:00.123456Z')).toBe(Date.UTC(2026, 0, 1) + 123.456);
    expect(formatInstant(Date.UTC(2026, 0, 1) + 123.456)).toBe('2026-01-01T00:00:00.123456Z');
    expect(formatInstant(Date.UTC(2026, 2, 8, 7, 30), 'America/New_York')).toBe('2026-03-08T03:30:00-04:00');
  });

  for (const c of fixture.cases) {
    describe(c.name, () => {
      const schedule = toSchedule(c.stored);
      it('next occurrences from every start time', () => {
        for (const r of c.runs) {
          const got = nextDates(schedule, parseInstant(r.start), 12);
          expect(got.map((d) => formatInstant(d)), `${c.name} from ${r.start}`).toEqual(r.next.map((p) => formatInstant(ms(p))));
        }
      });
      it('runs kept by one scheduler pass', () => {
        for (const r of c.runs) {
          for (const s of fixture.settings) {
            const want = r.kept[s.name]!;
            const got = keptDates(schedule, parseInstant(r.start), {
              minRuns: s.min_runs,
              maxRuns: s.max_runs,
              minScheduledTime: s.min_scheduled_time,
              maxScheduledTime: s.max_scheduled_time,
            }).dates;
            const label = `${c.name} from ${r.start} with ${s.name}`;
            expect(got.length, label).toBe(want.count);
            expect(got.slice(0, 3).map((d) => formatInstant(d)), label).toEqual(want.head.map((p) => formatInstant(ms(p))));
            expect(got.slice(-3).map((d) => formatInstant(d)), label).toEqual(want.tail.map((p) => formatInstant(ms(p))));
          }
        }
      });
    });
  }
});
