import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../main/core/events';
import type { Handlers } from '../../main/transport/dispatch';
import { startWebServer, type WebServer } from '../../main/transport/http';
import { AppError } from '../../shared/errors';

// The local web transport over a real socket, with stand-in handlers (the handlers themselves are
// tested elsewhere; here: envelope, validation, guard, events, static files).
let dir: string;
let server: WebServer;
const bus = new EventBus();
const handlers = {
  'app.info': async () => ({ name: 'Housekeeper', version: '1.2.3', face: 'web', storePath: '/x', secretScheme: 'keyfile-v1' }),
  'connections.remove': async () => {
    throw new AppError('NOT_FOUND', 'That connection no longer exists.', { hint: 'Reload.' });
  },
} as unknown as Handlers;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-web-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Housekeeper</title>');
  fs.writeFileSync(path.join(dir, 'app.js'), 'console.log(1)');
  server = await startWebServer({ handlers, bus, staticDir: dir, port: 0 });
});
afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const rpc = (name: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}rpc/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-housekeeper-token': server.token, ...headers },
    body: JSON.stringify(body),
  });

describe('local web transport', () => {
  it('binds to 127.0.0.1 and hands out only a one-time code in the URL fragment, never the token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(server.openUrl).toMatch(new RegExp(`^${server.url}#code=[A-Za-z0-9_-]{20,}$`));
    expect(server.openUrl).not.toContain(server.token);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('answers a request with the Result envelope', async () => {
    const res = await rpc('app.info', {});
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, value: expect.objectContaining({ version: '1.2.3' }) });
  });

  it('returns handler errors as data with code and hint', async () => {
    const body = await (await rpc('connections.remove', { id: 'x' })).json();
    expect(body).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'That connection no longer exists.', hint: 'Reload.' } });
  });

  it('rejects input that does not match the contract before any handler runs', async () => {
    const body = (await (await rpc("connections.remove", { id: "" })).json()) as { ok: boolean; error: { code: string } };
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe('VALIDATION');
    const extra = (await (await rpc("app.info", { surprise: 1 })).json()) as { error: { code: string } };
    expect(extra.error.code).toBe('VALIDATION');
  });

  it('refuses requests without the token, from other origins, or for other hosts', async () => {
    const noToken = await fetch(`${server.url}rpc/app.info`, { method: 'POST', body: '{}' });
    expect(noToken.status).toBe(401);
    const cross = await rpc('app.info', {}, { origin: 'https://evil.example' });
    expect(cross.status).toBe(403);
    const events = await fetch(`${server.url}events`);
    expect(events.status).toBe(401);
  });

  it('serves the UI with a strict CSP and refuses path traversal', async () => {
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(await res.text()).toMatch(/Housekeeper/);
    const js = await fetch(`${server.url}app.js`);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    const trav = await fetch(`${server.url}..%2f..%2fetc%2fpasswd`);
    expect([403, 404]).toContain(trav.status);
    expect(await trav.text()).not.toMatch(/root:/);
  });

  it('streams contract events as JSON lines', async () => {
    const res = await fetch(`${server.url}events`, { headers: { 'x-housekeeper-token': server.token } });
    expect(res.status).toBe(200);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    await reader.read(); // the opening newline: the stream is registered
    const payload = { jobId: 'j', kind: 'k', connectionId: null, title: 't', link: ['jobs', 'j'] as string[], status: 'running', phase: 'p', done: 1, total: 2, rate: null, etaSeconds: null, message: null, startedAt: 'a', updatedAt: 'b' } as const;
    bus.emit('jobs.progress', payload);
    let text = '';
    while (!text.includes('\n')) text += (await reader.read()).value ?? '';
    expect(JSON.parse(text.trim())).toEqual({ event: 'jobs.progress', payload });
    await reader.cancel();
  });
});
