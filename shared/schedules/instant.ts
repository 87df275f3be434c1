/**
 * Instants as epoch milliseconds in a double, keeping Prefect's microseconds as the fraction
 * (1.7e15 µs fits exactly below 2^53). Interval schedules anchored at an unrounded "now" produce
 * run times such as 09:14:02.250113, and the scheduler's idempotency keys and stored run times carry
 * them; dropping them would make a correct prediction look off by a fraction of a millisecond.
 */
import { DateTime } from 'luxon';

const ISO_FRACTION = /^(.*T\d{2}:\d{2}:\d{2})[.,](\d+)(.*)$/;

/** ISO 8601 (with an offset or Z; naive means `defaultZone`) to epoch ms; NaN when invalid. */
export function parseInstant(text: string, defaultZone = 'UTC'): number {
  const t = text.trim().replace(' ', 'T');
  const m = ISO_FRACTION.exec(t);
  const base = m ? `${m[1]}${m[3]}` : t;
  const dt = DateTime.fromISO(base, { zone: defaultZone, setZone: true });
  if (!dt.isValid) return Number.NaN;
  const frac = m ? Number(`0.${m[2]}`) * 1000 : 0;
  return dt.toMillis() + Math.round(frac * 1000) / 1000;
}

/** Epoch ms as ISO 8601 in `zone` with its offset; microseconds only when there are any. */
export function formatInstant(ms: number, zone = 'UTC'): string {
  const whole = Math.floor(ms);
  const micros = Math.round((ms - whole) * 1000);
  const dt = DateTime.fromMillis(whole, { zone });
  const millis = dt.millisecond;
  const base = dt.set({ millisecond: 0 }).toISO({ suppressMilliseconds: true, includeOffset: true });
  if (base === null) return new Date(whole).toISOString();
  if (millis === 0 && micros === 0) return base.replace(/\+00:00$/, zone === 'UTC' ? 'Z' : '+00:00');
  const frac = String(millis * 1000 + micros).padStart(6, '0').replace(/0+$/, '');
  const withFrac = base.replace(/(T\d{2}:\d{2}:\d{2})/, `$1.${frac}`);
  return withFrac.replace(/\+00:00$/, zone === 'UTC' ? 'Z' : '+00:00');
}

/** Seconds between two instants, for durations shown to people. */
export const secondsBetween = (a: number, b: number): number => (b - a) / 1000;
