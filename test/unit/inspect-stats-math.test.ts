import { describe, expect, it } from 'vitest';
import {
  autovacuumState,
  estimateBelow,
  estimateByValue,
  extrapolateClusters,
  extrapolateSample,
  histogramFractionBelow,
  parsePgArray,
} from '../../main/core/inspect/stats-math';
import { findDuplicateIndexes, type IndexShape } from '../../main/core/inspect/indexes';
import { vacuumProgress } from '../../main/core/inspect/vacuum-progress-pg';
import { reclaimableFromIndex, reclaimableFromTuple } from '../../main/core/inspect/exact-pg';
import { samplePercent, SAMPLE_PAGES } from '../../main/core/inspect/orphans-pg';

describe('planner-statistics arithmetic', () => {
  it('interpolates inside the equi-depth histogram like scalarltsel', () => {
    const b = [0, 10, 20, 30, 40];
    expect(histogramFractionBelow(b, -1)).toBe(0);
    expect(histogramFractionBelow(b, 50)).toBe(1);
    expect(histogramFractionBelow(b, 20)).toBe(0.5);
    expect(histogramFractionBelow(b, 25)).toBeCloseTo(0.625);
  });

  it('combines nulls, MCVs and the histogram into a row estimate', () => {
    // 10 % null, one MCV at 5 with 20 %, the remaining 70 % spread over [0, 100]
    const d = { nullFrac: 0.1, mcv: [5], mcf: [0.2], histogram: [0, 50, 100] };
    expect(estimateBelow(d, 1000, 50)).toBe(Math.round(1000 * (0.2 + 0.7 * 0.5)));
    expect(estimateBelow(d, 1000, 1)).toBe(Math.round(1000 * 0.7 * 0.01));
  });

  it('turns an MCV list into counts and the leftover share', () => {
    const e = estimateByValue(['COMPLETED', 'SCHEDULED'], [0.8, 0.15], 0, 1_000_000);
    expect(e.counts.get('COMPLETED')).toBe(800_000);
    expect(e.counts.get('SCHEDULED')).toBe(150_000);
    expect(e.others).toBe(50_000);
  });

  it('parses pg_stats anyarray text', () => {
    expect(parsePgArray('{COMPLETED,FAILED,SCHEDULED}')).toEqual(['COMPLETED', 'FAILED', 'SCHEDULED']);
    expect(parsePgArray('{"Awaiting Retry",Late,"a \\"q\\""}')).toEqual(['Awaiting Retry', 'Late', 'a "q"']);
    expect(parsePgArray(null)).toEqual([]);
  });
});

describe('sampling', () => {
  it('is exact when the sample covers the table', () => {
    expect(extrapolateSample(7, 100, 100)).toMatchObject({ count: 7, exact: true, margin: 0 });
  });

  it('extrapolates with a margin that shrinks with the sample', () => {
    const small = extrapolateSample(10, 1000, 1_000_000);
    const big = extrapolateSample(100, 10_000, 1_000_000);
    expect(small.count).toBe(10_000);
    expect(big.count).toBe(10_000);
    expect(big.margin!).toBeLessThan(small.margin!);
  });

  it('gives a non-zero upper margin when nothing was found', () => {
    const r = extrapolateSample(0, 10_000, 1_000_000);
    expect(r.count).toBe(0);
    expect(r.margin!).toBeGreaterThan(0);
  });

  it('widens the margin when the found rows cluster on a few pages', () => {
    const spread = Array.from({ length: 100 }, () => ({ n: 50, k: 1 }));
    const clustered = Array.from({ length: 100 }, (_, i) => ({ n: 50, k: i < 2 ? 50 : 0 }));
    const a = extrapolateClusters(spread, 1_000_000, 20_000);
    const b = extrapolateClusters(clustered, 1_000_000, 20_000);
    expect(a.count).toBe(b.count);
    expect(b.margin!).toBeGreaterThan(3 * a.margin!);
  });

  it('samples a fixed number of pages whatever the size', () => {
    expect(samplePercent(100)).toBe(100);
    expect(samplePercent(SAMPLE_PAGES * 1000)).toBeCloseTo(0.1);
  });
});

describe('autovacuum distance', () => {
  const defaults = { enabled: true, vacuumThreshold: 50, vacuumScaleFactor: 0.2, analyzeThreshold: 50, analyzeScaleFactor: 0.1 };
  it('uses the server settings', () => {
    const a = autovacuumState(defaults, null, 1_000_000, 100_025, 50_025);
    expect(a.vacuumTrigger).toBe(200_050);
    expect(a.vacuumProgress).toBeCloseTo(0.5);
    expect(a.analyzeProgress).toBeCloseTo(0.5);
    expect(a.custom).toBe(false);
  });

  it('lets per-table storage parameters win', () => {
    const a = autovacuumState(defaults, ['autovacuum_vacuum_scale_factor=0.01', 'autovacuum_vacuum_threshold=1000'], 1_000_000, 11_000, null);
    expect(a.custom).toBe(true);
    expect(a.vacuumTrigger).toBe(11_000);
    expect(a.vacuumProgress).toBe(1);
  });
});

describe('duplicate indexes', () => {
  const idx = (name: string, keys: string[], extra: Partial<IndexShape> = {}): IndexShape => ({
    name,
    table: 'log',
    amname: 'btree',
    unique: false,
    keys,
    opclasses: keys.map(() => '3125'),
    options: keys.map(() => '0'),
    exprs: '',
    pred: '',
    ...extra,
  });

  it('flags an index whose columns lead another one', () => {
    const d = findDuplicateIndexes([idx('ix_log__flow_run_id', ['6']), idx('ix_log__flow_run_id_timestamp', ['6', '9'])]);
    expect(d.get('ix_log__flow_run_id')).toBe('ix_log__flow_run_id_timestamp');
    expect(d.has('ix_log__flow_run_id_timestamp')).toBe(false);
  });

  it('never flags a unique index covered by a non-unique one, nor indexes with other predicates or orderings', () => {
    expect(findDuplicateIndexes([idx('uq', ['6'], { unique: true }), idx('ix', ['6', '9'])]).size).toBe(0);
    expect(findDuplicateIndexes([idx('a', ['6'], { pred: "(state_type = 'SCHEDULED')" }), idx('b', ['6', '9'])]).size).toBe(0);
    expect(findDuplicateIndexes([idx('a', ['6'], { options: ['3'] }), idx('b', ['6', '9'])]).size).toBe(0);
    expect(findDuplicateIndexes([idx('a', ['6'], { amname: 'gin' }), idx('b', ['6', '9'])]).size).toBe(0);
  });

  it('flags one of two identical indexes, not both', () => {
    const d = findDuplicateIndexes([idx('a', ['6']), idx('b', ['6'])]);
    expect([...d]).toEqual([['b', 'a']]);
  });
});

describe('exact measurement arithmetic', () => {
  it('counts dead and free space beyond the fillfactor reserve', () => {
    expect(reclaimableFromTuple(1000, 100, 300, 100)).toBe(400);
    expect(reclaimableFromTuple(1000, 100, 300, 80)).toBe(200);
    expect(reclaimableFromTuple(1000, 0, 50, 90)).toBe(0);
  });

  it('scales index leaf density against the fillfactor', () => {
    expect(reclaimableFromIndex(1000, 90, 90)).toBe(0);
    expect(reclaimableFromIndex(1000, 45, 90)).toBe(500);
    expect(reclaimableFromIndex(1000, Number.NaN, 90)).toBe(0);
  });
});

describe('vacuum progress', () => {
  it('measures the heap phases and leaves index phases unmeasured', () => {
    expect(vacuumProgress('scanning heap', 200, 50, 0)).toBe(0.25);
    expect(vacuumProgress('vacuuming heap', 200, 200, 150)).toBe(0.75);
    expect(vacuumProgress('vacuuming indexes', 200, 200, 0)).toBeNull();
    expect(vacuumProgress('scanning heap', 0, 0, 0)).toBeNull();
  });
});
