import { describe, expect, it } from 'vitest';
import { joinApiPath, parseApiUrl, sameApiUrl } from '../../shared/domain/api-url';

const ACC = '9b2f6e1c-4a57-4c3e-8f0d-2d7c1b8e5a11';
const WS = '0c4d5e6f-7a8b-4c9d-8e0f-112233445566';

function ok(input: string) {
  const r = parseApiUrl(input);
  if (!r.ok) throw new Error(`expected ok for ${input}: ${r.error.message}`);
  return r.value;
}
function bad(input: string) {
  const r = parseApiUrl(input);
  if (r.ok) throw new Error(`expected an error for ${input}`);
  expect(r.error.code).toBe('VALIDATION');
  return r.error;
}

describe('parseApiUrl: self-hosted', () => {
  it('accepts the usual forms and normalises trailing slashes', () => {
    expect(ok('http://127.0.0.1:4200/api')).toEqual({ url: 'http://127.0.0.1:4200/api', kind: 'self-hosted', notes: [] });
    expect(ok('  http://localhost:4200/api/ ').url).toBe('http://localhost:4200/api');
    expect(ok('https://Prefect.Example.com/api//').url).toBe('https://prefect.example.com/api');
    expect(ok('http://[::1]:4200/api').url).toBe('http://[::1]:4200/api');
  });

  it('allows a custom base path but notes it', () => {
    const v = ok('https://example.com/prefect/v1');
    expect(v.url).toBe('https://example.com/prefect/v1');
    expect(v.notes[0]).toMatch(/does not end in \/api/);
    expect(ok('https://example.com/tools/prefect/api').notes).toEqual([]);
  });

  it('asks for /api when the path is empty', () => {
    for (const input of ['http://127.0.0.1:4200', 'http://127.0.0.1:4200/', 'http://host:4200///']) {
      const e = bad(input);
      expect(e.message).toMatch(/no path/);
      expect(e.hint).toMatch(/add \/api, e\.g\. http:\/\/(127\.0\.0\.1|host):4200\/api/i);
    }
  });

  it('rejects other schemes, a missing scheme and junk', () => {
    expect(bad('ftp://host/api').message).toMatch(/http or https/);
    expect(bad('localhost:4200/api').hint).toBe('Did you mean http://localhost:4200/api?');
    expect(bad('127.0.0.1:4200/api').message).toMatch(/must start with http/);
    expect(bad('').message).toMatch(/empty/);
    expect(bad('http://exa mple.com/api').message).toMatch(/spaces/);
    expect(bad('http://:4200/api').code).toBe('VALIDATION');
    expect(bad('http://host:99999/api').message).toMatch(/not a valid URL/);
    expect(bad('http://host:4200/api?x=1').message).toMatch(/query string/);
    expect(bad('http://host:4200/api#frag').message).toMatch(/fragment/);
  });

  it('refuses credentials in the URL without echoing them', () => {
    const e = bad('http://admin:hunter22@host:4200/api');
    expect(e.message).toMatch(/user name or password/);
    expect(e.hint).toMatch(/auth string/);
    expect(JSON.stringify(e)).not.toContain('hunter22');
    // Without a scheme the guess is not echoed either, because it would contain the password.
    expect(JSON.stringify(bad('admin:hunter22@host:4200/api'))).not.toContain('hunter22');
    expect(bad('http://user@host:4200/api').message).toMatch(/user name or password/);
  });
});

describe('parseApiUrl: Prefect Cloud', () => {
  it('classifies a workspace URL as cloud and validates the ids', () => {
    const v = ok(`https://api.prefect.cloud/api/accounts/${ACC}/workspaces/${WS}/`);
    expect(v).toEqual({ url: `https://api.prefect.cloud/api/accounts/${ACC}/workspaces/${WS}`, kind: 'cloud', accountId: ACC, workspaceId: WS, notes: [] });
    expect(ok(`https://API.prefect.cloud/api/accounts/${ACC.toUpperCase()}/workspaces/${WS}`).accountId).toBe(ACC);
  });

  it('rejects bad ids, missing workspace, http, and the UI address', () => {
    expect(bad(`https://api.prefect.cloud/api/accounts/not-a-uuid/workspaces/${WS}`).message).toMatch(/account id "not-a-uuid"/);
    expect(bad(`https://api.prefect.cloud/api/accounts/${ACC}/workspaces/123`).message).toMatch(/workspace id/);
    expect(bad('https://api.prefect.cloud/api').message).toMatch(/account and a workspace/);
    expect(bad(`http://api.prefect.cloud/api/accounts/${ACC}/workspaces/${WS}`).message).toMatch(/https/);
    const ui = bad(`https://app.prefect.cloud/account/${ACC}/workspace/${WS}/dashboard`);
    expect(ui.message).toMatch(/web UI/);
    expect(ui.hint).toContain(`https://api.prefect.cloud/api/accounts/${ACC}/workspaces/${WS}`);
  });
});

describe('helpers', () => {
  it('joins paths without doubling slashes', () => {
    expect(joinApiPath('http://h:4200/api', '/flow_runs/filter')).toBe('http://h:4200/api/flow_runs/filter');
    expect(joinApiPath('http://h:4200/api/', 'health')).toBe('http://h:4200/api/health');
  });
  it('treats localhost and 127.0.0.1 as the same server', () => {
    expect(sameApiUrl('http://localhost:4200/api', 'http://127.0.0.1:4200/api/')).toBe(true);
    expect(sameApiUrl('http://localhost:4200/api', 'http://127.0.0.1:4201/api')).toBe(false);
  });
});
