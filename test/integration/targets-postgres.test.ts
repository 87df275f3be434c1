/**
 * The Postgres target against the harness's real PostgreSQL cluster: session settings, read-only
 * transactions, timeouts, cancellation through pg_cancel_backend, TLS modes and error mapping.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PostgresTarget, type PostgresConfig } from '../../main/core/targets/postgres';
import { failure, closedPort } from '../support/failures';

const h = inject('harness');

function config(over: Partial<PostgresConfig> = {}): PostgresConfig {
  return {
    kind: 'postgres',
    host: h.pg.host,
    port: h.pg.port,
    database: h.pg.database,
    user: h.pg.owner.user,
    password: h.pg.owner.password,
    sslmode: 'prefer',
    ...over,
  };
}

async function superuser<T>(database: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ host: h.pg.host, port: h.pg.port, database, user: h.pg.superuser.user, password: h.pg.superuser.password });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Polls until `fn` is true (bounded), instead of sleeping a guessed time. */
async function waitFor(fn: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('PostgresTarget on the harness cluster', () => {
  let t: PostgresTarget;
  beforeAll(() => {
    t = new PostgresTarget(config());
  });
  afterAll(async () => {
    await t.close();
  });

  it('connects and reports the server', async () => {
    const info = await t.serverInfo();
    expect(info.versionNum).toBeGreaterThanOrEqual(130000);
    expect(info.currentUser).toBe(h.pg.owner.user);
    expect(info.database).toBe(h.pg.database);
  });

  it('sets application_name and the three timeouts on every session', async () => {
    const [s] = await t.query<{ app: string; st: string; lt: string; it: string }>(
      `SELECT current_setting('application_name') AS app, current_setting('statement_timeout') AS st,
              current_setting('lock_timeout') AS lt, current_setting('idle_in_transaction_session_timeout') AS it`,
    );
    expect(s).toEqual({ app: 'housekeeper', st: '30s', lt: '5s', it: '1min' });
    const custom = new PostgresTarget(config(), { applicationName: 'hk-test', statementTimeoutMs: 12_000, lockTimeoutMs: 1_500, idleInTransactionTimeoutMs: 90_000 });
    const [c] = await custom.query<{ app: string; st: string; lt: string; it: string }>(
      `SELECT current_setting('application_name') AS app, current_setting('statement_timeout') AS st,
              current_setting('lock_timeout') AS lt, current_setting('idle_in_transaction_session_timeout') AS it`,
    );
    expect(c).toEqual({ app: 'hk-test', st: '12s', lt: '1500ms', it: '90s' });
    await custom.close();
  });

  it('reads Prefect tables in a READ ONLY transaction that refuses writes', async () => {
    const [r] = await t.readOnly((q) => q<{ n: number; ro: string }>(`SELECT count(*) AS n, current_setting('transaction_read_only') AS ro FROM flow_run`));
    expect(typeof r?.n).toBe('number');
    expect(r?.ro).toBe('on');
    const e = await failure(t.readOnly((q) => q('DELETE FROM flow_run WHERE false')));
    expect(e.code).toBe('PG_QUERY');
    expect(e.details?.sqlstate).toBe('25006');
  });

  it('commits a write transaction and rolls back on error', async () => {
    const out = await t.write(async (q) => {
      await q('CREATE TEMP TABLE hk_w (x int) ON COMMIT DROP');
      const r = await q.result('INSERT INTO hk_w SELECT generate_series(1, 5)');
      return r.rowCount;
    });
    expect(out).toBe(5);
    await expect(
      t.write(async (q) => {
        await q('CREATE TEMP TABLE hk_rb (x int)');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const [r] = await t.query<{ present: boolean }>(`SELECT to_regclass('pg_temp.hk_rb') IS NOT NULL AS present`);
    expect(r?.present).toBe(false);
  });

  it('maps a statement timeout to PG_QUERY with a timeout hint (not CANCELLED)', async () => {
    const e = await failure(t.readOnly((q) => q('SELECT pg_sleep(5)'), { statementTimeoutMs: 200 }));
    expect(e.code).toBe('PG_QUERY');
    expect(e.message).toMatch(/statement timeout \(0\.2 s\)/);
    expect(e.hint).toMatch(/statement timeout/);
  });

  it('lets one autocommit statement run longer than the default timeout, then restores it', async () => {
    const short = new PostgresTarget(config(), { statementTimeoutMs: 100, maxConnections: 1 });
    try {
      await expect(short.query('SELECT pg_sleep(0.3)')).rejects.toMatchObject({ code: 'PG_QUERY' });
      await short.query('SELECT pg_sleep(0.3)', [], { statementTimeoutMs: 5_000 });
      const [s] = await short.query<{ st: string }>(`SELECT current_setting('statement_timeout') AS st`);
      expect(s?.st).toBe('100ms');
    } finally {
      await short.close();
    }
  });

  it('cancels a running query through pg_cancel_backend and keeps the pool usable', async () => {
    const ac = new AbortController();
    const started = Date.now();
    const running = t.readOnly((q) => q(`SELECT pg_sleep(30) /* hk-cancel-me */`), { signal: ac.signal });
    await waitFor(
      () => superuser('postgres', async (c) => (await c.query(`SELECT 1 FROM pg_stat_activity WHERE query LIKE '%hk-cancel-me%' AND state = 'active' AND pid <> pg_backend_pid()`)).rowCount === 1),
      'the query to start',
    );
    ac.abort();
    const e = await failure(running);
    expect(e.code).toBe('CANCELLED');
    expect(Date.now() - started).toBeLessThan(15_000);
    const still = await superuser('postgres', (c) => c.query(`SELECT 1 FROM pg_stat_activity WHERE query LIKE '%hk-cancel-me%' AND state = 'active' AND pid <> pg_backend_pid()`));
    expect(still.rowCount).toBe(0);
    const [r] = await t.query<{ one: number }>('SELECT 1 AS one');
    expect(r?.one).toBe(1);
    // An already-aborted signal never reaches the server.
    await expect(t.query('SELECT 1', [], { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('gives up on a lock after lock_timeout with a clear message', async () => {
    const db = h.pg.otherDatabase;
    await superuser(db, (c) => c.query('CREATE TABLE IF NOT EXISTS hk_lock_test (id int)'));
    const holder = new pg.Client({ host: h.pg.host, port: h.pg.port, database: db, user: h.pg.superuser.user, password: h.pg.superuser.password });
    await holder.connect();
    const su = new PostgresTarget(config({ database: db, user: h.pg.superuser.user, password: h.pg.superuser.password }));
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE hk_lock_test IN ACCESS EXCLUSIVE MODE');
      const e = await failure(su.write((q) => q('DELETE FROM hk_lock_test'), { lockTimeoutMs: 200 }));
      expect(e.code).toBe('PG_QUERY');
      expect(e.details?.sqlstate).toBe('55P03');
      expect(e.message).toMatch(/lock timeout \(0\.2 s\)/);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
      await su.close();
    }
  });

  it('runs more concurrent work than the pool size', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => t.query<{ i: number }>('SELECT $1::int AS i, pg_sleep(0.05)', [i])));
    expect(results.map((r) => r[0]?.i)).toEqual([...Array(10).keys()]);
  });
});

describe('connection errors', () => {
  it('wrong password: PG_CONNECT, and the password is nowhere in the error', async () => {
    const t = new PostgresTarget(config({ password: 'definitely-Wrong-pw' }));
    const e = await failure(t.serverInfo());
    await t.close();
    expect(e.code).toBe('PG_CONNECT');
    expect(e.message).toMatch(/rejected the password for user/);
    expect(e.hint).toMatch(/pgpass/);
    expect(JSON.stringify({ m: e.message, h: e.hint, d: e.details })).not.toContain('definitely-Wrong-pw');
  });

  it('no password stored: falls back to PGPASSWORD, else says none is stored', async () => {
    const viaEnv = new PostgresTarget(config({ password: null }), { env: { PGPASSWORD: h.pg.owner.password }, homedir: '/nonexistent' });
    expect((await viaEnv.serverInfo()).currentUser).toBe(h.pg.owner.user);
    await viaEnv.close();
    const none = new PostgresTarget(config({ password: null }), { env: {}, homedir: '/nonexistent' });
    const e = await failure(none.serverInfo());
    await none.close();
    expect(e.code).toBe('PG_CONNECT');
    expect(e.message).toMatch(/none is stored/);
  });

  it('unknown database', async () => {
    const t = new PostgresTarget(config({ database: 'no_such_db_hk' }));
    const e = await failure(t.serverInfo());
    await t.close();
    expect(e.code).toBe('PG_CONNECT');
    expect(e.message).toBe(`The database "no_such_db_hk" does not exist on ${h.pg.host}:${h.pg.port}.`);
  });

  it('wrong port', async () => {
    const port = await closedPort();
    const t = new PostgresTarget(config({ port }));
    const e = await failure(t.serverInfo());
    await t.close();
    expect(e.code).toBe('PG_CONNECT');
    expect(e.message).toMatch(/connection refused/);
  });

  it('unknown host', async () => {
    const t = new PostgresTarget(config({ host: 'no-such-host.invalid' }), { connectTimeoutMs: 5_000 });
    const e = await failure(t.serverInfo());
    await t.close();
    expect(e.message).toMatch(/could not be found/);
  });

  it('sslmode behaves like libpq for this server', async () => {
    const sslOn = await superuser('postgres', async (c) => (await c.query<{ ssl: string }>('SHOW ssl')).rows[0]?.ssl === 'on');
    const prefer = new PostgresTarget(config({ sslmode: 'prefer' }));
    await prefer.serverInfo();
    expect(prefer.usingTls).toBe(sslOn);
    await prefer.close();

    const disable = new PostgresTarget(config({ sslmode: 'disable' }));
    await disable.serverInfo();
    expect(disable.usingTls).toBe(false);
    await disable.close();

    const req = new PostgresTarget(config({ sslmode: 'require' }));
    if (sslOn) {
      await req.serverInfo();
      expect(req.usingTls).toBe(true);
      const full = new PostgresTarget(config({ sslmode: 'verify-full' }), { homedir: '/nonexistent' });
      const e = await failure(full.serverInfo());
      await full.close();
      expect(e.message).toMatch(/TLS certificate .* (not trusted|not valid)/);
    } else {
      const e = await failure(req.serverInfo());
      expect(e.code).toBe('PG_CONNECT');
      expect(e.message).toMatch(/does not support TLS, but sslmode is "require"/);
      expect(e.hint).toMatch(/prefer or disable/);
    }
    await req.close();
  });
});

describe('the monitor role', () => {
  it('reads Prefect tables and statistics but cannot delete', async () => {
    const t = new PostgresTarget(config({ user: h.pg.monitor.user, password: h.pg.monitor.password }));
    try {
      const [r] = await t.readOnly((q) => q<{ n: number; stats: number }>(`SELECT (SELECT count(*) FROM flow_run) AS n, (SELECT count(*) FROM pg_stat_user_tables) AS stats`));
      expect(r?.stats).toBeGreaterThan(0);
      const e = await failure(t.write((q) => q('DELETE FROM flow_run WHERE false')));
      expect(e.code).toBe('PG_PERMISSION');
      expect(e.message).toMatch(/permission denied for table flow_run/);
    } finally {
      await t.close();
    }
  });
});
