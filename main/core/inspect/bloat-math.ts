/**
 * Statistical bloat estimation, pure arithmetic over catalog statistics (no I/O), so it can be unit
 * tested against hand-computed pages.
 *
 * The approach is the one of ioguix/pgsql-bloat-estimation and check_postgres: from pg_stats'
 * average column widths and null fractions, work out how big a tuple is, how many fit on a page, and
 * so how many pages `reltuples` live rows need; whatever the relation has beyond that (and beyond
 * its fillfactor reserve) is reclaimable. Two known flaws of that query are handled here:
 * - alignment padding between columns used to count as bloat; we lay the columns out in attnum order
 *   with their real alignment (short varlenas are packed, unaligned), as heap_form_tuple does;
 * - TOAST is not estimated at all (pg_stats widths of TOASTed values are the pointer, not the data),
 *   and the confidence says so instead of mismeasuring it (ioguix issue #24).
 */

export const PAGE_HEADER = 24; // SizeOfPageHeaderData
export const ITEM_ID = 4; // sizeof(ItemIdData): the line pointer of every tuple
export const HEAP_TUPLE_HEADER = 23; // SizeofHeapTupleHeader
export const INDEX_TUPLE_HEADER = 8; // sizeof(IndexTupleData)
export const BTREE_SPECIAL = 16; // sizeof(BTPageOpaqueData), MAXALIGNed
export const MAXALIGN = 8;

export interface ColumnStat {
  /** pg_stats.avg_width; null when the column has no statistics row (never analyzed, or not readable). */
  avgWidth: number | null;
  nullFrac: number | null;
  /** pg_type.typlen: > 0 fixed width, -1 varlena, -2 cstring. */
  typlen: number;
  /** pg_type.typalign: c, s, i, d. */
  typalign: string;
}

const ALIGN: Record<string, number> = { c: 1, s: 2, i: 4, d: 8 };

export function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/**
 * Expected data bytes of one tuple: columns laid out in order, each aligned to its type's alignment
 * when present. A varlena whose average is under 127 bytes is stored with a 1-byte header and no
 * alignment (it is "packed"), which is the common case for names, slugs and small JSON.
 * Returns null when any column lacks statistics (then we do not know the width).
 */
export function tupleDataWidth(columns: readonly ColumnStat[]): number | null {
  let offset = 0;
  for (const c of columns) {
    if (c.avgWidth === null) return null;
    const present = 1 - Math.min(1, Math.max(0, c.nullFrac ?? 0));
    const packed = c.typlen === -1 && c.avgWidth < 127;
    const align = packed ? 1 : (ALIGN[c.typalign] ?? 1);
    const width = c.typlen > 0 ? c.typlen : c.avgWidth;
    // Expected value: the padding is only paid when the value is there.
    offset += present * (alignUp(offset, align) - offset + width);
  }
  return offset;
}

export interface HeapInput {
  blockSize: number;
  /** Heap pages (pg_class.relpages, or pg_relation_size / block size, which is exact). */
  pages: number;
  /** pg_class.reltuples: live rows at the last VACUUM/ANALYZE; < 0 means never. */
  reltuples: number;
  fillfactor: number;
  columns: readonly ColumnStat[];
}

export interface RawEstimate {
  expectedPages: number;
  expectedBytes: number;
  actualBytes: number;
  reclaimableBytes: number;
  ratio: number;
  tupleBytes: number;
}

/** Heap tuple size including header (with a null bitmap when any column has nulls) and line pointer. */
export function heapTupleBytes(columns: readonly ColumnStat[]): number | null {
  const data = tupleDataWidth(columns);
  if (data === null) return null;
  const hasNulls = columns.some((c) => (c.nullFrac ?? 0) > 0);
  const header = HEAP_TUPLE_HEADER + (hasNulls ? Math.ceil(columns.length / 8) : 0);
  return alignUp(header, MAXALIGN) + alignUp(data, MAXALIGN) + ITEM_ID;
}

export function estimateHeap(input: HeapInput): RawEstimate | null {
  if (input.reltuples < 0 || input.columns.length === 0) return null;
  const tuple = heapTupleBytes(input.columns);
  if (tuple === null) return null;
  const usable = (input.blockSize - PAGE_HEADER) * (Math.min(100, Math.max(10, input.fillfactor)) / 100);
  const perPage = Math.max(1, Math.floor(usable / tuple));
  const expectedPages = input.reltuples === 0 ? 0 : Math.ceil(input.reltuples / perPage);
  return finish(input.blockSize, input.pages, expectedPages, tuple);
}

export interface BtreeInput {
  blockSize: number;
  pages: number;
  /** Index entries (pg_class.reltuples of the index). */
  reltuples: number;
  /** Leaf fillfactor (btree default 90). */
  fillfactor: number;
  /** Key and INCLUDE columns, in index order. */
  columns: readonly ColumnStat[];
}

/**
 * btree: leaf tuples are IndexTupleData + keys (MAXALIGNed) + line pointer; leaves are filled to the
 * fillfactor on build; about 1 % more pages are internal, plus the metapage. Deduplication (PG 13+)
 * makes real indexes on repetitive keys smaller than this, which shows as zero bloat, never as fake
 * bloat: we clamp at zero.
 */
export function estimateBtree(input: BtreeInput): RawEstimate | null {
  if (input.reltuples < 0 || input.columns.length === 0) return null;
  const data = tupleDataWidth(input.columns);
  if (data === null) return null;
  const hasNulls = input.columns.some((c) => (c.nullFrac ?? 0) > 0);
  // INDEX_NULL_MASK adds a fixed-size bitmap (IndexAttributeBitMapData) after the header.
  const header = INDEX_TUPLE_HEADER + (hasNulls ? 4 : 0);
  const tuple = alignUp(header + data, MAXALIGN) + ITEM_ID;
  const usable = (input.blockSize - PAGE_HEADER - BTREE_SPECIAL) * (Math.min(100, Math.max(10, input.fillfactor)) / 100);
  const perPage = Math.max(1, Math.floor(usable / tuple));
  const leaves = input.reltuples === 0 ? 1 : Math.ceil(input.reltuples / perPage);
  const expectedPages = 1 + leaves + Math.ceil(leaves / 100);
  return finish(input.blockSize, input.pages, expectedPages, tuple);
}

function finish(blockSize: number, pages: number, expectedPages: number, tupleBytes: number): RawEstimate {
  const actualBytes = pages * blockSize;
  const expectedBytes = expectedPages * blockSize;
  const reclaimableBytes = Math.max(0, actualBytes - expectedBytes);
  return {
    expectedPages,
    expectedBytes,
    actualBytes,
    reclaimableBytes,
    ratio: actualBytes > 0 ? reclaimableBytes / actualBytes : 0,
    tupleBytes,
  };
}

/** Parses pg_class.reloptions ("fillfactor=70", "autovacuum_enabled=false", ...) into a map. */
export function parseReloptions(opts: readonly string[] | null | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of opts ?? []) {
    const i = o.indexOf('=');
    if (i > 0) out.set(o.slice(0, i).toLowerCase(), o.slice(i + 1));
  }
  return out;
}
