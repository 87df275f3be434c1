/**
 * What the database role may do, answered by Postgres itself (has_table_privilege / pg_has_role), so a
 * feature can say up front "this role cannot delete runs" instead of failing halfway through a purge.
 *
 * - readStatistics: superuser, or pg_read_all_stats (pg_monitor includes it). Without it
 *   pg_stat_activity and pg_stat_progress_* hide other sessions' queries and progress (autovacuum's);
 *   the role's own tables' statistics stay readable.
 * - readPgStats: pg_stats only shows columns of tables the role can SELECT, so SELECT on flow_run.
 * - deleteRuns: DELETE on every table a purge touches directly.
 * - vacuum: PG 17+ asks has_table_privilege(…, 'MAINTAIN') (owner, pg_maintain or a grant); before 17
 *   VACUUM needs the table owner, the database owner or a superuser.
 */
import type { DbPermissions } from '../../../shared/domain/connection';
import type { PostgresTarget } from '../targets/postgres';
import type { SqliteTarget } from '../targets/sqlite';

/** Tables a purge deletes from (directly or via cascade it must be allowed to trigger). */
export const PURGE_TABLES = ['flow_run', 'flow_run_state', 'task_run', 'task_run_state', 'log', 'artifact'] as const;

interface RoleRow {
  superuser: boolean;
  read_all_stats: boolean;
  monitor: boolean;
  db_owner: boolean;
  version_num: number;
}

interface TableRow {
  name: string;
  present: boolean;
  can_select: boolean | null;
  can_delete: boolean | null;
  owner: boolean | null;
}

export async function postgresPermissions(pg: PostgresTarget, signal?: AbortSignal): Promise<DbPermissions> {
  return pg.readOnly(
    async (q) => {
      const [role] = await q<RoleRow>(
        `SELECT r.rolsuper AS superuser,
                pg_has_role('pg_read_all_stats', 'USAGE') AS read_all_stats,
                pg_has_role('pg_monitor', 'USAGE') AS monitor,
                pg_has_role(d.datdba, 'USAGE') AS db_owner,
                current_setting('server_version_num')::int AS version_num
           FROM pg_roles r, pg_database d
          WHERE r.rolname = current_user AND d.datname = current_database()`,
      );
      // to_regclass resolves through the search_path the Prefect tables are found with; a missing
      // table yields NULL instead of an error, so the privilege functions are only called on real ones.
      const tables = await q<TableRow>(
        `SELECT t.name,
                c.oid IS NOT NULL AS present,
                CASE WHEN c.oid IS NULL THEN NULL ELSE has_table_privilege(c.oid, 'SELECT') END AS can_select,
                CASE WHEN c.oid IS NULL THEN NULL ELSE has_table_privilege(c.oid, 'DELETE') END AS can_delete,
                CASE WHEN c.oid IS NULL THEN NULL ELSE pg_has_role(c.relowner, 'USAGE') END AS owner
           FROM unnest($1::text[]) WITH ORDINALITY AS t(name, ord)
           LEFT JOIN pg_class c ON c.oid = to_regclass(t.name)
          ORDER BY t.ord`,
        [PURGE_TABLES],
      );
      let maintain: boolean | null = null;
      if ((role?.version_num ?? 0) >= 170000 && tables.find((t) => t.name === 'flow_run')?.present) {
        // The MAINTAIN privilege name is a syntax error before PG 17, hence the separate query.
        const [m] = await q<{ ok: boolean }>(`SELECT has_table_privilege(to_regclass('flow_run'), 'MAINTAIN') AS ok`);
        maintain = m?.ok ?? false;
      }
      return summarise(role, tables, maintain);
    },
    { signal },
  );
}

function summarise(role: RoleRow | undefined, tables: TableRow[], maintain: boolean | null): DbPermissions {
  const notes: string[] = [];
  const su = role?.superuser === true;
  if (su) notes.push('The role is a superuser: it can do everything (consider a less powerful role for day-to-day use).');

  const readStatistics = su || role?.read_all_stats === true;
  // Worded for what is actually missing: the role reads its own tables' sizes, dead rows and vacuum
  // times without pg_read_all_stats (the Overview shows them); only other sessions' activity, such as
  // autovacuum's progress, is hidden (issue #13 item 6).
  if (!readStatistics) notes.push("Cannot see other sessions' activity (autovacuum progress, their queries): GRANT pg_monitor (or pg_read_all_stats) TO the role to see it. Table sizes, dead rows and vacuum times are readable without it.");
  else if (!su) notes.push(role?.monitor ? 'Member of pg_monitor.' : 'Member of pg_read_all_stats.');

  const flowRun = tables.find((t) => t.name === 'flow_run');
  const readPgStats = su || flowRun?.can_select === true;
  if (!flowRun?.present) notes.push('The table flow_run was not found (not a Prefect database, or another schema).');
  else if (!readPgStats) notes.push('Cannot SELECT from flow_run, so pg_stats and row counts are unavailable: GRANT SELECT ON ALL TABLES IN SCHEMA public TO the role.');

  const missing = tables.filter((t) => !t.present).map((t) => t.name);
  const noDelete = tables.filter((t) => t.present && !t.can_delete).map((t) => t.name);
  const deleteRuns = su || (missing.length === 0 && noDelete.length === 0);
  if (!su && noDelete.length > 0) notes.push(`Cannot DELETE from ${noDelete.join(', ')}: purging runs needs DELETE on ${PURGE_TABLES.join(', ')}.`);
  if (missing.length > 0 && flowRun?.present) notes.push(`Tables not found: ${missing.join(', ')}.`);

  const vacuum = su || (maintain ?? (flowRun?.owner === true || role?.db_owner === true));
  if (!vacuum) {
    notes.push(
      maintain === null
        ? 'Cannot VACUUM flow_run: it needs the table owner (usually the role the Prefect server uses) or a superuser.'
        : 'Cannot VACUUM flow_run: it needs the table owner, pg_maintain, or GRANT MAINTAIN ON flow_run.',
    );
  }
  return { readStatistics, readPgStats, deleteRuns, vacuum, notes };
}

/**
 * SQLite has no roles: what matters is whether this process may write the file and its directory
 * (SQLite creates -journal/-wal files beside it).
 */
export function sqlitePermissions(db: SqliteTarget): DbPermissions {
  const w = db.writable();
  const notes: string[] = ['SQLite has no statistics permissions; pg_stats is PostgreSQL-only.'];
  const canWrite = w.file && w.directory;
  if (!w.file) notes.push(`The file ${db.file} is not writable by this user: deleting runs and VACUUM are unavailable.`);
  else if (!w.directory) notes.push('The directory of the database file is not writable, so SQLite cannot create its journal: writes will fail.');
  return { readStatistics: true, readPgStats: false, deleteRuns: canWrite, vacuum: canWrite, notes };
}
