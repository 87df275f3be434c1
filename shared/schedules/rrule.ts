/**
 * RRule schedules as Prefect 3.9.1 generates them (`RRuleSchedule.to_rrule` + `_get_dates_generator`,
 * prefect/server/schemas/schedules.py):
 *
 * - `rrulestr(text, dtstart=2020-01-01)`: without a DTSTART line the rule starts on 2020-01-01 00:00;
 * - every date in the rule (DTSTART, UNTIL, RDATE, EXDATE) is *relabelled* with the schedule's
 *   timezone, keeping its digits: "DTSTART:20260301T013000Z" in America/New_York means 01:30 New York;
 * - dateutil walks wall-clock occurrences from DTSTART; each gets dateutil's offset (a skipped time
 *   lands an hour early, a repeated one takes its first occurrence); `xafter(start, inc=True)` keeps
 *   those at or after the start, duplicates dropped.
 *
 * Here rrule.js walks the same wall-clock occurrences as floating UTC digits (TZID and Z stripped), and
 * zone.ts applies dateutil's offsets. Walking from an old DTSTART is what made Prefect's scheduler burn
 * CPU (PrefectHQ/prefect#18861, #21362); for rules without COUNT whose period is fixed on the wall
 * clock (SECONDLY..WEEKLY), the walk starts at a phase-equivalent point shortly before the window
 * instead, which yields exactly the same occurrences.
 */
import { RRule, RRuleSet, rrulestr } from 'rrule';
import { MAX_ITERATIONS, type Window } from './interval';
import { localize, ScheduleMathError, wallOf, zoneOf } from './zone';

export interface RRuleRule {
  rrule: string;
  timezone: string | null;
}

/** Prefect's DEFAULT_ANCHOR_DATE (2020-01-01), used when the text has no DTSTART. */
export const DEFAULT_DTSTART_WALL = Date.UTC(2020, 0, 1);

const PERIOD_MS: Partial<Record<number, number>> = {
  [RRule.SECONDLY]: 1000,
  [RRule.MINUTELY]: 60_000,
  [RRule.HOURLY]: 3_600_000,
  [RRule.DAILY]: 86_400_000,
  [RRule.WEEKLY]: 7 * 86_400_000,
};

/** Longest offset change anywhere (a margin for where dateutil's offsets can move a wall time). */
const MARGIN_MS = 3 * 3_600_000;
/** Occurrences walked from DTSTART before giving up (a rule that cannot be walked cheaply). */
const WALK_LIMIT = 500_000;

export interface ParsedRRule {
  /** The DTSTART as floating wall digits, or null when the text has none. */
  dtstartWall: number | null;
  /** The other lines, as given. */
  lines: string[];
  /** A single RRULE (no RDATE/EXDATE/EXRULE/second RRULE). */
  simple: boolean;
  count: number | null;
  freq: number | null;
  interval: number;
  rule: RRule | RRuleSet;
}

const DATE_VALUE = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/i;

function wallFromValue(v: string): number | null {
  const m = DATE_VALUE.exec(v.trim());
  if (!m) return null;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
}

/** "DTSTART:YYYYMMDDTHHMMSS" (floating, as Prefect writes it) for a wall time. */
export function dtstartLine(wall: number): string {
  const d = new Date(wall);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `DTSTART:${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

function splitLines(text: string): string[] {
  return text
    .replace(/\\n/g, '\n')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/** Strips TZID parameters and Z suffixes: every date in the rule is floating wall digits (see top). */
function floating(line: string): string {
  const i = line.indexOf(':');
  if (i < 0) return line;
  const head = line.slice(0, i).split(';').filter((p) => !/^TZID=/i.test(p)).join(';');
  let value = line.slice(i + 1);
  if (/^(RDATE|EXDATE)/i.test(head)) value = value.split(',').map((v) => v.replace(/Z$/i, '')).join(',');
  if (/^(RRULE|EXRULE)/i.test(head)) value = value.replace(/UNTIL=(\d{8}(?:T\d{6})?)Z?/i, 'UNTIL=$1Z');
  return `${head}:${value}`;
}

const cache = new Map<string, ParsedRRule>();

export function parseRRule(text: string): ParsedRRule {
  const hit = cache.get(text);
  if (hit) return hit;
  const all = splitLines(text);
  if (all.length === 0) throw new ScheduleMathError('The rrule is empty.');
  let dtstartWall: number | null = null;
  const lines: string[] = [];
  for (const line of all) {
    if (/^DTSTART[;:]/i.test(line)) {
      const wall = wallFromValue(line.slice(line.indexOf(':') + 1));
      if (wall === null) throw new ScheduleMathError(`The rrule's DTSTART "${line}" is not a date.`);
      dtstartWall = wall;
    } else {
      lines.push(line);
    }
  }
  const ruleLines = lines.map((l) => (/^[A-Z]+[;:]/i.test(l) && !/^FREQ=/i.test(l) ? floating(l) : `RRULE:${l.replace(/UNTIL=(\d{8}(?:T\d{6})?)Z?/i, 'UNTIL=$1Z')}`));
  const rrules = ruleLines.filter((l) => /^RRULE:/i.test(l));
  if (rrules.length === 0 && !ruleLines.some((l) => /^RDATE/i.test(l))) throw new ScheduleMathError('The rrule has neither an RRULE (FREQ=...) nor RDATE line.');
  // DTSTART is written into the text (rrule.js applies a `dtstart` option to sets unreliably).
  const start = `${dtstartLine(dtstartWall ?? DEFAULT_DTSTART_WALL)}Z`;
  let rule: RRule | RRuleSet;
  try {
    rule = rrulestr([start, ...ruleLines].join('\n'), { forceset: rrules.length !== 1, unfold: true }) as RRule | RRuleSet;
  } catch (e) {
    throw new ScheduleMathError(`The rrule is not valid: ${(e as Error).message}`);
  }
  const simple = rule instanceof RRule && !(rule instanceof RRuleSet);
  const opts = rule instanceof RRuleSet ? (rule.rrules()[0]?.origOptions ?? {}) : rule.origOptions;
  const parsed: ParsedRRule = {
    dtstartWall,
    lines,
    simple,
    count: opts.count ?? null,
    freq: opts.freq ?? null,
    interval: opts.interval ?? 1,
    rule,
  };
  if (cache.size > 500) cache.clear();
  cache.set(text, parsed);
  return parsed;
}

/** The text with its DTSTART replaced (or added) as floating wall digits. */
export function withDtstart(text: string, wall: number): string {
  const kept = splitLines(text).filter((l) => !/^DTSTART[;:]/i.test(l));
  return [dtstartLine(wall), ...kept].join('\n');
}

/** A rule whose walk starts at a phase-equivalent point at or before `notAfterWall`, when that is exact. */
function fastForward(p: ParsedRRule, notAfterWall: number): RRule | RRuleSet {
  const period = p.freq === null ? undefined : PERIOD_MS[p.freq];
  if (!p.simple || p.count !== null || period === undefined) return p.rule;
  const from = p.dtstartWall ?? DEFAULT_DTSTART_WALL;
  const step = period * p.interval;
  const k = Math.floor((notAfterWall - from) / step) - 1;
  if (k <= 0) return p.rule;
  const r = p.rule as RRule;
  return new RRule({ ...r.origOptions, dtstart: new Date(from + k * step) });
}

export function* rruleDates(rule: RRuleRule, w: Window): Generator<number> {
  const zone = zoneOf(rule.timezone ?? 'UTC');
  const p = parseRRule(rule.rrule);
  const n = w.n ?? (w.end !== undefined && w.end !== null ? MAX_ITERATIONS : 1);
  const walker = fastForward(p, wallOf(zone, w.start) - MARGIN_MS);
  // One walk with rrule.js's `all` callback (it always walks from DTSTART, so a walk is never resumed),
  // stopping as soon as Prefect's loop would.
  const out: number[] = [];
  const seen = new Set<number>();
  let counter = 0;
  let walked = 0;
  let tooLong = false;
  walker.all((date) => {
    if (++walked > WALK_LIMIT) {
      tooLong = true;
      return false;
    }
    const d = localize(zone, date.getTime(), 'dateutil');
    if (d < w.start) return true;
    if (w.end !== undefined && w.end !== null && d > w.end) return false;
    // Prefect's duplicate check is a set of same-zone datetimes: equal wall clocks count as one.
    const key = wallOf(zone, d);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(d);
    }
    if (seen.size >= n || counter > MAX_ITERATIONS) return false;
    counter += 1;
    return true;
  });
  if (tooLong) throw new ScheduleMathError('The rrule has too many occurrences since its DTSTART to walk; give it a recent DTSTART.');
  yield* out;
}

/** How many occurrences Prefect walks from DTSTART to reach `now` on every call (its CPU cost). */
export function walkCost(rule: RRuleRule, now: number): number | null {
  const p = parseRRule(rule.rrule);
  const from = p.dtstartWall ?? DEFAULT_DTSTART_WALL;
  const zone = zoneOf(rule.timezone ?? 'UTC');
  const nowWall = wallOf(zone, now);
  if (nowWall <= from) return 0;
  const period = p.freq === null ? undefined : PERIOD_MS[p.freq];
  if (period !== undefined) return Math.floor((nowWall - from) / (period * p.interval));
  // MONTHLY/YEARLY: a few per month at most; count them (cheap) up to a cap.
  let n = 0;
  p.rule.all((d) => d.getTime() <= nowWall && ++n < 100_000);
  return n;
}

/**
 * A DTSTART that keeps the rule's occurrences at and after `anchor` exactly as they are, but close to
 * it: whole periods forward for SECONDLY..WEEKLY rules, the latest occurrence before it for MONTHLY
 * and YEARLY ones. null when moving DTSTART would change the rule (COUNT counts from DTSTART; sets
 * with several rules share one DTSTART) or nothing precedes the anchor. The caller double-checks by
 * comparing occurrences.
 */
export function phaseKeepingDtstart(rule: RRuleRule, anchor: number): { wall: number } | { wall: null; reason: string } {
  const p = parseRRule(rule.rrule);
  if (p.count !== null) return { wall: null, reason: 'COUNT counts from DTSTART, so moving it would add occurrences' };
  const rrules = p.lines.filter((l) => /^(RRULE:|FREQ=)/i.test(l)).length;
  if (rrules !== 1 || p.lines.some((l) => /^EXRULE/i.test(l))) return { wall: null, reason: 'several rules share one DTSTART' };
  const zone = zoneOf(rule.timezone ?? 'UTC');
  const target = wallOf(zone, anchor) - MARGIN_MS;
  const from = p.dtstartWall ?? DEFAULT_DTSTART_WALL;
  if (target <= from) return { wall: null, reason: 'DTSTART is already at or after the anchor' };
  const period = p.freq === null ? undefined : PERIOD_MS[p.freq];
  if (period !== undefined) {
    const step = period * p.interval;
    const k = Math.floor((target - from) / step);
    return k > 0 ? { wall: from + k * step } : { wall: null, reason: 'DTSTART is already recent' };
  }
  let last: number | null = null;
  const single = p.rule instanceof RRuleSet ? p.rule.rrules()[0]! : p.rule;
  single.all((d) => {
    if (d.getTime() > target) return false;
    last = d.getTime();
    return true;
  });
  return last === null ? { wall: null, reason: 'no occurrence precedes the anchor' } : { wall: last };
}

/** rrule.js's English rendering of a single rule ("every 10 minutes"), or null for sets. */
export function rruleText(text: string): string | null {
  try {
    const p = parseRRule(text);
    if (!(p.rule instanceof RRule) || p.rule instanceof RRuleSet) return null;
    const r = new RRule({ ...p.rule.origOptions, dtstart: null });
    return r.isFullyConvertibleToText() ? r.toText() : null;
  } catch {
    return null;
  }
}
