/**
 * Orphaned logs and artifacts: rows whose flow run is gone (neither table has a foreign key to
 * flow_run, so a plain DELETE FROM flow_run leaves them). Counting them exactly is the NOT EXISTS
 * anti-join that pins Prefect's own db_vacuum at 100 % CPU for hours on a 357M-row log table
 * (Prefect #22874, #23079). So we sample: TABLESAMPLE SYSTEM reads a fixed number of whole pages
 * (about SAMPLE_PAGES, whatever the table's size), LIMIT caps the rows, and each sampled row is
 * checked against pk_flow_run. The result is an estimate with a margin, exact on small tables.
 */
import type { SampledCount } from '../../../shared/domain/inspect';
import type { Query } from '../targets/postgres';
import { extrapolateClusters } from './stats-math';

export const SAMPLE_PAGES = 400;
export const SAMPLE_ROW_LIMIT = 40_000;
/** Fixed seed: two inspections of an unchanged table sample the same pages and agree. */
export const SAMPLE_SEED = 20_240_811;

export const RELSIZE_SQL = `
SELECT greatest(c.reltuples, 0)::float8 AS reltuples,
       (pg_relation_size(c.oid) / current_setting('block_size')::int)::int8 AS pages
  FROM pg_class c WHERE c.oid = to_regclass($1)`;

// One statement per table (identifiers cannot be parameters); both are fixed text.
export const ORPHAN_LOGS_SQL = `
SELECT (l.ctid::text::point)[0]::int8 AS page, count(*) AS n,
       count(*) FILTER (WHERE l.flow_run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM flow_run fr WHERE fr.id = l.flow_run_id)) AS k
  FROM (SELECT ctid, flow_run_id FROM log TABLESAMPLE SYSTEM ($1) REPEATABLE ($2) LIMIT $3) l
 GROUP BY 1`;

export const ORPHAN_ARTIFACTS_SQL = `
SELECT (a.ctid::text::point)[0]::int8 AS page, count(*) AS n,
       count(*) FILTER (WHERE a.flow_run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM flow_run fr WHERE fr.id = a.flow_run_id)) AS k
  FROM (SELECT ctid, flow_run_id FROM artifact TABLESAMPLE SYSTEM ($1) REPEATABLE ($2) LIMIT $3) a
 GROUP BY 1`;

/** Percentage of pages that makes about SAMPLE_PAGES pages. */
export function samplePercent(pages: number): number {
  if (pages <= SAMPLE_PAGES) return 100;
  return Math.max(0.0001, (100 * SAMPLE_PAGES) / pages);
}

export async function sampleOrphans(q: Query, table: 'log' | 'artifact'): Promise<SampledCount> {
  const [size] = await q<{ reltuples: number; pages: number }>(RELSIZE_SQL, [table]);
  if (!size) return { count: 0, exact: true, sampledRows: 0, foundInSample: 0, margin: 0 };
  const pages = Number(size.pages);
  const pct = samplePercent(pages);
  const rows = await q<{ page: number; n: number; k: number }>(table === 'log' ? ORPHAN_LOGS_SQL : ORPHAN_ARTIFACTS_SQL, [pct, SAMPLE_SEED, SAMPLE_ROW_LIMIT]);
  const clusters = rows.map((r) => ({ n: Number(r.n), k: Number(r.k) }));
  const exactSample = pct >= 100 && clusters.reduce((s, c) => s + c.n, 0) < SAMPLE_ROW_LIMIT;
  if (exactSample) {
    const found = clusters.reduce((s, c) => s + c.k, 0);
    const n = clusters.reduce((s, c) => s + c.n, 0);
    return { count: found, exact: true, sampledRows: n, foundInSample: found, margin: 0 };
  }
  return extrapolateClusters(clusters, Math.max(Number(size.reltuples), 1), Math.max(pages, clusters.length));
}
