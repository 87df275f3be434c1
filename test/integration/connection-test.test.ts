/**
 * "Test connection" end to end against the harness's real servers: every check, good and bad input.
 */
import { compareRelease } from '../harness/prefect-releases';
import { describe, expect, inject, it } from 'vitest';
import { TestReportSchema, type CheckId, type CheckStatus, type TestReport } from '../../shared/domain/connection';
import { testConnection } from '../../main/core/connections/checks';
import type { ResolvedConnection } from '../../main/core/connections/types';
import { closedPort } from '../support/failures';

const h = inject('harness');

function pgDb(over: Partial<Extract<ResolvedConnection['db'], { kind: 'postgres' }>> = {}): ResolvedConnection['db'] {
  return { kind: 'postgres', host: h.pg.host, port: h.pg.port, database: h.pg.database, user: h.pg.owner.user, password: h.pg.owner.password, sslmode: 'prefer', ...over };
}

function conn(over: Partial<ResolvedConnection> = {}): ResolvedConnection {
  return { id: null, name: 'test', apiUrl: h.prefectPg.apiUrl, apiAuth: { kind: 'none' }, db: pgDb(), readOnly: false, ...over };
}

function statuses(r: TestReport): Record<CheckId, CheckStatus> {
  return Object.fromEntries(r.checks.map((c) => [c.id, c.status])) as Record<CheckId, CheckStatus>;
}
function check(r: TestReport, id: CheckId) {
  const c = r.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
}

async function run(c: ResolvedConnection): Promise<TestReport> {
  const r = await testConnection(c);
  // The report crosses IPC/HTTP: it must satisfy its own schema.
  expect(TestReportSchema.parse(r)).toEqual(r);
  return r;
}

// Older lines work with detours, and the version check warns about them: every line before 3.6.19
// has at least one (the scheduler's per-schedule selection came then; test/integration/capabilities).
const VERSION_STATUS = compareRelease(h.prefect.version, '3.6.19') >= 0 ? 'ok' : 'warn';

const ALL_OK = {
  'api.url': 'ok',
  'api.reachable': 'ok',
  'api.health': 'ok',
  'api.version': VERSION_STATUS,
  'api.auth': 'ok',
  'db.reachable': 'ok',
  'db.prefect': 'ok',
  'db.same-server': 'ok',
  'db.permissions': 'ok',
};

describe('testConnection', () => {
  it('a good Postgres connection passes every check and fills the report', async () => {
    const r = await run(conn());
    expect(statuses(r)).toEqual(ALL_OK);
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => c.id)).toEqual(Object.keys(ALL_OK));
    expect(r).toMatchObject({ apiKind: 'self-hosted', serverVersion: h.prefectPg.version, dbKind: 'postgres' });
    expect(r.apiVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(r.dbServerVersion).toMatch(/^PostgreSQL \d+/);
    expect(r.migration).toMatch(/^[0-9a-f]{12}$/);
    expect(r.permissions).toMatchObject({ readPgStats: true, deleteRuns: true, vacuum: true });
    for (const c of r.checks) expect(c.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('a SQLite-backed server passes with its database file', async () => {
    if (h.prefectSqlite.db.kind !== 'sqlite') throw new Error('harness: expected a SQLite server');
    const r = await run(conn({ apiUrl: h.prefectSqlite.apiUrl, db: { kind: 'sqlite', path: h.prefectSqlite.db.path } }));
    expect(statuses(r)).toEqual(ALL_OK);
    expect(r).toMatchObject({ ok: true, dbKind: 'sqlite', serverVersion: h.prefectSqlite.version });
    expect(r.dbServerVersion).toMatch(/^SQLite 3\./);
    expect(r.migration).toBeTruthy();
  });

  it('API only: database checks are skipped, the report is ok', async () => {
    const r = await run(conn({ db: { kind: 'none' } }));
    expect(r.ok).toBe(true);
    expect(statuses(r)).toMatchObject({ 'db.reachable': 'skip', 'db.prefect': 'skip', 'db.same-server': 'skip', 'db.permissions': 'skip' });
    expect(r.dbKind).toBe('none');
  });

  it('wrong database password: db.reachable fails, its dependents skip, the API still passes', async () => {
    const r = await run(conn({ db: pgDb({ password: 'wrong-Password-123' }) }));
    expect(r.ok).toBe(false);
    expect(statuses(r)).toMatchObject({ 'api.auth': 'ok', 'db.reachable': 'fail', 'db.prefect': 'skip', 'db.same-server': 'skip', 'db.permissions': 'skip' });
    expect(check(r, 'db.reachable').detail).toMatch(/rejected the password/);
    expect(check(r, 'db.reachable').hint).toMatch(/pgpass/);
    expect(JSON.stringify(r)).not.toContain('wrong-Password-123');
    expect(JSON.stringify(r)).not.toContain(h.pg.owner.password);
  });

  it('unknown database', async () => {
    const r = await run(conn({ db: pgDb({ database: 'no_such_database_hk' }) }));
    expect(check(r, 'db.reachable')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/"no_such_database_hk" does not exist/) });
  });

  it('a database that is not Prefect\'s', async () => {
    const r = await run(conn({ db: pgDb({ database: h.pg.otherDatabase, user: h.pg.superuser.user, password: h.pg.superuser.password }) }));
    expect(statuses(r)).toMatchObject({ 'db.reachable': 'ok', 'db.prefect': 'fail', 'db.same-server': 'skip' });
    expect(check(r, 'db.prefect').detail).toMatch(/is not a Prefect database/);
    expect(check(r, 'db.prefect').hint).toMatch(/PREFECT_SERVER_DATABASE_CONNECTION_URL/);
  });

  it('the database of another Prefect server fails db.same-server', async () => {
    if (h.prefectAuth.db.kind !== 'postgres') throw new Error('harness: expected a Postgres auth server');
    const r = await run(conn({ db: pgDb({ database: h.prefectAuth.db.database }) }));
    expect(statuses(r)).toMatchObject({ 'db.prefect': 'ok', 'db.same-server': 'fail' });
    expect(check(r, 'db.same-server').hint).toMatch(/different Prefect servers/);
  });

  it('wrong ports: API and database both fail clearly, dependents skip', async () => {
    const apiPort = await closedPort();
    const dbPort = await closedPort();
    const r = await run(conn({ apiUrl: `http://127.0.0.1:${apiPort}/api`, db: pgDb({ port: dbPort }) }));
    expect(statuses(r)).toEqual({
      'api.url': 'ok',
      'api.reachable': 'fail',
      'api.health': 'skip',
      'api.version': 'skip',
      'api.auth': 'skip',
      'db.reachable': 'fail',
      'db.prefect': 'skip',
      'db.same-server': 'skip',
      'db.permissions': 'skip',
    });
    expect(check(r, 'api.reachable').detail).toMatch(/connection refused/);
    expect(check(r, 'db.reachable').detail).toMatch(/connection refused/);
  });

  it('an API URL without /api fails api.url with the fix', async () => {
    const origin = new URL(h.prefectPg.apiUrl).origin;
    const r = await run(conn({ apiUrl: origin }));
    expect(check(r, 'api.url')).toMatchObject({ status: 'fail', hint: `Add /api, e.g. ${origin}/api.` });
    expect(statuses(r)).toMatchObject({ 'api.reachable': 'skip', 'db.reachable': 'ok', 'db.prefect': 'ok', 'db.same-server': 'skip' });
  });

  // PREFECT_SERVER_API_AUTH_STRING exists from Prefect 3.1 (the harness's 3.0 server runs open).
  describe.skipIf(!h.prefect.basicAuth)('the basic-auth server (Prefect 3.1+)', () => {
    const authDb = () => {
      if (h.prefectAuth.db.kind !== 'postgres') throw new Error('harness: expected a Postgres auth server');
      return pgDb({ database: h.prefectAuth.db.database });
    };

    it('without an auth string: api.auth says the server requires one', async () => {
      const r = await run(conn({ apiUrl: h.prefectAuth.apiUrl, db: { kind: 'none' } }));
      expect(statuses(r)).toMatchObject({ 'api.health': 'ok', 'api.version': 'skip', 'api.auth': 'fail' });
      expect(check(r, 'api.auth').detail).toMatch(/requires authentication, and no auth string is set/);
      expect(r.ok).toBe(false);
    });

    it('with a wrong auth string: rejected, and the string is never in the report', async () => {
      const r = await run(conn({ apiUrl: h.prefectAuth.apiUrl, apiAuth: { kind: 'basic', authString: 'admin:Wrong-Auth-42' }, db: { kind: 'none' } }));
      expect(check(r, 'api.auth')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/rejected the credentials/) });
      expect(check(r, 'api.auth').hint).toMatch(/PREFECT_SERVER_API_AUTH_STRING/);
      expect(JSON.stringify(r)).not.toContain('Wrong-Auth-42');
    });

    it('with the right auth string: every check passes, the version is filled in', async () => {
      const r = await run(conn({ apiUrl: h.prefectAuth.apiUrl, apiAuth: { kind: 'basic', authString: h.prefectAuth.authString ?? null }, db: authDb() }));
      expect(statuses(r)).toMatchObject({ 'api.auth': 'ok', 'db.prefect': 'ok' });
      // An older line works with detours: the version check warns and the report lists them.
      expect(check(r, 'api.version').status).toBe(r.degraded?.length ? 'warn' : 'ok');
      // The auth server may have no flows yet: then same-server can only warn.
      expect(['ok', 'warn']).toContain(check(r, 'db.same-server').status);
      expect(r.serverVersion).toBe(h.prefectAuth.version);
      expect(r.ok).toBe(true);
      expect(JSON.stringify(r)).not.toContain(h.prefectAuth.authString ?? '\u0000');
    });
  });

  describe('the monitor role', () => {
    const monitorDb = () => pgDb({ user: h.pg.monitor.user, password: h.pg.monitor.password });

    it('can read statistics and pg_stats but cannot delete or vacuum; fine for a read-only connection', async () => {
      const r = await run(conn({ db: monitorDb(), readOnly: true }));
      expect(r.permissions).toMatchObject({ readStatistics: true, readPgStats: true, deleteRuns: false, vacuum: false });
      expect(statuses(r)).toMatchObject({ 'db.prefect': 'ok', 'db.same-server': 'ok', 'db.permissions': 'ok' });
      expect(check(r, 'db.permissions').detail).toMatch(/cannot delete runs/);
      expect(r.ok).toBe(true);
    });

    it('warns when the connection is meant for purging', async () => {
      const r = await run(conn({ db: monitorDb(), readOnly: false }));
      expect(check(r, 'db.permissions')).toMatchObject({ status: 'warn', hint: expect.stringMatching(/Cannot DELETE from/) });
      expect(r.ok).toBe(true);
    });
  });

  it('a cancelled test rejects with CANCELLED', async () => {
    await expect(testConnection(conn(), { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
