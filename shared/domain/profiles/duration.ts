/**
 * Durations exactly as Prefect reads them from env vars, .env files and profiles (all strings):
 *
 * - a plain `timedelta` field goes through pydantic 2 / speedate: ISO 8601 (`PT10M`, `P100D`,
 *   `P1DT2H`, `P1W`; Y = 365 days, M = 30 days; `,` or `.` decimals; optional sign), `[-]HH:MM[:SS[.f]]`
 *   and `N d|day|days[,] [HH:MM:SS]`. A bare number string ("3600") is rejected (`time_delta_parsing`).
 * - `SecondsTimeDelta` (prefect/types/__init__.py `_convert_seconds_to_timedelta`) first tries
 *   Python's float() and takes seconds, else falls back to the timedelta parser.
 *
 * The quirks below were measured against each line's pydantic (test/fixtures/prefect-validation-*.json
 * and the integration test, which re-checks the cases against the real Prefect). One differs by line:
 * the pydantic-core that Prefect 3.0 installs with reads the day word in any case ("1 dAy").
 */

export interface DurationQuirks {
  dayWordAnyCase?: boolean;
}

export type DurationResult = { ok: true; seconds: number } | { ok: false; error: string };

const ISO = /^([+-]?)P((?:\d+(?:[.,]\d*)?[YMWD])*)(?:T((?:\d+(?:[.,]\d*)?[HMS])*))?$/;
const ISO_PART = /(\d+(?:[.,]\d*)?)([YMWDHS])/g;
const DATE_UNIT: Record<string, number> = { Y: 365 * 86400, M: 30 * 86400, W: 7 * 86400, D: 86400 };
const TIME_UNIT: Record<string, number> = { H: 3600, M: 60, S: 1 };
const DAYS_BODY = String.raw`^([+-]?)(?:(\d+) ?(?:d|D|day|Day|DAY|days|Days|DAYS),? *)?(?:(\d+):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?)?$`;
const DAYS = new RegExp(DAYS_BODY);
const DAYS_ANY_CASE = new RegExp(DAYS_BODY.replace('d|D|day|Day|DAY|days|Days|DAYS', '[dD]|[dD][aA][yY][sS]?'));

function num(s: string): number {
  return Number(s.replace(',', '.'));
}

function sumParts(part: string, units: Record<string, number>): number {
  let total = 0;
  for (const m of part.matchAll(ISO_PART)) total += num(m[1]!) * units[m[2]!]!;
  return total;
}

/** Parse like pydantic's `timedelta` from a string. */
export function parseTimedelta(text: string, quirks: DurationQuirks = {}): DurationResult {
  const iso = ISO.exec(text);
  if (iso) {
    const [, sign, date = '', time] = iso;
    if (date === '' && !time) return { ok: false, error: 'an ISO 8601 duration needs at least one amount, e.g. PT10M' };
    const s = sumParts(date, DATE_UNIT) + sumParts(time ?? '', TIME_UNIT);
    return { ok: true, seconds: sign === '-' ? -s : s };
  }
  const d = (quirks.dayWordAnyCase ? DAYS_ANY_CASE : DAYS).exec(text);
  if (d && (d[2] !== undefined || d[3] !== undefined)) {
    const [, sign, days, hh, mm, ss, frac] = d;
    if (hh !== undefined) {
      if (ss === undefined && hh.length < 2) return invalid(text);
      if (Number(mm) > 59) return { ok: false, error: 'minutes must be 00-59' };
      if (ss !== undefined && Number(ss) > 59) return { ok: false, error: 'seconds must be 00-59' };
    }
    const s =
      Number(days ?? 0) * 86400 +
      Number(hh ?? 0) * 3600 +
      Number(mm ?? 0) * 60 +
      Number(ss ?? 0) +
      (frac ? Number(`0.${frac}`) : 0);
    return { ok: true, seconds: sign === '-' ? -s : s };
  }
  return invalid(text);
}

function invalid(text: string): DurationResult {
  if (/^\s*[+-]?\d+(\.\d+)?\s*$/.test(text)) {
    return { ok: false, error: `a plain number is not accepted here; write it as ISO 8601, e.g. ${toIsoDuration(Number(text))}` };
  }
  if (/^\s*\d+(\.\d+)?\s*(s|sec|m|min|h|hr|w)\s*$/i.test(text)) {
    return { ok: false, error: 'units like 10m or 1h are not accepted; use ISO 8601 such as PT10M or PT1H' };
  }
  if (text !== text.trim()) return { ok: false, error: 'remove the spaces around the duration' };
  if (/^p/.test(text) || /^P.*[a-z]/.test(text)) return { ok: false, error: 'ISO 8601 durations are upper case, e.g. PT10M' };
  return { ok: false, error: 'not a duration Prefect understands; use ISO 8601 such as PT10M, PT1H or P7D' };
}

/** Python's float() on a string: surrounding whitespace, underscores between digits, inf and nan. */
export function parsePythonFloat(text: string): number | null {
  const t = text.trim();
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(t)) return NaN;
  const digits = String.raw`\d(?:_?\d)*`;
  const re = new RegExp(`^[+-]?(?:${digits}(?:\\.(?:${digits})?)?|\\.${digits})(?:[eE][+-]?${digits})?$`);
  if (!re.test(t)) return null;
  return Number(t.replace(/_/g, ''));
}

/** Parse like Prefect's `SecondsTimeDelta`: numeric strings are seconds, the rest as a timedelta. */
export function parseSecondsTimedelta(text: string, quirks: DurationQuirks = {}): DurationResult {
  const f = parsePythonFloat(text);
  if (f !== null) {
    if (!Number.isFinite(f)) return { ok: false, error: 'seconds must be a finite number' };
    return { ok: true, seconds: f };
  }
  return parseTimedelta(text, quirks);
}

/** Compact ISO 8601 as pydantic serialises it: PT1H, P100D, P1DT2H30M, PT1.5S, -PT1H, PT0S. */
export function toIsoDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  const neg = seconds < 0;
  let rest = Math.abs(seconds);
  const days = Math.floor(rest / 86400);
  rest -= days * 86400;
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  rest = Math.round((rest - m * 60) * 1e6) / 1e6;
  let out = 'P';
  if (days) out += `${days}D`;
  const t = `${h ? `${h}H` : ''}${m ? `${m}M` : ''}${rest ? `${rest}S` : ''}`;
  if (t) out += `T${t}`;
  if (out === 'P') out = 'PT0S';
  return (neg ? '-' : '') + out;
}

/** For people: 90 days, 1 h 30 min, 15 s. */
export function humanDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  const neg = seconds < 0 ? '-' : '';
  let s = Math.abs(seconds);
  const parts: string[] = [];
  const d = Math.floor(s / 86400);
  if (d) parts.push(`${d} day${d === 1 ? '' : 's'}`);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  if (h) parts.push(`${h} h`);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  if (m) parts.push(`${m} min`);
  s = Math.round((s - m * 60) * 1000) / 1000;
  if (s || parts.length === 0) parts.push(`${s} s`);
  return neg + parts.join(' ');
}
