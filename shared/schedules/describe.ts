/**
 * Schedules in words, for lists and plans: "every 2 minutes", "at 02:00 every day", "every hour at
 * :00 and :30". Covers the common shapes of cron and rrule; anything else is shown as written, never
 * in words that drop part of it (rrule.js's own toText() leaves out BYMINUTE, so "every day at 9, 13
 * and 17" stood for FREQ=DAILY;BYHOUR=9,13,17;BYMINUTE=5,35: issue #10 part 4).
 */
import { RRule, RRuleSet, type Options, type Weekday } from 'rrule';
import { formatInstant } from './instant';
import type { Schedule } from './occurrences';
import { parseRRule, rruleText } from './rrule';

const UNITS: Array<[number, string]> = [
  [604800, 'week'],
  [86400, 'day'],
  [3600, 'hour'],
  [60, 'minute'],
  [1, 'second'],
];

/** 90 -> "90 seconds", 120 -> "2 minutes", 5400 -> "90 minutes", 86400 -> "day". */
export function everyText(seconds: number): string {
  for (const [size, unit] of UNITS) {
    if (seconds >= size && Number.isInteger(seconds / size)) {
      const n = seconds / size;
      return n === 1 ? unit : `${n} ${unit}s`;
    }
  }
  return `${seconds} seconds`;
}

const DOW = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const pad = (n: number | string) => String(n).padStart(2, '0');

/** "a", "a and b", "a, b and c". */
function list(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

const consecutive = (values: readonly number[]) => values.length > 2 && values.every((v, i) => i === 0 || v === values[i - 1]! + 1);

/**
 * Times of day for hours x minutes: "at 09:05, 09:35 and 13:05"; "every hour at :00 from 08:00 to
 * 18:59" for a run of hours; a compact form when there are many.
 */
function timesOfDay(hours: readonly number[], minutes: readonly number[]): string {
  const mins = list(minutes.map((m) => `:${pad(m)}`));
  if (consecutive(hours)) return `every hour at ${mins} from ${pad(hours[0]!)}:00 to ${pad(hours[hours.length - 1]!)}:59`;
  if (hours.length * minutes.length <= 8) return `at ${list(hours.flatMap((h) => minutes.map((m) => `${pad(h)}:${pad(m)}`)))}`;
  return `at ${mins} past ${list(hours.map((h) => pad(h)))} h`;
}

// ---------------------------------------------------------------- cron

/** A cron field as its values, or a step over the whole range, or '*'. Null when it is not that simple. */
type Field = { kind: 'any' } | { kind: 'step'; n: number } | { kind: 'values'; values: number[] };

function field(text: string, min: number, max: number): Field | null {
  if (text === '*') return { kind: 'any' };
  const step = /^\*\/(\d+)$/.exec(text);
  if (step) return { kind: 'step', n: Number(step[1]) };
  const values: number[] = [];
  for (const part of text.split(',')) {
    const r = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!r) return null;
    const a = Number(r[1]);
    const b = r[2] === undefined ? a : Number(r[2]);
    if (a < min || b > max || b < a || b - a > 60) return null;
    for (let v = a; v <= b; v++) values.push(v);
  }
  return { kind: 'values', values: [...new Set(values)].sort((x, y) => x - y) };
}

/** "9-17" stays a range in words ("from 09:00 to 17:59") when the values are consecutive. */
function hoursText(values: readonly number[]): string {
  return consecutive(values) ? `from ${pad(values[0]!)}:00 to ${pad(values[values.length - 1]!)}:59` : `in hours ${list(values.map((h) => pad(h)))}`;
}

export function describeCron(expr: string): string {
  const f = expr.trim().split(/\s+/);
  if (f.length === 1 && f[0]!.startsWith('@')) return `${f[0]!.slice(1)}`;
  if (f.length !== 5) return `cron ${expr}`;
  const [minT, hourT, domT, monT, dowT] = f as [string, string, string, string, string];
  const min = field(minT, 0, 59);
  const hour = field(hourT, 0, 23);
  if (!min || !hour || monT !== '*') return `cron ${expr}`;

  // Which days.
  let days: string;
  if (domT === '*' && dowT === '*') days = 'every day';
  else if (domT === '*' && (dowT === '1-5' || dowT === 'MON-FRI')) days = 'on weekdays';
  else if (domT === '*' && /^[0-7](,[0-7])*$/.test(dowT)) days = `on ${list([...new Set(dowT.split(',').map((d) => DOW[Number(d) % 7]!))])}`;
  else if (/^\d+$/.test(domT) && dowT === '*') days = `on day ${domT} of every month`;
  else return `cron ${expr}`;
  const daily = days === 'every day';

  // Which times of those days.
  if (min.kind === 'any' && hour.kind === 'any') return daily ? 'every minute' : `every minute ${days}`;
  if (min.kind === 'step' && hour.kind === 'any') return daily ? `every ${min.n} minutes` : `every ${min.n} minutes ${days}`;
  if (min.kind === 'values' && hour.kind === 'any') return `every hour at ${list(min.values.map((m) => `:${pad(m)}`))}${daily ? '' : ` ${days}`}`;
  if (min.kind === 'values' && hour.kind === 'step') return `every ${hour.n} hours at ${list(min.values.map((m) => `:${pad(m)}`))}${daily ? '' : ` ${days}`}`;
  if (min.kind === 'values' && hour.kind === 'values') {
    return `${timesOfDay(hour.values, min.values)} ${days}`;
  }
  if (hour.kind === 'values') {
    const every = min.kind === 'any' ? 'every minute' : `every ${(min as { n: number }).n} minutes`;
    return `${every} ${hoursText(hour.values)}${daily ? '' : ` ${days}`}`;
  }
  return `cron ${expr}`;
}

// ---------------------------------------------------------------- rrule

const nums = (v: number | number[] | null | undefined): number[] => (v === null || v === undefined ? [] : Array.isArray(v) ? v : [v]);

function weekdays(v: Options['byweekday'] | undefined): string[] | null {
  if (v === null || v === undefined) return [];
  const arr = (Array.isArray(v) ? v : [v]) as Array<number | Weekday | string>;
  const out: string[] = [];
  for (const d of arr) {
    if (typeof d === 'number') out.push(DOW[(d + 1) % 7]!);
    else if (typeof d === 'string') return null;
    else if (d.n) return null; // "the 2nd Monday": leave it to the rule as written
    else out.push(DOW[(d.weekday + 1) % 7]!);
  }
  return out;
}

/**
 * An RRULE in words when every part of it is said; null when it has parts this does not cover (the
 * caller then shows the rule as written).
 */
export function describeRRule(text: string): string | null {
  let p;
  try {
    p = parseRRule(text);
  } catch {
    return null;
  }
  if (!(p.rule instanceof RRule) || p.rule instanceof RRuleSet) return null;
  const o = p.rule.origOptions;
  const known = new Set(['freq', 'interval', 'byhour', 'byminute', 'bysecond', 'byweekday', 'bymonthday', 'count', 'until', 'dtstart', 'wkst', 'tzid']);
  if (Object.keys(o).some((k) => !known.has(k) && o[k as keyof Options] !== undefined && o[k as keyof Options] !== null)) return null;
  const seconds = nums(o.bysecond);
  if (seconds.some((s) => s !== 0)) return null;
  const n = o.interval ?? 1;
  const hours = nums(o.byhour).sort((a, b) => a - b);
  const minutesGiven = nums(o.byminute).sort((a, b) => a - b);
  const start = new Date(p.dtstartWall ?? Date.UTC(2020, 0, 1));
  // Without BYMINUTE (or BYHOUR) a rule takes DTSTART's minute (or hour), as dateutil does.
  const minutes = minutesGiven.length ? minutesGiven : [start.getUTCMinutes()];
  const days = weekdays(o.byweekday);
  const monthDays = nums(o.bymonthday);
  if (days === null) return null;
  const onDays = days.length ? ` on ${list(days)}` : '';
  const at = (hs: number[]) => timesOfDay(hs, minutes);
  let s: string;
  switch (o.freq) {
    case RRule.MINUTELY:
      if (minutesGiven.length) return null;
      s = `every ${n === 1 ? 'minute' : `${n} minutes`}${hours.length ? ` ${hoursText(hours)}` : ''}${onDays}`;
      break;
    case RRule.HOURLY:
      s = `every ${n === 1 ? 'hour' : `${n} hours`} at ${list(minutes.map((m) => `:${pad(m)}`))}${hours.length ? ` ${hoursText(hours)}` : ''}${onDays}`;
      break;
    case RRule.DAILY:
      if (monthDays.length) return null;
      s = `${at(hours.length ? hours : [start.getUTCHours()])} ${n === 1 ? 'every day' : `every ${n} days`}${onDays}`;
      break;
    case RRule.WEEKLY: {
      if (monthDays.length) return null;
      const on = days.length ? days : [DOW[start.getUTCDay()]!];
      s = `${at(hours.length ? hours : [start.getUTCHours()])} ${n === 1 ? 'every' : `every ${n} weeks on`} ${list(on)}`;
      break;
    }
    case RRule.MONTHLY:
      if (days.length) return null;
      s = `${at(hours.length ? hours : [start.getUTCHours()])} on day ${list((monthDays.length ? monthDays : [start.getUTCDate()]).map(String))} of every ${n === 1 ? 'month' : `${n} months`}`;
      break;
    default:
      return null;
  }
  if (o.count) s += `, ${o.count} times`;
  if (o.until) s += `, until ${o.until.toISOString().slice(0, 10)}`;
  return s;
}

export function describe(s: Schedule): string {
  switch (s.kind) {
    case 'interval':
      return `every ${everyText(s.interval)}`;
    case 'cron':
      return describeCron(s.cron) + (s.dayOr ? '' : ' (day-of-month AND weekday)');
    case 'rrule': {
      const mine = describeRRule(s.rrule);
      if (mine) return mine;
      // rrule.js's words only where the rule has no BYMINUTE/BYSECOND it would silently drop.
      const lib = /BY(MINUTE|SECOND)=/i.test(s.rrule) ? null : rruleText(s.rrule);
      return lib ?? `rrule ${s.rrule.replace(/\s+/g, ' ').trim()}`;
    }
  }
}

/** Interval anchor, or rrule DTSTART as wall digits in the zone; null for cron. */
export function anchorText(s: Schedule): string | null {
  if (s.kind === 'interval') return formatInstant(s.anchor, s.timezone ?? 'UTC');
  if (s.kind === 'rrule') {
    try {
      const wall = parseRRule(s.rrule).dtstartWall;
      return wall === null ? null : new Date(wall).toISOString().replace(/\.000Z$/, '').replace('T', ' ');
    } catch {
      return null;
    }
  }
  return null;
}
