/**
 * Secrets go only where they were saved for, and never in clear text without TLS unless allowed
 * (issue #12, item 1), end to end through the same dispatch the window and web mode use, against the
 * harness's real PostgreSQL and real Prefect server with basic auth. Real listening sockets stand in
 * for a foreign host and record every byte they receive.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createContext, type AppContext } from '../../main/context';
import { createHandlers } from '../../main/handlers';
import { dispatch, type Handlers } from '../../main/transport/dispatch';
import type { TestReport } from '../../shared/domain/connection';
import type { Result } from '../../shared/result';

const h = inject('harness');

/** A TCP listener that speaks just enough PostgreSQL to ask for a cleartext password, and records. */
function fakePostgres(): Promise<{ port: number; received: () => Buffer; close: () => Promise<void> }> {
  const chunks: Buffer[] = [];
  const server = net.createServer((sock) => {
    let buf = Buffer.alloc(0);
    sock.on('data', (d) => {
      chunks.push(d);
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 8 && buf.readInt32BE(0) === 8 && buf.readInt32BE(4) === 80877103) {
        sock.write('N'); // SSLRequest: no TLS here
        buf = buf.subarray(8);
      }
      if (buf.length >= 8 && buf.readInt32BE(4) === 196608 && buf.length >= buf.readInt32BE(0)) {
        buf = buf.subarray(buf.readInt32BE(0));
        const r = Buffer.alloc(9);
        r.write('R', 0);
        r.writeInt32BE(8, 1);
        r.writeInt32BE(3, 5); // AuthenticationCleartextPassword
        sock.write(r);
      }
      if (buf[0] === 0x70 /* 'p' */) {
        const fields = Buffer.from('SFATAL\0C28P01\0Mpassword authentication failed\0\0');
        const e = Buffer.alloc(5);
        e.write('E', 0);
        e.writeInt32BE(4 + fields.length, 1);
        sock.end(Buffer.concat([e, fields]));
      }
    });
    sock.on('error', () => undefined);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        received: () => Buffer.concat(chunks),
        close: () => new Promise<void>((r) => server.close(() => r())),
      }),
    ),
  );
}

/** An HTTP listener standing in for a foreign Prefect API; records every request's headers. */
function fakeApi(): Promise<{ url: string; headers: http.IncomingHttpHeaders[]; close: () => Promise<void> }> {
  const headers: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    headers.push(req.headers);
    res.writeHead(401).end();
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/api`, headers, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) }),
    ),
  );
}

describe('secrets and destinations, against real servers', () => {
  let dir: string;
  let ctx: AppContext;
  let handlers: Handlers;
  let id: string;
  // Prefect 3.0 has no basic auth (the harness runs prefectAuth without it there): the connection
  // still saves one, the server ignores the header, and the point stands: a secret saved for one
  // destination is never sent to another.
  const authString = h.prefectAuth.authString ?? 'admin:saved-for-this-server';
  const pgPassword = h.pg.owner.password;
  const savedDraft = {
    name: 'auth-server',
    apiUrl: h.prefectAuth.apiUrl,
    apiAuth: { kind: 'basic', authString },
    db: { kind: 'postgres', host: h.pg.host, port: h.pg.port, database: 'prefect_auth', user: h.pg.owner.user, password: pgPassword, sslmode: 'disable' },
    readOnly: true,
  };
  const keptDraft = (over: Record<string, unknown>) => ({ ...savedDraft, apiAuth: { kind: 'basic' }, db: { ...savedDraft.db, password: undefined }, ...over });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-dest-int-'));
    ctx = createContext({ face: 'web', home: dir });
    handlers = createHandlers(ctx);
    const saved = (await dispatch(handlers, 'connections.save', { draft: savedDraft })) as Result<{ id: string }>;
    if (!saved.ok) throw new Error(saved.error.message);
    id = saved.value.id;
    const r = (await dispatch(handlers, 'connections.test', { id })) as Result<TestReport>;
    expect(r.ok && r.value.ok, JSON.stringify(r)).toBe(true);
  });
  afterAll(async () => {
    await ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('connections.test with a draft that moves the database elsewhere asks for the password and sends nothing', async () => {
    const fake = await fakePostgres();
    try {
      const r = await dispatch(handlers, 'connections.test', { id, draft: keptDraft({ db: { ...savedDraft.db, password: undefined, port: fake.port } }) });
      expect(r).toMatchObject({ ok: false, error: { code: 'SECRET_REQUIRED', details: { fields: ['db.password'] } } });
      expect(fake.received().includes(Buffer.from(pgPassword))).toBe(false);
      expect(fake.received().length).toBe(0);
    } finally {
      await fake.close();
    }
  });

  it('connections.test with a draft that moves the API elsewhere asks for the auth string and sends nothing', async () => {
    const fake = await fakeApi();
    try {
      const r = await dispatch(handlers, 'connections.test', { id, draft: keptDraft({ apiUrl: fake.url, db: { kind: 'none' } }) });
      expect(r).toMatchObject({ ok: false, error: { code: 'SECRET_REQUIRED', details: { fields: ['apiAuth.authString'] } } });
      expect(fake.headers.map((x) => x.authorization).filter(Boolean)).toEqual([]);
    } finally {
      await fake.close();
    }
  });

  it('connections.save with a moved destination asks again and keeps what was saved', async () => {
    const fake = await fakeApi();
    try {
      const r = await dispatch(handlers, 'connections.save', { id, draft: keptDraft({ apiUrl: fake.url }) });
      expect(r).toMatchObject({ ok: false, error: { code: 'SECRET_REQUIRED' } });
      const view = ctx.connections.get(id);
      expect(view.apiUrl).toBe(h.prefectAuth.apiUrl);
      const still = (await dispatch(handlers, 'connections.test', { id })) as Result<TestReport>;
      expect(still.ok && still.value.ok).toBe(true);
    } finally {
      await fake.close();
    }
  });

  it('a password typed for a server that asks for it in clear text without TLS is not sent, unless allowed', async () => {
    const fake = await fakePostgres();
    const typed = 'typed-pass-8731';
    const db = { kind: 'postgres', host: '127.0.0.1', port: fake.port, database: 'prefect', user: 'prefect', password: typed, sslmode: 'prefer' };
    try {
      const refused = (await dispatch(handlers, 'connections.test', { draft: { name: 'x', apiUrl: h.prefectPg.apiUrl, db } })) as Result<TestReport>;
      expect(refused.ok).toBe(true);
      const check = refused.ok ? refused.value.checks.find((c) => c.id === 'db.reachable') : undefined;
      expect(check).toMatchObject({ status: 'fail' });
      expect(check!.detail).toMatch(/clear text/);
      expect(check!.hint).toMatch(/--allow-cleartext-password|TLS/);
      expect(fake.received().includes(Buffer.from(typed))).toBe(false);

      // The stand-in really asks: with the switch on, the password arrives (so the refusal above is real).
      await dispatch(handlers, 'connections.test', { draft: { name: 'x', apiUrl: h.prefectPg.apiUrl, db: { ...db, allowCleartextPassword: true } } });
      expect(fake.received().includes(Buffer.from(typed))).toBe(true);
    } finally {
      await fake.close();
    }
  });

  describe('the real PostgreSQL with a `password` (cleartext) pg_hba line', () => {
    const role = 'hk_cleartext';
    const rolePass = 'clear-pass-5521';
    let hba: string;
    let original: string;
    const su = () => new pg.Client({ host: h.pg.host, port: h.pg.port, user: h.pg.superuser.user, password: h.pg.superuser.password, database: 'postgres' });

    beforeAll(async () => {
      const c = su();
      await c.connect();
      await c.query(`DROP ROLE IF EXISTS ${role}`);
      await c.query(`CREATE ROLE ${role} LOGIN PASSWORD '${rolePass}'`);
      hba = (await c.query<{ f: string }>(`SELECT current_setting('hba_file') AS f`)).rows[0]!.f;
      original = fs.readFileSync(hba, 'utf8');
      fs.writeFileSync(hba, `host all ${role} 127.0.0.1/32 password\n${original}`);
      await c.query('SELECT pg_reload_conf()');
      await c.end();
    });
    afterAll(async () => {
      if (original) fs.writeFileSync(hba, original);
      const c = su();
      await c.connect();
      await c.query('SELECT pg_reload_conf()');
      await c.query(`DROP ROLE IF EXISTS ${role}`);
      await c.end();
    });

    const db = (allow: boolean) => ({ kind: 'postgres', host: h.pg.host, port: h.pg.port, database: h.pg.database, user: role, password: rolePass, sslmode: 'prefer', ...(allow ? { allowCleartextPassword: true } : {}) });

    it('is refused without TLS by default, with what to do', async () => {
      const r = (await dispatch(handlers, 'connections.test', { draft: { name: 'clear', apiUrl: h.prefectPg.apiUrl, db: db(false) } })) as Result<TestReport>;
      const check = r.ok ? r.value.checks.find((c) => c.id === 'db.reachable') : undefined;
      expect(check).toMatchObject({ status: 'fail' });
      expect(check!.detail).toMatch(/asked for the password in clear text.*did not send it/);
    });

    it('works when the connection opts in (the saved switch)', async () => {
      const saved = (await dispatch(handlers, 'connections.save', { draft: { name: 'clear-ok', apiUrl: h.prefectPg.apiUrl, db: db(true) } })) as Result<{ id: string; db: { allowCleartextPassword: boolean } }>;
      expect(saved.ok && saved.value.db.allowCleartextPassword).toBe(true);
      const r = (await dispatch(handlers, 'connections.test', { id: saved.ok ? saved.value.id : '' })) as Result<TestReport>;
      expect(r.ok ? r.value.checks.find((c) => c.id === 'db.reachable')?.status : null).toBe('ok');
    });
  });
});
