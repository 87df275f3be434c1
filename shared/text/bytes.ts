/** Byte and count formatting shared by the CLI, the report exports and the Overview screen. */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 0 B, 812 B, 4.2 MiB, 18 GiB: one decimal below 10 of a unit, none above. */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const sign = n < 0 ? '-' : '';
  let v = Math.abs(n);
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = i === 0 || v >= 10 ? 0 : 1;
  return `${sign}${v.toFixed(digits)} ${UNITS[i]}`;
}

/** 1234567 -> "1,234,567" (stable across locales, for exports and the CLI). */
export function formatInt(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 1234567 -> "1.2M", 5300 -> "5.3k": for chart labels where space is short. */
export function formatCompact(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(a >= 1e10 ? 0 : 1)}B`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e3) return `${(n / 1e3).toFixed(a >= 1e4 ? 0 : 1)}k`;
  return String(Math.round(n));
}

/** 0.237 -> "24 %", 0.004 -> "0.4 %". */
export function formatShare(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  const p = x * 100;
  return `${p < 1 && p > 0 ? p.toFixed(1) : Math.round(p)} %`;
}

/** A count with "≈" in front when it is an estimate. */
export function formatCount(n: number | null | undefined, exact: boolean): string {
  if (n === null || n === undefined) return '—';
  return exact ? formatInt(n) : `≈${formatInt(n)}`;
}
