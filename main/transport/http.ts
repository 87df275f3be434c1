/**
 * Local web mode (`housekeeper serve`): the same renderer and the same contract over HTTP on
 * 127.0.0.1. POST /rpc/<request> answers with the Result envelope; GET /events streams contract events
 * as newline-delimited JSON. Request checks live in web-guard.ts.
 */
import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { events as contractEvents } from '../../shared/contract';
import { createLogger } from '../core/log/logger';
import type { EventBus } from '../core/events';
import { dispatch, type Handlers } from './dispatch';
import { contentType, resolveInside } from './static-files';
import {
  SECURITY_HEADERS,
  allowedHostsFor,
  checkHostAndOrigin,
  checkToken,
  newToken,
  type GuardConfig,
} from './web-guard';

const log = createLogger('web');
/** Names a request so `requests.cancel` can reach it (the renderer's Cancel). */
export const REQUEST_ID_HEADER = 'x-housekeeper-request-id';
const MAX_BODY = 1024 * 1024;

export interface WebServerOptions {
  handlers: Handlers;
  bus: EventBus;
  staticDir: string;
  host?: string;
  port?: number;
  token?: string;
}

export interface WebServer {
  url: string;
  /** URL including the token fragment: what a person opens. */
  openUrl: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? newToken();
  const streams = new Set<ServerResponse>();
  const guard: GuardConfig = { token, allowedHosts: new Set() };

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((e) => {
      log.error('request failed', e);
      if (!res.headersSent) send(res, 500, { ok: false, error: { code: 'INTERNAL', message: 'Internal error' } });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const hostCheck = checkHostAndOrigin(req, guard);
    if (!hostCheck.ok) return refuse(res, hostCheck.status, hostCheck.reason);
    const url = new URL(req.url ?? '/', 'http://local');

    if (url.pathname.startsWith('/rpc/')) {
      if (req.method !== 'POST') return refuse(res, 405 as 403, 'Use POST');
      const tok = checkToken(req, guard);
      if (!tok.ok) return refuse(res, tok.status, tok.reason);
      const body = await readJson(req);
      if (!body.ok) return send(res, 400, { ok: false, error: { code: 'VALIDATION', message: body.message } });
      const name = decodeURIComponent(url.pathname.slice('/rpc/'.length));
      // The page gave up (its Cancel, or it navigated away): the closed connection cancels the work.
      const gone = new AbortController();
      res.on('close', () => {
        if (!res.writableEnded) gone.abort();
      });
      const requestId = req.headers[REQUEST_ID_HEADER];
      return send(res, 200, await dispatch(opts.handlers, name, body.value, { signal: gone.signal, ...(typeof requestId === 'string' && requestId ? { requestId } : {}) }));
    }

    if (url.pathname === '/events') {
      const tok = checkToken(req, guard);
      if (!tok.ok) return refuse(res, tok.status, tok.reason);
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
      res.write('\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405 as 403, 'Method not allowed');
    return serveStatic(opts.staticDir, url.pathname, res);
  }

  const unsubscribe = opts.bus.subscribe((event, payload) => {
    if (!(event in contractEvents)) return;
    const line = JSON.stringify({ event, payload }) + '\n';
    for (const s of streams) s.write(line);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  guard.allowedHosts = allowedHostsFor(host, port);
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}/`;

  return {
    url,
    openUrl: `${url}#token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe();
        for (const s of streams) s.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(data);
}

function refuse(res: ServerResponse, status: number, reason: string): void {
  send(res, status, { ok: false, error: { code: 'FORBIDDEN', message: reason } });
}

async function readJson(req: IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return { ok: false, message: 'Request body too large' };
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, message: 'Request body is not valid JSON' };
  }
}

function serveStatic(root: string, pathname: string, res: ServerResponse): void {
  const file = resolveInside(root, pathname);
  if (!file) return refuse(res, 403, 'Forbidden');
  fs.stat(file, (statErr, st) => {
    const target = !statErr && st.isFile() ? file : path.join(root, 'index.html');
    fs.readFile(target, (readErr, data) => {
      if (readErr) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('Not found. Was the UI built? Run `npm run build`.');
        return;
      }
      res.writeHead(200, {
        'content-type': contentType(target),
        'cache-control': target.endsWith('index.html') ? 'no-store' : 'public, max-age=3600',
      });
      res.end(data);
    });
  });
}
