/**
 * Field-by-field comparison of stored schedules, by meaning rather than by JSON text: Prefect may
 * echo an anchor as "…Z" or "…+00:00", an interval as 600 or 600.0, and add keys it defaulted
 * (day_or, timezone). Used to detect changes made by someone else, to check that a write landed, and
 * by the tests that compare recreated schedules with their originals.
 */
import type { StoredSchedule } from '../domain/schedules';
import { parseInstant } from './instant';
import { intervalSeconds, kindOf, type ScheduleBody } from './occurrences';

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as Record<string, unknown>)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export const sameJson = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

const tzOf = (b: ScheduleBody): string => (typeof b.timezone === 'string' && b.timezone ? b.timezone : 'UTC');

/** rrule text without blank lines or trailing spaces, lines in order. */
export function normalizeRRuleText(t: unknown): string {
  return typeof t === 'string'
    ? t
        .replace(/\\n/g, '\n')
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean)
        .join('\n')
    : '';
}

/** Names of the schedule fields that differ ([] when the same). */
export function bodyDiff(a: ScheduleBody, b: ScheduleBody): string[] {
  const ka = kindOf(a);
  if (ka !== kindOf(b)) return ['kind'];
  const out: string[] = [];
  if (tzOf(a) !== tzOf(b)) out.push('timezone');
  if (ka === 'interval') {
    if (intervalSeconds(a.interval) !== intervalSeconds(b.interval)) out.push('interval');
    if (parseInstant(String(a.anchor_date ?? '')) !== parseInstant(String(b.anchor_date ?? ''))) out.push('anchor_date');
  } else if (ka === 'cron') {
    if (String(a.cron).trim() !== String(b.cron).trim()) out.push('cron');
    if ((a.day_or ?? true) !== (b.day_or ?? true)) out.push('day_or');
  } else if (ka === 'rrule') {
    const ra = normalizeRRuleText(a.rrule).split('\n');
    const rb = normalizeRRuleText(b.rrule).split('\n');
    // No DTSTART means Prefect's implicit 2020-01-01 (and Prefect writes that very line when such a
    // rule is saved again), so the two are the same rule.
    const dt = (l: string[]) => (l.find((x) => /^DTSTART/i.test(x)) ?? 'DTSTART:20200101T000000').toUpperCase();
    const rest = (l: string[]) => l.filter((x) => !/^DTSTART/i.test(x)).join('\n');
    if (dt(ra) !== dt(rb)) out.push('DTSTART');
    if (rest(ra) !== rest(rb)) out.push('rrule');
  } else if (!sameJson(a, b)) out.push('schedule');
  return out;
}

/** Every differing field of two stored schedules, including active, parameters and slug. */
export function storedDiff(a: StoredSchedule, b: StoredSchedule): string[] {
  const out = bodyDiff(a.schedule, b.schedule);
  if (a.active !== b.active) out.push('active');
  if (!sameJson(a.parameters ?? {}, b.parameters ?? {})) out.push('parameters');
  if ((a.slug ?? null) !== (b.slug ?? null)) out.push('slug');
  if ((a.maxScheduledRuns ?? null) !== (b.maxScheduledRuns ?? null)) out.push('max_scheduled_runs');
  return out;
}
