/**
 * Space on Postgres, from the catalog and the cumulative statistics only (no table is read):
 * database size and transaction ID age; per table the estimated rows, heap / index / TOAST bytes,
 * dead tuples, (auto)vacuum and (auto)analyze times, its autovacuum settings and how far it is from
 * the next autovacuum, a bloat estimate with its confidence, and a verdict. Sizes come from
 * pg_relation_size and friends (a stat() of the files), exact at any size.
 */
import { PREFECT_TABLES, type IndexSpace, type PostgresSpace, type TableSpace } from '../../../shared/domain/inspect';
import { spaceReclaim } from '../../../shared/domain/reclaim';
import type { Query } from '../targets/postgres';
import { INDEX_COLUMNS_SQL, TABLE_COLUMNS_SQL, indexBloat, readColumnStats, tableBloat } from './bloat-pg';
import { findDuplicateIndexes, type IndexShape } from './indexes';
import type { PgServerFacts } from './server-pg';
import { autovacuumState } from './stats-math';
import { tableVerdict } from './verdict';

export const DATABASE_SQL = `
SELECT pg_database_size(d.oid) AS bytes, age(d.datfrozenxid)::int8 AS xid_age, s.stats_reset
  FROM pg_database d LEFT JOIN pg_stat_database s ON s.datid = d.oid
 WHERE d.datname = current_database()`;

export const TABLES_SQL = `
SELECT c.oid::int8 AS oid, c.relname::text AS name, c.reltuples::float8 AS reltuples, c.reloptions,
       pg_relation_size(c.oid) AS heap_bytes,
       CASE WHEN c.reltoastrelid <> 0 THEN pg_total_relation_size(c.reltoastrelid) ELSE 0 END AS toast_bytes,
       pg_indexes_size(c.oid) AS index_bytes,
       pg_total_relation_size(c.oid) AS total_bytes,
       s.n_live_tup AS live, s.n_dead_tup AS dead, s.n_mod_since_analyze AS mods,
       s.last_vacuum, s.last_autovacuum, s.last_analyze, s.last_autoanalyze,
       s.vacuum_count, s.autovacuum_count,
       CASE WHEN c.relfrozenxid <> '0'::xid THEN age(c.relfrozenxid)::int8 END AS xid_age
  FROM pg_class c
  LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
 WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'`;

export const INDEXES_SQL = `
SELECT i.indexrelid::int8 AS oid, ic.relname::text AS name, tc.relname::text AS table_name, tc.oid::int8 AS table_oid,
       i.indisunique AS is_unique, i.indisprimary AS is_primary, i.indisvalid AS is_valid,
       pg_relation_size(i.indexrelid) AS bytes, ic.reltuples::float8 AS reltuples, ic.reloptions, am.amname::text AS amname,
       pg_get_indexdef(i.indexrelid) AS definition,
       i.indkey::text AS indkey, i.indnkeyatts::int AS nkeys, i.indclass::text AS indclass, i.indoption::text AS indoption,
       coalesce(pg_get_expr(i.indexprs, i.indrelid), '') AS exprs,
       coalesce(pg_get_expr(i.indpred, i.indrelid), '') AS pred,
       s.idx_scan
  FROM pg_index i
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_class tc ON tc.oid = i.indrelid
  JOIN pg_am am ON am.oid = ic.relam
  LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = i.indexrelid
 WHERE tc.relnamespace = current_schema()::regnamespace AND tc.relkind = 'r'`;

interface TableRow {
  oid: number;
  name: string;
  reltuples: number;
  reloptions: string[] | null;
  heap_bytes: number;
  toast_bytes: number;
  index_bytes: number;
  total_bytes: number;
  live: number | null;
  dead: number | null;
  mods: number | null;
  last_vacuum: Date | null;
  last_autovacuum: Date | null;
  last_analyze: Date | null;
  last_autoanalyze: Date | null;
  vacuum_count: number | null;
  autovacuum_count: number | null;
  xid_age: number | null;
}

interface IndexRow {
  oid: number;
  name: string;
  table_name: string;
  table_oid: number;
  is_unique: boolean;
  is_primary: boolean;
  is_valid: boolean;
  bytes: number;
  reltuples: number;
  reloptions: string[] | null;
  amname: string;
  definition: string;
  indkey: string;
  nkeys: number;
  indclass: string;
  indoption: string;
  exprs: string;
  pred: string;
  idx_scan: number | null;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
const latest = (a: Date | null, b: Date | null): string | null => iso(a && b ? (a > b ? a : b) : (a ?? b));
const PREFECT = new Set<string>(PREFECT_TABLES);

export interface SpaceResult {
  space: PostgresSpace;
  notes: string[];
}

export async function readSpacePg(q: Query, facts: PgServerFacts, now = new Date()): Promise<SpaceResult> {
  const notes: string[] = [];
  const [db] = await q<{ bytes: number; xid_age: number; stats_reset: Date | null }>(DATABASE_SQL);
  const tables = await q<TableRow>(TABLES_SQL);
  const indexes = await q<IndexRow>(INDEXES_SQL);
  const tableCols = await readColumnStats(q, TABLE_COLUMNS_SQL);
  const indexCols = await readColumnStats(q, INDEX_COLUMNS_SQL);

  const byOid = new Map<number, TableRow>();
  const outTables: TableSpace[] = tables.map((t) => {
    byOid.set(Number(t.oid), t);
    const cols = tableCols.get(Number(t.oid)) ?? [];
    const lastAnalyzeAt = latest(t.last_analyze, t.last_autoanalyze);
    const bloat = tableBloat({
      blockSize: facts.blockSize,
      heapBytes: Number(t.heap_bytes),
      toastBytes: Number(t.toast_bytes),
      reltuples: t.reltuples,
      reloptions: t.reloptions,
      columns: cols,
      lastAnalyzeAt,
      modsSinceAnalyze: t.mods,
      now,
    });
    const live = t.live;
    const dead = t.dead;
    const deadShare = live !== null && dead !== null && live + dead > 0 ? dead / (live + dead) : null;
    const autovacuum = autovacuumState(facts.autovacuum, t.reloptions, t.reltuples, dead, t.mods);
    return {
      name: t.name,
      prefect: PREFECT.has(t.name),
      rowsEstimate: t.reltuples < 0 ? null : Math.round(t.reltuples),
      rowsExact: false,
      heapBytes: Number(t.heap_bytes),
      indexBytes: Number(t.index_bytes),
      toastBytes: Number(t.toast_bytes),
      totalBytes: Number(t.total_bytes),
      liveTuples: live,
      deadTuples: dead,
      deadShare,
      modsSinceAnalyze: t.mods,
      lastVacuum: iso(t.last_vacuum),
      lastAutovacuum: iso(t.last_autovacuum),
      lastAnalyze: iso(t.last_analyze),
      lastAutoanalyze: iso(t.last_autoanalyze),
      vacuumCount: t.vacuum_count,
      autovacuumCount: t.autovacuum_count,
      autovacuum,
      xidAge: t.xid_age,
      bloat,
      exact: null,
      verdict: tableVerdict({
        heapBytes: Number(t.heap_bytes),
        deadTuples: dead,
        deadShare,
        reclaimableBytes: bloat.reclaimableBytes,
        ratio: bloat.ratio,
        exact: false,
        confidence: bloat.confidence.level,
        autovacuum,
      }),
    };
  });
  outTables.sort((a, b) => b.totalBytes - a.totalBytes || a.name.localeCompare(b.name));

  const shapes: IndexShape[] = indexes.map((i) => ({
    name: i.name,
    table: i.table_name,
    amname: i.amname,
    unique: i.is_unique,
    keys: i.indkey.split(' ').slice(0, i.nkeys),
    opclasses: i.indclass.split(' ').slice(0, i.nkeys),
    options: i.indoption.split(' ').slice(0, i.nkeys),
    exprs: i.exprs,
    pred: i.pred,
  }));
  const dups = findDuplicateIndexes(shapes);
  const outIndexes: IndexSpace[] = indexes.map((i) => {
    const t = byOid.get(Number(i.table_oid));
    const bloat = indexBloat({
      blockSize: facts.blockSize,
      bytes: Number(i.bytes),
      reltuples: i.reltuples,
      reloptions: i.reloptions,
      amname: i.amname,
      columns: indexCols.get(Number(i.oid)) ?? [],
      lastAnalyzeAt: t ? latest(t.last_analyze, t.last_autoanalyze) : null,
      modsSinceAnalyze: t?.mods ?? null,
      now,
    });
    return {
      table: i.table_name,
      name: i.name,
      bytes: Number(i.bytes),
      scans: i.idx_scan,
      unique: i.is_unique,
      primary: i.is_primary,
      valid: i.is_valid,
      definition: i.definition,
      unused: i.idx_scan === 0 && !i.is_unique && !i.is_primary,
      duplicateOf: dups.get(i.name) ?? null,
      bloat,
      exact: null,
    };
  });
  outIndexes.sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));

  if (outTables.every((t) => t.liveTuples === null)) {
    notes.push('Table statistics (pg_stat_user_tables) are not visible to this role: dead tuples and vacuum times are missing.');
  }
  const invalid = outIndexes.filter((i) => !i.valid);
  if (invalid.length > 0) {
    notes.push(
      `INVALID index${invalid.length > 1 ? 'es' : ''} ${invalid.map((i) => i.name).join(', ')}: left behind by an interrupted CREATE INDEX CONCURRENTLY; it costs writes and is never used. Drop and recreate it.`,
    );
  }
  // The headline is the sum of the per-table rows (heap and indexes), computed one way everywhere.
  const total = spaceReclaim({ tables: outTables, indexes: outIndexes }).total;
  const reclaimable = total.bytes;
  const margin = total.marginBytes;
  return {
    space: {
      kind: 'postgres',
      databaseName: facts.database,
      databaseBytes: db ? Number(db.bytes) : null,
      xidAge: db ? Number(db.xid_age) : null,
      xidFreezeMaxAge: facts.freezeMaxAge,
      statsResetAt: db?.stats_reset ? db.stats_reset.toISOString() : null,
      tables: outTables,
      indexes: outIndexes,
      reclaimableBytes: Math.round(reclaimable),
      reclaimableMarginBytes: Math.round(margin),
      pgstattuple: facts.pgstattuple,
    },
    notes,
  };
}
