/**
 * Schedule times as an admin reads them mid-incident: the wall clock in the schedule's own zone
 * (as Prefect shows it), with the offset small beside it, and durations in the largest sensible unit.
 */
export function splitTime(iso: string | null | undefined): { date: string; time: string; offset: string } | null {
  if (!iso) return null;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(iso);
  if (!m) return { date: '', time: iso, offset: '' };
  return { date: m[1]!, time: m[2]!, offset: m[3] === 'Z' ? 'UTC' : m[3]! };
}

/** "11-29 11:02:00" (month-day, wall time). */
export function shortTime(iso: string | null | undefined): string {
  const t = splitTime(iso);
  if (!t) return '—';
  return t.date ? `${t.date.slice(5)} ${t.time}` : t.time;
}

export function ahead(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round((seconds / 3600) * 10) / 10} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

const n1 = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
export function rate(perHour: number | null | undefined): string {
  if (perHour === null || perHour === undefined) return '—';
  if (perHour === 0) return '0';
  if (perHour < 0.1) return `${n1.format(perHour * 24)}/day`;
  return n1.format(perHour);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

const n2 = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
/** A plain number with up to two decimals (per-loop averages are often fractions). */
export function num(x: number | null | undefined): string {
  return x === null || x === undefined ? '—' : n2.format(x);
}
