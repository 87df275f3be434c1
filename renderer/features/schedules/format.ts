/**
 * Schedule times and loads, through the one formatting standard (shared/text/format.ts). Wall times
 * stay in the schedule's own zone (as Prefect shows them), with the zone named beside them.
 */
import { formatIsoWall, formatNumber, formatPerHour, formatSpan, plural as pluralText, splitIsoWall } from '../../lib/format';

/** Date, wall time and zone label of an ISO time written in a schedule's zone. */
export function splitTime(iso: string | null | undefined): { date: string; time: string; offset: string } | null {
  const p = splitIsoWall(iso);
  return p ? { date: p.date, time: p.time, offset: p.zone } : null;
}

/** "11-29 11:02:00 UTC+1" (month-day, wall time, zone). */
export function shortTime(iso: string | null | undefined): string {
  return formatIsoWall(iso, { short: true });
}

/** How far ahead: "45 s", "60 min", "24 h", "2 d". */
export const ahead = formatSpan;

/** A schedule's load with its unit: "30/h", "1/day". */
export const rate = formatPerHour;

export const plural = pluralText;

/** A plain number with up to two decimals (per-loop averages are often fractions). */
export function num(x: number | null | undefined): string {
  return formatNumber(x, 2);
}
