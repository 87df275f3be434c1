/**
 * Local web mode (`housekeeper serve`): the same renderer and the same contract over HTTP on
 * 127.0.0.1. POST /session exchanges a one-time sign-in code for the session token; POST
 * /rpc/<request> answers with the Result envelope; GET /events streams contract events as
 * newline-delimited JSON. Request checks live in web-guard.ts, what the web face may not do in
 * web-policy.ts.
 */
import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { events as contractEvents } from '../../shared/contract';
import { createLogger } from '../core/log/logger';
import type { EventBus } from '../core/events';
import { dispatch, type Handlers } from './dispatch';
import { webRefusal } from './web-policy';
import { contentType, decodeRequestPath, resolveInside } from './static-files';
import {
  SECURITY_HEADERS,
  allowedHostsFor,
  checkHostAndOrigin,
  checkToken,
  newToken,
  SignInCodes,
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
  /** URL with a one-time sign-in code in its fragment: what a person opens (never the token). */
  openUrl: string;
  /** Another one-time sign-in URL (the first was used, or expired). */
  newSignInUrl(): string;
  port: number;
  /** The session token, for in-process callers (tests); never printed. */
  token: string;
  close(): Promise<void>;
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? newToken();
  const streams = new Set<ServerResponse>();
  const guard: GuardConfig = { token, allowedHosts: new Set() };
  const codes = new SignInCodes();

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
    // Malformed paths (bad percent-encoding, NUL, CR/LF) are the client's mistake: 400, nothing logged.
    let rawPath = '/';
    let pathname: string | null;
    try {
      rawPath = new URL(req.url ?? '/', 'http://local').pathname;
      pathname = decodeRequestPath(rawPath);
    } catch {
      pathname = null;
    }
    if (pathname === null) return send(res, 400, { ok: false, error: { code: 'VALIDATION', message: 'Malformed request path' } });

    if (pathname === '/session') {
      if (req.method !== 'POST') return refuse(res, 405 as 403, 'Use POST');
      const body = await readJson(req);
      const code = body.ok ? (body.value as { code?: unknown } | null)?.code : undefined;
      if (!codes.redeem(code)) {
        return send(res, 401, {
          ok: false,
          error: {
            code: 'FORBIDDEN',
            message: 'This sign-in link was already used or has expired.',
            hint: 'Open the newest link `housekeeper serve` printed, or press Enter in its terminal for a new one.',
          },
        });
      }
      return send(res, 200, { ok: true, value: { token } });
    }

    if (pathname.startsWith('/rpc/')) {
      if (req.method !== 'POST') return refuse(res, 405 as 403, 'Use POST');
      const tok = checkToken(req, guard);
      if (!tok.ok) return refuse(res, tok.status, tok.reason);
      const body = await readJson(req);
      if (!body.ok) return send(res, 400, { ok: false, error: { code: 'VALIDATION', message: body.message } });
      const name = pathname.slice('/rpc/'.length);
      const refused = webRefusal(name, body.value);
      if (refused) return send(res, 200, { ok: false, error: refused });
      // The page gave up (its Cancel, or it navigated away): the closed connection cancels the work.
      const gone = new AbortController();
      res.on('close', () => {
        if (!res.writableEnded) gone.abort();
      });
      const requestId = req.headers[REQUEST_ID_HEADER];
      return send(res, 200, await dispatch(opts.handlers, name, body.value, { signal: gone.signal, ...(typeof requestId === 'string' && requestId ? { requestId } : {}) }));
    }

    if (pathname === '/events') {
      const tok = checkToken(req, guard);
      if (!tok.ok) return refuse(res, tok.status, tok.reason);
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
      res.write('\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405 as 403, 'Method not allowed');
    return serveStatic(opts.staticDir, rawPath, res);
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

  const signInUrl = () => `${url}#code=${codes.mint()}`;
  return {
    url,
    openUrl: signInUrl(),
    newSignInUrl: signInUrl,
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
  const hint = status === 401 ? { hint: 'Open the sign-in link `housekeeper serve` printed (a session ends when serve stops).' } : {};
  send(res, status, { ok: false, error: { code: 'FORBIDDEN', message: reason, ...hint } });
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
