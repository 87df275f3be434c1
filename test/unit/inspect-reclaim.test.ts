/**
 * Reclaimable space as the Overview states it (issue #13 item 8): tables and indexes apart, the
 * headline the sum of the rows shown, measurements replacing the estimates they cover, and a
 * confidence word that agrees with the margin it carries.
 */
import { describe, expect, it } from 'vitest';
import type { IndexSpace } from '../../shared/domain/inspect';
import { describeReclaim, spaceReclaim } from '../../shared/domain/reclaim';
import { formatBytes } from '../../shared/text/bytes';
import { PRECISION_REASONS, withPrecision } from '../../main/core/inspect/confidence';
import { reclaimHeadline, reclaimLines } from '../../main/core/inspect/report-common';
import { table } from './support/inspect-report-fixture';

const MIB = 1024 * 1024;
const KIB = 1024;

function index(tableName: string, name: string, bytes: number, reclaimable: number | null, margin: number | null = 0.1): IndexSpace {
  return {
    table: tableName,
    name,
    bytes,
    scans: 10,
    unique: false,
    primary: false,
    valid: true,
    definition: `CREATE INDEX ${name} ON public.${tableName} USING btree (x)`,
    unused: false,
    duplicateOf: null,
    bloat: { reclaimableBytes: reclaimable, expectedBytes: null, ratio: null, confidence: { level: margin === null ? 'none' : 'high', margin, reasons: [] } },
    exact: null,
  };
}

describe('the confidence word agrees with the margin', () => {
  const high = { level: 'high' as const, margin: 0.1, reasons: [] };

  it('an estimate smaller than its margin is low: 632 KiB ±49 MiB is not "high"', () => {
    const c = withPrecision(high, 632 * KIB, 490 * MIB);
    expect(c.level).toBe('low');
    expect(c.margin).toBe(0.1);
    expect(c.reasons).toEqual([PRECISION_REASONS.none]);
  });

  it('a margin of more than half the estimate caps it at medium; a tight one stays high', () => {
    expect(withPrecision(high, 80 * MIB, 490 * MIB).level).toBe('medium');
    expect(withPrecision(high, 300 * MIB, 490 * MIB)).toEqual(high);
  });

  it('never raises a level the inputs lowered, and leaves "none" alone', () => {
    expect(withPrecision({ level: 'low', margin: 0.5, reasons: ['stale'] }, 300 * MIB, 490 * MIB).level).toBe('low');
    const none = { level: 'none' as const, margin: null, reasons: ['no stats'] };
    expect(withPrecision(none, 0, 490 * MIB)).toBe(none);
  });
});

describe('reclaimable space, tables and indexes apart', () => {
  // The reported case: tiny heap estimates, the bulk in index bloat.
  const tables = [
    table('flow_run', { heapBytes: 490 * MIB, bloat: { reclaimableBytes: 2 * MIB, expectedBytes: null, ratio: 0.004, confidence: { level: 'low', margin: 0.1, reasons: [] } } }),
    table('log', { heapBytes: 10 * MIB, bloat: { reclaimableBytes: 1 * MIB, expectedBytes: null, ratio: 0.1, confidence: { level: 'high', margin: 0.1, reasons: [] } } }),
    table('tiny', { prefect: false, heapBytes: 64 * KIB, totalBytes: 64 * KIB, rowsEstimate: 0, bloat: { reclaimableBytes: null, expectedBytes: null, ratio: null, confidence: { level: 'none', margin: null, reasons: [] } } }),
  ];
  const indexes = [
    index('flow_run', 'ix_a', 200 * MIB, 60 * MIB),
    index('flow_run', 'ix_b', 100 * MIB, 21 * MIB),
    index('log', 'ix_c', 8 * MIB, null, null),
  ];

  it('adds each table its indexes, and the totals are the sums of the rows', () => {
    const r = spaceReclaim({ tables, indexes });
    const fr = r.perTable.find((t) => t.name === 'flow_run')!;
    expect(fr.heap.bytes).toBe(2 * MIB);
    expect(fr.indexes).toMatchObject({ bytes: 81 * MIB, marginBytes: 30 * MIB, known: 2, unknown: 0 });
    expect(r.perTable.find((t) => t.name === 'log')!.indexes).toMatchObject({ bytes: 0, known: 0, unknown: 1 });
    expect(r.tables.bytes).toBe(3 * MIB);
    expect(r.indexes.bytes).toBe(81 * MIB);
    expect(r.total.bytes).toBe(r.perTable.reduce((n, t) => n + t.total.bytes, 0));
    expect(r.total.marginBytes).toBeCloseTo(r.tables.marginBytes + r.indexes.marginBytes);
    expect(r.tables.unknown).toBe(1);
  });

  it('a measurement replaces the estimate it covers, in the row and in the total', () => {
    const measured = tables.map((t) => (t.name === 'flow_run' ? { ...t, exact: { method: 'pgstattuple_approx' as const, measuredAt: 'x', durationMs: 1, sizeBytes: t.heapBytes, liveBytes: null, deadBytes: null, freeBytes: null, scannedPercent: null, leafDensity: null, reclaimableBytes: 5 * MIB } } : t));
    const r = spaceReclaim({ tables: measured, indexes });
    expect(r.perTable.find((t) => t.name === 'flow_run')!.heap).toMatchObject({ bytes: 5 * MIB, marginBytes: 0, measured: 1 });
    expect(r.tables.bytes).toBe(6 * MIB);
  });

  it('says "up to" when the margin swallows the estimate, "≈ ±" otherwise, "measured" for measurements', () => {
    const r = spaceReclaim({ tables, indexes });
    const fr = r.perTable.find((t) => t.name === 'flow_run')!;
    expect(describeReclaim(fr.heap, formatBytes)).toBe('up to 51 MiB');
    expect(describeReclaim(fr.indexes, formatBytes)).toBe('≈81 MiB ±30 MiB');
    expect(describeReclaim({ bytes: 5 * MIB, marginBytes: 0, unknown: 0, measured: 1, known: 1 }, formatBytes)).toBe('5.0 MiB measured');
    expect(describeReclaim({ bytes: 0, marginBytes: 0, unknown: 2, measured: 0, known: 0 }, formatBytes)).toBe('unknown');
  });

  it('the report lines (shown tables, the others, the total) add up to the headline', () => {
    const shown = tables.slice(0, 1);
    const l = reclaimLines({ tables, indexes }, shown);
    expect(l.other.count).toBe(2);
    expect(l.byTable.get('flow_run')!.heap.bytes + l.other.heap.bytes).toBe(l.tables.bytes);
    expect(l.byTable.get('flow_run')!.indexes.bytes + l.other.indexes.bytes).toBe(l.indexes.bytes);
    expect(reclaimHeadline({ tables, indexes })).toBe("tables up to 53 MiB + indexes ≈81 MiB ±30 MiB = ≈84 MiB ±80 MiB");
  });
});
