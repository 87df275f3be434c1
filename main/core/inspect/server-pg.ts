/**
 * What the other Postgres sections need to know first: server version, who we are (superuser,
 * pg_read_all_stats via pg_monitor), which Prefect tables and flow_run columns exist (older Prefect
 * versions lack some), the autovacuum settings, and whether pgstattuple is there and callable.
 * Catalog only: cheap on any database size.
 */
import type { PgstattupleStatus } from '../../../shared/domain/inspect';
import type { Query } from '../targets/postgres';
import type { AutovacuumDefaults } from './stats-math';

export interface PgServerFacts {
  version: string;
  versionNum: number;
  database: string;
  user: string;
  superuser: boolean;
  /** pg_read_all_stats (pg_monitor includes it): other sessions' activity and progress rows are visible. */
  readAllStats: boolean;
  blockSize: number;
  schema: string;
  /** Prefect migration head (alembic_version), null when the table is missing or unreadable. */
  migration: string | null;
  /** Tables of the current schema, by name. */
  tables: Set<string>;
  flowRunColumns: Set<string>;
  autovacuum: AutovacuumDefaults;
  freezeMaxAge: number;
  pgstattuple: PgstattupleStatus;
}

export const SERVER_SQL = `
SELECT current_setting('server_version') AS version,
       current_setting('server_version_num')::int AS version_num,
       current_database() AS database,
       current_user AS usr,
       current_schema() AS schema,
       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
       pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS read_all_stats,
       current_setting('block_size')::int AS block_size,
       current_setting('autovacuum')::bool AS av_enabled,
       current_setting('autovacuum_vacuum_threshold')::float8 AS av_vac_threshold,
       current_setting('autovacuum_vacuum_scale_factor')::float8 AS av_vac_scale,
       current_setting('autovacuum_analyze_threshold')::float8 AS av_an_threshold,
       current_setting('autovacuum_analyze_scale_factor')::float8 AS av_an_scale,
       current_setting('autovacuum_freeze_max_age')::float8 AS freeze_max_age,
       (SELECT array_agg(c.relname::text) FROM pg_class c
         WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')) AS tables,
       (SELECT array_agg(a.attname::text) FROM pg_attribute a
         WHERE a.attrelid = to_regclass('flow_run') AND a.attnum > 0 AND NOT a.attisdropped) AS flow_run_columns,
       (SELECT extversion FROM pg_extension WHERE extname = 'pgstattuple') AS pgstattuple_version,
       (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pgstattuple') AS pgstattuple_schema,
       pg_has_role(current_user, 'pg_stat_scan_tables', 'USAGE') AS scan_tables`;

interface ServerRow {
  version: string;
  version_num: number;
  database: string;
  usr: string;
  schema: string;
  superuser: boolean;
  read_all_stats: boolean;
  block_size: number;
  av_enabled: boolean;
  av_vac_threshold: number;
  av_vac_scale: number;
  av_an_threshold: number;
  av_an_scale: number;
  freeze_max_age: number;
  tables: string[] | null;
  flow_run_columns: string[] | null;
  pgstattuple_version: string | null;
  pgstattuple_schema: string | null;
  scan_tables: boolean;
}

export async function readServerFacts(q: Query): Promise<PgServerFacts> {
  const [r] = await q<ServerRow>(SERVER_SQL);
  if (!r) throw new Error('the server returned no settings');
  const tables = new Set(r.tables ?? []);
  let migration: string | null = null;
  if (tables.has('alembic_version')) {
    const rows = await q<{ v: string }>('SELECT version_num AS v FROM alembic_version').catch(() => []);
    migration = rows[0]?.v ?? null;
  }
  const installed = r.pgstattuple_version !== null;
  // pgstattuple's functions are granted to pg_stat_scan_tables (1.5+) and superusers only.
  const usable = installed && (r.superuser || r.scan_tables);
  return {
    version: r.version,
    versionNum: r.version_num,
    database: r.database,
    user: r.usr,
    superuser: r.superuser,
    readAllStats: r.superuser || r.read_all_stats,
    blockSize: r.block_size,
    schema: r.schema,
    migration,
    tables,
    flowRunColumns: new Set(r.flow_run_columns ?? []),
    autovacuum: {
      enabled: r.av_enabled,
      vacuumThreshold: r.av_vac_threshold,
      vacuumScaleFactor: r.av_vac_scale,
      analyzeThreshold: r.av_an_threshold,
      analyzeScaleFactor: r.av_an_scale,
    },
    freezeMaxAge: r.freeze_max_age,
    pgstattuple: {
      installed,
      usable,
      howTo: usable
        ? null
        : installed
          ? `GRANT pg_stat_scan_tables TO ${quoteIdent(r.usr)};  -- run as a superuser; pgstattuple is installed but this role may not call it`
          : `CREATE EXTENSION pgstattuple;  -- run as a superuser in database ${quoteIdent(r.database)} (contrib, ships with PostgreSQL); then GRANT pg_stat_scan_tables TO ${quoteIdent(r.usr)}`,
    },
  };
}

/** For the how-to text only (never for SQL we run). */
function quoteIdent(s: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`;
}
