/**
 * Bad input on the two other faces (issue #12, item 9): the same rows sent over web RPC (a real
 * `serve` transport on a socket, with the session token) and through the IPC router (Electron's
 * ipcMain replaced by an in-memory stand-in, as in ipc-router.test.ts), both with the real handlers
 * over a real store. Each row states the error code; every answer is the Result envelope with a
 * message and no stack, never a secret, at most a few hundred characters, and nothing is written.
 * Web-only rows cover the transport: malformed bodies and paths, the token, paths on disk.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ErrorCode } from '../../shared/errors';
import { badInputFixture, type BadInputFixture } from './support/bad-input-fixture';

const ipc = new Map<string, (event: unknown, raw: unknown) => Promise<unknown>>();
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, fn: (event: unknown, raw: unknown) => Promise<unknown>) => ipc.set(channel, fn),
    removeHandler: (channel: string) => ipc.delete(channel),
  },
}));

const { registerIpc } = await import('../../main/transport/ipc');
const { startWebServer } = await import('../../main/transport/http');
const { createContext } = await import('../../main/context');
const { createHandlers } = await import('../../main/handlers');
const { CHANNEL_PREFIX } = await import('../../shared/channels');

type Envelope = { ok: boolean; value?: unknown; error?: { code: ErrorCode; message: string; hint?: string } };
type Face = 'web' | 'ipc';

let f: BadInputFixture;
let ctx: Awaited<ReturnType<typeof createContext>>;
let server: Awaited<ReturnType<typeof startWebServer>>;
const trusted = { url: 'app://housekeeper/index.html', top: null as unknown };
trusted.top = trusted;

beforeAll(async () => {
  f = await badInputFixture();
  ctx = createContext({ face: 'web', home: f.home });
  const handlers = createHandlers(ctx);
  server = await startWebServer({ handlers, bus: ctx.bus, staticDir: f.work, port: 0 });
  registerIpc(handlers, ctx.bus, ((frame: unknown) => frame === trusted) as never, () => null);
});
afterAll(async () => {
  await server.close();
  await ctx.close();
  f.cleanup();
});

async function call(face: Face, name: string, input: unknown): Promise<Envelope> {
  if (face === 'ipc') {
    const h = ipc.get(CHANNEL_PREFIX + name);
    if (!h) return { ok: false, error: { code: 'NOT_FOUND', message: `no channel ${name}` } };
    return (await h({ senderFrame: trusted }, input)) as Envelope;
  }
  const res = await fetch(`${server.url}rpc/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-housekeeper-token': server.token }, body: JSON.stringify(input) });
  expect(res.status).toBe(200);
  return (await res.json()) as Envelope;
}

const ESC = 'prod\u001b]0;pwned\u0007';
const HUGE = 'x'.repeat(100_000);
const PG = { kind: 'postgres', host: '127.0.0.1', port: 5432, database: 'prefect', user: 'prefect', sslmode: 'prefer' };
const draft = (fx: BadInputFixture, over: Record<string, unknown> = {}) => ({ name: 'n', apiUrl: fx.apiUrl, ...over });

// Rows: request, input, the error code per face (one code: the same on both).
type Expect = ErrorCode | { web: ErrorCode; ipc: ErrorCode };
type Row = [label: string, name: string, input: (fx: BadInputFixture) => unknown, expected: Expect];

const ROWS: Row[] = [
  ['unknown request', 'nope.nope', () => ({}), 'NOT_FOUND'],
  ['extra field', 'app.info', () => ({ surprise: 1 }), 'VALIDATION'],
  ['an array instead of an object', 'connections.list', () => [], 'VALIDATION'],
  ['save: empty', 'connections.save', () => ({}), 'VALIDATION'],
  ['save: name with ESC', 'connections.save', (fx) => ({ draft: draft(fx, { name: ESC }) }), 'VALIDATION'],
  ['save: name with a newline', 'connections.save', (fx) => ({ draft: draft(fx, { name: 'a\nb' }) }), 'VALIDATION'],
  ['save: name with a bidi override', 'connections.save', (fx) => ({ draft: draft(fx, { name: 'a\u202eb' }) }), 'VALIDATION'],
  ['save: name of 100k', 'connections.save', (fx) => ({ draft: draft(fx, { name: HUGE }) }), 'VALIDATION'],
  ['save: blank name', 'connections.save', (fx) => ({ draft: draft(fx, { name: '   ' }) }), 'VALIDATION'],
  ['save: ftp URL', 'connections.save', () => ({ draft: { name: 'n', apiUrl: 'ftp://x/api' } }), 'VALIDATION'],
  ['save: not a URL', 'connections.save', () => ({ draft: { name: 'n', apiUrl: 'not a url' } }), 'VALIDATION'],
  ['save: URL of 100k', 'connections.save', () => ({ draft: { name: 'n', apiUrl: `http://${HUGE}` } }), 'VALIDATION'],
  ['save: port 70000', 'connections.save', (fx) => ({ draft: draft(fx, { db: { ...PG, port: 70000 } }) }), 'VALIDATION'],
  ['save: empty host', 'connections.save', (fx) => ({ draft: draft(fx, { db: { ...PG, host: '' } }) }), 'VALIDATION'],
  ['save: host with a newline', 'connections.save', (fx) => ({ draft: draft(fx, { db: { ...PG, host: 'db\nevil' } }) }), 'VALIDATION'],
  ['save: sslmode bogus', 'connections.save', (fx) => ({ draft: draft(fx, { db: { ...PG, sslmode: 'bogus' } }) }), 'VALIDATION'],
  ['save: auth kind bogus', 'connections.save', (fx) => ({ draft: draft(fx, { apiAuth: { kind: 'bogus' } }) }), 'VALIDATION'],
  ['save: auth string without a colon', 'connections.save', (fx) => ({ draft: draft(fx, { apiAuth: { kind: 'basic', authString: 'nocolon' } }) }), 'VALIDATION'],
  ['save: extra field', 'connections.save', (fx) => ({ draft: draft(fx), surprise: true }), 'VALIDATION'],
  ['save: unknown id', 'connections.save', (fx) => ({ id: 'nosuch', draft: draft(fx) }), 'NOT_FOUND'],
  ['save: duplicate name', 'connections.save', (fx) => ({ draft: draft(fx, { name: 'PROD' }) }), 'CONFLICT'],
  ['save: the saved password sent to another host', 'connections.save', (fx) => ({ id: fx.connectionId, draft: draft(fx, { name: 'prod', db: { ...PG, host: 'evil.example' } }) }), 'SECRET_REQUIRED'],
  ['test: neither id nor draft', 'connections.test', () => ({}), 'VALIDATION'],
  ['test: unknown id', 'connections.test', () => ({ id: 'nosuch' }), 'NOT_FOUND'],
  ['test: the saved password sent to another database', 'connections.test', (fx) => ({ id: fx.connectionId, draft: draft(fx, { name: 'prod', db: { ...PG, database: 'other' } }) }), 'SECRET_REQUIRED'],
  ['remove: id 42', 'connections.remove', () => ({ id: 42 }), 'VALIDATION'],
  ['remove: unknown id', 'connections.remove', () => ({ id: 'nosuch' }), 'NOT_FOUND'],
  ['use: no id', 'connections.use', () => ({}), 'VALIDATION'],
  ['adopt: empty key', 'connections.adopt', () => ({ key: '' }), 'VALIDATION'],
  ['adopt: name with ESC', 'connections.adopt', () => ({ key: 'local-server', name: ESC }), 'VALIDATION'],
  ['audit: limit 0', 'audit.list', () => ({ limit: 0 }), 'VALIDATION'],
  ['audit: limit "x"', 'audit.list', () => ({ limit: 'x' }), 'VALIDATION'],
  ['jobs: cancel without id', 'jobs.cancel', () => ({}), 'VALIDATION'],
  ['purge: plan for an unknown connection', 'purge.plan', () => ({ connectionId: 'nosuch', filter: {} }), 'NOT_FOUND'],
  ['purge: cutoff 30x, refused before the server is asked', 'purge.plan', (fx) => ({ connectionId: fx.connectionId, filter: { olderThan: '30x' } }), 'VALIDATION'],
  ['purge: cutoff 99999999999d', 'purge.plan', (fx) => ({ connectionId: fx.connectionId, filter: { olderThan: '99999999999d' } }), 'VALIDATION'],
  ['purge: state Running', 'purge.plan', (fx) => ({ connectionId: fx.connectionId, filter: { stateNames: ['Running'] } }), 'VALIDATION'],
  ['purge: keepNewest -1', 'purge.plan', (fx) => ({ connectionId: fx.connectionId, filter: { keepNewest: -1 } }), 'VALIDATION'],
  ['purge: executor turbo', 'purge.plan', (fx) => ({ connectionId: fx.connectionId, filter: {}, executor: 'turbo' }), 'VALIDATION'],
  ['purge: execute an unknown plan', 'purge.execute', () => ({ planId: 'nosuch', confirmCount: 1 }), 'NOT_FOUND'],
  ['purge: confirmCount "x"', 'purge.execute', () => ({ planId: 'p', confirmCount: 'x' }), 'VALIDATION'],
  ['purge: export to a path', 'purge.execute', (fx) => ({ planId: 'nosuch', confirmCount: 1, exportFile: `${fx.work}/x.jsonl` }), { web: 'FORBIDDEN', ipc: 'NOT_FOUND' }],
  ['purge: status of ""', 'purge.status', () => ({ planId: '' }), 'VALIDATION'],
  ['inspect: run with no connection', 'inspect.run', () => ({ connectionId: '' }), 'VALIDATION'],
  ['inspect: get an unknown report', 'inspect.get', () => ({ id: 'nosuch' }), 'NOT_FOUND'],
  ['inspect: export as pdf', 'inspect.export', () => ({ id: 'x', format: 'pdf' }), 'VALIDATION'],
  ['inspect: history limit 1e9', 'inspect.history', (fx) => ({ connectionId: fx.connectionId, limit: 1e9 }), 'VALIDATION'],
  ['profiles: create "a b"', 'profiles.create', () => ({ name: 'a b' }), 'VALIDATION'],
  ['profiles: create with ESC', 'profiles.create', () => ({ name: ESC }), 'VALIDATION'],
  ['profiles: create with 100k', 'profiles.create', () => ({ name: HUGE }), 'VALIDATION'],
  ['profiles: create with a bad setting name', 'profiles.create', () => ({ name: 'ok', values: { 'bad key': 'x' } }), 'VALIDATION'],
  ['profiles: get an unknown profile', 'profiles.get', () => ({ id: 'nosuch' }), 'NOT_FOUND'],
  ['profiles: get a 100k id', 'profiles.get', () => ({ id: HUGE }), 'NOT_FOUND'],
  ['profiles: rename an unknown profile', 'profiles.rename', () => ({ id: 'nosuch', name: 'x' }), 'NOT_FOUND'],
  ['profiles: import preview without content or path', 'profiles.importPreview', () => ({ format: 'env' }), 'VALIDATION'],
  ['profiles: import preview as xml', 'profiles.importPreview', () => ({ format: 'xml', content: 'x' }), 'VALIDATION'],
  ['profiles: import preview of a path', 'profiles.importPreview', (fx) => ({ format: 'toml', path: `${fx.work}/nope.toml` }), { web: 'FORBIDDEN', ipc: 'NOT_FOUND' }],
  ['profiles: import of a missing path', 'profiles.import', (fx) => ({ source: { format: 'toml', path: `${fx.work}/nope.toml` } }), { web: 'FORBIDDEN', ipc: 'NOT_FOUND' }],
  ['profiles: import of a file that exists (web only: the window may)', 'profiles.import', (fx) => ({ source: { format: 'toml', path: fx.existing } }), { web: 'FORBIDDEN', ipc: 'FORBIDDEN' }],
  ['profiles: write an export to a path', 'profiles.exportWrite', (fx) => ({ id: 'nosuch', format: 'env', path: `${fx.work}/out.env`, fingerprint: null }), { web: 'FORBIDDEN', ipc: 'NOT_FOUND' }],
  ['schedules: list for an unknown connection', 'schedules.list', () => ({ connectionId: 'nosuch' }), 'NOT_FOUND'],
  ['schedules: simulate horizon 1000', 'schedules.simulate', (fx) => ({ connectionId: fx.connectionId, horizonHours: 1000 }), 'VALIDATION'],
  ['schedules: simulate override bogus, refused before the server is asked', 'schedules.simulate', (fx) => ({ connectionId: fx.connectionId, overrides: { bogus: 5 } }), 'VALIDATION'],
  ['schedules: simulate min_runs=abc', 'schedules.simulate', (fx) => ({ connectionId: fx.connectionId, overrides: { min_runs: 'abc' } }), 'VALIDATION'],
  ['schedules: plan kind explode', 'schedules.plan', (fx) => ({ connectionId: fx.connectionId, kind: 'explode' }), 'VALIDATION'],
  ['schedules: anchor yesterday-ish, refused before the server is asked', 'schedules.plan', (fx) => ({ connectionId: fx.connectionId, kind: 'recreate', anchor: 'yesterday-ish' }), 'VALIDATION'],
  ['schedules: apply an unknown plan', 'schedules.apply', () => ({ planId: 'nosuch', confirmCount: 1 }), 'NOT_FOUND'],
];

describe('bad input over web RPC and the IPC router', () => {
  it(`has ${ROWS.length} rows x 2 faces`, () => expect(ROWS.length * 2).toBeGreaterThanOrEqual(130));

  for (const face of ['web', 'ipc'] as const) {
    for (const [label, name, input, expected] of ROWS) {
      const code = typeof expected === 'string' ? expected : expected[face];
      // A row that is bad input on the web face only (a path the window may read) is not sent over IPC.
      if (face === 'ipc' && typeof expected !== 'string' && expected.web === expected.ipc && code === 'FORBIDDEN') continue;
      it(`${face}: ${label} -> ${code}`, async () => {
        const before = f.snapshot();
        const r = await call(face, name, input(f));
        expect(r.ok).toBe(false);
        expect(r.error?.code, r.error?.message).toBe(code);
        expect(r.error!.message.length).toBeGreaterThan(10);
        expect(r.error!.message.length).toBeLessThan(600);
        expect(JSON.stringify(r)).not.toMatch(/\n\s+at |pg-secret-1|\[object Object\]/);
        expect(f.snapshot()).toBe(before);
      });
    }
  }
});

describe('bad input at the web transport itself', () => {
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-housekeeper-token': server.token, ...headers }, body });
  const rows: Array<[string, () => Promise<Response>, number]> = [
    ['a body that is not JSON', () => post('rpc/app.info', '{not json'), 400],
    ['a body over 1 MiB', () => post('rpc/app.info', JSON.stringify({ x: 'y'.repeat(1_100_000) })), 400],
    ['a wrong token', () => post('rpc/app.info', '{}', { 'x-housekeeper-token': 'nope' }), 401],
    ['a 100k token', () => post('rpc/app.info', '{}', { 'x-housekeeper-token': HUGE.slice(0, 8000) }), 401],
    ['a malformed request path', () => post('rpc/%E0%A4%A', '{}'), 400],
    ['a NUL in a static path', () => fetch(`${server.url}index.html%00.js`), 400],
    ['a used sign-in code', () => fetch(`${server.url}session`, { method: 'POST', body: JSON.stringify({ code: 'nope' }) }), 401],
    ['GET on an RPC', () => fetch(`${server.url}rpc/app.info`), 405],
  ];
  for (const [label, send, status] of rows) {
    it(`${label} -> ${status}, a message, nothing written`, async () => {
      const before = f.snapshot();
      const res = await send();
      expect(res.status).toBe(status);
      const body = (await res.json()) as Envelope;
      expect(body.ok).toBe(false);
      expect(body.error!.message.length).toBeGreaterThan(5);
      expect(f.snapshot()).toBe(before);
    });
  }
});
