/**
 * The inputs of the bloat estimate, read from the catalog: per table and per index, the stored
 * columns in order with their type's length/alignment and pg_stats' average width and null fraction.
 * pg_stats only shows columns the role may SELECT, which is exactly what makes the classic estimate
 * silently wrong for a pg_monitor-only role; here a missing row simply lowers the confidence to none.
 */
import type { BloatEstimate } from '../../../shared/domain/inspect';
import type { Query } from '../targets/postgres';
import { estimateBtree, estimateHeap, parseReloptions, type ColumnStat } from './bloat-math';
import { estimateConfidence, withPrecision } from './confidence';

export const TABLE_COLUMNS_SQL = `
SELECT a.attrelid::int8 AS relid, t.typlen::int AS typlen, t.typalign::text AS typalign,
       s.avg_width::float8 AS avg_width, s.null_frac::float8 AS null_frac
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_stats s ON s.schemaname = current_schema() AND s.tablename = c.relname AND s.attname = a.attname AND NOT s.inherited
 WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attrelid, a.attnum`;

/**
 * Index columns as stored (the index's own pg_attribute gives the key types, expressions included);
 * statistics of plain key columns come from the table, of expression keys from the index itself
 * (ANALYZE collects them for expression indexes).
 */
export const INDEX_COLUMNS_SQL = `
SELECT a.attrelid::int8 AS relid, t.typlen::int AS typlen, t.typalign::text AS typalign,
       coalesce(ts.avg_width, xs.avg_width)::float8 AS avg_width,
       coalesce(ts.null_frac, xs.null_frac)::float8 AS null_frac
  FROM pg_index i
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_class tc ON tc.oid = i.indrelid
  JOIN pg_attribute a ON a.attrelid = i.indexrelid AND a.attnum > 0
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_attribute ta ON i.indkey[a.attnum - 1] > 0 AND ta.attrelid = i.indrelid AND ta.attnum = i.indkey[a.attnum - 1]
  LEFT JOIN pg_stats ts ON ts.schemaname = current_schema() AND ts.tablename = tc.relname AND ts.attname = ta.attname AND NOT ts.inherited
  LEFT JOIN pg_stats xs ON i.indkey[a.attnum - 1] = 0 AND xs.schemaname = current_schema() AND xs.tablename = ic.relname AND xs.attname = a.attname
 WHERE tc.relnamespace = current_schema()::regnamespace AND tc.relkind = 'r'
 ORDER BY a.attrelid, a.attnum`;

interface ColumnRow {
  relid: number;
  typlen: number;
  typalign: string;
  avg_width: number | null;
  null_frac: number | null;
}

export async function readColumnStats(q: Query, sql: string): Promise<Map<number, ColumnStat[]>> {
  const rows = await q<ColumnRow>(sql);
  const out = new Map<number, ColumnStat[]>();
  for (const r of rows) {
    const list = out.get(Number(r.relid)) ?? [];
    list.push({ typlen: r.typlen, typalign: r.typalign, avgWidth: r.avg_width, nullFrac: r.null_frac });
    out.set(Number(r.relid), list);
  }
  return out;
}

export interface TableBloatInput {
  blockSize: number;
  heapBytes: number;
  toastBytes: number;
  reltuples: number;
  reloptions: string[] | null;
  columns: ColumnStat[];
  lastAnalyzeAt: string | null;
  modsSinceAnalyze: number | null;
  now?: Date;
}

export function tableBloat(i: TableBloatInput): BloatEstimate {
  const fillfactor = Number(parseReloptions(i.reloptions).get('fillfactor') ?? 100) || 100;
  const confidence = estimateConfidence({
    kind: 'table',
    relBytes: i.heapBytes,
    columns: i.columns.length,
    columnsWithStats: i.columns.filter((c) => c.avgWidth !== null).length,
    reltuples: i.reltuples,
    lastAnalyzeAt: i.lastAnalyzeAt,
    modsSinceAnalyze: i.modsSinceAnalyze,
    toastBytes: i.toastBytes,
    heapBytes: i.heapBytes,
    now: i.now,
  });
  const est = confidence.level === 'none' ? null : estimateHeap({ blockSize: i.blockSize, pages: Math.round(i.heapBytes / i.blockSize), reltuples: i.reltuples, fillfactor, columns: i.columns });
  if (!est) return { reclaimableBytes: null, expectedBytes: null, ratio: null, confidence: { ...confidence, level: 'none', margin: null } };
  return { reclaimableBytes: est.reclaimableBytes, expectedBytes: est.expectedBytes, ratio: est.ratio, confidence: withPrecision(confidence, est.reclaimableBytes, i.heapBytes) };
}

export interface IndexBloatInput {
  blockSize: number;
  bytes: number;
  reltuples: number;
  reloptions: string[] | null;
  amname: string;
  columns: ColumnStat[];
  lastAnalyzeAt: string | null;
  modsSinceAnalyze: number | null;
  now?: Date;
}

export function indexBloat(i: IndexBloatInput): BloatEstimate {
  const fillfactor = Number(parseReloptions(i.reloptions).get('fillfactor') ?? 90) || 90;
  const confidence = estimateConfidence({
    kind: 'index',
    relBytes: i.bytes,
    columns: i.columns.length,
    columnsWithStats: i.columns.filter((c) => c.avgWidth !== null).length,
    reltuples: i.reltuples,
    lastAnalyzeAt: i.lastAnalyzeAt,
    modsSinceAnalyze: i.modsSinceAnalyze,
    ...(i.amname !== 'btree' ? { unsupported: `only btree indexes are estimated (this one is ${i.amname})` } : {}),
    now: i.now,
  });
  const est = confidence.level === 'none' ? null : estimateBtree({ blockSize: i.blockSize, pages: Math.round(i.bytes / i.blockSize), reltuples: i.reltuples, fillfactor, columns: i.columns });
  if (!est) return { reclaimableBytes: null, expectedBytes: null, ratio: null, confidence: { ...confidence, level: 'none', margin: null } };
  return { reclaimableBytes: est.reclaimableBytes, expectedBytes: est.expectedBytes, ratio: est.ratio, confidence: withPrecision(confidence, est.reclaimableBytes, i.bytes) };
}
