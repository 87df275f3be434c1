/**
 * Malformed request paths get 400 and a one-line answer, never a 500 or a stack trace in the log
 * (issue #12, item 8: `/index.html%00.js` and `/rpc/%E0%A4%A` answered 500 and logged traces).
 * Raw requests over a real socket, so nothing normalises the path on the way.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EventBus } from '../../main/core/events';
import type { Handlers } from '../../main/transport/dispatch';
import { startWebServer, type WebServer } from '../../main/transport/http';

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

function raw(method: string, target: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, method, path: target, headers: { host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

describe('malformed request paths', () => {
  const cases: Array<[string, string, Record<string, string>?]> = [
    ['GET', '/index.html%00.js'],
    ['GET', '/%00'],
    ['GET', '/assets/%E0%A4%A'],
    ['GET', '/a%0d%0aSet-Cookie:x=1'],
    ['POST', '/rpc/%E0%A4%A'],
    ['POST', '/rpc/app.info%00'],
  ];
  for (const [method, target] of cases) {
    it(`${method} ${target} answers 400 and logs no stack trace`, async () => {
      const writes: string[] = [];
      const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
        writes.push(String(chunk));
        return true;
      });
      let res: { status: number; body: string };
      try {
        res = await raw(method, target, method === 'POST' ? { 'x-housekeeper-token': server.token, 'content-type': 'application/json' } : {});
      } finally {
        spy.mockRestore();
      }
      expect(res.status).toBe(400);
      expect(res.body).not.toMatch(/\n\s+at /);
      expect(writes.join('')).not.toMatch(/\n\s+at |Error:/);
    });
  }

  it('still serves good paths and refuses traversal', async () => {
    expect((await raw('GET', '/')).status).toBe(200);
    expect((await raw('POST', '/rpc/app.info', { 'x-housekeeper-token': server.token })).status).toBe(200);
    expect((await raw('GET', '/..%2f..%2fetc%2fpasswd')).status).toBe(403);
  });
});
