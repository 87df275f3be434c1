/**
 * A purge cutoff as people write it: a duration ago ("30m", "2h", "1d12h", "90s", ISO 8601 "PT30M",
 * "P1D") or an absolute time ("2026-11-29T08:00:00Z", "2026-11-29 08:00" in the given zone). Resolved
 * once, against a given "now", into an absolute instant that the plan then freezes.
 */
import { DateTime, Duration } from 'luxon';
import type { AppErrorData } from '../errors';
import type { Result } from '../result';

const MAX_AGO_MS = 100 * 366 * 86_400_000;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

function fail(message: string, hint: string): Result<never> {
  const error: AppErrorData = { code: 'VALIDATION', message, hint };
  return { ok: false, error };
}

/** "30m", "1h30m", "2d", "90s" -> milliseconds; null when the text is not in that form. */
export function parseShortDuration(text: string): number | null {
  const s = text.trim().toLowerCase();
  if (!/^(\d+(\.\d+)?\s*[smhdw]\s*)+$/.test(s)) return null;
  let ms = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)\s*([smhdw])/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms;
}

/** ISO 8601 durations ("PT30M", "P1DT2H"); null when not ISO. Months/years are refused (ambiguous length). */
export function parseIsoDuration(text: string): number | null {
  const s = text.trim().toUpperCase();
  if (!s.startsWith('P')) return null;
  const d = Duration.fromISO(s);
  if (!d.isValid) return null;
  if (d.years || d.months) return null;
  return d.as('milliseconds');
}

export interface ResolvedCutoff {
  /** The frozen instant, ISO 8601 UTC. */
  cutoff: string;
  /** How it was given, for the plan and the audit log. */
  given: string;
  kind: 'ago' | 'absolute';
  /** For "ago": the duration in ms. */
  agoMs: number | null;
}

export function resolveCutoff(text: string, now: Date, zone = 'UTC'): Result<ResolvedCutoff> {
  const given = text.trim();
  if (!given) return fail('The cutoff is empty.', 'Give a duration such as 30m, 2h, PT30M, or a time such as 2026-11-29T08:00:00Z.');
  if (/^-/.test(given)) return fail(`The cutoff "${given}" is negative.`, 'Give how long ago, e.g. 30m for "30 minutes ago".');
  const ago = parseShortDuration(given) ?? parseIsoDuration(given);
  if (ago !== null) {
    // Far bigger values make dates that do not exist (`Invalid time value`, issue #12).
    if (!Number.isFinite(ago) || ago > MAX_AGO_MS) return fail(`The cutoff "${given}" is more than 100 years ago.`, 'Give a shorter duration, e.g. 30d, or a date.');
    if (ago <= 0) return fail(`The cutoff "${given}" is zero.`, 'Runs due right now may be starting; use at least 1m (the default is 30m).');
    return { ok: true, value: { cutoff: new Date(now.getTime() - ago).toISOString(), given, kind: 'ago', agoMs: ago } };
  }
  let dt = DateTime.fromISO(given, { zone, setZone: true });
  if (!dt.isValid) dt = DateTime.fromSQL(given, { zone });
  if (!dt.isValid) {
    return fail(
      `"${given}" is neither a duration nor a date.`,
      'Durations: 30m, 2h, 1d, 1h30m, PT30M, P1D. Times: 2026-11-29T08:00:00Z or "2026-11-29 08:00" (UTC unless an offset is given).',
    );
  }
  const instant = dt.toUTC();
  if (instant.toISO() === null || instant.year < 1970) return fail(`The cutoff "${given}" is out of range.`, 'Give a time after 1970, e.g. 2026-11-29T08:00:00Z.');
  if (instant.toMillis() > now.getTime()) {
    return fail(
      `The cutoff ${instant.toISO()} is in the future.`,
      'Future runs are not stale: the scheduler would recreate them. To stop future runs, pause or change the schedule (Schedules).',
    );
  }
  return { ok: true, value: { cutoff: instant.toISO()!, given, kind: 'absolute', agoMs: null } };
}

/**
 * Whether `text` can be a cutoff at all, without a clock: for contracts, so a request with a cutoff
 * like "30x" is refused before any server is asked for its time (issue #12). null when it can.
 */
export function cutoffSyntaxError(text: string): string | null {
  if (text.length > 64) return 'The cutoff is longer than 64 characters.';
  const r = resolveCutoff(text, new Date(8_640_000_000_000_000)); // the latest date there is: no "future" refusal
  return r.ok ? null : `${r.error.message} ${r.error.hint ?? ''}`.trim();
}
