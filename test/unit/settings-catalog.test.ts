/**
 * The settings catalogs as data: one per Prefect line, rebuilt from the newest line plus per-line
 * differences (generated.ts). What each line's catalog holds is checked against the real Prefect of
 * that line by test/integration/profiles-catalog.test.ts (it needs the harness venv); here: the
 * rebuilt catalogs are consistent, the differences that matter to admins are there, and lookups,
 * groups and our explanations work.
 */
import { describe, expect, it } from 'vitest';
import { SETTING_NOTES } from '../../shared/domain/settings-catalog/notes';
import { BASE_LINE, GENERATED_LINES, LINE_DELTAS } from '../../shared/domain/settings-catalog/generated';
import {
  catalogFor,
  defaultAsText,
  describeAccepts,
  HOUSEKEEPER_SECRETS,
  LATEST_LINE,
  lineOfVersion,
  lookupSetting,
  PREFECT_LINES,
  SETTING_GROUPS,
  settingsInGroup,
} from '../../shared/domain/settings-catalog';

describe('catalogs per Prefect line', () => {
  it('has one generated line per known line, newest last, each from its newest patch', () => {
    expect(GENERATED_LINES.map((l) => l.line)).toEqual([...PREFECT_LINES]);
    expect(BASE_LINE).toBe(LATEST_LINE);
    for (const l of GENERATED_LINES) expect(l.version.startsWith(`${l.line}.`), l.version).toBe(true);
    for (const l of PREFECT_LINES.filter((x) => x !== BASE_LINE)) expect(LINE_DELTAS[l], l).toBeDefined();
  });

  it('rebuilds every line with unique names and sorted keys', () => {
    for (const l of PREFECT_LINES) {
      const c = catalogFor(l);
      expect(c.settings.length, l).toBeGreaterThan(140);
      const names = c.settings.flatMap((s) => [s.env, ...s.aliases]);
      expect(new Set(names).size, l).toBe(names.length);
      const keys = c.settings.filter((s) => s.origin === 'schema').map((s) => s.key);
      expect(keys, l).toEqual([...keys].sort((a, b) => a.localeCompare(b)));
      expect(c.info.line).toBe(l);
    }
  });

  it('knows what changed across 3.x', () => {
    const has = (l: (typeof PREFECT_LINES)[number], env: string) => catalogFor(l).lookup(env) !== undefined;
    // Custom client headers came in 3.4, the database vacuum service in 3.6, client basic auth in 3.1.
    expect(has('3.0', 'PREFECT_CLIENT_CUSTOM_HEADERS')).toBe(false);
    expect(has('3.4', 'PREFECT_CLIENT_CUSTOM_HEADERS')).toBe(true);
    expect(has('3.4', 'PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED')).toBe(false);
    expect(has('3.6', 'PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED')).toBe(true);
    expect(has('3.0', 'PREFECT_API_AUTH_STRING')).toBe(false);
    // The pool settings moved from server.database.sqlalchemy_pool_size (3.0) to a nested model.
    expect(catalogFor('3.0').lookup('PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE')?.entry.key).toBe('server.database.sqlalchemy_pool_size');
    expect(catalogFor('3.9').lookup('PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE')?.entry.key).toBe('server.database.sqlalchemy.pool_size');
    // Accepted formats: plain seconds for the late-runs grace period only from 3.6 (SecondsTimeDelta).
    expect(catalogFor('3.4').byKey('server.services.late_runs.after_seconds')?.kind).toBe('duration');
    expect(catalogFor('3.9').byKey('server.services.late_runs.after_seconds')?.kind).toBe('seconds-duration');
    expect(catalogFor('3.0').byKey('logging.extra_loggers')?.kind).toBe('string-list-csv');
    // db_vacuum learned "orphans" in 3.8.
    expect(catalogFor('3.6').byKey('server.services.db_vacuum.enabled')?.enum).toEqual(['events', 'flow_runs']);
    expect(catalogFor('3.9').byKey('server.services.db_vacuum.enabled')?.enum).toEqual(['events', 'flow_runs', 'orphans']);
    // Rules that span settings: 3.0-3.5 also want a password for a Postgres DRIVER without a URL.
    expect(catalogFor('3.0').info.rules.postgresDriverRequires).toContain('PASSWORD');
    expect(catalogFor('3.9').info.rules.postgresDriverRequires).toEqual(['HOST', 'USER', 'NAME']);
  });

  it("takes defaults from the model, also default_factory ones, and leaves computed ones out", () => {
    expect(defaultAsText(catalogFor('3.9').lookup('PREFECT_CLIENT_CUSTOM_HEADERS')!.entry)).toBe('{}');
    expect(defaultAsText(catalogFor('3.9').lookup('PREFECT_CLIENT_RETRY_EXTRA_CODES')!.entry)).toBe('');
    expect(catalogFor('3.9').lookup('PREFECT_HOME')!.entry.computed).toBe(true);
    expect(defaultAsText(catalogFor('3.9').lookup('PREFECT_API_SSL_CERT_FILE')!.entry)).toBeUndefined();
  });

  it('treats custom headers as a secret in every line that has them (they carry tokens)', () => {
    expect(HOUSEKEEPER_SECRETS.has('client.custom_headers')).toBe(true);
    for (const l of PREFECT_LINES) {
      const e = catalogFor(l).byKey('client.custom_headers');
      if (e) expect(e.secret, l).toBe(true);
    }
  });

  it('maps a server version to its line', () => {
    expect(lineOfVersion('3.4.25')).toEqual({ line: '3.4', note: null });
    expect(lineOfVersion('3.8.4.dev6')?.line).toBe('3.8');
    expect(lineOfVersion('3.0.0rc20')?.line).toBe('3.0');
    expect(lineOfVersion('3.42.0')).toMatchObject({ line: LATEST_LINE, note: expect.stringMatching(/newer/) });
    expect(lineOfVersion('2.20.1')).toBeNull();
    expect(lineOfVersion('banana')).toBeNull();
    expect(lineOfVersion(null)).toBeNull();
  });
});

describe('catalog groups and explanations', () => {
  it('files settings into every important group', () => {
    for (const id of ['scheduler', 'late-runs', 'database', 'database-pool', 'api', 'logging', 'messaging', 'db-vacuum', 'events', 'ui', 'services'] as const) {
      expect(settingsInGroup(id).length, id).toBeGreaterThan(0);
    }
    expect(SETTING_GROUPS.every((g) => g.explain.length > 20)).toBe(true);
  });

  it('files the headline settings where an admin looks for them', () => {
    const group = (env: string) => lookupSetting(env)?.entry.group;
    expect(group('PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS')).toBe('scheduler');
    expect(group('PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS')).toBe('late-runs');
    expect(group('PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE')).toBe('database-pool');
    expect(group('PREFECT_SERVER_DATABASE_CONNECTION_URL')).toBe('database');
    expect(group('PREFECT_SERVER_API_DEFAULT_LIMIT')).toBe('api');
    expect(group('PREFECT_LOGGING_TO_API_ENABLED')).toBe('logging');
    expect(group('PREFECT_SERVER_EVENTS_MESSAGING_BROKER')).toBe('messaging');
    expect(group('PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED')).toBe('db-vacuum');
    expect(group('PREFECT_SERVER_EVENTS_RETENTION_PERIOD')).toBe('events');
    expect(group('PREFECT_UI_API_URL')).toBe('ui');
    expect(group('PREFECT_SERVER_UI_API_URL')).toBe('ui');
    expect(group('PREFECT_API_URL')).toBe('client-api');
  });

  it('has notes only for settings that exist in the newest line', () => {
    for (const env of Object.keys(SETTING_NOTES)) expect(lookupSetting(env)?.alias, env).toBe(false);
  });

  it('finds settings by alias, case-insensitively', () => {
    expect(lookupSetting('prefect_api_services_scheduler_max_runs')).toMatchObject({ alias: true, entry: { env: 'PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS' } });
    expect(lookupSetting('PREFECT_SQLALCHEMY_POOL_SIZE')?.entry.env).toBe('PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE');
  });

  it('spells defaults as a profile would', () => {
    const d = (env: string) => defaultAsText(lookupSetting(env)!.entry);
    expect(d('PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME')).toBe('P100D');
    expect(d('PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED')).toBe('true');
    expect(d('PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED')).toBe('events');
    expect(d('PREFECT_SERVER_DATABASE_CONNECTION_URL')).toBeUndefined(); // computed: SQLite under PREFECT_HOME
    expect(d('PREFECT_API_URL')).toBeNull();
    expect(d('PREFECT_LOGGING_CONFIG_PATH')).toBeUndefined();
    expect(describeAccepts(lookupSetting('PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME')!.entry)).toMatch(/not plain seconds/);
  });
});
