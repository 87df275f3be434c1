/**
 * Interval schedules exactly as Prefect 3.9.1 generates them on Python < 3.13 (pendulum branch of
 * `IntervalSchedule._get_dates_generator`, prefect/server/schemas/schedules.py), which the 3.13
 * `whenever` branch is written to match:
 *
 * - the interval is split into whole days and remaining seconds (Python timedelta);
 * - whole-day intervals in a non-UTC zone advance on the wall clock (09:00 stays 09:00 across DST),
 *   sequentially from the anchor, so a skipped 02:30 becomes 03:30 *and stays 03:30*;
 * - everything else is exact elapsed time from the anchor (an hourly schedule fires every UTC hour);
 * - the first date is the first lattice point at or after `start`: the anchor only fixes the phase,
 *   never delays the first run, and nothing before `start` is produced (no backfill);
 * - Python compares and hashes datetimes of one zone by their *wall clock*, ignoring fold, so inside a
 *   repeated hour the start/end checks and the duplicate check look at wall times: an hourly schedule
 *   loses the second 01:30 of a fall-back night in New York. Replicated, since the scheduler does it.
 */
import { localize, wallOf, zoneOf } from './zone';

export const MAX_ITERATIONS = 1000;
const DAY_MS = 86_400_000;

export interface IntervalRule {
  /** Seconds, > 0 (fractions allowed). */
  interval: number;
  /** Epoch ms (with microseconds as the fraction). */
  anchor: number;
  timezone: string | null;
}

export interface Window {
  start: number;
  end?: number | null;
  n?: number | null;
}

/** Dates in order; `n` defaults to 1, or to MAX_ITERATIONS when an end is given (Prefect's rule). */
export function* intervalDates(rule: IntervalRule, w: Window): Generator<number> {
  const zone = zoneOf(rule.timezone);
  const tzName = rule.timezone && rule.timezone.trim() ? rule.timezone.trim() : 'UTC';
  const n = w.n ?? (w.end !== undefined && w.end !== null ? MAX_ITERATIONS : 1);
  const totalMs = rule.interval * 1000;
  if (!(totalMs > 0)) return;
  const days = Math.floor(rule.interval / 86400);
  const restMs = totalMs - days * DAY_MS;
  const anchor = rule.anchor;
  const start = w.start;

  // pendulum's add(days=..., seconds=...): with a day part, wall-clock arithmetic re-resolved in the
  // zone (skipped times move forward); without one, exact elapsed time.
  const addWall = (instant: number, d: number, restMsAdd: number): number =>
    localize(zone, wallOf(zone, instant) + d * DAY_MS + restMsAdd, 'forward', 'second');
  // Python's same-zone datetime comparison (see the top of this file).
  const W = (x: number): number => wallOf(zone, x);
  const wStart = W(start);
  const jump =
    days === 0 || restMs === 0
      ? (k: number): number => (days * k !== 0 ? addWall(anchor, days * k, restMs * k) : anchor + restMs * k)
      : (k: number): number => anchor + totalMs * k;
  const step = (d: number): number => (days !== 0 ? addWall(d, days, restMs) : d + restMs);

  let offset = 0;
  let next: number;
  if (start >= anchor && days !== 0 && restMs === 0 && tzName !== 'UTC') {
    // _seek_calendar_interval: sequential wall-clock days from the anchor (equivalent to Prefect's
    // segment jumps), so normalisations at skipped times carry forward as they do in Prefect.
    next = anchor;
    const approxSteps = Math.floor((start - anchor) / (days * DAY_MS));
    if (approxSteps > 2) {
      // Jump inside transition-free stretches: stepping one day at a time from a 2020 anchor is
      // cheap, but decades of weekly steps are not needed to find the same phase.
      next = seekCalendar(anchor, start, days, zone, addWall);
    }
    while (W(next) < wStart) next = step(next);
  } else {
    offset = Math.trunc((start - anchor) / totalMs);
    next = jump(offset);
    while (W(next) > wStart) {
      offset -= 1;
      next = jump(offset);
    }
  }
  const beforeAnchorDays = start < anchor && days !== 0 && restMs === 0;
  const nextDate = (d: number): number => {
    if (beforeAnchorDays && offset < 0) {
      offset += 1;
      return jump(offset);
    }
    return step(d);
  };
  while (W(next) < wStart) next = nextDate(next);

  const wEnd = w.end !== undefined && w.end !== null ? W(w.end) : null;
  const seen = new Set<number>();
  let counter = 0;
  for (;;) {
    if (wEnd !== null && W(next) > wEnd) break;
    if (!seen.has(W(next))) {
      seen.add(W(next));
      yield next;
    }
    if (seen.size >= n || counter > MAX_ITERATIONS) break;
    counter += 1;
    next = nextDate(next);
  }
}

/**
 * Prefect's `_seek_calendar_interval`: advance from the anchor towards `start` in whole steps, jumping
 * within stretches without offset changes and stepping singly across each change, so the result is the
 * same as stepping one interval at a time.
 */
function seekCalendar(
  anchor: number,
  start: number,
  days: number,
  zone: ReturnType<typeof zoneOf>,
  addWall: (instant: number, d: number, restMs: number) => number,
): number {
  let current = anchor;
  let guard = 0;
  while (current < start && guard++ < 100_000) {
    const boundary = Math.min(start, nextTransitionAfter(zone, current, start));
    const distanceDays = Math.floor((wallOf(zone, boundary) - wallOf(zone, current)) / DAY_MS);
    const count = Math.max(1, Math.floor(distanceDays / days) - 1);
    current = addWall(current, days * count, 0);
  }
  return current;
}

/** The first offset change after `from` and before `limit` (or `limit`), found by bisection. */
function nextTransitionAfter(zone: ReturnType<typeof zoneOf>, from: number, limit: number): number {
  const o0 = zone.offset(Math.floor(from));
  // Offsets change at most a few times a year; probe monthly, then bisect the month that changed.
  const stepMs = 28 * DAY_MS;
  let lo = from;
  while (lo < limit) {
    const hi = Math.min(limit, lo + stepMs);
    if (zone.offset(Math.floor(hi)) !== o0) {
      let a = lo;
      let b = hi;
      while (b - a > 1000) {
        const mid = (a + b) / 2;
        if (zone.offset(Math.floor(mid)) === o0) a = mid;
        else b = mid;
      }
      return b;
    }
    lo = hi;
  }
  return limit;
}
