/**
 * Picks how a purge reaches the server: SQL on Postgres or SQLite when the connection has a database
 * (the fast path), else the Prefect API (Prefect Cloud, or no database access). One plan shape for all.
 */
import { AppError } from '../../../shared/errors';
import type { PurgeExecutor, PurgeFilter } from '../../../shared/domain/purge';
import type { ResolvedConnection } from '../connections/types';
import { PostgresTarget } from '../targets/postgres';
import type { Deleter } from './deleter';
import { openApiBackend } from './backend-api';
import { openSqliteBackend } from './backend-sqlite';
import { pgDeleter } from './deleter-pg';
import { planPg, serverNowPg, type SqlPlanResult } from './plan-pg';
import type { ResolvedPurgeFilter } from './predicate-pg';

export type PlanResult = SqlPlanResult;

export interface PurgeBackend {
  executor: PurgeExecutor;
  notes: string[];
  serverNow(signal?: AbortSignal): Promise<Date>;
  plan(filter: PurgeFilter, cutoff: string, signal?: AbortSignal): Promise<PlanResult>;
  deleter(resolved: ResolvedPurgeFilter, createdBefore: string, planId: string): Deleter;
  close(): Promise<void>;
}

export async function openPurgeBackend(conn: ResolvedConnection, want: PurgeExecutor | 'auto'): Promise<PurgeBackend> {
  const useSql = want === 'sql' || (want === 'auto' && conn.db.kind !== 'none');
  if (useSql) {
    if (conn.db.kind === 'postgres') {
      const target = new PostgresTarget(conn.db, { applicationName: 'housekeeper-purge' });
      return {
        executor: 'sql',
        notes: [],
        serverNow: (signal) => serverNowPg(target, signal),
        plan: (filter, cutoff, signal) => planPg(target, filter, cutoff, signal),
        deleter: (resolved, createdBefore) => pgDeleter(target, resolved, createdBefore),
        close: () => target.close(),
      };
    }
    if (conn.db.kind === 'sqlite') {
      return openSqliteBackend(conn.db.path);
    }
    throw new AppError('VALIDATION', 'The SQL executor needs a database on this connection.', {
      hint: 'Add the Postgres or SQLite database to the connection, or use the API executor.',
    });
  }
  return openApiBackend(conn);
}
