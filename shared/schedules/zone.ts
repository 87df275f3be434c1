/**
 * Wall clock <-> instant in an IANA zone, with the two ways Prefect resolves local times that do not
 * exist (spring forward) or exist twice (fall back):
 *
 * - interval and cron schedules (pendulum / whenever "compatible"): a skipped wall time moves forward
 *   by the gap (02:30 -> 03:30); a repeated one takes its first occurrence for cron, its *second* for
 *   interval schedules that step whole days (pendulum creates wall times with fold=1);
 * - rrule schedules (dateutil tz on the wall times dateutil iterates): a skipped wall time takes the
 *   offset after the change, i.e. lands an hour *earlier* (02:30 -> 01:30 EST), a repeated one its
 *   first occurrence.
 *
 * Measured against Prefect 3.9.1 (test/fixtures/schedule-dates.json). Wall times are represented as
 * epoch ms of the same digits in UTC ("floating").
 */
import { IANAZone } from 'luxon';

export class ScheduleMathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleMathError';
  }
}

const zones = new Map<string, IANAZone>();

/** The zone, or a ScheduleMathError naming the bad value. "UTC" when null or empty (Prefect's default). */
export function zoneOf(name: string | null | undefined): IANAZone {
  const key = name && name.trim() ? name.trim() : 'UTC';
  let z = zones.get(key);
  if (!z) {
    if (!IANAZone.isValidZone(key)) throw new ScheduleMathError(`"${key}" is not a time zone (use an IANA name such as Europe/Berlin or America/New_York).`);
    z = IANAZone.create(key);
    zones.set(key, z);
  }
  return z;
}

export function isValidZone(name: string): boolean {
  return IANAZone.isValidZone(name);
}

/** Offset of `zone` at an instant, in ms. */
export function offsetMs(zone: IANAZone, instant: number): number {
  // UTC, the zone of most schedules, never shifts: skip luxon's Intl lookup (the largest cost of a
  // diagnosis's scheduler simulation, measured with --cpu-prof).
  if (zone.name === 'UTC' || zone.name === 'Etc/UTC') return 0;
  return zone.offset(Math.floor(instant)) * 60_000;
}

/** The wall clock (floating ms) of an instant. */
export function wallOf(zone: IANAZone, instant: number): number {
  return instant + offsetMs(zone, instant);
}

export type GapRule = 'forward' | 'dateutil';

const HALF_DAY = 12 * 3_600_000;

/**
 * The instant of a wall time. Repeated wall times resolve to their first occurrence, except with
 * `fold: 'second'` (pendulum's wall-clock arithmetic, whose datetimes default to fold=1).
 */
export function localize(zone: IANAZone, wall: number, gap: GapRule, fold: 'first' | 'second' = 'first'): number {
  const before = offsetMs(zone, wall - HALF_DAY);
  const after = offsetMs(zone, wall + HALF_DAY);
  if (before === after) return wall - before;
  const valid = [before, after].filter((o) => offsetMs(zone, wall - o) === o);
  if (valid.length === 2) return fold === 'first' ? wall - Math.max(before, after) : wall - Math.min(before, after);
  if (valid.length === 1) return wall - valid[0]!;
  // In the gap: "forward" keeps the offset before the change (lands after it), dateutil applies the
  // offset after the change (lands before it).
  return gap === 'forward' ? wall - before : wall - after;
}

/**
 * The latest offset change in (t - withinMs, t], as the instant it happened and the offset jump
 * (positive for spring forward, negative for fall back); null when there is none.
 */
export function lastTransition(zone: IANAZone, t: number, withinMs: number): { at: number; jumpMs: number } | null {
  let lo = t - withinMs;
  let hi = t;
  const oLo = offsetMs(zone, lo);
  const oHi = offsetMs(zone, hi);
  if (oLo === oHi) return null;
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2000) * 1000;
    if (mid <= lo || mid >= hi) break;
    if (offsetMs(zone, mid) === oLo) lo = mid;
    else hi = mid;
  }
  return { at: hi, jumpMs: oHi - oLo };
}
