/**
 * Contract test: the committed settings catalog against Prefect's own settings schema
 * (../shared/prefect/settings.schema.json, read in place, never copied). Names, canonical env vars,
 * legacy aliases, types, defaults, bounds, secrets. When Prefect's schema is updated this fails until
 * `node scripts/gen-settings-catalog.mjs` is run and the result reviewed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXTRA_SETTINGS } from '../../shared/domain/settings-catalog/extras';
import { SETTING_NOTES } from '../../shared/domain/settings-catalog/notes';
import {
  SETTINGS,
  SETTING_GROUPS,
  defaultAsText,
  describeAccepts,
  lookupSetting,
  settingsInGroup,
  type SettingEntry,
} from '../../shared/domain/settings-catalog';

const repoRoot = path.resolve(__dirname, '..', '..');
const schemaPath = path.resolve(repoRoot, '..', 'shared', 'prefect', 'settings.schema.json');

interface SchemaNode {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: string[];
  anyOf?: SchemaNode[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  properties?: Record<string, SchemaNode>;
  supported_environment_variables?: string[];
}

const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8')) as { properties: Record<string, SchemaNode>; $defs: Record<string, SchemaNode> };

function leaves(props: Record<string, SchemaNode>, prefix = ''): Map<string, SchemaNode> {
  const out = new Map<string, SchemaNode>();
  for (const [name, node] of Object.entries(props)) {
    const key = prefix ? `${prefix}.${name}` : name;
    if (node.$ref) {
      const def = schema.$defs[node.$ref.split('/').pop()!]!;
      for (const [k, v] of leaves(def.properties!, key)) out.set(k, v);
    } else out.set(key, node);
  }
  return out;
}

const schemaLeaves = leaves(schema.properties);
const fromSchema = SETTINGS.filter((s) => s.origin === 'schema');

/** The JSON types a catalog kind may have in the schema. */
const KIND_TYPES: Record<SettingEntry['kind'], string[]> = {
  boolean: ['boolean'],
  integer: ['integer'],
  number: ['number'],
  string: ['string'],
  path: ['string'],
  enum: ['string'],
  duration: ['string'],
  'seconds-duration': ['string'],
  'vacuum-types': ['array', 'boolean'],
  'seconds-map': ['object'],
  'json-object': ['object'],
  'status-codes': ['string', 'integer', 'array'],
  'retry-delays': ['string', 'integer', 'number', 'array'],
  'retry-delays-json': ['integer', 'number', 'array'],
  'string-list': ['string', 'array'],
  any: [],
};

function nonNull(node: SchemaNode): SchemaNode[] {
  return (node.anyOf ?? [node]).filter((a) => a.type !== 'null');
}

describe('settings catalog vs Prefect settings.schema.json', () => {
  it('reads the schema from ../shared and finds a sensible number of settings', () => {
    expect(fs.existsSync(schemaPath)).toBe(true);
    expect(schemaLeaves.size).toBeGreaterThan(200);
  });

  it('has every schema setting, and no schema-origin setting the schema lacks', () => {
    const catalogKeys = new Set(fromSchema.map((s) => s.key));
    expect([...schemaLeaves.keys()].filter((k) => !catalogKeys.has(k))).toEqual([]);
    expect([...catalogKeys].filter((k) => !schemaLeaves.has(k))).toEqual([]);
  });

  it('matches canonical names and legacy aliases, in order', () => {
    for (const s of fromSchema) {
      const envs = schemaLeaves.get(s.key)!.supported_environment_variables ?? [];
      expect([s.env, ...s.aliases], s.key).toEqual(envs);
    }
  });

  it('matches defaults', () => {
    for (const s of fromSchema) {
      const node = schemaLeaves.get(s.key)!;
      expect('default' in node, s.key).toBe('default' in s);
      if ('default' in node) expect(s.default, s.key).toEqual(node.default);
    }
  });

  it('matches types, nullability, formats, enums, bounds and secrets', () => {
    for (const s of fromSchema) {
      const node = schemaLeaves.get(s.key)!;
      const alts = nonNull(node);
      const types = alts.map((a) => a.type).filter((t): t is string => t !== undefined);
      for (const t of types) expect(KIND_TYPES[s.kind], `${s.key} kind ${s.kind} vs ${t}`).toContain(t);
      expect(s.nullable, s.key).toBe((node.anyOf ?? []).some((a) => a.type === 'null'));
      expect(s.secret, s.key).toBe(alts.some((a) => a.format === 'password'));
      const main = alts.length === 1 ? { ...node, ...alts[0] } : node;
      if (s.kind === 'duration' || s.kind === 'seconds-duration') expect(main.format, s.key).toBe('duration');
      if (main.format === 'duration') expect(['duration', 'seconds-duration'], s.key).toContain(s.kind);
      if (main.enum) expect(s.enum, s.key).toEqual(main.enum);
      expect(s.min, s.key).toBe(main.minimum);
      expect(s.max, s.key).toBe(main.maximum);
      expect(s.exclusiveMin, s.key).toBe(main.exclusiveMinimum);
      expect(s.exclusiveMax, s.key).toBe(main.exclusiveMaximum);
    }
  });

  it('knows the two SecondsTimeDelta fields the schema cannot distinguish', () => {
    expect(SETTINGS.filter((s) => s.kind === 'seconds-duration').map((s) => s.env).sort()).toEqual([
      'PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD',
      'PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS',
    ]);
  });

  it('keeps extras out of the schema (move them when the schema catches up)', () => {
    for (const e of EXTRA_SETTINGS) expect(schemaLeaves.has(e.key), e.key).toBe(false);
  });

  it('has unique names across canonical names and aliases', () => {
    const all = SETTINGS.flatMap((s) => [s.env, ...s.aliases]);
    expect(new Set(all).size).toBe(all.length);
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

  it('has notes only for settings that exist', () => {
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
    expect(d('PREFECT_SERVER_DATABASE_CONNECTION_URL')).toBeNull();
    expect(d('PREFECT_LOGGING_CONFIG_PATH')).toBeUndefined();
    expect(describeAccepts(lookupSetting('PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME')!.entry)).toMatch(/not plain seconds/);
  });
});
