/**
 * The one formatting standard of Housekeeper: every screen, the exports and the CLI's readable output
 * format counts, plurals, sizes, shares, rates, durations and times through these functions, so the
 * same number never reads "1518" on one screen and "1,518" on the next (issue #13, item 12).
 *
 * Rules:
 * - Counts: comma thousands separators, whatever the machine's locale (stable for logs, tickets and
 *   tests); "≈" in front of an estimate; "—" for a value that is missing.
 * - Plurals: `plural(1, 'schedule')` is "1 schedule", `plural(1518, 'run')` "1,518 runs".
 * - Sizes: binary units, one decimal below 10 of a unit, never "1000 KiB" (that is "1.0 MiB").
 * - Shares: "24%", "0.4%", "<0.1%" for a tiny but non-zero share (never "0%" for something there).
 * - Rates: a unit and a time base, "1.2 runs/s", "40 runs/min"; never a bare "1/s".
 * - Times: ISO-like "2026-11-29 09:14:02" followed by their zone ("UTC", "UTC+1", "UTC-4:30"), in the
 *   viewer's zone unless a zone is given (a schedule's own zone, as Prefect shows it).
 *
 * Pure and dependency-free (Intl only), so shared/, the renderer and the CLI can all use it.
 */

const DASH = '—';

const finite = (n: number | null | undefined): n is number => n !== null && n !== undefined && Number.isFinite(n);

/** Group digits by three with commas: "1234567" -> "1,234,567". */
function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

// --- numbers --------------------------------------------------------------------------------------

/** 1234567 -> "1,234,567" (rounded to a whole number). */
export function formatInt(n: number | null | undefined): string {
  if (!finite(n)) return DASH;
  const r = Math.round(n);
  return `${r < 0 ? '-' : ''}${group(String(Math.abs(r)))}`;
}

/** A number with up to `digits` decimals and grouped thousands: 1234.5 -> "1,234.5", 0.25 -> "0.25". */
export function formatNumber(n: number | null | undefined, digits = 1): string {
  if (!finite(n)) return DASH;
  const fixed = Math.abs(n).toFixed(digits);
  const [whole, frac = ''] = fixed.split('.');
  const trimmed = frac.replace(/0+$/, '');
  const sign = n < 0 && Number(fixed) !== 0 ? '-' : '';
  return `${sign}${group(whole!)}${trimmed ? `.${trimmed}` : ''}`;
}

/** A count, with "≈" in front when it is an estimate. */
export function formatCount(n: number | null | undefined, exact = true): string {
  if (!finite(n)) return DASH;
  return exact ? formatInt(n) : `≈${formatInt(n)}`;
}

/** 1234567 -> "1.2M", 5300 -> "5.3k": for chart axes where space is short. */
export function formatCompact(n: number | null | undefined): string {
  if (!finite(n)) return DASH;
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(a >= 1e10 ? 0 : 1)}B`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e3) return `${(n / 1e3).toFixed(a >= 1e4 ? 0 : 1)}k`;
  return formatNumber(n, a < 10 ? 1 : 0);
}

// --- words ----------------------------------------------------------------------------------------

/** The word alone, for the count: pluralWord(1, 'run') -> "run". */
export function pluralWord(n: number, one: string, many = `${one}s`): string {
  return Math.abs(n) === 1 ? one : many;
}

/** plural(1, 'schedule') -> "1 schedule"; plural(1518, 'run') -> "1,518 runs"; irregular: plural(2, 'index', 'indexes'). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatInt(n)} ${pluralWord(n, one, many)}`;
}

/** "a, b and c" (the last two joined by "and"). */
export function formatList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

// --- sizes and shares -----------------------------------------------------------------------------

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 0 B, 812 B, 4.2 MiB, 18 GiB: one decimal below 10 of a unit, none above; 1000 KiB reads "1.0 MiB". */
export function formatBytes(n: number | null | undefined): string {
  if (!finite(n)) return DASH;
  const sign = n < 0 ? '-' : '';
  let v = Math.abs(n);
  let i = 0;
  // Step up at 1000 (not 1024) so a value never shows four digits of a unit ("1000 KiB").
  while (v >= 999.5 && i < BYTE_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = i === 0 || v >= 9.95 ? 0 : 1;
  return `${sign}${v.toFixed(digits)} ${BYTE_UNITS[i]}`;
}

/** 0.237 -> "24%", 0.004 -> "0.4%", 0.0002 -> "<0.1%", 0 -> "0%", 1 -> "100%". */
export function formatShare(x: number | null | undefined): string {
  if (!finite(x)) return DASH;
  const p = x * 100;
  if (p === 0) return '0%';
  if (p > 0 && p < 0.1) return '<0.1%';
  if (p > 99.9 && p < 100) return '>99.9%';
  if (Math.abs(p) < 10) return `${formatNumber(p, 1)}%`;
  // Never round a share that is not complete up to "100%".
  const whole = Math.round(p);
  return `${whole === 100 && p < 100 ? 99 : whole}%`;
}

/** The integer percentage of a progress bar, never 100 before the end: 0.996 -> "99%". */
export function formatProgress(done: number, total: number | null | undefined): string {
  if (!finite(total) || total <= 0) return DASH;
  const f = Math.max(0, Math.min(1, done / total));
  return `${done >= total ? 100 : Math.min(99, Math.floor(f * 100))}%`;
}

// --- rates and durations --------------------------------------------------------------------------

/** Items per second with a unit: 1.24 -> "1.2 runs/s", 0.3 -> "18 runs/min", 0 -> "0 runs/s". */
export function formatRate(perSecond: number | null | undefined, unit = 'runs'): string {
  if (!finite(perSecond)) return DASH;
  if (perSecond === 0) return `0 ${unit}/s`;
  if (perSecond < 1) {
    const perMinute = perSecond * 60;
    if (perMinute >= 1) return `${formatNumber(perMinute, perMinute < 10 ? 1 : 0)} ${unit}/min`;
    return `${formatNumber(perMinute * 60, 1)} ${unit}/h`;
  }
  return `${formatNumber(perSecond, perSecond < 10 ? 1 : 0)} ${unit}/s`;
}

/** Runs per hour as a schedule's load: 30 -> "30/h", 0.5 -> "0.5/h", 0.04 -> "1/day" (the unit is always shown). */
export function formatPerHour(perHour: number | null | undefined): string {
  if (!finite(perHour)) return DASH;
  if (perHour === 0) return '0/h';
  if (perHour < 0.1) return `${formatNumber(perHour * 24, 1)}/day`;
  return `${formatNumber(perHour, 1)}/h`;
}

/** 850 ms, 4.2 s, 3 min 12 s, 1 h 05 min, 2 d 04 h. */
export function formatDuration(ms: number | null | undefined): string {
  if (!finite(ms)) return DASH;
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 59.5) return `${s < 9.95 ? s.toFixed(1) : Math.round(s)} s`;
  const total = Math.round(s);
  const m = Math.floor(total / 60);
  if (m < 60) return `${m} min ${String(total % 60).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${String(h % 24).padStart(2, '0')} h`;
}

/** A span of time in its largest sensible unit, for settings and horizons: 45 -> "45 s", 3600 -> "60 min", 86400 -> "24 h", 2 days -> "2 d". */
export function formatSpan(seconds: number | null | undefined): string {
  if (!finite(seconds)) return DASH;
  if (seconds < 90) return `${formatNumber(seconds, 0)} s`;
  if (seconds < 5400) return `${formatNumber(seconds / 60, 0)} min`;
  if (seconds < 172_800) return `${formatNumber(seconds / 3600, 1)} h`;
  return `${formatNumber(seconds / 86_400, 0)} d`;
}

/** ETA for progress bars: "under a minute", "about 3 min 10 s"; null when unknown. */
export function formatEta(seconds: number | null | undefined): string | null {
  if (!finite(seconds) || seconds < 0) return null;
  if (seconds < 60) return 'under a minute';
  return `about ${formatDuration(seconds * 1000)}`;
}

// --- times ----------------------------------------------------------------------------------------

const pad = (n: number) => String(n).padStart(2, '0');

/** "UTC", "UTC+1", "UTC+5:30", "UTC-4" for an offset in minutes east of UTC. */
export function formatOffset(minutes: number): string {
  if (minutes === 0) return 'UTC';
  const a = Math.abs(minutes);
  return `UTC${minutes < 0 ? '-' : '+'}${Math.floor(a / 60)}${a % 60 ? `:${pad(a % 60)}` : ''}`;
}

interface Wall {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  offset: number;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();
function zoneFormat(zone: string): Intl.DateTimeFormat {
  let f = zoneFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    zoneFormats.set(zone, f);
  }
  return f;
}

/** The wall clock of an instant in a zone ('local' = the viewer's), with that zone's offset then. */
function wall(t: number, zone: string): Wall {
  if (zone === 'local') {
    const d = new Date(t);
    return { y: d.getFullYear(), mo: d.getMonth() + 1, d: d.getDate(), h: d.getHours(), mi: d.getMinutes(), s: d.getSeconds(), offset: -d.getTimezoneOffset() };
  }
  if (zone === 'UTC') {
    const d = new Date(t);
    return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds(), offset: 0 };
  }
  const parts: Record<string, number> = {};
  for (const p of zoneFormat(zone).formatToParts(new Date(t))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const w = { y: parts.year!, mo: parts.month!, d: parts.day!, h: parts.hour! % 24, mi: parts.minute!, s: parts.second! };
  const asUtc = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);
  return { ...w, offset: Math.round((asUtc - Math.floor(t / 1000) * 1000) / 60_000) };
}

function toMillis(at: string | number | Date): number {
  return typeof at === 'number' ? at : at instanceof Date ? at.getTime() : Date.parse(at);
}

export interface TimeOptions {
  /** An IANA zone ("Europe/Berlin", "UTC"); the viewer's own zone when left out. */
  zone?: string | null | undefined;
  /** Leave out the seconds. */
  minutes?: boolean;
  /** Leave out the zone label (only where a heading states the zone once). */
  bare?: boolean;
}

function label(w: Wall, o: TimeOptions): string {
  return o.bare ? '' : ` ${formatOffset(w.offset)}`;
}

function clock(w: Wall, o: TimeOptions): string {
  return `${pad(w.h)}:${pad(w.mi)}${o.minutes ? '' : `:${pad(w.s)}`}`;
}

/** "2026-11-29 09:14:02 UTC+1": sortable, unambiguous, easy to match against logs. Unparseable input is returned as is. */
export function formatDateTime(at: string | number | Date | null | undefined, o: TimeOptions = {}): string {
  if (at === null || at === undefined || at === '') return DASH;
  const t = toMillis(at);
  if (Number.isNaN(t)) return String(at);
  const w = wall(t, o.zone ?? 'local');
  return `${w.y}-${pad(w.mo)}-${pad(w.d)} ${clock(w, o)}${label(w, o)}`;
}

/** "11-29 09:14:02 UTC+1" (month-day, for lists of near times in one year). */
export function formatShortDateTime(at: string | number | Date | null | undefined, o: TimeOptions = {}): string {
  if (at === null || at === undefined || at === '') return DASH;
  const t = toMillis(at);
  if (Number.isNaN(t)) return String(at);
  const w = wall(t, o.zone ?? 'local');
  return `${pad(w.mo)}-${pad(w.d)} ${clock(w, o)}${label(w, o)}`;
}

/** "2026-11-29" in the given zone (the viewer's by default). */
export function formatDate(at: string | number | Date | null | undefined, o: Pick<TimeOptions, 'zone'> = {}): string {
  if (at === null || at === undefined || at === '') return DASH;
  const t = toMillis(at);
  if (Number.isNaN(t)) return String(at);
  const w = wall(t, o.zone ?? 'local');
  return `${w.y}-${pad(w.mo)}-${pad(w.d)}`;
}

/** The viewer's zone label now, for a column heading: "UTC+1". */
export function localZoneLabel(at: number = Date.now()): string {
  return formatOffset(-new Date(at).getTimezoneOffset());
}

/**
 * An ISO time that carries its own offset ("2026-11-29T09:14:02+01:00", as Prefect and the schedule
 * code write wall times in a schedule's zone), split for display without converting it: the wall time
 * as written and its zone label.
 */
export function splitIsoWall(iso: string | null | undefined): { date: string; time: string; zone: string } | null {
  if (!iso) return null;
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(iso);
  if (!m) return { date: '', time: iso, zone: '' };
  const off = m[3];
  let zone = '';
  if (off === 'Z') zone = 'UTC';
  else if (off) {
    const sign = off.startsWith('-') ? -1 : 1;
    const digits = off.slice(1).replace(':', '');
    zone = formatOffset(sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))));
  }
  return { date: m[1]!, time: m[2]!.length === 5 ? `${m[2]}:00` : m[2]!, zone };
}

/** "2026-11-29 09:14:02 UTC+1" for an ISO time with an offset, keeping its own wall time (no conversion). */
export function formatIsoWall(iso: string | null | undefined, o: { short?: boolean } = {}): string {
  const p = splitIsoWall(iso);
  if (!p) return DASH;
  if (!p.date) return p.time;
  return `${o.short ? p.date.slice(5) : p.date} ${p.time}${p.zone ? ` ${p.zone}` : ''}`;
}

const RELATIVE_UNITS: Array<[string, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

/** "3 minutes ago", "in 2 hours", "1 day ago"; "just now" under 10 seconds. */
export function formatRelative(at: string | number | Date, now: number = Date.now()): string {
  const t = toMillis(at);
  if (Number.isNaN(t)) return String(at);
  const seconds = Math.round((t - now) / 1000);
  if (Math.abs(seconds) < 10) return 'just now';
  for (const [unit, size] of RELATIVE_UNITS) {
    if (Math.abs(seconds) >= size || unit === 'second') {
      const n = Math.round(Math.abs(seconds) / size);
      const text = plural(n, unit);
      return seconds < 0 ? `${text} ago` : `in ${text}`;
    }
  }
  return String(at);
}
