import { describe, expect, it } from 'vitest';
import { parseIsoDuration, parseShortDuration, resolveCutoff } from '../../shared/domain/cutoff';

const now = new Date('2026-11-29T12:00:00.000Z');

describe('cutoff parsing', () => {
  it('reads short durations', () => {
    expect(parseShortDuration('30m')).toBe(30 * 60_000);
    expect(parseShortDuration('1h30m')).toBe(90 * 60_000);
    expect(parseShortDuration('2d')).toBe(2 * 86_400_000);
    expect(parseShortDuration('90s')).toBe(90_000);
    expect(parseShortDuration('abc')).toBeNull();
    expect(parseShortDuration('30')).toBeNull();
  });

  it('reads ISO 8601 durations and refuses months/years', () => {
    expect(parseIsoDuration('PT30M')).toBe(30 * 60_000);
    expect(parseIsoDuration('P1DT2H')).toBe(26 * 3_600_000);
    expect(parseIsoDuration('P1M')).toBeNull();
    expect(parseIsoDuration('PX')).toBeNull();
  });

  it('resolves "ago" durations against now and freezes the instant', () => {
    const r = resolveCutoff('30m', now);
    expect(r).toEqual({ ok: true, value: { cutoff: '2026-11-29T11:30:00.000Z', given: '30m', kind: 'ago', agoMs: 1_800_000 } });
    expect(resolveCutoff('PT2H', now)).toMatchObject({ ok: true, value: { cutoff: '2026-11-29T10:00:00.000Z' } });
  });

  it('resolves absolute times, UTC unless an offset is given', () => {
    expect(resolveCutoff('2026-11-29T08:00:00Z', now)).toMatchObject({ ok: true, value: { cutoff: '2026-11-29T08:00:00.000Z', kind: 'absolute' } });
    expect(resolveCutoff('2026-11-29T08:00:00+02:00', now)).toMatchObject({ ok: true, value: { cutoff: '2026-11-29T06:00:00.000Z' } });
    expect(resolveCutoff('2026-11-29 08:00', now)).toMatchObject({ ok: true, value: { cutoff: '2026-11-29T08:00:00.000Z' } });
  });

  it('refuses future, zero, negative and unreadable cutoffs with a hint', () => {
    const fut = resolveCutoff('2026-12-01T00:00:00Z', now);
    expect(fut.ok).toBe(false);
    if (!fut.ok) expect(fut.error.hint).toMatch(/Schedules/);
    expect(resolveCutoff('0m', now).ok).toBe(false);
    expect(resolveCutoff('-5m', now).ok).toBe(false);
    const bad = resolveCutoff('yesterday-ish', now);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.code).toBe('VALIDATION');
  });
});
