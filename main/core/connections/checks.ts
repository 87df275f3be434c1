/**
 * "Test connection": every check in CHECK_IDS order, each ok/warn/fail/skip with a detail, a hint and
 * its duration. The API chain and the database chain run concurrently (they are independent until
 * db.same-server, which needs both); a failure skips only its dependents, so one test shows every
 * problem it can find.
 */
import { CHECK_IDS, type Check, type TestReport } from '../../../shared/domain/connection';
import { AppError } from '../../../shared/errors';
import { createLogger } from '../log/logger';
import { registerSecret } from '../log/redact';
import { runApiChecks } from './check-api';
import { closeDb, openDb, runDbChecks, runPermissionsCheck, runSameServerCheck } from './check-db';
import type { ResolvedConnection } from './types';

const log = createLogger('connections:test');

export interface TestConnectionOptions {
  signal?: AbortSignal;
  /** Injected in unit tests. */
  fetch?: typeof fetch;
}

export async function testConnection(conn: ResolvedConnection, opts: TestConnectionOptions = {}): Promise<TestReport> {
  const { signal } = opts;
  if (conn.apiAuth.kind === 'basic') registerSecret(conn.apiAuth.authString);
  if (conn.apiAuth.kind === 'apiKey') registerSecret(conn.apiAuth.apiKey);
  if (conn.db.kind === 'postgres') registerSecret(conn.db.password);

  let handle;
  try {
    handle = openDb(conn.db);
  } catch (e) {
    handle = null;
    log.warn('opening the database failed', e);
  }
  try {
    const [api, db] = await Promise.all([runApiChecks(conn, { signal, fetch: opts.fetch }), runDbChecks(conn, handle, signal)]);
    const sameServer = await runSameServerCheck(api.api, api.authOk, db, signal);
    const permissions = await runPermissionsCheck(db, conn.readOnly, signal);

    const byId = new Map<string, Check>([...api.checks, ...db.checks, sameServer, permissions].map((c) => [c.id, c]));
    const checks = CHECK_IDS.map((id) => byId.get(id)).filter((c): c is Check => c !== undefined);
    if (checks.length !== CHECK_IDS.length) throw new AppError('INTERNAL', 'A connection check did not report.');

    const report: TestReport = {
      ok: checks.every((c) => c.status !== 'fail'),
      testedAt: new Date().toISOString(),
      apiKind: api.parsed?.kind ?? (/^https:\/\/api\.prefect\.cloud\//i.test(conn.apiUrl.trim()) ? 'cloud' : 'self-hosted'),
      serverVersion: api.version?.version ?? null,
      apiVersion: api.version?.apiVersion ?? null,
      dbKind: conn.db.kind,
      dbServerVersion: db.serverVersion,
      migration: db.migration,
      permissions: db.permissions,
      checks,
      ...(api.degraded.length ? { degraded: api.degraded } : {}),
    };
    log.info(`tested ${conn.name}: ${checks.map((c) => `${c.id}=${c.status}`).join(' ')}`);
    return report;
  } finally {
    await closeDb(handle);
  }
}
