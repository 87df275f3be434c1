/**
 * The database half of a connection test: reachable -> Prefect database -> (same server, needs the
 * API) -> permissions. Works on a Postgres pool or a SQLite file opened read-only.
 */
import type { Check, DbPermissions } from '../../../shared/domain/connection';
import { PostgresTarget } from '../targets/postgres';
import { SqliteTarget } from '../targets/sqlite';
import type { PrefectApi } from '../targets/prefect-api';
import { postgresPermissions, sqlitePermissions } from './db-permissions';
import { runCheck, skip, type CheckOutcome } from './check-runner';
import { countDeploymentsAndFlows, existingIds, prefectDbInfo, type DbHandle } from './prefect-db';
import type { ResolvedConnection } from './types';
import { formatBytes } from '../../../shared/text/bytes';

export interface DbCheckState {
  checks: Check[];
  handle: DbHandle | null;
  serverVersion: string | null;
  migration: string | null;
  isPrefect: boolean;
  permissions: DbPermissions | null;
}

export function openDb(db: ResolvedConnection['db']): DbHandle | null {
  if (db.kind === 'postgres') return { kind: 'postgres', pg: new PostgresTarget(db, { maxConnections: 2, connectTimeoutMs: 8_000, statementTimeoutMs: 15_000 }) };
  if (db.kind === 'sqlite') return { kind: 'sqlite', sqlite: new SqliteTarget(db.path) };
  return null;
}

export async function closeDb(h: DbHandle | null): Promise<void> {
  if (h?.kind === 'postgres') await h.pg.close();
  if (h?.kind === 'sqlite') h.sqlite.close();
}

/** db.reachable and db.prefect. */
export async function runDbChecks(conn: ResolvedConnection, handle: DbHandle | null, signal?: AbortSignal): Promise<DbCheckState> {
  const st: DbCheckState = { checks: [], handle, serverVersion: null, migration: null, isPrefect: false, permissions: null };
  if (!handle) {
    st.checks.push(await runCheck('db.reachable', () => skip('No database configured (API-only connection).')));
    st.checks.push(await runCheck('db.prefect', () => skip('No database configured.')));
    return st;
  }

  let reachable = false;
  st.checks.push(
    await runCheck('db.reachable', async (): Promise<CheckOutcome> => {
      if (handle.kind === 'postgres') {
        const info = await handle.pg.serverInfo({ signal });
        st.serverVersion = `PostgreSQL ${info.version}`;
        reachable = true;
        return { status: 'ok', detail: `PostgreSQL ${info.version} at ${handle.pg.config.host}:${handle.pg.config.port}, database "${info.database}" as "${info.currentUser}"${handle.pg.usingTls ? ', TLS' : ''}.` };
      }
      const info = handle.sqlite.info();
      st.serverVersion = `SQLite ${info.version}`;
      reachable = true;
      return { status: 'ok', detail: `SQLite ${info.version}, ${formatBytes(info.sizeBytes)}, journal mode ${info.journalMode}: ${handle.sqlite.file}.` };
    }, signal),
  );
  if (!reachable) {
    st.checks.push(await runCheck('db.prefect', () => skip('Skipped: the database is not reachable.')));
    return st;
  }

  st.checks.push(
    await runCheck('db.prefect', async (): Promise<CheckOutcome> => {
      const info = await prefectDbInfo(handle, signal);
      st.migration = info.migration;
      const where = conn.db.kind === 'postgres' ? `The database "${conn.db.database}"` : 'This SQLite file';
      if (!info.hasAlembic || !info.hasFlowRun || !info.migration) {
        return {
          status: 'fail',
          detail: `${where} is not a Prefect database (${!info.hasFlowRun ? 'no flow_run table' : 'no alembic_version migration stamp'}).`,
          hint:
            conn.db.kind === 'postgres'
              ? 'Use the database from the Prefect server\'s PREFECT_SERVER_DATABASE_CONNECTION_URL (often "prefect").'
              : 'Use the Prefect server\'s database file, usually $PREFECT_HOME/prefect.db (~/.prefect/prefect.db).',
        };
      }
      st.isPrefect = true;
      return { status: 'ok', detail: `Prefect database at migration ${info.migration}.` };
    }, signal),
  );
  return st;
}

/** db.same-server: recent deployments (or flows) from the API must exist in this database. */
export async function runSameServerCheck(api: PrefectApi | null, apiOk: boolean, st: DbCheckState, signal?: AbortSignal): Promise<Check> {
  const handle = st.handle;
  if (!handle) return runCheck('db.same-server', () => skip('No database configured.'));
  if (!st.isPrefect) return runCheck('db.same-server', () => skip('Skipped: the database is not a recognised Prefect database.'));
  if (!api || !apiOk) return runCheck('db.same-server', () => skip('Skipped: needs a working, authenticated API.'));
  return runCheck(
    'db.same-server',
    async (): Promise<CheckOutcome> => {
      const req = { signal, retries: 0, timeoutMs: 8_000 };
      let table: 'deployment' | 'flow' = 'deployment';
      let ids = (await api.filterDeployments({ sort: 'CREATED_DESC', limit: 5 }, req)).map((d) => d.id.toLowerCase());
      if (ids.length === 0) {
        table = 'flow';
        ids = (await api.filterFlows({ sort: 'CREATED_DESC', limit: 5 }, req)).map((f) => f.id.toLowerCase());
      }
      const noun = (k: number) => (table === 'deployment' ? (k === 1 ? 'deployment' : 'deployments') : k === 1 ? 'flow' : 'flows');
      const hint = 'The database and the API URL belong to different Prefect servers: use the database from this server\'s PREFECT_SERVER_DATABASE_CONNECTION_URL.';
      if (ids.length === 0) {
        const counts = await countDeploymentsAndFlows(handle, signal);
        if (counts.deployments === 0 && counts.flows === 0) {
          return { status: 'warn', detail: 'Cannot tell: both the API and the database have no flows or deployments yet.' };
        }
        return { status: 'fail', detail: `The API has no flows, but the database has ${counts.flows} flows and ${counts.deployments} deployments.`, hint };
      }
      const found = await existingIds(handle, table, ids, signal);
      const n = ids.filter((id) => found.has(id)).length;
      const k = ids.length;
      if (n === k) {
        return { status: 'ok', detail: k === 1 ? `The only ${noun(1)} the API lists is in this database.` : `The ${k} most recent ${noun(k)} from the API are all in this database.` };
      }
      if (n === 0) {
        return { status: 'fail', detail: k === 1 ? `The ${noun(1)} the API lists is not in this database.` : `None of the ${k} most recent ${noun(k)} from the API are in this database.`, hint };
      }
      // Partial: rows created or deleted between the two reads, or a replica lagging behind.
      return { status: 'warn', detail: `Only ${n} of the ${k} most recent ${noun(k)} from the API are in this database (a replica lagging behind, or concurrent changes?).` };
    },
    signal,
  );
}

export async function runPermissionsCheck(st: DbCheckState, readOnlyConnection: boolean, signal?: AbortSignal): Promise<Check> {
  const handle = st.handle;
  if (!handle) return runCheck('db.permissions', () => skip('No database configured.'));
  if (!st.serverVersion) return runCheck('db.permissions', () => skip('Skipped: the database is not reachable.'));
  return runCheck(
    'db.permissions',
    async (): Promise<CheckOutcome> => {
      const p = handle.kind === 'postgres' ? await postgresPermissions(handle.pg, signal) : sqlitePermissions(handle.sqlite);
      st.permissions = p;
      const can = [p.readStatistics && "see other sessions' activity", p.readPgStats && 'read pg_stats', p.deleteRuns && 'delete runs', p.vacuum && 'vacuum'].filter(Boolean);
      const cannot = [!p.readStatistics && "see other sessions' activity (autovacuum progress)", handle.kind === 'postgres' && !p.readPgStats && 'read pg_stats', !p.deleteRuns && 'delete runs', !p.vacuum && 'vacuum'].filter(Boolean);
      const detail = can.length === 0 ? `Cannot ${cannot.join(', ')}.` : `Can ${can.join(', ')}${cannot.length ? `; cannot ${cannot.join(', ')}` : ''}.`;
      // Warn only about what blocks a main feature: inspection needs SELECT (pg_stats), purging needs
      // DELETE unless the connection is read-only anyway (e.g. a pg_monitor role). Missing
      // pg_read_all_stats or VACUUM rights only limit details, and stay in the detail text.
      const limiting = (handle.kind === 'postgres' && !p.readPgStats) || (!readOnlyConnection && !p.deleteRuns);
      const hint = p.notes.filter((n) => /^Cannot|not writable|not found/.test(n)).join(' ');
      return limiting ? { status: 'warn', detail, ...(hint ? { hint } : {}) } : { status: 'ok', detail };
    },
    signal,
  );
}
