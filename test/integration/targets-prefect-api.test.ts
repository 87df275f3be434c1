/**
 * The Prefect REST client against the harness's real Prefect servers (Postgres-backed, SQLite-backed,
 * and one that requires basic auth).
 */
import { describe, expect, inject, it } from 'vitest';
import { PrefectApi } from '../../main/core/targets/prefect-api';
import { FlowSchema } from '../../main/core/targets/prefect-api-types';
import { failure, closedPort } from '../support/failures';

const h = inject('harness');

const open = (apiUrl: string, opts: ConstructorParameters<typeof PrefectApi>[1] = {}) => new PrefectApi({ apiUrl, apiAuth: { kind: 'none' } }, opts);

describe('Prefect API on the Postgres-backed server', () => {
  const api = open(h.prefectPg.apiUrl);

  it('health, ready and versions', async () => {
    expect(await api.health()).toBe(true);
    expect(await api.ready()).toEqual({ ready: true, message: 'OK' });
    expect(await api.adminVersion()).toBe(h.prefectPg.version);
    expect(await api.apiVersion()).toMatch(/^\d+\.\d+\.\d+$/);
    const v = await api.assertSupportedVersion();
    expect(v.version).toBe(h.prefectPg.version);
    expect(await api.versionAtLeast('3.0.0')).toBe(true);
    expect(await api.versionAtLeast('99.0.0')).toBe(false);
  });

  it('reads the page limit from /admin/settings and pages within it', async () => {
    const settings = await api.adminSettings();
    const limit = await api.pageLimit();
    expect(limit).toBe(settings.server?.api?.default_limit ?? 200);
    const total = await api.request<number>('POST', '/flows/count', {});
    expect(total).toBeGreaterThan(0);
    const ids: string[] = [];
    for await (const page of api.paginate('/flows/filter', { sort: 'NAME_ASC' }, 3, { schema: FlowSchema })) {
      expect(page.length).toBeLessThanOrEqual(3);
      ids.push(...page.map((f) => f.id));
    }
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
  });

  it('rejects a limit above the server page limit with the server\'s reason', async () => {
    const limit = await api.pageLimit();
    const e = await failure(api.filterFlows({ limit: limit + 1 }));
    expect(e.code).toBe('PREFECT_HTTP');
    expect(e.details?.status).toBe(422);
    expect(e.message).toContain(String(limit));
  });

  it('typed queries return Prefect shapes', async () => {
    expect(await api.countFlowRuns()).toBeGreaterThan(0);
    const flows = await api.filterFlows({ limit: 2 });
    expect(flows.length).toBeGreaterThan(0);
    expect(flows[0]?.id).toMatch(/^[0-9a-f-]{36}$/);
    const deployments = await api.filterDeployments({ limit: 2, sort: 'CREATED_DESC' });
    for (const d of deployments) expect(d.flow_id).toMatch(/^[0-9a-f-]{36}$/);
    const counted = await api.countFlowRuns({ flow_runs: { state: { type: { any_: ['SCHEDULED'] } } } });
    expect(counted).toBeGreaterThanOrEqual(0);
  });

  it('a missing object is NOT_FOUND; an unknown route says so', async () => {
    const e = await failure(api.request('GET', '/flow_runs/00000000-0000-0000-0000-000000000000'));
    expect(e.code).toBe('NOT_FOUND');
    const e2 = await failure(api.request('GET', '/no_such_endpoint'));
    expect(e2.code).toBe('PREFECT_HTTP');
    expect(e2.message).toMatch(/has no GET \/no_such_endpoint endpoint \(404\)/);
  });
});

describe('wrong URLs', () => {
  const origin = new URL(h.prefectPg.apiUrl).origin;

  it('a URL without /api is refused before any request', () => {
    expect(() => open(origin)).toThrow(expect.objectContaining({ code: 'VALIDATION', hint: `Add /api, e.g. ${origin}/api.` }));
  });

  it('a wrong base path gets the "/api" hint', async () => {
    const e = await failure(open(`${origin}/prefect`).health({ retries: 0 }));
    expect(e.code).toBe('PREFECT_HTTP');
    expect(e.hint).toMatch(/Is \/api in the URL\?/);
  });

  it('a closed port is "connection refused"', async () => {
    const port = await closedPort();
    const e = await failure(open(`http://127.0.0.1:${port}/api`).health({ retries: 0 }));
    expect(e.message).toMatch(/connection refused/);
    expect(e.hint).toMatch(/Is the Prefect server running/);
  });

  it('https against a plain-http server says to use http://', async () => {
    const u = new URL(h.prefectPg.apiUrl);
    const e = await failure(open(`https://${u.host}/api`).health({ retries: 0 }));
    expect(e.message).toMatch(/does not seem to speak https/);
  });
});

// PREFECT_SERVER_API_AUTH_STRING exists from Prefect 3.1 (the harness's 3.0 server runs open).
describe.skipIf(!h.prefect.basicAuth)('the basic-auth server (Prefect 3.1+)', () => {
  const url = h.prefectAuth.apiUrl;
  const authString = h.prefectAuth.authString ?? '';

  it('has a real auth string in the harness', () => {
    expect(authString).toContain(':');
  });

  it('/health is open; everything else needs the auth string', async () => {
    expect(await open(url).health()).toBe(true);
    const e = await failure(open(url).adminVersion());
    expect(e.code).toBe('PREFECT_HTTP');
    expect(e.details?.status).toBe(401);
    expect(e.hint).toMatch(/requires authentication: set the auth string/);
  });

  it('a wrong auth string is rejected with a hint, and never echoed', async () => {
    const api = new PrefectApi({ apiUrl: url, apiAuth: { kind: 'basic', authString: 'admin:not-the-Right-one' } });
    const e = await failure(api.countFlowRuns());
    expect(e.details?.status).toBe(401);
    expect(e.hint).toMatch(/must equal the server's PREFECT_SERVER_API_AUTH_STRING/);
    expect(JSON.stringify({ m: e.message, h: e.hint, d: e.details })).not.toContain('not-the-Right-one');
  });

  it('the right auth string works for GET and POST (with CSRF tokens if the server wants them)', async () => {
    const api = new PrefectApi({ apiUrl: url, apiAuth: { kind: 'basic', authString } });
    expect(await api.adminVersion()).toBe(h.prefectAuth.version);
    expect(await api.countFlowRuns()).toBeGreaterThanOrEqual(0);
    expect(Array.isArray(await api.filterFlows({ limit: 1 }))).toBe(true);
  });
});

describe('the SQLite-backed server', () => {
  it('answers like the others', async () => {
    const api = open(h.prefectSqlite.apiUrl);
    expect(await api.health()).toBe(true);
    expect((await api.serverVersion()).version).toBe(h.prefectSqlite.version);
    expect(await api.countFlowRuns()).toBeGreaterThanOrEqual(0);
  });
});
