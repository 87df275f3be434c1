/**
 * One stated timeout and a cancel for every request (issue #13 item 13), through the path every face
 * takes: dispatch gives the handler a signal that aborts at the request's timeout or on
 * `requests.cancel`, answers at that moment even when the work ignores the signal, and the web
 * transport cancels the work when the page stops waiting (its fetch aborted).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../main/core/events';
import { cancelRequest, dispatch, type Handlers, type RequestContext } from '../../main/transport/dispatch';
import { REQUEST_ID_HEADER, startWebServer, type WebServer } from '../../main/transport/http';
import { requestTimeoutMs } from '../../shared/timeouts';
import { REQUEST_NAMES } from '../../shared/contract';

let seen: AbortSignal | null = null;
let release: (() => void) | null = null;
const hang = async (_input: unknown, ctx?: RequestContext) => {
  seen = ctx!.signal;
  // Work that ignores its signal: dispatch must answer anyway.
  await new Promise<void>((r) => (release = r));
  return { connections: [], lastUsedId: null };
};
const handlers = { 'connections.list': hang, 'inspect.run': hang } as unknown as Handlers;

describe('dispatch: one stated timeout, and a cancel', () => {
  it('every request has a stated timeout, longer for the ones that read a lot', () => {
    for (const n of REQUEST_NAMES) expect(requestTimeoutMs(n)).toBeGreaterThanOrEqual(15_000);
    expect(requestTimeoutMs('inspect.run')).toBeGreaterThan(requestTimeoutMs('connections.list'));
  });

  it('answers TIMEOUT at the deadline, naming the limit, and aborts the work', async () => {
    const t0 = Date.now();
    const r = await dispatch(handlers, 'connections.list', {}, { timeoutMs: 150 });
    const took = Date.now() - t0;
    expect(r).toMatchObject({ ok: false, error: { code: 'TIMEOUT', message: expect.stringMatching(/within 0\.15 s/) } });
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(1000);
    expect(seen?.aborted).toBe(true);
    release?.();
  });

  it('requests.cancel reaches a request in flight by its id', async () => {
    const p = dispatch(handlers, 'connections.list', {}, { requestId: 'r-1' });
    await new Promise((r) => setTimeout(r, 20));
    expect(cancelRequest('r-1')).toBe(true);
    expect(await p).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(seen?.aborted).toBe(true);
    expect(cancelRequest('r-1')).toBe(false);
    release?.();
  });
});

describe('web transport: the page giving up cancels the work', () => {
  let dir: string;
  let server: WebServer;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-cancel-'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
    server = await startWebServer({ handlers, bus: new EventBus(), staticDir: dir, port: 0 });
  });
  afterAll(async () => {
    release?.();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('an aborted fetch aborts the handler signal', async () => {
    seen = null;
    const ac = new AbortController();
    const req = fetch(`${server.url}rpc/inspect.run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-housekeeper-token': server.token, [REQUEST_ID_HEADER]: 'web-1' },
      body: JSON.stringify({ connectionId: 'c1' }),
      signal: ac.signal,
    }).catch((e: unknown) => e);
    while (!seen) await new Promise((r) => setTimeout(r, 10));
    expect((seen as AbortSignal).aborted).toBe(false);
    ac.abort();
    await req;
    const deadline = Date.now() + 2000;
    while (!(seen as AbortSignal).aborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect((seen as AbortSignal).aborted).toBe(true);
  });
});
