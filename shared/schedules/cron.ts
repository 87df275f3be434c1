/**
 * Cron schedules as Prefect 3.9.1 generates them (`CronSchedule._get_dates_whenever`,
 * prefect/server/schemas/schedules.py): its vendored croniter walks *wall-clock* times after the
 * start, each is placed in the zone (a skipped time moves forward by the gap, a repeated time takes
 * its first occurrence), duplicates are dropped, and two corner cases around an offset change right
 * before the start are handled the same way. cron-parser does the field matching here, on floating
 * (UTC-digit) wall times, so it never applies a DST policy of its own.
 *
 * Field order: croniter's optional sixth field is *seconds, last* ("*\/5 * * * * 30"); cron-parser
 * wants seconds first, so six-field expressions are rotated. A seventh (year) field is not supported.
 */
import { CronExpressionParser, type CronExpression } from 'cron-parser';
import { MAX_ITERATIONS, type Window } from './interval';
import { lastTransition, localize, ScheduleMathError, wallOf, zoneOf } from './zone';

export interface CronRule {
  cron: string;
  timezone: string | null;
  /** croniter's day_or (default true): day-of-month OR day-of-week when both are restricted. */
  dayOr: boolean;
}

interface ParsedCron {
  /** Expression for cron-parser (seconds first). */
  expression: string;
  /** day_or = false with both day fields restricted: walk the day-of-month set, keep these weekdays. */
  weekdays: Set<number> | null;
}

const ALIASES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const cache = new Map<string, ParsedCron>();

export function parseCron(rule: Pick<CronRule, 'cron' | 'dayOr'>): ParsedCron {
  const key = `${rule.dayOr ? 1 : 0}|${rule.cron}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const text = rule.cron.trim();
  const fields = (ALIASES[text.toLowerCase()] ?? text).split(/\s+/);
  if (fields.length === 7) throw new ScheduleMathError(`Cron "${text}" has a year field, which Housekeeper cannot predict.`);
  if (fields.length !== 5 && fields.length !== 6) throw new ScheduleMathError(`Cron "${text}" must have 5 fields (minute hour day month weekday), or 6 with seconds last.`);
  if (fields.some((f) => /^[RrHh]$/.test(f) || /[Hh]\(/.test(f))) throw new ScheduleMathError(`Cron "${text}": random and hashed expressions are not supported by Prefect.`);
  const [minute, hour, dom, month, dow, second = '0'] = fields as [string, string, string, string, string, string?];
  const restricted = (f: string) => f !== '*' && f !== '?';
  let weekdays: Set<number> | null = null;
  let domForWalk = dom;
  let dowForWalk = dow;
  if (!rule.dayOr && restricted(dom) && restricted(dow)) {
    if (/[L#]/i.test(dow)) throw new ScheduleMathError(`Cron "${text}": day_or=false with L or # in the weekday field is not supported.`);
    weekdays = new Set(parseOrThrow(`0 0 0 * * ${dow}`, text).fields.dayOfWeek.values.map((d) => Number(d) % 7));
    dowForWalk = '*';
    domForWalk = dom;
  }
  const expression = `${second} ${minute} ${hour} ${domForWalk} ${month} ${dowForWalk}`;
  parseOrThrow(expression, text);
  const parsed = { expression, weekdays };
  cache.set(key, parsed);
  return parsed;
}

function parseOrThrow(expression: string, original: string, currentDate?: number): CronExpression {
  try {
    return CronExpressionParser.parse(expression, { tz: 'UTC', ...(currentDate !== undefined ? { currentDate: new Date(currentDate) } : {}) });
  } catch (e) {
    throw new ScheduleMathError(`Cron "${original}" is not valid: ${(e as Error).message}`);
  }
}

/** Wall times strictly after `afterWall` (floating ms), like croniter.get_next. */
function* wallTimes(p: ParsedCron, original: string, afterWall: number): Generator<number> {
  // croniter and cron-parser both work in whole seconds; a fractional start counts from its second.
  const expr = parseOrThrow(p.expression, original, Math.floor(afterWall / 1000) * 1000);
  for (let i = 0; i < 1_000_000; i++) {
    let d: number;
    try {
      d = expr.next().getTime();
    } catch {
      return;
    }
    if (p.weekdays && !p.weekdays.has(new Date(d).getUTCDay())) continue;
    yield d;
  }
}

export function* cronDates(rule: CronRule, w: Window): Generator<number> {
  const zone = zoneOf(rule.timezone);
  const p = parseCron(rule);
  const n = w.n ?? (w.end !== undefined && w.end !== null ? MAX_ITERATIONS : 1);
  const start = w.start;
  const hasFraction = start !== Math.floor(start / 1000) * 1000;
  let startNaive = wallOf(zone, start) - 1000 + (hasFraction ? 1000 : 0);

  const transition = lastTransition(zone, start + 1000, 3 * 3_600_000 + 1000);
  const sinceChange = transition ? start - transition.at : -1;
  if (transition && transition.jumpMs < 0 && sinceChange >= 0 && sinceChange < -transition.jumpMs) {
    // Inside the repeated hour: skip the wall times that already happened once.
    startNaive = wallOf(zone, transition.at) - transition.jumpMs - 1000;
  }
  const place = (wall: number): number => localize(zone, wall, 'forward');
  let candidates: Iterator<number> = map(wallTimes(p, rule.cron, startNaive), place);
  if (transition && transition.jumpMs > 0 && sinceChange >= 0 && sinceChange < transition.jumpMs) {
    // Just after a skipped hour: wall times inside it moved forward and may still be due.
    const gapEnd = wallOf(zone, transition.at);
    const shifted = takeWhile(wallTimes(p, rule.cron, startNaive - transition.jumpMs), (wall) => wall < gapEnd);
    candidates = mergeSorted(map(shifted, place), candidates);
  }

  const seen = new Set<number>();
  for (let i = 0; i < MAX_ITERATIONS + 2; i++) {
    const r = candidates.next();
    if (r.done) break;
    const d = r.value;
    if (w.end !== undefined && w.end !== null && d > w.end) break;
    if (d >= start && !seen.has(d)) {
      seen.add(d);
      yield d;
    }
    if (seen.size >= n) break;
  }
}

function* map<T, U>(it: Iterator<T> | Iterable<T>, f: (x: T) => U): Generator<U> {
  const iter = Symbol.iterator in (it as object) ? (it as Iterable<T>)[Symbol.iterator]() : (it as Iterator<T>);
  for (let r = iter.next(); !r.done; r = iter.next()) yield f(r.value);
}

function* takeWhile<T>(it: Iterable<T>, ok: (x: T) => boolean): Generator<T> {
  for (const x of it) {
    if (!ok(x)) return;
    yield x;
  }
}

function* mergeSorted(a: Iterator<number>, b: Iterator<number>): Generator<number> {
  let ra = a.next();
  let rb = b.next();
  while (!ra.done || !rb.done) {
    if (rb.done || (!ra.done && ra.value <= rb.value)) {
      yield ra.value as number;
      ra = a.next();
    } else {
      yield rb.value;
      rb = b.next();
    }
  }
}
