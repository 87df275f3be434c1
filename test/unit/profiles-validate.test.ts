/**
 * Validation as Prefect does it, line by line. The fixtures hold values run through the real Prefect
 * Settings model of each 3.x line (scripts/gen-validation-fixture.mjs); our validator, given that
 * line, must refuse exactly the values that Prefect refuses. The remaining tests pin the messages and
 * the advice Prefect does not give.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyChanges,
  checkValue,
  diffValues,
  hasErrors,
  humanDuration,
  isSecretName,
  parseSecondsTimedelta,
  parseTimedelta,
  PRESETS,
  presetChanges,
  toIsoDuration,
  validateProfile,
} from '../../shared/domain/profiles';
import { catalogFor, lookupSetting, PREFECT_LINES, type PrefectLine } from '../../shared/domain/settings-catalog';

interface Fixture {
  prefectVersion: string;
  line: PrefectLine;
  cases: ({ env: string; value: string; ok: boolean } | { values: Record<string, string>; ok: boolean })[];
}
const fixtureDir = path.join(__dirname, '..', 'fixtures');
const fixtures = fs
  .readdirSync(fixtureDir)
  .filter((f) => /^prefect-validation-3\.\d+\.json$/.test(f))
  .map((f) => JSON.parse(fs.readFileSync(path.join(fixtureDir, f), 'utf8')) as Fixture);

const entry = (env: string) => lookupSetting(env)!.entry;

describe('agreement with the real Prefect of every line (fixtures)', () => {
  it('has a fixture for every line, from the release its catalog comes from', () => {
    expect(fixtures.map((f) => f.line).sort()).toEqual([...PREFECT_LINES].sort());
    for (const f of fixtures) expect(f.prefectVersion, f.line).toBe(catalogFor(f.line).info.version);
  });

  describe.each(fixtures.map((f) => [f.line, f] as const))('Prefect %s', (line, f) => {
    it.each(f.cases.map((c) => ['values' in c ? c.values : { [c.env]: c.value }, c.ok] as const))('%j accepted: %s', (values, ok) => {
      const issues = validateProfile(values, line);
      expect(hasErrors(issues), JSON.stringify(issues)).toBe(!ok);
    });
  });
});

describe('durations', () => {
  it('parses ISO 8601 with Y=365 d and M=30 d', () => {
    expect(parseTimedelta('P1Y')).toEqual({ ok: true, seconds: 365 * 86400 });
    expect(parseTimedelta('P1M')).toEqual({ ok: true, seconds: 30 * 86400 });
    expect(parseTimedelta('P1DT2H30M')).toEqual({ ok: true, seconds: 86400 + 9000 });
    expect(parseTimedelta('-PT1H')).toEqual({ ok: true, seconds: -3600 });
  });

  it('explains why plain seconds are refused for a timedelta', () => {
    const r = parseTimedelta('3600');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/PT1H/);
    expect(!parseTimedelta('10m').ok && (parseTimedelta('10m') as { error: string }).error).toMatch(/PT10M/);
  });

  it('takes seconds for SecondsTimeDelta', () => {
    expect(parseSecondsTimedelta('15')).toEqual({ ok: true, seconds: 15 });
    expect(parseSecondsTimedelta('PT15S')).toEqual({ ok: true, seconds: 15 });
  });

  it('formats as pydantic does', () => {
    expect(toIsoDuration(3600)).toBe('PT1H');
    expect(toIsoDuration(100 * 86400)).toBe('P100D');
    expect(toIsoDuration(0)).toBe('PT0S');
    expect(toIsoDuration(90061.5)).toBe('P1DT1H1M1.5S');
    expect(toIsoDuration(-3600)).toBe('-PT1H');
    expect(humanDuration(5400)).toBe('1 h 30 min');
  });

  it('compares equal durations written differently', () => {
    const e = entry('PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS');
    expect(checkValue(e, '60').comparable).toBe(checkValue(e, 'PT1M').comparable);
  });
});

describe('names', () => {
  it('suggests the closest names for a typo', () => {
    const [i] = validateProfile({ PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUN: '10' });
    expect(i).toMatchObject({ code: 'unknown', severity: 'warning' });
    expect(i!.didYouMean).toContain('PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS');
  });

  it('offers the canonical name for a legacy alias', () => {
    const issues = validateProfile({ PREFECT_API_SERVICES_SCHEDULER_MAX_RUNS: '10' });
    expect(issues).toEqual([expect.objectContaining({ code: 'legacy-name', renameTo: 'PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS' })]);
  });

  it('flags both names set for one setting and says which wins', () => {
    const issues = validateProfile({ PREFECT_API_DATABASE_CONNECTION_URL: 'sqlite+aiosqlite:///a.db', PREFECT_SERVER_DATABASE_CONNECTION_URL: 'sqlite+aiosqlite:///b.db' });
    const dup = issues.find((i) => i.code === 'duplicate');
    expect(dup?.message).toMatch(/uses PREFECT_SERVER_DATABASE_CONNECTION_URL/);
  });

  it('flags lower-case names', () => {
    expect(validateProfile({ prefect_logging_level: 'INFO' })[0]).toMatchObject({ code: 'case', renameTo: 'PREFECT_LOGGING_LEVEL' });
  });
});

describe('values and cross-field rules', () => {
  it('names the accepted values of an enum', () => {
    expect(checkValue(entry('PREFECT_SERVER_DATABASE_DRIVER'), 'postgresql').error).toMatch(/postgresql\+asyncpg/);
  });

  it('refuses out-of-range numbers with the bound', () => {
    expect(checkValue(entry('PREFECT_SERVER_SERVICES_DB_VACUUM_BATCH_SIZE'), '0').error).toBe('must be greater than 0');
  });

  it('warns about things Prefect accepts but that will not work', () => {
    const w = (env: string, v: string) => checkValue(entry(env), v).warnings.join(' ');
    expect(w('PREFECT_SERVER_DATABASE_CONNECTION_URL', 'postgresql://u@h/db')).toMatch(/async driver/);
    expect(w('PREFECT_API_URL', 'http://host:4200')).toMatch(/\/api/);
    expect(w('PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED', 'events,flowruns')).toMatch(/flowruns/);
    expect(w('PREFECT_SERVER_API_PORT', '99999')).toMatch(/port/);
  });

  it('requires max log size <= batch size, like Prefect', () => {
    expect(hasErrors(validateProfile({ PREFECT_LOGGING_TO_API_BATCH_SIZE: '100', PREFECT_LOGGING_TO_API_MAX_LOG_SIZE: '50' }))).toBe(false);
    expect(hasErrors(validateProfile({ PREFECT_LOGGING_TO_API_BATCH_SIZE: '100' }))).toBe(true);
  });

  it('catches mismatched server and client auth strings', () => {
    const issues = validateProfile({ PREFECT_SERVER_API_AUTH_STRING: 'admin:a', PREFECT_API_AUTH_STRING: 'admin:b' });
    expect(issues.map((i) => i.code)).toContain('cross-field');
  });

  it('warns about an unused database password', () => {
    const issues = validateProfile({ PREFECT_SERVER_DATABASE_CONNECTION_URL: 'postgresql+asyncpg://u:x@h/db', PREFECT_SERVER_DATABASE_PASSWORD: 'secret' });
    expect(issues.some((i) => /not used in the connection URL/.test(i.message))).toBe(true);
  });
});

describe('changes, diff and presets', () => {
  it('setting a canonical name drops its legacy names', () => {
    const out = applyChanges({ PREFECT_API_SERVICES_SCHEDULER_MAX_RUNS: '50', OTHER: 'x' }, { set: { PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS: '20' } });
    expect(out).toEqual({ OTHER: 'x', PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS: '20' });
  });

  it('renames and unsets', () => {
    const out = applyChanges({ PREFECT_API_DEFAULT_LIMIT: '100', PREFECT_LOGGING_LEVEL: 'INFO' }, { rename: { PREFECT_API_DEFAULT_LIMIT: 'PREFECT_SERVER_API_DEFAULT_LIMIT' }, unset: ['prefect_logging_level'] });
    expect(out).toEqual({ PREFECT_SERVER_API_DEFAULT_LIMIT: '100' });
  });

  it('diffs with renames and masked secrets', () => {
    const d = diffValues(
      { PREFECT_API_DEFAULT_LIMIT: '100', PREFECT_SERVER_API_AUTH_STRING: 'a:b', GONE: '1' },
      { PREFECT_SERVER_API_DEFAULT_LIMIT: '100', PREFECT_SERVER_API_AUTH_STRING: 'a:c', NEW: '2' },
      isSecretName,
    );
    expect(d).toEqual([
      { name: 'GONE', status: 'removed', before: '1', after: null, secret: false },
      { name: 'NEW', status: 'added', before: null, after: '2', secret: false },
      { name: 'PREFECT_SERVER_API_AUTH_STRING', status: 'changed', before: '••••••', after: '••••••', secret: true },
      { name: 'PREFECT_SERVER_API_DEFAULT_LIMIT', status: 'renamed', fromName: 'PREFECT_API_DEFAULT_LIMIT', before: '100', after: '100', secret: false },
    ]);
  });

  it('ships presets that validate cleanly and explain every value', () => {
    for (const p of PRESETS) {
      const values = applyChanges({}, presetChanges(p));
      expect(validateProfile(values).filter((i) => i.severity === 'error'), p.id).toEqual([]);
      expect(validateProfile(values).filter((i) => i.code === 'unknown' || i.code === 'legacy-name'), p.id).toEqual([]);
      for (const s of p.settings) expect(s.reason.length, `${p.id} ${s.name}`).toBeGreaterThan(10);
    }
  });
});

describe('drift', () => {
  // The shape of GET /api/admin/settings (Prefect 3.9.1): nested by path, durations ISO, secrets masked.
  const server = {
    server: {
      services: {
        scheduler: { enabled: true, loop_seconds: 60.0, max_runs: 50, min_runs: 3, max_scheduled_time: 'P100D' },
        late_runs: { after_seconds: 'PT15S' },
        db_vacuum: { enabled: ['events'], retention_period: 'P90D' },
      },
      database: { connection_url: '**********', sqlalchemy: { pool_size: 5 } },
      api: { auth_string: '**********', default_limit: 200 },
      logging_level: 'WARNING',
    },
    home: '/root/.prefect',
  };

  it('sorts settings into same, different, set only here, set only on the server, unknown', async () => {
    const { computeDrift, driftCounts } = await import('../../shared/domain/profiles');
    const d = computeDrift(
      {
        PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS: '60',
        PREFECT_API_SERVICES_SCHEDULER_MAX_RUNS: '20',
        PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS: '15',
        PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE: '20',
        PREFECT_SERVER_API_AUTH_STRING: 'admin:x',
        PREFECT_REDIS_MESSAGING_HOST: 'redis',
      },
      server,
    );
    const by = Object.fromEntries(d.map((e) => [e.env, e]));
    expect(by.PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS!.status).toBe('same');
    expect(by.PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS!.status).toBe('same');
    expect(by.PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS).toMatchObject({ status: 'different', profileValue: '20', serverValue: '50' });
    expect(by.PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS!.note).toMatch(/PREFECT_API_SERVICES_SCHEDULER_MAX_RUNS/);
    // The server runs the default while the profile says 20: that is a difference, said so in the note.
    expect(by.PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE).toMatchObject({ status: 'different', profileValue: '20', serverValue: '5', note: expect.stringMatching(/default/) });
    expect(by.PREFECT_SERVER_API_AUTH_STRING).toMatchObject({ status: 'unknown', profileValue: '••••••' });
    expect(by.PREFECT_REDIS_MESSAGING_HOST!.status).toBe('profile-only');
    // Server defaults and computed values (home, the masked default database URL) are not drift.
    expect(by.PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED).toBeUndefined();
    expect(by.PREFECT_HOME).toBeUndefined();
    expect(by.PREFECT_SERVER_DATABASE_CONNECTION_URL).toBeUndefined();
    expect(driftCounts(d)).toEqual({ same: 2, different: 2, profileOnly: 1, serverOnly: 0, unknown: 1 });
  });

  it("does not report a value equal to that line's default, also for default_factory settings ({} headers)", async () => {
    const { computeDrift } = await import('../../shared/domain/profiles');
    const server39 = { client: { custom_headers: {}, retry_extra_codes: [] }, server: { api: { default_limit: 200 } } };
    expect(computeDrift({}, server39, '3.9')).toEqual([]);
    // Non-default headers on the server are drift, but their value (tokens) is never shown.
    const d = computeDrift({}, { client: { custom_headers: { Authorization: 'Bearer s3cr3t' } } }, '3.9');
    expect(d).toEqual([expect.objectContaining({ env: 'PREFECT_CLIENT_CUSTOM_HEADERS', status: 'server-only', serverValue: '••••••' })]);
    expect(JSON.stringify(d)).not.toContain('s3cr3t');
  });

  it("compares by the server line's settings paths (the pool moved in 3.1)", async () => {
    const { computeDrift } = await import('../../shared/domain/profiles');
    const server30 = { server: { database: { sqlalchemy_pool_size: 20 } } };
    const profile = { PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE: '20' };
    expect(computeDrift(profile, server30, '3.0')).toEqual([expect.objectContaining({ env: 'PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE', status: 'same' })]);
    // Read with 3.9's paths the same server looks as if it did not know the setting.
    expect(computeDrift(profile, server30, '3.9').find((e) => e.env === 'PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE')?.status).toBe('profile-only');
  });

  it('reports settings changed only on the server', async () => {
    const { computeDrift } = await import('../../shared/domain/profiles');
    const d = computeDrift({}, { server: { api: { default_limit: 500 } }, logging: { extra_loggers: [] }, client: { retry_extra_codes: [] } });
    expect(d).toEqual([expect.objectContaining({ env: 'PREFECT_SERVER_API_DEFAULT_LIMIT', status: 'server-only', serverValue: '500', defaultValue: '200' })]);
  });
});
