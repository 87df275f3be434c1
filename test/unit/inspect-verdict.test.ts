import { describe, expect, it } from 'vitest';
import { estimateConfidence, type ConfidenceInput } from '../../main/core/inspect/confidence';
import { sqliteVerdict, tableVerdict, type VerdictInput } from '../../main/core/inspect/verdict';
import { autovacuumState } from '../../main/core/inspect/stats-math';

const MIB = 1024 * 1024;
const now = new Date('2026-11-29T12:00:00Z');
const fresh: ConfidenceInput = {
  kind: 'table',
  relBytes: 500 * MIB,
  columns: 10,
  columnsWithStats: 10,
  reltuples: 1_000_000,
  lastAnalyzeAt: '2026-11-29T10:00:00Z',
  modsSinceAnalyze: 1000,
  toastBytes: 0,
  heapBytes: 500 * MIB,
  now,
};

describe('estimate confidence', () => {
  it('is high with fresh, complete statistics on a big table', () => {
    expect(estimateConfidence(fresh)).toEqual({ level: 'high', margin: 0.1, reasons: [] });
  });

  it('is none when the role cannot read pg_stats (never a silent 88 %)', () => {
    const c = estimateConfidence({ ...fresh, columnsWithStats: 0 });
    expect(c.level).toBe('none');
    expect(c.margin).toBeNull();
    expect(c.reasons.join()).toMatch(/SELECT/);
  });

  it('drops with the share of rows changed since the last ANALYZE', () => {
    expect(estimateConfidence({ ...fresh, modsSinceAnalyze: 100_000 }).level).toBe('medium');
    expect(estimateConfidence({ ...fresh, modsSinceAnalyze: 500_000 }).level).toBe('low');
  });

  it('drops for old statistics, small relations, TOAST-heavy tables and partial statistics', () => {
    expect(estimateConfidence({ ...fresh, lastAnalyzeAt: '2026-09-01T00:00:00Z' }).level).toBe('medium');
    expect(estimateConfidence({ ...fresh, relBytes: 100 * 1024 }).level).toBe('low');
    expect(estimateConfidence({ ...fresh, toastBytes: 900 * MIB }).level).toBe('medium');
    expect(estimateConfidence({ ...fresh, columnsWithStats: 8 }).level).toBe('medium');
    expect(estimateConfidence({ ...fresh, columnsWithStats: 3 }).level).toBe('low');
  });

  it('is none for a never-analyzed table and for non-btree indexes', () => {
    expect(estimateConfidence({ ...fresh, reltuples: -1 }).level).toBe('none');
    expect(estimateConfidence({ ...fresh, kind: 'index', unsupported: 'gin' }).level).toBe('none');
  });
});

const av = autovacuumState({ enabled: true, vacuumThreshold: 50, vacuumScaleFactor: 0.2, analyzeThreshold: 50, analyzeScaleFactor: 0.1 }, null, 1_000_000, 10_000, 5_000);
const base: VerdictInput = { heapBytes: 2048 * MIB, deadTuples: 10_000, deadShare: 0.01, reclaimableBytes: 20 * MIB, ratio: 0.01, exact: false, confidence: 'high', autovacuum: av };

describe('verdict per table', () => {
  it('calls a small table fine whatever its ratios', () => {
    expect(tableVerdict({ ...base, heapBytes: 4 * MIB, ratio: 0.9, reclaimableBytes: 3.6 * MIB }).kind).toBe('fine');
  });

  it('is fine when little is reclaimable', () => {
    expect(tableVerdict(base).kind).toBe('fine');
  });

  it('says autovacuum will reuse the space when dead rows pile up', () => {
    const v = tableVerdict({ ...base, deadTuples: 300_000, deadShare: 0.23 });
    expect(v.kind).toBe('reuse');
    expect(v.summary).toMatch(/300,000 dead rows/);
    expect(v.summary).toMatch(/does not shrink/);
  });

  it('says only a rewrite shrinks the file when most of it is free space', () => {
    const v = tableVerdict({ ...base, reclaimableBytes: 1500 * MIB, ratio: 0.73 });
    expect(v.kind).toBe('rewrite');
    expect(v.summary).toMatch(/pg_repack/);
  });

  it('does not recommend a rewrite on a low-confidence estimate, but says to measure', () => {
    const v = tableVerdict({ ...base, reclaimableBytes: 1500 * MIB, ratio: 0.73, confidence: 'low' });
    expect(v.kind).toBe('reuse');
    expect(v.summary).toMatch(/measure exactly/);
  });

  it('trusts an exact measurement regardless of the statistics', () => {
    expect(tableVerdict({ ...base, reclaimableBytes: 1500 * MIB, ratio: 0.73, confidence: 'none', exact: true }).kind).toBe('rewrite');
  });

  it('is unknown without an estimate and without dead rows', () => {
    expect(tableVerdict({ ...base, reclaimableBytes: null, ratio: null, confidence: 'none' }).kind).toBe('unknown');
  });

  it('mentions when autovacuum is off for the table', () => {
    const off = autovacuumState({ enabled: true, vacuumThreshold: 50, vacuumScaleFactor: 0.2, analyzeThreshold: 50, analyzeScaleFactor: 0.1 }, ['autovacuum_enabled=false'], 1_000_000, 300_000, null);
    expect(tableVerdict({ ...base, deadTuples: 300_000, deadShare: 0.23, autovacuum: off }).summary).toMatch(/OFF/);
  });
});

describe('SQLite verdict', () => {
  it('is fine with few free pages, rewrite when a quarter of a big file is free', () => {
    expect(sqliteVerdict(100 * MIB, 1 * MIB).kind).toBe('fine');
    expect(sqliteVerdict(1000 * MIB, 400 * MIB).kind).toBe('rewrite');
    expect(sqliteVerdict(1000 * MIB, 100 * MIB).kind).toBe('reuse');
  });
});
