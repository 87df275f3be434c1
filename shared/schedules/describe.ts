/**
 * Schedules in words, for lists and plans: "every 2 minutes", "at 02:00 every day", "every 10
 * minutes (rrule)". Covers the common shapes; anything else is shown as written.
 */
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
const pad = (s: string) => s.padStart(2, '0');

export function describeCron(expr: string): string {
  const f = expr.trim().split(/\s+/);
  if (f.length === 1 && f[0]!.startsWith('@')) return `${f[0]!.slice(1)}`;
  if (f.length !== 5) return `cron ${expr}`;
  const [min, hour, dom, mon, dow] = f as [string, string, string, string, string];
  const num = /^\d+$/;
  const step = /^\*\/(\d+)$/;
  const daily = dom === '*' && mon === '*';
  if (daily && dow === '*') {
    if (min === '*' && hour === '*') return 'every minute';
    const ms = step.exec(min);
    if (ms && hour === '*') return `every ${ms[1]} minutes`;
    if (num.test(min) && hour === '*') return `every hour at :${pad(min)}`;
    const hs = step.exec(hour);
    if (num.test(min) && hs) return `every ${hs[1]} hours at :${pad(min)}`;
    if (num.test(min) && num.test(hour)) return `at ${pad(hour)}:${pad(min)} every day`;
  }
  if (daily && num.test(min) && num.test(hour)) {
    if (dow === '1-5') return `at ${pad(hour)}:${pad(min)} on weekdays`;
    if (/^[0-7](,[0-7])*$/.test(dow)) return `at ${pad(hour)}:${pad(min)} on ${dow.split(',').map((d) => DOW[Number(d) % 7]).join(', ')}`;
  }
  if (mon === '*' && dow === '*' && num.test(min) && num.test(hour) && num.test(dom)) return `at ${pad(hour)}:${pad(min)} on day ${dom} of every month`;
  return `cron ${expr}`;
}

export function describe(s: Schedule): string {
  switch (s.kind) {
    case 'interval':
      return `every ${everyText(s.interval)}`;
    case 'cron':
      return describeCron(s.cron) + (s.dayOr ? '' : ' (day-of-month AND weekday)');
    case 'rrule':
      return rruleText(s.rrule) ?? 'rrule';
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
