/** The one formatting standard (shared/text/format.ts): each rule of issue #13 item 12, pinned. */
import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatCompact,
  formatCount,
  formatDateTime,
  formatDuration,
  formatEta,
  formatInt,
  formatIsoWall,
  formatList,
  formatNumber,
  formatOffset,
  formatPerHour,
  formatProgress,
  formatRate,
  formatRelative,
  formatShare,
  formatShortDateTime,
  formatSpan,
  plural,
  pluralWord,
  splitIsoWall,
} from '../../shared/text/format';

describe('counts', () => {
  it('always groups thousands with commas, whatever the locale', () => {
    expect(formatInt(1518)).toBe('1,518');
    expect(formatInt(999)).toBe('999');
    expect(formatInt(1_234_567)).toBe('1,234,567');
    expect(formatInt(-12_000)).toBe('-12,000');
    expect(formatInt(1517.6)).toBe('1,518');
    expect(formatInt(null)).toBe('—');
    expect(formatInt(Number.NaN)).toBe('—');
  });
  it('marks estimates', () => {
    expect(formatCount(1518)).toBe('1,518');
    expect(formatCount(1518, false)).toBe('≈1,518');
    expect(formatCount(undefined)).toBe('—');
  });
  it('keeps decimals only where they exist', () => {
    expect(formatNumber(1234.5)).toBe('1,234.5');
    expect(formatNumber(2)).toBe('2');
    expect(formatNumber(0.25, 2)).toBe('0.25');
    expect(formatNumber(-0.01, 1)).toBe('0');
    expect(formatCompact(1_250_000)).toBe('1.3M');
    expect(formatCompact(5300)).toBe('5.3k');
    expect(formatCompact(12)).toBe('12');
  });
});

describe('plurals', () => {
  it('says "1 schedule", never "1 schedules"', () => {
    expect(plural(1, 'schedule')).toBe('1 schedule');
    expect(plural(0, 'schedule')).toBe('0 schedules');
    expect(plural(1518, 'run')).toBe('1,518 runs');
    expect(plural(1, 'deployment')).toBe('1 deployment');
    expect(plural(2, 'index', 'indexes')).toBe('2 indexes');
    expect(pluralWord(1, 'warning')).toBe('warning');
    expect(pluralWord(3, 'warning')).toBe('warnings');
  });
  it('joins lists in English', () => {
    expect(formatList([])).toBe('');
    expect(formatList(['a'])).toBe('a');
    expect(formatList(['a', 'b', 'c'])).toBe('a, b and c');
  });
});

describe('sizes and shares', () => {
  it('never shows four digits of a unit', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(812)).toBe('812 B');
    expect(formatBytes(1000)).toBe('1.0 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(1000 * 1024)).toBe('1.0 MiB');
    expect(formatBytes(1023 * 1024)).toBe('1.0 MiB');
    expect(formatBytes(9.97 * 1024 ** 2)).toBe('10 MiB');
    expect(formatBytes(50 * 1024 ** 3)).toBe('50 GiB');
    expect(formatBytes(-2048)).toBe('-2.0 KiB');
  });
  it('writes shares as percent without a space, and never 0% for something there', () => {
    expect(formatShare(0.237)).toBe('24%');
    expect(formatShare(0.004)).toBe('0.4%');
    expect(formatShare(0.000_2)).toBe('<0.1%');
    expect(formatShare(0)).toBe('0%');
    expect(formatShare(1)).toBe('100%');
    expect(formatShare(0.997)).toBe('99%');
    expect(formatShare(0.9995)).toBe('>99.9%');
  });
  it('progress reaches 100% only at the end', () => {
    expect(formatProgress(338, 339)).toBe('99%');
    expect(formatProgress(339, 339)).toBe('100%');
    expect(formatProgress(0, 339)).toBe('0%');
    expect(formatProgress(3, null)).toBe('—');
  });
});

describe('rates and durations', () => {
  it('always names the unit and the time base', () => {
    expect(formatRate(1.24)).toBe('1.2 runs/s');
    expect(formatRate(27_600)).toBe('27,600 runs/s');
    expect(formatRate(0.6)).toBe('36 runs/min');
    expect(formatRate(0.05)).toBe('3 runs/min');
    expect(formatRate(0.001)).toBe('3.6 runs/h');
    expect(formatRate(0)).toBe('0 runs/s');
    expect(formatRate(2, 'batches')).toBe('2 batches/s');
    expect(formatPerHour(30)).toBe('30/h');
    expect(formatPerHour(0.5)).toBe('0.5/h');
    expect(formatPerHour(1 / 24)).toBe('1/day');
    expect(formatPerHour(0)).toBe('0/h');
  });
  it('durations in the largest sensible units', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(4200)).toBe('4.2 s');
    expect(formatDuration(59_600)).toBe('1 min 00 s');
    expect(formatDuration(192_000)).toBe('3 min 12 s');
    expect(formatDuration(3_900_000)).toBe('1 h 05 min');
    expect(formatDuration(3 * 86_400_000)).toBe('3 d 00 h');
    expect(formatDuration(null)).toBe('—');
    expect(formatSpan(45)).toBe('45 s');
    expect(formatSpan(3600)).toBe('60 min');
    expect(formatSpan(86_400)).toBe('24 h');
    expect(formatSpan(172_800)).toBe('2 d');
    expect(formatEta(30)).toBe('under a minute');
    expect(formatEta(190)).toBe('about 3 min 10 s');
    expect(formatEta(null)).toBeNull();
  });
});

describe('times always carry their zone', () => {
  const t = '2026-11-29T08:14:02.123Z';
  it('in a given zone', () => {
    expect(formatDateTime(t, { zone: 'UTC' })).toBe('2026-11-29 08:14:02 UTC');
    expect(formatDateTime(t, { zone: 'Europe/Berlin' })).toBe('2026-11-29 09:14:02 UTC+1');
    expect(formatDateTime('2026-07-01T12:00:00Z', { zone: 'Europe/Berlin' })).toBe('2026-07-01 14:00:00 UTC+2');
    expect(formatDateTime(t, { zone: 'America/New_York' })).toBe('2026-11-29 03:14:02 UTC-5');
    expect(formatDateTime(t, { zone: 'Asia/Kolkata' })).toBe('2026-11-29 13:44:02 UTC+5:30');
    expect(formatDateTime(t, { zone: 'UTC', minutes: true })).toBe('2026-11-29 08:14 UTC');
    expect(formatShortDateTime(t, { zone: 'UTC' })).toBe('11-29 08:14:02 UTC');
  });
  it('in the viewer zone by default, with that zone named', () => {
    const local = formatDateTime(t);
    expect(local).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC([+-]\d{1,2}(:\d{2})?)?$/);
    const offset = -new Date(t).getTimezoneOffset();
    expect(local.endsWith(formatOffset(offset))).toBe(true);
  });
  it('leaves unparseable input alone and says when there is none', () => {
    expect(formatDateTime('soon')).toBe('soon');
    expect(formatDateTime(null)).toBe('—');
  });
  it('keeps a schedule wall time as written, with its offset named', () => {
    expect(splitIsoWall('2026-11-29T09:14:00+01:00')).toEqual({ date: '2026-11-29', time: '09:14:00', zone: 'UTC+1' });
    expect(formatIsoWall('2026-11-29T09:14:00-04:30')).toBe('2026-11-29 09:14:00 UTC-4:30');
    expect(formatIsoWall('2026-11-29T09:14:00Z', { short: true })).toBe('11-29 09:14:00 UTC');
    expect(formatIsoWall('2020-01-01T00:00:00')).toBe('2020-01-01 00:00:00');
    expect(formatIsoWall(null)).toBe('—');
    expect(formatOffset(0)).toBe('UTC');
    expect(formatOffset(-270)).toBe('UTC-4:30');
  });
  it('relative times are plain English with correct plurals', () => {
    const now = Date.parse(t);
    expect(formatRelative(now - 5000, now)).toBe('just now');
    expect(formatRelative(now - 60_000, now)).toBe('1 minute ago');
    expect(formatRelative(now - 3 * 3_600_000, now)).toBe('3 hours ago');
    expect(formatRelative(now + 2 * 86_400_000, now)).toBe('in 2 days');
  });
});
