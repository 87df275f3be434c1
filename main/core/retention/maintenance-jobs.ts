/**
 * The after-retention jobs, started the same way from the screen and the CLI: VACUUM (ANALYZE) or
 * SQLite VACUUM, pg_repack (online rewrite; repack.ts), VACUUM FULL (the table's name typed back). Each is a job of the runner
 * (so it shows in the jobs tray) and each outcome is in the audit log.
 */
import { AppError } from '../../../shared/errors';
import { RETENTION_TABLES, type RetentionTable } from '../../../shared/domain/retention/maintenance';
import type { JobFinished } from '../../../shared/domain/jobs';
import type { Store } from '../../store';
import type { ResolvedConnection } from '../connections/types';
import type { JobRunner } from '../jobs/runner';
import { vacuumTablesPg } from '../batches/vacuum-pg';
import { vacuumSqlite } from '../purge/vacuum';
import { runRepack } from './repack';

type Started = { jobId: string; finished: Promise<JobFinished> };

function writable(conn: ResolvedConnection, what: string): void {
  if (conn.readOnly) throw new AppError('FORBIDDEN', `"${conn.name}" is a read-only connection: ${what} was not started.`, { hint: 'Turn off read-only in the connection settings.' });
  if (conn.db.kind === 'none') throw new AppError('VALIDATION', `${what} needs database access; this connection is API-only.`, { hint: 'Prefect Cloud manages its own database.' });
}

function audited(store: Store, conn: ResolvedConnection, action: string, label: string, started: Started): Started {
  const t0 = Date.now();
  void started.finished.then((f) =>
    store.audit.record({
      connectionId: conn.id,
      connectionName: conn.name,
      action,
      outcome: f.status === 'succeeded' ? 'succeeded' : f.status === 'cancelled' ? 'cancelled' : 'failed',
      summary: f.status === 'succeeded' ? `${label} finished` : `${label} ${f.status}: ${f.error?.message ?? ''}`,
      details: { result: f.result },
      durationMs: Date.now() - t0,
    }),
  );
  return started;
}

export function startVacuum(store: Store, jobs: JobRunner, conn: ResolvedConnection, tables?: readonly RetentionTable[]): Started {
  writable(conn, 'VACUUM');
  const db = conn.db;
  const list = tables ?? RETENTION_TABLES;
  const started = jobs.start({
    kind: 'vacuum',
    connectionId: conn.id,
    payload: { tables: list, title: db.kind === 'postgres' ? `VACUUM (ANALYZE) ${list.length} tables` : 'VACUUM the SQLite file' },
    run: async (ctx): Promise<unknown> => (db.kind === 'postgres' ? vacuumTablesPg(db, list, RETENTION_TABLES, ctx) : vacuumSqlite((db as { path: string }).path, ctx)),
  });
  return audited(store, conn, 'retention.vacuum', db.kind === 'postgres' ? `VACUUM (ANALYZE) of ${list.join(', ')}` : `VACUUM of ${(db as { path: string }).path}`, started);
}

/**
 * pg_repack of the given tables, one after another (checks the extension and the client first, in
 * the job: a refusal is the job's error and changes nothing).
 */
export function startRepack(store: Store, jobs: JobRunner, conn: ResolvedConnection, tables: readonly RetentionTable[]): Started {
  writable(conn, 'pg_repack');
  const db = conn.db;
  if (db.kind !== 'postgres') throw new AppError('VALIDATION', 'pg_repack is for PostgreSQL; on SQLite, VACUUM rewrites the file (housekeeper retention vacuum).');
  if (!tables.length) throw new AppError('VALIDATION', 'Which tables? pg_repack rewrites the tables you name.', { hint: '--table log' });
  const started = jobs.start({ kind: 'repack', connectionId: conn.id, payload: { tables, title: `pg_repack ${tables.join(', ')} (online; brief exclusive locks)` }, run: (ctx) => runRepack(db, tables, ctx) });
  return audited(store, conn, 'retention.repack', `pg_repack of ${tables.join(', ')}`, started);
}

export function startVacuumFull(store: Store, jobs: JobRunner, conn: ResolvedConnection, table: RetentionTable, confirmTable: string): Started {
  writable(conn, 'VACUUM FULL');
  const db = conn.db;
  if (db.kind !== 'postgres') throw new AppError('VALIDATION', 'VACUUM FULL is for PostgreSQL; on SQLite, VACUUM rewrites the file.');
  if (confirmTable.trim() !== table) {
    store.audit.record({ connectionId: conn.id, connectionName: conn.name, action: 'retention.vacuumFull', outcome: 'refused', summary: `VACUUM FULL ${table} not confirmed`, details: { typed: confirmTable } });
    throw new AppError('FORBIDDEN', `Confirmation mismatch: type "${table}" to run VACUUM FULL on it. Nothing was started.`, { hint: 'VACUUM FULL locks the table for the whole rewrite: Prefect waits on it.' });
  }
  const started = jobs.start({
    kind: 'vacuum-full',
    connectionId: conn.id,
    payload: { table, title: `VACUUM FULL ${table} (exclusive lock)` },
    run: (ctx) => vacuumTablesPg(db, [table], RETENTION_TABLES, ctx, { mode: 'full', lockTimeoutMs: 5_000 }),
  });
  return audited(store, conn, 'retention.vacuumFull', `VACUUM FULL of ${table}`, started);
}
