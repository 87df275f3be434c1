/**
 * On demand, exact measurement with the pgstattuple extension: pgstattuple_approx for tables (reads
 * only pages the visibility map does not mark all-visible, so it is far cheaper than pgstattuple) and
 * pgstatindex for btree indexes. Housekeeper never installs the extension; when it is missing the
 * report says how (server-pg.ts `howTo`). Runs table by table as a job, each in its own read-only
 * transaction, so a cancel stops between relations and a long one can be cancelled in Postgres.
 */
import { AppError } from '../../../shared/errors';
import type { ExactMeasure } from '../../../shared/domain/inspect';
import type { PostgresTarget } from '../targets/postgres';

export const PGSTATTUPLE_APPROX_SQL = `
SELECT table_len::float8 AS table_len, scanned_percent::float8 AS scanned, approx_tuple_len::float8 AS live_len,
       dead_tuple_len::float8 AS dead_len, approx_free_space::float8 AS free,
       (SELECT coalesce((regexp_match(array_to_string(c.reloptions, ','), 'fillfactor=(\\d+)'))[1]::int, 100)
          FROM pg_class c WHERE c.oid = to_regclass($1)) AS fillfactor
  FROM pgstattuple_approx(to_regclass($1))`;

export const PGSTATINDEX_SQL = `
SELECT index_size::float8 AS size, avg_leaf_density::float8 AS density, leaf_pages::float8 AS leaves,
       (SELECT coalesce((regexp_match(array_to_string(c.reloptions, ','), 'fillfactor=(\\d+)'))[1]::int, 90)
          FROM pg_class c WHERE c.oid = to_regclass($1)) AS fillfactor
  FROM pgstatindex($1)`;

/**
 * Table: dead tuples plus free space beyond the fillfactor reserve are what a rewrite would give
 * back. Index: leaves filled less than the fillfactor, scaled over the leaf pages.
 */
export function reclaimableFromTuple(tableLen: number, dead: number, free: number, fillfactor: number): number {
  const reserve = tableLen * (1 - Math.min(100, Math.max(10, fillfactor)) / 100);
  return Math.max(0, Math.round(dead + free - reserve));
}

export function reclaimableFromIndex(size: number, density: number, fillfactor: number): number {
  if (!Number.isFinite(density) || density <= 0) return 0;
  const ff = Math.min(100, Math.max(10, fillfactor));
  return Math.max(0, Math.round(size * (1 - density / ff)));
}

export interface ExactTarget {
  kind: 'table' | 'index';
  name: string;
}

/** Measures one relation; the name must be one the catalog listed (it is passed as a parameter anyway). */
export async function measureExact(pg: PostgresTarget, t: ExactTarget, signal?: AbortSignal): Promise<ExactMeasure> {
  const t0 = Date.now();
  const at = new Date().toISOString();
  // No statement timeout: a big table takes minutes by design; the job's cancel reaches Postgres.
  return pg.readOnly(
    async (q) => {
      if (t.kind === 'table') {
        const [r] = await q<{ table_len: number; scanned: number; live_len: number; dead_len: number; free: number; fillfactor: number }>(PGSTATTUPLE_APPROX_SQL, [t.name]);
        if (!r) throw new AppError('NOT_FOUND', `pgstattuple_approx returned nothing for ${t.name}.`);
        return {
          method: 'pgstattuple_approx' as const,
          measuredAt: at,
          durationMs: Date.now() - t0,
          sizeBytes: r.table_len,
          liveBytes: r.live_len,
          deadBytes: r.dead_len,
          freeBytes: r.free,
          scannedPercent: r.scanned,
          leafDensity: null,
          reclaimableBytes: reclaimableFromTuple(r.table_len, r.dead_len, r.free, r.fillfactor),
        };
      }
      const [r] = await q<{ size: number; density: number; leaves: number; fillfactor: number }>(PGSTATINDEX_SQL, [t.name]);
      if (!r) throw new AppError('NOT_FOUND', `pgstatindex returned nothing for ${t.name}.`);
      return {
        method: 'pgstatindex' as const,
        measuredAt: at,
        durationMs: Date.now() - t0,
        sizeBytes: r.size,
        liveBytes: null,
        deadBytes: null,
        freeBytes: null,
        scannedPercent: 100,
        leafDensity: r.density,
        reclaimableBytes: reclaimableFromIndex(r.size, r.density, r.fillfactor),
      };
    },
    { signal, statementTimeoutMs: 0 },
  );
}
