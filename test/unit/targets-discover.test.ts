/** Discovery of local Prefect setups (main/core/connections/discover.ts), with temp dirs and a fake env. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { discover, resolveDiscovered } from '../../main/core/connections/discover';
import { profilesPath } from '../../main/core/connections/prefect-profiles';

const root = mkdtempSync(path.join(os.tmpdir(), 'hk-discover-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
let home: string;
beforeEach(() => {
  home = path.join(root, `home-${++n}`);
  mkdirSync(path.join(home, '.prefect'), { recursive: true });
});

const noProbe = { probeLocal: false } as const;

function writeProfiles(file: string, text: string) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

const FULL = `
active = "prod"

[profiles.prod]
PREFECT_API_URL = "https://prefect.example.com/api/"
PREFECT_API_AUTH_STRING = "admin:AuthS3cret!"
PREFECT_SERVER_DATABASE_CONNECTION_URL = "postgresql+asyncpg://prefect:\${PREFECT_SERVER_DATABASE_PASSWORD}@db.example.com:5433/prefect?ssl=require"
PREFECT_SERVER_DATABASE_PASSWORD = "DbPassw0rd#"

[profiles.cloud]
PREFECT_API_URL = "https://api.prefect.cloud/api/accounts/9b2f6e1c-4a57-4c3e-8f0d-2d7c1b8e5a11/workspaces/0c4d5e6f-7a8b-4c9d-8e0f-112233445566"
PREFECT_API_KEY = "pnu_CloudKey1234567890abcdefghij"

[profiles.legacy]
prefect_api_url = "http://10.0.0.5:4200/api"
PREFECT_API_DATABASE_CONNECTION_URL = "postgresql+asyncpg://old:OldPw1234@10.0.0.5/prefect_old"

[profiles.ephemeral]
PREFECT_SERVER_EPHEMERAL_ENABLED = "true"
`;

describe('profiles file location', () => {
  it('follows PREFECT_PROFILES_PATH, then $PREFECT_HOME, then ~/.prefect', () => {
    expect(profilesPath({ env: {}, homedir: '/h' })).toBe('/h/.prefect/profiles.toml');
    expect(profilesPath({ env: { PREFECT_HOME: '/opt/prefect' }, homedir: '/h' })).toBe('/opt/prefect/profiles.toml');
    expect(profilesPath({ env: { PREFECT_HOME: '~/ph' }, homedir: '/h' })).toBe('/h/ph/profiles.toml');
    expect(profilesPath({ env: { PREFECT_HOME: '/opt/prefect', PREFECT_PROFILES_PATH: '/etc/p.toml' }, homedir: '/h' })).toBe('/etc/p.toml');
  });
});

describe('discover', () => {
  it('finds nothing on a clean machine, without crashing', async () => {
    const r = await discover({ env: {}, homedir: home, ...noProbe });
    expect(r.setups).toEqual([]);
  });

  it('reads profiles, keeps secrets out of the summaries, and resolves them on adoption', async () => {
    writeProfiles(path.join(home, '.prefect', 'profiles.toml'), FULL);
    const env = {};
    const r = await discover({ env, homedir: home, ...noProbe });
    const text = JSON.stringify(r);
    for (const secret of ['AuthS3cret!', 'DbPassw0rd#', 'pnu_CloudKey1234567890abcdefghij', 'OldPw1234']) expect(text).not.toContain(secret);

    const byName = new Map(r.setups.map((s) => [s.suggestedName, s]));
    expect([...byName.keys()].sort()).toEqual(['cloud', 'legacy', 'prod']);
    const prod = byName.get('prod');
    expect(prod).toMatchObject({ source: 'profile', label: 'Profile "prod" (active)', apiUrl: 'https://prefect.example.com/api', apiAuth: 'basic', db: 'postgres', dbSummary: 'postgresql://prefect:***@db.example.com:5433/prefect?sslmode=require' });
    expect(byName.get('cloud')).toMatchObject({ apiAuth: 'apiKey', db: 'none' });
    expect(byName.get('legacy')).toMatchObject({ apiUrl: 'http://10.0.0.5:4200/api', db: 'postgres', dbSummary: 'postgresql://old:***@10.0.0.5:5432/prefect_old' });
    expect(r.notes.join(' ')).toMatch(/Profile "ephemeral" was not offered: it runs an ephemeral server/);

    const { draft } = await resolveDiscovered(prod!.key, { env, homedir: home });
    expect(draft).toEqual({
      name: 'prod',
      apiUrl: 'https://prefect.example.com/api',
      apiAuth: { kind: 'basic', authString: 'admin:AuthS3cret!' },
      db: { kind: 'postgres', host: 'db.example.com', port: 5433, database: 'prefect', user: 'prefect', sslmode: 'require', password: 'DbPassw0rd#' },
      readOnly: false,
    });
    const cloud = await resolveDiscovered(byName.get('cloud')!.key, { env, homedir: home });
    expect(cloud.draft.apiAuth).toEqual({ kind: 'apiKey', apiKey: 'pnu_CloudKey1234567890abcdefghij' });
  });

  it('prefers the canonical setting over the legacy alias, and the env password for the placeholder', async () => {
    writeProfiles(
      path.join(home, '.prefect', 'profiles.toml'),
      `[profiles.x]
PREFECT_API_DATABASE_CONNECTION_URL = "postgresql+asyncpg://a@legacy/db"
PREFECT_SERVER_DATABASE_CONNECTION_URL = "postgresql+asyncpg://b:\${PREFECT_API_DATABASE_PASSWORD}@canonical/db"
`,
    );
    const env = { PREFECT_API_DATABASE_PASSWORD: 'EnvPw5678' };
    const r = await discover({ env, homedir: home, ...noProbe });
    expect(r.setups[0]).toMatchObject({ apiUrl: null, db: 'postgres' });
    expect(r.setups[0]?.notes.join(' ')).toMatch(/sets no PREFECT_API_URL.*127\.0\.0\.1:4200/);
    const { draft } = await resolveDiscovered(r.setups[0]!.key, { env, homedir: home });
    expect(draft.db).toMatchObject({ host: 'canonical', user: 'b', password: 'EnvPw5678' });
    expect(draft.apiUrl).toBe('http://127.0.0.1:4200/api');
  });

  it('builds the database from DRIVER/HOST/USER/NAME parts and turns URL credentials into the auth string', async () => {
    writeProfiles(
      path.join(home, '.prefect', 'profiles.toml'),
      `[profiles.parts]
PREFECT_API_URL = "http://ops:Url5ecret@prefect.lan:4200/api"
PREFECT_SERVER_DATABASE_DRIVER = "postgresql+asyncpg"
PREFECT_SERVER_DATABASE_HOST = "pg.lan"
PREFECT_SERVER_DATABASE_PORT = 6432
PREFECT_SERVER_DATABASE_USER = "prefect"
PREFECT_SERVER_DATABASE_NAME = "prefect"
PREFECT_SERVER_DATABASE_PASSWORD = "PartsPw99"
`,
    );
    const r = await discover({ env: {}, homedir: home, ...noProbe });
    expect(JSON.stringify(r)).not.toMatch(/Url5ecret|PartsPw99/);
    expect(r.setups[0]).toMatchObject({ apiUrl: 'http://prefect.lan:4200/api', apiAuth: 'basic', dbSummary: 'postgresql://prefect:***@pg.lan:6432/prefect' });
    const { draft } = await resolveDiscovered(r.setups[0]!.key, { env: {}, homedir: home });
    expect(draft.apiAuth).toEqual({ kind: 'basic', authString: 'ops:Url5ecret' });
    expect(draft.db).toMatchObject({ kind: 'postgres', host: 'pg.lan', port: 6432, password: 'PartsPw99' });
  });

  it('uses PREFECT_PROFILES_PATH and PREFECT_HOME, and finds $PREFECT_HOME/prefect.db', async () => {
    const prefectHome = path.join(home, 'custom-home');
    writeProfiles(path.join(prefectHome, 'profiles.toml'), '[profiles.fromhome]\nPREFECT_API_URL = "http://127.0.0.1:4300/api"\n');
    writeFileSync(path.join(prefectHome, 'prefect.db'), 'x');
    writeProfiles(path.join(home, '.prefect', 'profiles.toml'), '[profiles.ignored]\nPREFECT_API_URL = "http://127.0.0.1:4400/api"\n');
    const r = await discover({ env: { PREFECT_HOME: prefectHome }, homedir: home, ...noProbe });
    expect(r.setups.map((s) => s.suggestedName)).toEqual(['fromhome', 'Local Prefect (SQLite)']);
    const sqlite = r.setups[1]!;
    expect(sqlite).toMatchObject({ source: 'sqlite-file', db: 'sqlite', dbSummary: path.join(prefectHome, 'prefect.db'), apiUrl: null });
    const { draft } = await resolveDiscovered(sqlite.key, { env: { PREFECT_HOME: prefectHome }, homedir: home });
    expect(draft.db).toEqual({ kind: 'sqlite', path: path.join(prefectHome, 'prefect.db') });

    const other = path.join(home, 'elsewhere.toml');
    writeProfiles(other, '[profiles.viaenv]\nPREFECT_API_URL = "http://127.0.0.1:4500/api"\n');
    const r2 = await discover({ env: { PREFECT_HOME: prefectHome, PREFECT_PROFILES_PATH: other }, homedir: home, ...noProbe });
    expect(r2.setups.map((s) => s.suggestedName)).toEqual(['viaenv', 'Local Prefect (SQLite)']);
  });

  it('survives malformed TOML with a note (and still finds the SQLite file)', async () => {
    writeProfiles(path.join(home, '.prefect', 'profiles.toml'), '[profiles.broken\nPREFECT_API_KEY = "pnu_LeakMe00000000000000000000"\n');
    writeFileSync(path.join(home, '.prefect', 'prefect.db'), 'x');
    const r = await discover({ env: {}, homedir: home, ...noProbe });
    expect(r.setups.map((s) => s.source)).toEqual(['sqlite-file']);
    expect(r.notes.join(' ')).toMatch(/profiles\.toml were not read: it is not valid TOML/);
    expect(JSON.stringify(r)).not.toContain('pnu_LeakMe');
  });

  it('notes an unusable API URL instead of dropping the profile', async () => {
    writeProfiles(path.join(home, '.prefect', 'profiles.toml'), '[profiles.noapi]\nPREFECT_API_URL = "http://127.0.0.1:4200"\n');
    const r = await discover({ env: {}, homedir: home, ...noProbe });
    expect(r.setups[0]?.notes.join(' ')).toMatch(/not usable.*add \/api/i);
  });

  it('refuses keys that discovery does not produce', async () => {
    await expect(resolveDiscovered('profile:%2Fetc%2Fpasswd:root', { env: {}, homedir: home })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(resolveDiscovered('sqlite-file:%2Fetc%2Fshadow', { env: {}, homedir: home })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('local server probe', () => {
  it('offers a server that answers /health, merges it with a profile for the same URL, skips a closed port', async () => {
    const server = http.createServer((req, res) => {
      res.writeHead(req.url === '/api/health' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(req.url === '/api/health' ? 'true' : '{"detail":"Not Found"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const localApiUrl = `http://127.0.0.1:${port}/api`;
    try {
      const r = await discover({ env: {}, homedir: home, localApiUrl, existing: [{ apiUrl: `http://localhost:${port}/api` }] });
      expect(r.setups).toHaveLength(1);
      expect(r.setups[0]).toMatchObject({ source: 'local-server', apiUrl: localApiUrl, alreadyAdded: true });
      expect((await resolveDiscovered(r.setups[0]!.key, { env: {}, homedir: home, localApiUrl })).draft.apiUrl).toBe(localApiUrl);

      writeProfiles(path.join(home, '.prefect', 'profiles.toml'), `[profiles.local]\nPREFECT_API_URL = "http://localhost:${port}/api"\n`);
      const r2 = await discover({ env: {}, homedir: home, localApiUrl });
      expect(r2.setups.map((s) => s.source)).toEqual(['profile']);
      expect(r2.setups[0]?.notes).toContain('A Prefect server is answering at this URL now.');
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
    const started = Date.now();
    const r3 = await discover({ env: {}, homedir: path.join(root, 'empty'), localApiUrl, probeTimeoutMs: 300 });
    expect(r3.setups).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
