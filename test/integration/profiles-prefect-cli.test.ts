/**
 * Profiles against the real Prefect (the harness's pinned venv): exported profiles.toml and .env
 * files read back by `prefect profile inspect`, `prefect config view --show-sources` and
 * `prefect config validate`; our validation fixture re-checked by Prefect's Settings model; and
 * drift against live servers, one started with a known profile and the harness's own.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createContext, type AppContext } from '../../main/context';
import type { ResolvedConnection } from '../../main/core/connections/types';
import { driftAgainst } from '../../main/core/profiles/drift-live';
import { profilesOf } from '../../main/handlers/profiles';
import { hasErrors, validateProfile } from '../../shared/domain/profiles';
import { catalogFor, LATEST_LINE, lineOfVersion, lookupSetting } from '../../shared/domain/settings-catalog';
import { startPrefectServer, type PrefectServer } from '../harness/prefect-server';

const run = promisify(execFile);
const h = inject('harness');
const repoRoot = path.resolve(__dirname, '..', '..');

/** The harness's Prefect line (PREFECT_VERSION): profiles here target it, as a user's would. */
const LINE = lineOfVersion(h.prefectPg.version)!.line;
const CAT = catalogFor(LINE);
/** 45 plain seconds where the line reads SecondsTimeDelta (3.6+), else the ISO form. */
const LATE_AFTER = CAT.byKey('server.services.late_runs.after_seconds')!.kind === 'seconds-duration' ? '45' : 'PT45S';
/** Only settings this line has: Prefect ignores the others, so they would not show in `config view`. */
const forLine = (v: Record<string, string>) => Object.fromEntries(Object.entries(v).filter(([k]) => CAT.lookup(k)));

/** Values chosen to exercise each format's quoting and each kind of setting (those of the harness's line). */
const VALUES: Record<string, string> = forLine({
  PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS: '20',
  PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME: 'PT15M',
  PREFECT_API_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME: 'P1D', // legacy name on purpose
  PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS: '30',
  PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS: LATE_AFTER,
  PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED: 'events,flow_runs',
  PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD: 'P30D',
  PREFECT_SERVER_SERVICES_DB_VACUUM_EVENT_RETENTION_OVERRIDES: '{"prefect.flow-run.heartbeat": 86400}',
  PREFECT_SERVER_API_CORS_ALLOWED_ORIGINS: "https://a.example, https://it's.example",
  PREFECT_SERVER_API_DEFAULT_LIMIT: '250',
  PREFECT_LOGGING_LEVEL: 'WARNING',
  PREFECT_SERVER_DATABASE_PASSWORD: `p@ss'w"rd $HOME #1`,
});
const HAS_DICT = 'PREFECT_SERVER_SERVICES_DB_VACUUM_EVENT_RETENTION_OVERRIDES' in VALUES;
const canonical = (name: string) => lookupSetting(name, LINE)?.entry.env ?? name;

let tmp: string;
let ctx: AppContext;
let profiles: ReturnType<typeof profilesOf>['profiles'];
let transfer: ReturnType<typeof profilesOf>['transfer'];
let profileId: string;

/** The Prefect CLI with nothing inherited: own HOME, PREFECT_HOME, cwd (Prefect reads ./.env). */
async function prefect(args: string[], opts: { cwd: string; profilesPath: string; env?: Record<string, string> }) {
  // COLUMNS: older Prefect CLIs print -o json through rich, which wraps long lines inside strings.
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: opts.cwd, COLUMNS: '400', PREFECT_HOME: path.join(opts.cwd, 'prefect-home'), PREFECT_PROFILES_PATH: opts.profilesPath, ...opts.env };
  try {
    const r = await run(h.prefectBin, args, { cwd: opts.cwd, env, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code ?? 1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

interface ConfigView {
  profile: string;
  settings: { name: string; value: string; source: string }[];
}

/**
 * `prefect config view --show-sources --show-secrets` as data. Its text form is the same in every
 * 3.x line (`NAME='value' (from source)`); `-o json` only exists in newer ones.
 */
function parseConfigView(text: string): ConfigView {
  const settings = text
    .split('\n')
    .map((l) => /^(PREFECT_[A-Z0-9_]+)='(.*)' \(from (.+)\)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[1]!, value: m[2]!, source: m[3]! }));
  return { profile: /^PREFECT_PROFILE='(.*)'/m.exec(text)?.[1] ?? '', settings };
}

/**
 * `prefect profile inspect NAME` as data. Its text form (`NAME='value'`, one per line) is the same in
 * every 3.x line; `-o json` only came in 3.4 (cli/profile.py), and 3.0-3.3 refuse the option.
 */
function parseProfileInspect(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .map((l) => /^(PREFECT_[A-Z0-9_]+)='(.*)'$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1]!, m[2]!]),
  );
}

/**
 * The settings Prefect's own `Settings` model reads in `cwd` (environment, ./.env, profile), as
 * `to_environment_variables(exclude_unset=True)` writes them (secrets included; floats as "30.0").
 */
async function prefectSettingsIn(cwd: string, profilesPath: string): Promise<Record<string, string>> {
  const python = path.join(path.dirname(h.prefectBin), 'python');
  const code = 'import json; from prefect.settings import get_current_settings as g; print(json.dumps(g().to_environment_variables(exclude_unset=True)))';
  const env = { PATH: process.env.PATH ?? '', HOME: cwd, PREFECT_HOME: path.join(cwd, 'prefect-home'), PREFECT_PROFILES_PATH: profilesPath };
  const r = await run(python, ['-c', code], { cwd, env, timeout: 60_000 });
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, string>;
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-prof-it-'));
  ctx = createContext({ face: 'cli', home: path.join(tmp, 'store') });
  ({ profiles, transfer } = profilesOf(ctx));
  profileId = profiles.create('prod', VALUES, { line: LINE }).id;
});
afterAll(async () => {
  await ctx?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('exported files read back by the real Prefect CLI', () => {
  it('merges into an existing profiles.toml that Prefect reads with the same values', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'toml-'));
    const file = path.join(dir, 'profiles.toml');
    fs.writeFileSync(file, '# hand-written\nactive = "local"\n\n[profiles.local]\nPREFECT_API_URL = "http://127.0.0.1:4200/api"\n');
    const preview = transfer.previewExport({ id: profileId, format: 'toml', includeSecrets: true, options: {}, path: file });
    expect(preview.target).toMatchObject({ exists: true, replaced: false, otherProfiles: ['local'] });
    const w = transfer.writeExport({ id: profileId, format: 'toml', includeSecrets: true, options: {}, path: file, fingerprint: preview.target!.fingerprint });
    expect(fs.readFileSync(w.backupPath!, 'utf8')).toContain('# hand-written');

    const inspect = await prefect(['profile', 'inspect', 'prod'], { cwd: dir, profilesPath: file });
    expect(inspect.code, inspect.stderr).toBe(0);
    const inspected = parseProfileInspect(inspect.stdout);
    // Prefect 3.9 casts legacy names to canonical ones when it loads a profile; 3.4 shows them as written.
    expect(Object.fromEntries(Object.entries(inspected).map(([k, v]) => [canonical(k), v]))).toEqual(Object.fromEntries(Object.entries(VALUES).map(([k, v]) => [canonical(k), v])));

    const view = await prefect(['--profile', 'prod', 'config', 'view', '--show-sources', '--show-secrets'], { cwd: dir, profilesPath: file });
    expect(view.code, view.stderr).toBe(0);
    const parsed = parseConfigView(view.stdout);
    expect(parsed.profile).toBe('prod');
    for (const [k, v] of Object.entries(VALUES)) {
      // By setting, not by spelling: 3.9 shows the canonical name, 3.4 the legacy one as written.
      const shown = parsed.settings.find((s) => canonical(s.name) === canonical(k));
      expect(shown && { value: shown.value, source: shown.source }, k).toEqual({ value: v, source: 'profile' });
    }

    const local = await prefect(['profile', 'inspect', 'local'], { cwd: dir, profilesPath: file });
    expect(local.code, local.stderr).toBe(0);
    expect(parseProfileInspect(local.stdout)).toEqual({ PREFECT_API_URL: 'http://127.0.0.1:4200/api' });

    // `config validate` rewrites the file with canonical names, so it runs on a copy.
    const copy = path.join(dir, 'copy.toml');
    fs.copyFileSync(file, copy);
    const validate = await prefect(['--profile', 'prod', 'config', 'validate'], { cwd: dir, profilesPath: copy });
    // Prefect 3.9.1 quirk, pinned so we notice when it changes: `config validate` checks dict settings
    // without JSON-decoding them, so the JSON text its own loader and servers accept (see `config
    // view` above) is "not a valid dictionary" there. Our TOML export says so in its notes. (Lines
    // before 3.7 have no such dict setting among these values.)
    if (HAS_DICT) {
      expect(validate.code).not.toBe(0);
      expect(validate.stderr).toMatch(/EVENT_RETENTION_OVERRIDES[\s\S]*dict_type/);
      expect(preview.notes.join(' ')).toMatch(/config validate/);
    } else expect(validate.code, validate.stderr).toBe(0);

    const withoutDict = profiles.create('prod-plain', Object.fromEntries(Object.entries(VALUES).filter(([k]) => !k.endsWith('_OVERRIDES'))), { line: LINE });
    const p2 = transfer.previewExport({ id: withoutDict.id, format: 'toml', includeSecrets: true, options: {}, path: copy });
    transfer.writeExport({ id: withoutDict.id, format: 'toml', includeSecrets: true, options: {}, path: copy, fingerprint: p2.target!.fingerprint });
    const ok = await prefect(['--profile', 'prod-plain', 'config', 'validate'], { cwd: dir, profilesPath: copy });
    expect(ok.code, ok.stderr + ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(/Configuration valid/);
    // ...and 3.9 rewrote the file with canonical names, as documented for `config validate` (3.4 keeps them).
    if (LINE === LATEST_LINE) expect(fs.readFileSync(copy, 'utf8')).not.toContain('PREFECT_API_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME');
  });

  it('writes a .env that Prefect reads from its working directory with the same values', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'env-'));
    // The password mixes a quote with "$": no .env quoting reads it the same in Prefect and in sh, so
    // that export is refused (test/integration/profiles-env-readers.test.ts); this one has no "$".
    expect(() => transfer.previewExport({ id: profileId, format: 'env', includeSecrets: true, options: {} })).toThrow(/PREFECT_SERVER_DATABASE_PASSWORD cannot be written/);
    const envValues = { ...VALUES, PREFECT_SERVER_DATABASE_PASSWORD: `p@ss'w"rd #1` };
    const envId = profiles.create('prod-env', envValues, { line: LINE }).id;
    const preview = transfer.previewExport({ id: envId, format: 'env', includeSecrets: true, options: {}, path: path.join(dir, '.env') });
    transfer.writeExport({ id: envId, format: 'env', includeSecrets: true, options: {}, path: path.join(dir, '.env'), fingerprint: preview.target!.fingerprint });
    // 3.0's `config view` never shows ./.env: prefect/cli/config.py (3.0.11) calls python-dotenv's
    // `dotenv_values()` without a path, which searches upward from Prefect's installed module, not the
    // working directory. Its Settings do read ./.env, so there the values are read through them.
    if (LINE === '3.0') {
      const read = await prefectSettingsIn(dir, path.join(dir, 'none.toml'));
      const same = (a: string | undefined, b: string) => a === b || (a !== undefined && a.trim() !== '' && Number(a) === Number(b));
      for (const [k, v] of Object.entries(envValues)) expect(same(read[canonical(k)], v), `${k}: Prefect read ${read[canonical(k)]}`).toBe(true);
      return;
    }
    const view = await prefect(['config', 'view', '--show-sources', '--show-secrets'], { cwd: dir, profilesPath: path.join(dir, 'none.toml') });
    expect(view.code, view.stderr).toBe(0);
    const parsed = parseConfigView(view.stdout);
    for (const [k, v] of Object.entries(envValues)) {
      const shown = parsed.settings.find((s) => canonical(s.name) === canonical(k));
      expect(shown && { value: shown.value, source: shown.source }, k).toEqual({ value: v, source: '.env file' });
    }
  });

  it('leaves secrets out of the file unless asked', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'nosecret-'));
    const r = transfer.previewExport({ id: profileId, format: 'env', includeSecrets: false, options: {}, path: path.join(dir, '.env') });
    expect(r.omitted).toEqual(['PREFECT_SERVER_DATABASE_PASSWORD']);
    expect(r.content).not.toContain(VALUES.PREFECT_SERVER_DATABASE_PASSWORD);
  });

  it('agrees with Prefect that a duration in seconds is refused for a timedelta setting', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'bad-'));
    const bad = profiles.create('bad', { PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME: '3600' }, { force: true, line: LINE });
    expect(hasErrors(bad.issues)).toBe(true);
    const file = path.join(dir, 'profiles.toml');
    transfer.writeExport({ id: bad.id, format: 'toml', includeSecrets: false, options: {}, path: file, fingerprint: null, force: true });
    const validate = await prefect(['--profile', 'bad', 'config', 'validate'], { cwd: dir, profilesPath: file });
    expect(validate.code).not.toBe(0);
    expect(validate.stderr + validate.stdout).toMatch(/time_delta_parsing|valid timedelta/);
  });

  it("refuses exactly the values this Prefect refuses (its line's validation fixture re-checked live)", async () => {
    const line = lineOfVersion(h.prefectPg.version)!.line;
    const fixture = JSON.parse(fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', `prefect-validation-${line}.json`), 'utf8')) as {
      cases: ({ env: string; value: string } | { values: Record<string, string> })[];
    };
    const dir = fs.mkdtempSync(path.join(tmp, 'probe-'));
    const child = execFile(h.venvPython, [path.join(repoRoot, 'scripts', 'prefect-validate-cases.py')], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: dir, HK_PROBE_HOME: dir },
      maxBuffer: 64 * 1024 * 1024,
    });
    const output = new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`probe exited ${code}`))));
    });
    child.stdin!.end(JSON.stringify(fixture.cases.map((c) => ('values' in c ? { values: c.values } : { env: c.env, value: c.value }))));
    const live = JSON.parse(await output) as ({ env: string; value: string } | { values: Record<string, string> } & { ok: boolean; error: string | null })[];
    const disagreements = live
      .map((c) => ({ values: 'values' in c ? c.values : { [c.env]: c.value }, ok: (c as { ok: boolean }).ok, error: (c as { error: string | null }).error }))
      .filter((c) => hasErrors(validateProfile(c.values, line)) === c.ok)
      .map((c) => `${JSON.stringify(c.values)} prefect ok=${c.ok} ${c.error ?? ''}`);
    expect(disagreements).toEqual([]);
  });
});

describe('drift against live servers', () => {
  let server: PrefectServer;
  let conn: ResolvedConnection;
  const DRIFT_VALUES = forLine({
    PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS: '20',
    PREFECT_API_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME: 'PT15M',
    PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS: LATE_AFTER,
    PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED: 'events,flow_runs',
    PREFECT_SERVER_API_DEFAULT_LIMIT: '250',
    PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE: '5', // Prefect's default, set explicitly
    PREFECT_SERVER_DATABASE_PASSWORD: 'unused-secret',
  });

  beforeAll(async () => {
    // The server starts with a known profile: exported by us, selected with PREFECT_PROFILE.
    const dir = fs.mkdtempSync(path.join(tmp, 'drift-'));
    const id = profiles.create('drift', DRIFT_VALUES, { line: LINE }).id;
    const file = path.join(dir, 'profiles.toml');
    transfer.writeExport({ id, format: 'toml', includeSecrets: true, options: {}, path: file, fingerprint: null });
    server = await startPrefectServer({ name: 'profiles-drift', db: { kind: 'sqlite' }, extraEnv: { PREFECT_PROFILES_PATH: file, PREFECT_PROFILE: 'drift' } });
    conn = { id: null, name: 'drift-server', apiUrl: server.info.apiUrl, apiAuth: { kind: 'none' }, db: { kind: 'none' }, readOnly: false };
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('finds every profile value on the server it was started with', async () => {
    const r = await driftAgainst(profiles, 'drift', undefined, conn);
    const by = Object.fromEntries(r.entries.map((e) => [e.env, e]));
    for (const k of Object.keys(DRIFT_VALUES).filter((k) => k !== 'PREFECT_SERVER_DATABASE_PASSWORD')) expect(by[canonical(k)]?.status, k).toBe('same');
    expect(by.PREFECT_SERVER_DATABASE_PASSWORD).toMatchObject({ status: 'unknown', serverValue: '**********' });
    // The harness switches the scheduler off through the environment: set only on the server.
    expect(by.PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED).toMatchObject({ status: 'server-only', serverValue: 'false', defaultValue: 'true' });
    expect(r.counts.different).toBe(0);
    expect(r.counts.profileOnly).toBe(0);
    // Settings at this version's default are not drift, also those with a default_factory ({} headers).
    expect(by.PREFECT_CLIENT_CUSTOM_HEADERS).toBeUndefined();
    for (const e of r.entries.filter((x) => x.status === 'server-only')) expect(e.serverValue, e.env).not.toBe(e.defaultValue);
    expect(r.serverVersion).toBe(h.prefectPg.version);
    expect(r.line).toBe(lineOfVersion(h.prefectPg.version)!.line);
    expect(r.restartNote).toMatch(/restart/);
  });

  it('shows an edited value as different until the server restarts with it', async () => {
    const p = profiles.get('drift');
    profiles.save(p.id, p.rev, { set: { PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS: '30', PREFECT_SERVER_API_KEEPALIVE_TIMEOUT: '9' } });
    const r = await driftAgainst(profiles, 'drift', undefined, conn);
    const by = Object.fromEntries(r.entries.map((e) => [e.env, e]));
    expect(by.PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS).toMatchObject({ status: 'different', profileValue: '30', serverValue: '20' });
    expect(by.PREFECT_SERVER_API_KEEPALIVE_TIMEOUT).toMatchObject({ status: 'different', profileValue: '9', serverValue: '5', note: expect.stringMatching(/default/) });
  });

  it("compares with the server's line, and says so when the profile targets another", async () => {
    const serverLine = lineOfVersion(h.prefectPg.version)!.line;
    const other = serverLine === '3.0' ? '3.9' : '3.0';
    const p = profiles.create('other-line', { PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS: '20' }, { line: other });
    const r = await driftAgainst(profiles, p.id, undefined, conn);
    expect(r).toMatchObject({ line: serverLine, profileLine: other });
    expect(r.notes.join(' ')).toMatch(new RegExp(`targets Prefect ${other.replace('.', '\\.')}; the server runs ${h.prefectPg.version.replace(/\./g, '\\.')}`));
    expect(r.entries.find((e) => e.env === 'PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS')?.status).toBe('same');
  });

  it('compares with the harness server, which runs with the scheduler and late runs off', async () => {
    const p = profiles.create('harness', { PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED: 'false', PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED: 'true' }, { line: LINE });
    const r = await driftAgainst(profiles, p.id, undefined, { ...conn, name: 'harness-pg', apiUrl: h.prefectPg.apiUrl });
    const by = Object.fromEntries(r.entries.map((e) => [e.env, e]));
    expect(by.PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED!.status).toBe('same');
    expect(by.PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED).toMatchObject({ status: 'different', serverValue: 'false' });
  });
});
