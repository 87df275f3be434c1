import { describe, expect, it } from 'vitest';
import { alignUp, estimateBtree, estimateHeap, heapTupleBytes, parseReloptions, tupleDataWidth, type ColumnStat } from '../../main/core/inspect/bloat-math';

const uuid: ColumnStat = { typlen: 16, typalign: 'c', avgWidth: 16, nullFrac: 0 };
const ts: ColumnStat = { typlen: 8, typalign: 'd', avgWidth: 8, nullFrac: 0 };
const bool: ColumnStat = { typlen: 1, typalign: 'c', avgWidth: 1, nullFrac: 0 };
const int4: ColumnStat = { typlen: 4, typalign: 'i', avgWidth: 4, nullFrac: 0 };
const shortText = (w: number, nullFrac = 0): ColumnStat => ({ typlen: -1, typalign: 'i', avgWidth: w, nullFrac });

describe('tuple layout', () => {
  it('aligns fixed-width columns the way heap_form_tuple does', () => {
    // bool at 0, then timestamptz aligned to 8: 7 bytes of padding, then 8 bytes.
    expect(tupleDataWidth([bool, ts])).toBe(16);
    // the other order needs no padding
    expect(tupleDataWidth([ts, bool])).toBe(9);
    expect(tupleDataWidth([uuid, int4])).toBe(20);
  });

  it('does not align short (packed) varlenas, but aligns long ones to 4', () => {
    expect(tupleDataWidth([bool, shortText(20)])).toBe(21);
    expect(tupleDataWidth([bool, shortText(400)])).toBe(404);
  });

  it('counts a column only as often as it is not null', () => {
    expect(tupleDataWidth([uuid, { ...ts, nullFrac: 0.5 }])).toBe(16 + 0.5 * 8);
  });

  it('returns null when a column has no statistics', () => {
    expect(tupleDataWidth([uuid, { ...ts, avgWidth: null }])).toBeNull();
  });

  it('adds the header, a null bitmap only when there are nulls, and the line pointer', () => {
    // 23-byte header -> 24, data 24 -> 24, + 4 item pointer
    expect(heapTupleBytes([uuid, ts])).toBe(24 + 24 + 4);
    // 9 columns with nulls: 23 + 2 bitmap bytes = 25 -> 32
    const nine = Array.from({ length: 9 }, () => ({ ...int4, nullFrac: 0.1 }));
    expect(heapTupleBytes(nine)).toBe(32 + alignUp(9 * 0.9 * 4, 8) + 4);
  });
});

describe('heap estimate', () => {
  // 52-byte tuples: floor(8168 / 52) = 157 per page.
  const cols = [uuid, ts];
  it('finds no bloat in a table packed as tight as its rows allow', () => {
    const pages = Math.ceil(157_000 / 157);
    const e = estimateHeap({ blockSize: 8192, pages, reltuples: 157_000, fillfactor: 100, columns: cols })!;
    expect(e.expectedPages).toBe(1000);
    expect(e.reclaimableBytes).toBe(0);
    expect(e.ratio).toBe(0);
  });

  it('reports the pages beyond what the live rows need', () => {
    const e = estimateHeap({ blockSize: 8192, pages: 4000, reltuples: 157_000, fillfactor: 100, columns: cols })!;
    expect(e.reclaimableBytes).toBe(3000 * 8192);
    expect(e.ratio).toBeCloseTo(0.75);
  });

  it('keeps the fillfactor reserve out of the reclaimable bytes', () => {
    const e = estimateHeap({ blockSize: 8192, pages: 2000, reltuples: 157_000, fillfactor: 50, columns: cols })!;
    // floor(4084 / 52) = 78 per page -> 2013 pages needed: nothing to reclaim
    expect(e.expectedPages).toBe(Math.ceil(157_000 / 78));
    expect(e.reclaimableBytes).toBe(0);
  });

  it('refuses to guess for a never-analyzed table', () => {
    expect(estimateHeap({ blockSize: 8192, pages: 10, reltuples: -1, fillfactor: 100, columns: cols })).toBeNull();
  });
});

describe('btree estimate', () => {
  it('sizes a uuid index close to what Postgres builds', () => {
    // 8 header + 16 key = 24 -> 24, + 4 = 28 bytes; (8192-24-16)*0.9 = 7336.8 -> 262 per leaf page
    const e = estimateBtree({ blockSize: 8192, pages: 0, reltuples: 1_000_000, fillfactor: 90, columns: [uuid] })!;
    const leaves = Math.ceil(1_000_000 / 262);
    expect(e.expectedPages).toBe(1 + leaves + Math.ceil(leaves / 100));
  });

  it('never reports negative bloat for a deduplicated (smaller than expected) index', () => {
    const e = estimateBtree({ blockSize: 8192, pages: 100, reltuples: 1_000_000, fillfactor: 90, columns: [int4] })!;
    expect(e.reclaimableBytes).toBe(0);
  });
});

describe('reloptions', () => {
  it('parses storage parameters', () => {
    const o = parseReloptions(['fillfactor=70', 'autovacuum_enabled=false']);
    expect(o.get('fillfactor')).toBe('70');
    expect(o.get('autovacuum_enabled')).toBe('false');
    expect(parseReloptions(null).size).toBe(0);
  });
});
