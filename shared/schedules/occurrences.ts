/**
 * One entry point for "when does this schedule fire": the stored schedule JSON (as Prefect's API
 * returns it) in, instants (epoch ms) out, with Prefect's generator contract: dates at or after
 * `start`, at most `n` (1 by default, or up to ~1000 when an end is given), none after `end`.
 */
import { cronDates } from './cron';
import { parseInstant } from './instant';
import { intervalDates, type Window } from './interval';
import { rruleDates } from './rrule';
import { ScheduleMathError } from './zone';

export type ScheduleKind = 'interval' | 'cron' | 'rrule';

/** The `schedule` object of a deployment schedule, as stored (extra fields tolerated). */
export type ScheduleBody = Record<string, unknown>;

export type Schedule =
  | { kind: 'interval'; interval: number; anchor: number; timezone: string | null }
  | { kind: 'cron'; cron: string; timezone: string | null; dayOr: boolean }
  | { kind: 'rrule'; rrule: string; timezone: string | null };

export function kindOf(body: ScheduleBody): ScheduleKind | null {
  if ('interval' in body) return 'interval';
  if ('cron' in body) return 'cron';
  if ('rrule' in body) return 'rrule';
  return null;
}

/** Seconds from Prefect's JSON: a number, or an ISO 8601 duration string (pydantic accepts both). */
export function intervalSeconds(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (/^\d+(\.\d+)?$/.test(v.trim())) return Number(v);
    const m = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(v.trim());
    if (m && v.trim().length > 1) return Number(m[1] ?? 0) * 604800 + Number(m[2] ?? 0) * 86400 + Number(m[3] ?? 0) * 3600 + Number(m[4] ?? 0) * 60 + Number(m[5] ?? 0);
  }
  return Number.NaN;
}

/** Typed view of a stored schedule; throws ScheduleMathError for shapes Prefect would not store. */
export function toSchedule(body: ScheduleBody): Schedule {
  const tz = typeof body.timezone === 'string' && body.timezone.trim() ? body.timezone.trim() : null;
  switch (kindOf(body)) {
    case 'interval': {
      const interval = intervalSeconds(body.interval);
      if (!(interval > 0)) throw new ScheduleMathError(`The interval "${String(body.interval)}" is not a positive number of seconds.`);
      const anchorText = typeof body.anchor_date === 'string' ? body.anchor_date : null;
      if (!anchorText) throw new ScheduleMathError('The interval schedule has no anchor date.');
      const anchor = parseInstant(anchorText, tz ?? 'UTC');
      if (Number.isNaN(anchor)) throw new ScheduleMathError(`The anchor "${anchorText}" is not a date.`);
      return { kind: 'interval', interval, anchor, timezone: tz };
    }
    case 'cron':
      if (typeof body.cron !== 'string') throw new ScheduleMathError('The cron schedule has no expression.');
      return { kind: 'cron', cron: body.cron, timezone: tz, dayOr: body.day_or !== false };
    case 'rrule':
      if (typeof body.rrule !== 'string') throw new ScheduleMathError('The rrule schedule has no rule.');
      return { kind: 'rrule', rrule: body.rrule, timezone: tz ?? 'UTC' };
    default:
      throw new ScheduleMathError('Unknown schedule shape: expected interval, cron or rrule.');
  }
}

export function* dates(s: Schedule, w: Window): Generator<number> {
  switch (s.kind) {
    case 'interval':
      yield* intervalDates(s, w);
      return;
    case 'cron':
      yield* cronDates(s, w);
      return;
    case 'rrule':
      yield* rruleDates(s, w);
      return;
  }
}

/** The next `n` dates at or after `start` (no end). */
export function nextDates(s: Schedule, start: number, n: number): number[] {
  return [...dates(s, { start, n })];
}

/** All dates in [start, end] (at most ~1000, Prefect's cap). */
export function datesBetween(s: Schedule, start: number, end: number, n?: number): number[] {
  return [...dates(s, { start, end, ...(n !== undefined ? { n } : {}) })];
}

export type { Window };
