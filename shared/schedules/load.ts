/** Runs per hour a schedule produces, from its next occurrences (a week ahead, or its first ~1000). */
import { datesBetween, type Schedule } from './occurrences';

const WEEK_MS = 7 * 86_400_000;

export function runsPerHour(s: Schedule, now: number): number {
  if (s.kind === 'interval') return 3600 / s.interval;
  const ds = datesBetween(s, now, now + WEEK_MS, 1000);
  if (ds.length === 0) return 0;
  if (ds.length < 1000) return ds.length / 168;
  return ds.length / ((ds[ds.length - 1]! - now) / 3_600_000 || 1);
}
