/**
 * The web token never leaves the process (issue #12, item 2): what `serve` hands out is a one-time
 * sign-in code, traded once at POST /session for the token; a second trade of the same code fails.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../main/core/events';
import type { Handlers } from '../../main/transport/dispatch';
import { startWebServer, type WebServer } from '../../main/transport/http';
import { SignInCodes } from '../../main/transport/web-guard';

let dir: string;
let server: WebServer;
const handlers = { 'app.info': async () => ({ name: 'Housekeeper', version: '1', face: 'web', storePath: '/x', secretScheme: 'keyfile-v1' }) } as unknown as Handlers;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-web-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Housekeeper</title>');
  server = await startWebServer({ handlers, bus: new EventBus(), staticDir: dir, port: 0 });
});
afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const exchange = (code: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}session`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ code }) });
const codeOf = (url: string) => /#code=([A-Za-z0-9_-]+)$/.exec(url)![1]!;

describe('one-time sign-in codes', () => {
  it('the URL to open carries a code, not the token', () => {
    expect(server.openUrl).toMatch(/#code=[A-Za-z0-9_-]{20,}$/);
    expect(server.openUrl).not.toContain(server.token);
    expect(server.openUrl).not.toMatch(/token=/);
  });

  it('a code works once: the first exchange gets the token, the second is refused', async () => {
    const code = codeOf(server.newSignInUrl());
    const first = await exchange(code);
    expect(first.status).toBe(200);
    const body = (await first.json()) as { ok: true; value: { token: string } };
    expect(body.value.token).toBe(server.token);
    const rpc = await fetch(`${server.url}rpc/app.info`, { method: 'POST', headers: { 'x-housekeeper-token': body.value.token }, body: '{}' });
    expect(rpc.status).toBe(200);

    const second = await exchange(code);
    expect(second.status).toBe(401);
    const refused = (await second.json()) as { ok: false; error: { message: string; hint: string } };
    expect(refused.error.message).toMatch(/already used or has expired/);
    expect(refused.error.hint).toMatch(/Enter/);
    expect(JSON.stringify(refused)).not.toContain(server.token);
  });

  it('refuses made-up codes, GET, and other origins', async () => {
    expect((await exchange('not-a-code')).status).toBe(401);
    expect((await exchange('')).status).toBe(401);
    expect((await fetch(`${server.url}session`)).status).toBe(405);
    const code = codeOf(server.newSignInUrl());
    expect((await exchange(code, { origin: 'https://evil.example' })).status).toBe(403);
    // The refused cross-origin attempt did not burn the code.
    expect((await exchange(code)).status).toBe(200);
  });

  it('codes expire after ten minutes, and only the newest sixteen stay valid', () => {
    let now = 0;
    const codes = new SignInCodes(() => now);
    const c = codes.mint();
    now = 10 * 60_000 + 1;
    expect(codes.redeem(c)).toBe(false);
    const many = Array.from({ length: 17 }, () => codes.mint());
    expect(codes.redeem(many[0])).toBe(false);
    expect(codes.redeem(many[16])).toBe(true);
    expect(codes.redeem(many[16])).toBe(false);
    expect(codes.redeem(42)).toBe(false);
  });
});
