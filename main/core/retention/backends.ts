/**
 * Picks how a retention reaches the server: SQL on Postgres or SQLite when the connection has a
 * database (the fast path, and the only one that can delete events and orphans), else the Prefect
 * API (Prefect Cloud, or no database access). One plan shape for all three.
 */
import { AppError } from '../../../shared/errors';
import type { RetentionExecutor } from '../../../shared/domain/retention';
import type { ResolvedConnection } from '../connections/types';
import { openApiRetention } from './backend-api';
import { openPgRetention } from './backend-pg';
import { openSqliteRetention } from './backend-sqlite';
import type { RetentionBackend } from './types';

export async function openRetentionBackend(conn: ResolvedConnection, want: RetentionExecutor | 'auto'): Promise<RetentionBackend> {
  const useSql = want === 'sql' || (want === 'auto' && conn.db.kind !== 'none');
  if (!useSql) return openApiRetention(conn);
  const db = conn.db;
  if (db.kind === 'sqlite') return openSqliteRetention(db.path);
  if (db.kind !== 'postgres') {
    throw new AppError('VALIDATION', 'The SQL executor needs a database on this connection.', {
      hint: 'Add the Postgres or SQLite database to the connection, or use the API executor.',
    });
  }
  const pg = openPgRetention(db);
  return {
    kind: 'postgres',
    executor: 'sql',
    notes: [],
    serverNow: (signal) => pg.serverNow(signal),
    async plan(input, signal) {
      const p = await pg.plan(input, signal);
      const { indexes, ...rest } = p;
      return { ...rest, indexNotes: indexes.notes };
    },
    execution: (r, keep) => pg.execution(r, keep),
    close: () => pg.close(),
  };
}
