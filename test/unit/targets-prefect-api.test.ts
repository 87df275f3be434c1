/**
 * Mechanics of the Prefect REST client (retries, 429, CSRF, timeouts, errors, paging) against a local
 * fake HTTP server. Behaviour of the real server is covered by test/integration/targets-prefect-api.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PrefectApi, type PrefectApiOptions } from '../../main/core/targets/prefect-api';
import { backoffDelay, isIdempotent, parseRetryAfter } from '../../main/core/targets/prefect-api-retry';
import { compareVersions, versionAtLeast } from '../../main/core/targets/prefect-version';
import { failure } from '../support/failures';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
type Handler = (req: Seen, res: http.ServerResponse) => void;

let server: http.Server;
let base: string;
let handler: Handler;
let seen: Seen[];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(s);
      handler(s, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  seen = [];
  handler = (_req, res) => json(res, 200, true);
});

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function client(opts: PrefectApiOptions & { auth?: ConstructorParameters<typeof PrefectApi>[0]['apiAuth']; url?: string } = {}) {
  const waits: number[] = [];
  const api = new PrefectApi(
    { apiUrl: opts.url ?? base, apiAuth: opts.auth ?? { kind: 'none' } },
    { random: () => 0.5, sleep: async (ms) => void waits.push(ms), ...opts },
  );
  return { api, waits };
}

describe('auth headers', () => {
  it('sends Basic base64(user:password) and Bearer API keys; never leaks them in errors', async () => {
    handler = (_q, res) => json(res, 401, { exception_message: 'Unauthorized' });
    const basic = client({ auth: { kind: 'basic', authString: 'admin:pa:ss-w0rd' } });
    const e = await failure(basic.api.adminVersion());
    expect(seen[0]?.headers.authorization).toBe(`Basic ${Buffer.from('admin:pa:ss-w0rd').toString('base64')}`);
    expect(e.code).toBe('PREFECT_HTTP');
    expect(e.hint).toMatch(/PREFECT_SERVER_API_AUTH_STRING/);
    expect(JSON.stringify({ m: e.message, h: e.hint, d: e.details })).not.toMatch(/pa:ss-w0rd|YWRtaW4/);

    seen = [];
    const key = client({ auth: { kind: 'apiKey', apiKey: 'pnu_abcdefghijklmnopqrstuvwxyz0123' } });
    await failure(key.api.adminVersion());
    expect(seen[0]?.headers.authorization).toBe('Bearer pnu_abcdefghijklmnopqrstuvwxyz0123');

    seen = [];
    const none = client();
    const e3 = await failure(none.api.adminVersion());
    expect(seen[0]?.headers.authorization).toBeUndefined();
    expect(e3.hint).toMatch(/requires authentication: set the auth string/);
  });
});

describe('retries', () => {
  it('retries GET on 5xx with growing backoff', async () => {
    let n = 0;
    handler = (_q, res) => (++n < 3 ? json(res, 503, { detail: 'busy' }) : json(res, 200, '3.9.1'));
    const { api, waits } = client({ retryBaseMs: 100 });
    expect(await api.adminVersion()).toBe('3.9.1');
    expect(n).toBe(3);
    expect(waits).toEqual([75, 150]); // equal jitter with random()=0.5: 3/4 of 100, 200
  });

  it('retries the read-only POSTs (filter/count/paginate) but never a create', async () => {
    let n = 0;
    handler = (q, res) => (q.url.endsWith('/count') && ++n < 2 ? json(res, 502, {}) : q.url.endsWith('/count') ? json(res, 200, 42) : json(res, 500, { detail: 'boom' }));
    const { api } = client();
    expect(await api.countFlowRuns()).toBe(42);
    seen = [];
    const e = await failure(api.request('POST', '/flow_runs/', { flow_id: 'x' }));
    expect(seen).toHaveLength(1);
    expect(e.message).toMatch(/failed on POST \/flow_runs\/ \(500\): boom/);
  });

  it('gives up after maxRetries', async () => {
    handler = (_q, res) => json(res, 500, { detail: 'still broken' });
    const { api, waits } = client({ maxRetries: 2 });
    const e = await failure(api.health());
    expect(seen).toHaveLength(3);
    expect(waits).toHaveLength(2);
    expect(e.details?.status).toBe(500);
  });

  it('retries network errors for idempotent requests only, and maps them', async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    const { api, waits } = client({ url: `http://127.0.0.1:${port}/api`, maxRetries: 2 });
    const e = await failure(api.health());
    expect(waits).toHaveLength(2);
    expect(e.message).toMatch(/Nothing is listening at 127\.0\.0\.1:\d+ \(connection refused\)/);
    expect(e.hint).toMatch(/Is the Prefect server running/);
    const c2 = client({ url: `http://127.0.0.1:${port}/api`, maxRetries: 2 });
    await failure(c2.api.request('POST', '/deployments/', {}));
    expect(c2.waits).toHaveLength(0);
  });
});

describe('429', () => {
  it('honours Retry-After in seconds, for any request', async () => {
    let n = 0;
    handler = (_q, res) => (++n === 1 ? json(res, 429, {}, { 'retry-after': '2' }) : json(res, 201, { id: 'x' }));
    const { api, waits } = client();
    expect(await api.request('POST', '/flow_runs/', {})).toEqual({ id: 'x' });
    expect(waits).toEqual([2000]);
  });

  it('honours Retry-After as an HTTP date', async () => {
    let n = 0;
    const when = new Date(Date.now() + 5_000).toUTCString();
    handler = (_q, res) => (++n === 1 ? json(res, 429, {}, { 'retry-after': when }) : json(res, 200, true));
    const { api, waits } = client();
    expect(await api.health()).toBe(true);
    expect(waits[0]).toBeGreaterThan(3_000);
    expect(waits[0]).toBeLessThanOrEqual(5_000);
  });

  it('is bounded: too long a wait fails at once, endless 429s fail after max429Retries', async () => {
    handler = (_q, res) => json(res, 429, {}, { 'retry-after': '3600' });
    const a = client();
    const e = await failure(a.api.health());
    expect(e.message).toMatch(/asks to wait 3600 s/);
    expect(a.waits).toEqual([]);

    handler = (_q, res) => json(res, 429, {}, { 'retry-after': '1' });
    const b = client({ max429Retries: 3 });
    const e2 = await failure(b.api.health());
    expect(b.waits).toEqual([1000, 1000, 1000]);
    expect(e2.message).toMatch(/too many requests/);
  });
});

describe('CSRF', () => {
  /** `expiresInMs` applies to the first token only; later ones last an hour. */
  function csrfServer(opts: { expiresInMs?: number; disabled?: boolean } = {}) {
    const issued: string[] = [];
    handler = (q, res) => {
      const u = new URL(q.url, 'http://x');
      if (u.pathname === '/api/csrf-token') {
        if (opts.disabled) return json(res, 422, { detail: 'CSRF protection is disabled.' });
        const token = `tok-${issued.length + 1}`;
        issued.push(token);
        return json(res, 200, { token, client: u.searchParams.get('client'), expiration: new Date(Date.now() + (issued.length === 1 ? (opts.expiresInMs ?? 3_600_000) : 3_600_000)).toISOString() });
      }
      if (q.method !== 'GET') {
        if (!q.headers['prefect-csrf-token']) return json(res, 403, { detail: 'Missing CSRF token.' });
        if (q.headers['prefect-csrf-token'] !== issued[issued.length - 1]) return json(res, 403, { detail: 'Invalid CSRF token or client identifier.' });
      }
      return json(res, 200, 7);
    };
    return issued;
  }

  it('fetches a token on the first 403, retries, and reuses it', async () => {
    const issued = csrfServer();
    const { api } = client({ csrfClientId: 'hk-test-client' });
    expect(await api.countFlowRuns()).toBe(7);
    expect(await api.countFlowRuns()).toBe(7);
    expect(issued).toEqual(['tok-1']);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'POST /api/flow_runs/count',
      'GET /api/csrf-token?client=hk-test-client',
      'POST /api/flow_runs/count',
      'POST /api/flow_runs/count',
    ]);
    expect(seen[2]?.headers['prefect-csrf-client']).toBe('hk-test-client');
  });

  it('refreshes a token that is about to expire before sending', async () => {
    const issued = csrfServer({ expiresInMs: 30_000 });
    const { api } = client();
    await api.countFlowRuns();
    await api.countFlowRuns();
    // tok-1 expires within the refresh margin, so the retry already carries tok-2; no more 403s.
    expect(issued).toEqual(['tok-1', 'tok-2']);
    expect(seen.filter((s) => s.method === 'POST').map((s) => s.headers['prefect-csrf-token'] ?? null)).toEqual([null, 'tok-2', 'tok-2']);
  });

  it('reports bad credentials against the original request (Prefect checks CSRF before auth)', async () => {
    handler = (q, res) => (q.method === 'GET' ? json(res, 401, { exception_message: 'Unauthorized' }) : json(res, 403, { detail: 'Missing CSRF token.' }));
    const { api } = client({ auth: { kind: 'basic', authString: 'admin:wrong' } });
    const e = await failure(api.countFlowRuns());
    expect(e.details).toMatchObject({ status: 401, method: 'POST', path: '/flow_runs/count' });
    expect(e.hint).toMatch(/Check the auth string/);
  });

  it('surfaces the 403 when the server has CSRF protection off', async () => {
    csrfServer({ disabled: true });
    const { api } = client();
    const e = await failure(api.countFlowRuns());
    expect(e.details?.status).toBe(403);
  });
});

describe('timeouts and cancellation', () => {
  it('times out a request that never answers', async () => {
    handler = () => undefined; // never answers
    const { api } = client({ timeoutMs: 150 });
    const e = await failure(api.health({ retries: 0 }));
    expect(e.code).toBe('PREFECT_HTTP');
    expect(e.message).toMatch(/did not answer GET \/health within 0\.2 s|within 0\.1 s/);
  });

  it('does not retry a request that timed out: one stated timeout, not one per attempt', async () => {
    handler = () => undefined; // hung: accepts, never answers
    const { api } = client({ timeoutMs: 200, maxRetries: 3 });
    const t0 = Date.now();
    const e = await failure(api.health());
    expect(e.message).toMatch(/within 0\.2 s/);
    expect(Date.now() - t0).toBeLessThan(600);
    expect(seen.length).toBe(1);
  });

  it('a caller abort is CANCELLED, also during a backoff wait', async () => {
    handler = () => undefined;
    const { api } = client({ timeoutMs: 10_000 });
    const ac = new AbortController();
    const p = api.health({ signal: ac.signal });
    setImmediate(() => ac.abort());
    expect((await failure(p)).code).toBe('CANCELLED');

    handler = (_q, res) => json(res, 503, {});
    const real = new PrefectApi({ apiUrl: base, apiAuth: { kind: 'none' } }, { retryBaseMs: 60_000 });
    const ac2 = new AbortController();
    const p2 = real.health({ signal: ac2.signal });
    // Abort once the first 503 has been served, i.e. while the client waits to retry.
    await new Promise<void>((r) => {
      const t = setInterval(() => seen.length > 0 && (clearInterval(t), r()), 5);
    });
    ac2.abort();
    expect((await failure(p2)).code).toBe('CANCELLED');
  });
});

describe('answers that are not the API', () => {
  it('HTML means the URL points at the UI', async () => {
    handler = (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!DOCTYPE html><html></html>');
    };
    const e = await failure(client().api.health());
    expect(e.message).toMatch(/HTML page instead of JSON/);
    expect(e.hint).toMatch(/followed by \/api/);
  });

  it('a route 404 asks whether /api is in the URL; an object 404 is NOT_FOUND', async () => {
    handler = (_q, res) => json(res, 404, { detail: 'Not Found' });
    const noApi = client({ url: base.replace(/\/api$/, '/prefect') });
    const e = await failure(noApi.api.health());
    expect(e.hint).toMatch(/Is \/api in the URL\?/);
    handler = (_q, res) => json(res, 404, { detail: 'Flow run not found' });
    const e2 = await failure(client().api.request('GET', '/flow_runs/abc'));
    expect(e2.code).toBe('NOT_FOUND');
    expect(e2.message).toMatch(/Flow run not found/);
  });

  it('summarises 422 validation errors', async () => {
    handler = (_q, res) => json(res, 422, { exception_message: 'Invalid request received.', exception_detail: [{ loc: ['body', 'limit'], msg: 'Input should be less than or equal to 200' }] });
    const e = await failure(client().api.filterFlows({ limit: 500 }));
    expect(e.message).toMatch(/limit: Input should be less than or equal to 200/);
  });

  it('validates response shapes', async () => {
    handler = (_q, res) => json(res, 200, [{ nope: 1 }]);
    const e = await failure(client().api.filterDeployments());
    expect(e.message).toMatch(/does not look like Prefect's/);
  });
});

describe('paging and versions', () => {
  it('pages with offset/limit within the server page limit', async () => {
    const items = Array.from({ length: 7 }, (_, i) => ({ id: `id-${i}`, name: `f${i}` }));
    handler = (q, res) => {
      if (q.url.endsWith('/admin/settings')) return json(res, 200, { server: { api: { default_limit: 3 } } });
      const b = JSON.parse(q.body) as { limit: number; offset: number };
      return json(res, 200, items.slice(b.offset, b.offset + b.limit));
    };
    const { api } = client();
    expect(await api.pageLimit()).toBe(3);
    const pages: string[][] = [];
    for await (const page of api.paginate<{ id: string }>('/flows/filter', { sort: 'NAME_ASC' }, 50)) pages.push(page.map((x) => x.id));
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    const bodies = seen.filter((s) => s.method === 'POST').map((s) => JSON.parse(s.body) as Record<string, unknown>);
    expect(bodies[0]).toEqual({ sort: 'NAME_ASC', limit: 3, offset: 0 });
    expect(bodies.map((b) => b.offset)).toEqual([0, 3, 6]);

    const capped: number[] = [];
    for await (const page of api.paginate('/flows/filter', {}, 2, { maxItems: 5 })) capped.push(page.length);
    expect(capped).toEqual([2, 2, 1]);
  });

  it('falls back to the default page limit of 200 when settings are unavailable', async () => {
    handler = (_q, res) => json(res, 404, { detail: 'Not Found' });
    expect(await client().api.pageLimit()).toBe(200);
  });

  it('detects the version and refuses Prefect 2', async () => {
    handler = (q, res) => json(res, 200, q.url.endsWith('/admin/version') ? '3.6.16' : '0.8.4');
    const { api } = client();
    expect(await api.serverVersion()).toEqual({ version: '3.6.16', apiVersion: '0.8.4' });
    expect(await api.versionAtLeast('3.6.16')).toBe(true);
    expect(await api.versionAtLeast('3.6.19')).toBe(false);
    handler = (q, res) => json(res, 200, q.url.endsWith('/admin/version') ? '2.20.4' : '0.8.4');
    const e = await failure(client().api.assertSupportedVersion());
    expect(e.code).toBe('PREFECT_VERSION');
    expect(e.message).toMatch(/2\.20\.4/);
  });
});

describe('pure helpers', () => {
  it('compares Prefect versions like PEP 440', () => {
    expect(versionAtLeast('3.9.1', '3.6.16')).toBe(true);
    expect(versionAtLeast('3.6.9', '3.6.16')).toBe(false);
    expect(compareVersions('3.8.4.dev6', '3.8.4')).toBe(-1);
    expect(compareVersions('3.8.4rc1', '3.8.4.dev6')).toBe(1);
    expect(compareVersions('3.8.4', '3.8.4.post1')).toBe(-1);
    expect(compareVersions('3.9.1+12.gabc', '3.9.1')).toBe(0);
    expect(compareVersions('3.10.0', '3.9.9')).toBe(1);
    expect(compareVersions('garbage', '3.0.0')).toBe(-1);
  });

  it('parses Retry-After and computes bounded backoff', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter(new Date(1_000).toUTCString(), 4_000)).toBe(0);
    expect(backoffDelay(0, 100, 1000, () => 0)).toBe(50);
    expect(backoffDelay(10, 100, 1000, () => 1)).toBe(1000);
  });

  it('knows which requests are idempotent', () => {
    expect(isIdempotent('GET', '/flow_runs/x')).toBe(true);
    expect(isIdempotent('POST', '/flow_runs/filter')).toBe(true);
    expect(isIdempotent('post', '/deployments/count')).toBe(true);
    expect(isIdempotent('POST', '/flow_runs/paginate')).toBe(true);
    expect(isIdempotent('POST', '/flow_runs/')).toBe(false);
    expect(isIdempotent('POST', '/flow_runs/bulk_delete')).toBe(false);
    expect(isIdempotent('DELETE', '/flow_runs/x')).toBe(false);
  });
});
