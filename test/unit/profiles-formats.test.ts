/** Every export format read back by its importer gives the same values; bad files fail with a line. */
import { describe, expect, it } from 'vitest';
import { mergeProfilesToml, parseFormat, renderFormat, type RenderInput } from '../../main/core/profiles/formats';
import { parseDotenvPairs } from '../../main/core/profiles/formats/dotenv';
import { parseProfilesToml } from '../../main/core/profiles/formats/profiles-toml';
import { EXPORT_FORMATS, type ProfileValues } from '../../shared/domain/profiles';
import { AppError } from '../../shared/errors';

const PLAIN: ProfileValues = {
  PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS: '20',
  PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME: 'P1D',
  PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED: 'true',
  PREFECT_LOGGING_LEVEL: 'WARNING',
  PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED: 'events,flow_runs',
  PREFECT_SERVER_SERVICES_DB_VACUUM_EVENT_RETENTION_OVERRIDES: '{"prefect.flow-run.heartbeat": 86400}',
  PREFECT_SERVER_API_CORS_ALLOWED_ORIGINS: 'https://a.example, https://b.example',
  PREFECT_SERVER_API_BASE_PATH: '',
  PREFECT_SERVER_DATABASE_SQLALCHEMY_CONNECT_ARGS_APPLICATION_NAME: 'prefect server – ünïcode',
  PREFECT_SERVER_API_DEFAULT_LIMIT: '007',
};
const SECRETS: ProfileValues = {
  PREFECT_SERVER_DATABASE_CONNECTION_URL: 'postgresql+asyncpg://prefect:${PREFECT_SERVER_DATABASE_PASSWORD}@db:5432/prefect',
  PREFECT_SERVER_DATABASE_PASSWORD: `p@ss'w"rd\\$HOME`,
  PREFECT_SERVER_API_AUTH_STRING: 'admin:pa ss#word',
  // Plain text in Prefect, but it carries tokens: a secret here (issue #12 item 7).
  PREFECT_CLIENT_CUSTOM_HEADERS: `{"X-Note": "it's a \\"quoted\\" # value"}`,
};
const input = (includeSecrets: boolean, values: ProfileValues = { ...PLAIN, ...SECRETS }): RenderInput => ({
  name: 'prod',
  values,
  includeSecrets,
  options: {},
});

// .env has no quoting that python-dotenv and sh read alike for a value with ' and $ together (it is
// refused, below); every other format carries it.
const ENV_SAFE = { ...SECRETS, PREFECT_SERVER_DATABASE_PASSWORD: `p@ss'w"rd\\ #1` };
const secretsFor = (format: string) => (format === 'env' ? ENV_SAFE : SECRETS);

describe.each(EXPORT_FORMATS)('%s round trip', (format) => {
  it('reads back exactly what it wrote, secrets included on request', () => {
    const out = renderFormat(format, input(true, { ...PLAIN, ...secretsFor(format) }));
    expect(out.omitted).toEqual([]);
    const back = parseFormat(format, out.content, { name: 'prod' });
    expect(back.profiles).toHaveLength(1);
    expect(back.profiles[0]!.values).toEqual({ ...PLAIN, ...secretsFor(format) });
  });

  it('leaves secrets out unless included, and says so', () => {
    const out = renderFormat(format, input(false));
    expect(out.omitted.sort()).toEqual(Object.keys(SECRETS).sort());
    expect(out.notes.join(' ')).toMatch(/Left out 4 secret/);
    for (const v of Object.values(SECRETS)) expect(out.content).not.toContain(v);
    const back = parseFormat(format, out.content, { name: 'prod' });
    expect(back.profiles[0]!.values).toEqual(PLAIN);
  });
});

describe('profiles.toml merge', () => {
  const existing = `# my profiles, hand-written
active = "local"

[profiles.local]
PREFECT_API_URL = "http://127.0.0.1:4200/api"  # keep me

[profiles.prod]
PREFECT_LOGGING_LEVEL = "DEBUG"
OLD = "x"

# the cloud one
[profiles.cloud]
PREFECT_API_URL = "https://api.prefect.cloud/api/accounts/a/workspaces/w"
`;

  it('replaces one table and keeps the other profiles, active and comments', () => {
    const r = mergeProfilesToml(existing, input(false, { PREFECT_LOGGING_LEVEL: 'WARNING' }));
    expect(r.replaced).toBe(true);
    expect(r.otherProfiles).toEqual(['local', 'cloud']);
    expect(r.content).toContain('# my profiles, hand-written');
    expect(r.content).toContain('# keep me');
    expect(r.content).toContain('# the cloud one');
    const parsed = parseProfilesToml(r.content);
    expect(parsed.active).toBe('local');
    expect(Object.fromEntries(parsed.profiles.map((p) => [p.name, p.values]))).toEqual({
      local: { PREFECT_API_URL: 'http://127.0.0.1:4200/api' },
      prod: { PREFECT_LOGGING_LEVEL: 'WARNING' },
      cloud: { PREFECT_API_URL: 'https://api.prefect.cloud/api/accounts/a/workspaces/w' },
    });
  });

  it("keeps the comments inside the profile's own table, and inline comments of values it keeps", () => {
    const mine = `active = "prod"

[profiles.prod]
# scheduler: tuned after the March incident
PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS = "50"  # was 100
# logging
PREFECT_LOGGING_LEVEL = "DEBUG"
PREFECT_SERVER_API_AUTH_STRING = "admin:old"
OLD = "x"  # gone after the export

# next one
[profiles.other]
X = "1"
`;
    const r = mergeProfilesToml(mine, input(false, { PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS: '20', PREFECT_LOGGING_LEVEL: 'INFO', PREFECT_SERVER_API_KEEPALIVE_TIMEOUT: '9', PREFECT_SERVER_API_AUTH_STRING: 'admin:new' }));
    expect(r.content).toBe(`active = "prod"

[profiles.prod]
# scheduler: tuned after the March incident
PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS = "20"  # was 100
# logging
PREFECT_LOGGING_LEVEL = "INFO"
PREFECT_SERVER_API_AUTH_STRING = "admin:old"
PREFECT_SERVER_API_KEEPALIVE_TIMEOUT = "9"

# next one
[profiles.other]
X = "1"
`);
    expect(r.notes.join(' ')).toMatch(/PREFECT_SERVER_API_AUTH_STRING: left as the file has it/);
    expect(r.notes.join(' ')).not.toMatch(/rewritten/);
    // With secrets included the file's secret is replaced in place.
    const withSecret = mergeProfilesToml(mine, input(true, { PREFECT_SERVER_API_AUTH_STRING: 'admin:new' }));
    expect(withSecret.content).toContain('PREFECT_SERVER_API_AUTH_STRING = "admin:new"\n');
    expect(withSecret.content).toContain('# scheduler: tuned after the March incident');
  });

  it('adds a new table at the end under another name', () => {
    const r = mergeProfilesToml(existing, { ...input(false, { PREFECT_LOGGING_LEVEL: 'INFO' }), options: { profileName: 'staging.eu' } });
    expect(r.replaced).toBe(false);
    expect(r.content).toMatch(/\[profiles\."staging\.eu"\]\nPREFECT_LOGGING_LEVEL = "INFO"\n$/);
    expect(parseProfilesToml(r.content).profiles.map((p) => p.name)).toEqual(['local', 'prod', 'cloud', 'staging.eu']);
  });

  it('falls back to a full rewrite when the table is written as dotted keys', () => {
    const dotted = 'active = "prod"\nprofiles.prod.PREFECT_LOGGING_LEVEL = "DEBUG"\nprofiles.other.X = "1"\n';
    const r = mergeProfilesToml(dotted, input(false, { PREFECT_LOGGING_LEVEL: 'INFO' }));
    const parsed = parseProfilesToml(r.content);
    expect(Object.fromEntries(parsed.profiles.map((p) => [p.name, p.values]))).toEqual({ prod: { PREFECT_LOGGING_LEVEL: 'INFO' }, other: { X: '1' } });
  });

  it('refuses to merge into a file that is not valid TOML', () => {
    expect(() => mergeProfilesToml('[profiles.a]\nX = "unclosed\n', input(false))).toThrow(/line 2/);
  });
});

describe('import details', () => {
  const err = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return e as AppError;
    }
    throw new Error('no error');
  };

  it('reads every profile of a profiles.toml and converts typed values', () => {
    const p = parseFormat('toml', 'active = "a"\n[profiles.a]\nPREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME = 3600\nPREFECT_SERVER_SERVICES_SCHEDULER_ENABLED = false\n[profiles.b]\nPREFECT_LOGGING_LEVEL = "INFO"\n');
    expect(p.profiles.map((x) => x.name)).toEqual(['a', 'b']);
    expect(p.profiles[0]!.values).toEqual({ PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME: 'PT1H', PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED: 'false' });
    expect(p.notes.join(' ')).toMatch(/converted to PT1H/);
  });

  it('rejects duplicate keys in TOML and YAML with the line', () => {
    expect(err(() => parseFormat('toml', '[profiles.a]\nX = "1"\nX = "2"\n')).message).toMatch(/line 3/);
    const e = err(() => parseFormat('compose', 'services:\n  s:\n    environment:\n      PREFECT_A: "1"\n      PREFECT_A: "2"\n'));
    expect(e.code).toBe('VALIDATION');
    expect(e.message).toMatch(/line 5/);
  });

  it('reads .env like python-dotenv: export, comments, quotes', () => {
    const { pairs, notes } = parseDotenvPairs(`# c\nexport PREFECT_A=1 # comment\nPREFECT_B="x\\ny"\nPREFECT_C='a#b'\nBARE\nOTHER=1\nPREFECT_D=\n`);
    expect(Object.fromEntries(pairs)).toEqual({ PREFECT_A: '1', PREFECT_B: 'x\ny', PREFECT_C: 'a#b', OTHER: '1', PREFECT_D: '' });
    expect(notes.join(' ')).toMatch(/Line 5 names a variable without a value/);
    expect(parseFormat('env', 'OTHER=1\nPREFECT_A=1\n').notes.join(' ')).toMatch(/Skipped 1 variable\(s\) in the \.env file that are not Prefect settings: OTHER/);
  });

  it('refuses duplicate keys with both lines (python-dotenv would silently take the last)', () => {
    const e = err(() => parseDotenvPairs('# c\nPREFECT_A=1\nPREFECT_B=2\nPREFECT_A=3\n'));
    expect(e.code).toBe('VALIDATION');
    expect(e.message).toMatch(/PREFECT_A is set twice \(lines 2 and 4\)/);
    expect(err(() => parseFormat('systemd', 'PREFECT_A=1\nPREFECT_A=2\n')).message).toMatch(/line 2.*set twice/);
    expect(err(() => parseFormat('compose', 'services:\n  s:\n    environment:\n      - PREFECT_A=1\n      - PREFECT_A=2\n')).message).toMatch(/PREFECT_A is listed twice/);
  });

  it('names the line of a malformed .env entry', () => {
    expect(err(() => parseFormat('env', 'PREFECT_A=1\nPREFECT_B="open\n')).message).toMatch(/line 2/);
    expect(err(() => parseFormat('env', 'PREFECT_A=1\n=oops\n')).message).toMatch(/line 2/);
  });

  it('reads compose list and mapping forms, one profile per service with Prefect settings', () => {
    const p = parseFormat('compose', `services:
  server:
    environment:
      - PREFECT_SERVER_API_HOST=0.0.0.0
      - PREFECT_SERVER_DATABASE_CONNECTION_URL=postgresql+asyncpg://u:$\${PW}@db/p
      - PREFECT_FROM_HOST
  worker:
    environment:
      PREFECT_API_URL: http://server:4200/api
      PREFECT_WORKER_QUERY_SECONDS: 5
  db:
    image: postgres
`);
    expect(p.profiles).toEqual([
      { name: 'server', values: { PREFECT_SERVER_API_HOST: '0.0.0.0', PREFECT_SERVER_DATABASE_CONNECTION_URL: 'postgresql+asyncpg://u:${PW}@db/p' } },
      { name: 'worker', values: { PREFECT_API_URL: 'http://server:4200/api', PREFECT_WORKER_QUERY_SECONDS: '5' } },
    ]);
    expect(p.notes.join(' ')).toMatch(/PREFECT_FROM_HOST takes its value from the host/);
  });

  it('reads base64 Secret data in Kubernetes manifests', () => {
    const b64 = Buffer.from('admin:x').toString('base64');
    const p = parseFormat('k8s', `apiVersion: v1\nkind: Secret\nmetadata: {name: prod-prefect-secrets}\ndata:\n  PREFECT_SERVER_API_AUTH_STRING: ${b64}\n`);
    expect(p.profiles[0]).toEqual({ name: 'prod', values: { PREFECT_SERVER_API_AUTH_STRING: 'admin:x' } });
  });

  it('escapes $ for compose and refuses line breaks for systemd', () => {
    expect(renderFormat('compose', input(true, { PREFECT_X: 'a$b' })).content).toContain('a$$b');
    expect(() => renderFormat('systemd', input(true, { PREFECT_X: 'a\nb' }))).toThrow(/line break/);
  });

  it('writes Helm values for the prefect-server chart with secret references', () => {
    const out = renderFormat('helm', input(false)).content;
    expect(out).toMatch(/global:\n {2}prefect:\n {4}env:/);
    expect(out).toContain('secretKeyRef');
    expect(out).toContain('kubectl create secret generic prod-prefect-secrets');
  });
});
