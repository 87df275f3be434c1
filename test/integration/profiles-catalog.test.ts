/**
 * Contract test: the committed settings catalog of the harness's Prefect line against that Prefect's
 * own Settings model (its JSON schema, from `Settings.model_json_schema()` in the harness venv, and the
 * model's env names and runtime defaults: scripts/prefect-settings-schema.py). Follows PREFECT_VERSION:
 * `PREFECT_VERSION=3.4.25 npm run test:integration` checks the 3.4 catalog against Prefect 3.4.25.
 * When a Prefect release changes its settings this fails until `node scripts/gen-settings-catalog.mjs`
 * is run and the result reviewed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { EXTRA_SETTINGS } from '../../shared/domain/settings-catalog/extras';
import { catalogFor, HOUSEKEEPER_SECRETS, lineOfVersion, type Catalog, type SettingEntry } from '../../shared/domain/settings-catalog';

const h = inject('harness');
const repoRoot = path.resolve(__dirname, '..', '..');

interface SchemaNode {
  $ref?: string;
  allOf?: SchemaNode[];
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

interface ModelInfo {
  prefect: string;
  schema: { properties: Record<string, SchemaNode>; $defs?: Record<string, SchemaNode> };
  envs: Record<string, string[]>;
  runtimeDefaults: Record<string, unknown>;
  vacuumTypes: string[] | null;
}

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
  'string-list-csv': ['string', 'array'],
  any: [],
};

let info: ModelInfo;
let leaves: Map<string, SchemaNode>;
let cat: Catalog;
let fromModel: SettingEntry[];

function schemaLeaves(schema: ModelInfo['schema']): Map<string, SchemaNode> {
  const out = new Map<string, SchemaNode>();
  const walk = (props: Record<string, SchemaNode>, prefix: string) => {
    for (const [name, node] of Object.entries(props)) {
      const key = prefix ? `${prefix}.${name}` : name;
      const ref = node.$ref ?? node.allOf?.find((a) => a.$ref)?.$ref;
      if (ref) walk(schema.$defs![ref.split('/').pop()!]!.properties!, key);
      else out.set(key, node);
    }
  };
  walk(schema.properties, '');
  return out;
}

const nonNull = (node: SchemaNode) => (node.anyOf ?? [node]).filter((a) => a.type !== 'null');

beforeAll(() => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-catalog-it-'));
  try {
    const out = execFileSync(h.venvPython, [path.join(repoRoot, 'scripts', 'prefect-settings-schema.py')], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: cwd, HK_PROBE_HOME: cwd },
      maxBuffer: 64 * 1024 * 1024,
    });
    info = JSON.parse(out.toString()) as ModelInfo;
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
  leaves = schemaLeaves(info.schema);
  const line = lineOfVersion(info.prefect);
  if (!line) throw new Error(`The harness runs Prefect ${info.prefect}, which has no settings catalog line`);
  cat = catalogFor(line.line);
  fromModel = cat.settings.filter((s) => s.origin === 'schema');
}, 120_000);

describe(`settings catalog vs the harness's Prefect Settings model`, () => {
  it('was generated from this very release (the newest patch of its line)', () => {
    expect(leaves.size).toBeGreaterThan(100);
    expect(cat.info.version, `the ${cat.line} catalog was generated from ${cat.info.version}; the harness runs ${info.prefect}. Use the newest patch or regenerate.`).toBe(info.prefect);
  });

  it('has every setting of the model, and none the model lacks', () => {
    const keys = new Set(fromModel.map((s) => s.key));
    expect([...leaves.keys()].filter((k) => !keys.has(k))).toEqual([]);
    expect([...keys].filter((k) => !leaves.has(k))).toEqual([]);
  });

  it('matches canonical names and legacy aliases, in order', () => {
    for (const s of fromModel) {
      const envs = leaves.get(s.key)!.supported_environment_variables ?? info.envs[s.key];
      expect([s.env, ...s.aliases], s.key).toEqual(envs);
      // Where the schema lists them (3.1+), the model walk must agree with it.
      if (leaves.get(s.key)!.supported_environment_variables) expect(info.envs[s.key], s.key).toEqual(envs);
    }
  });

  it("matches defaults (the schema's, else the model's default_factory); computed ones are left out", () => {
    for (const s of fromModel) {
      const node = leaves.get(s.key)!;
      if (s.computed) {
        expect('default' in s, s.key).toBe(false);
        continue;
      }
      const expected = 'default' in node ? node.default : info.runtimeDefaults[s.key];
      expect('default' in s, s.key).toBe('default' in node || s.key in info.runtimeDefaults);
      if ('default' in s) expect(s.default, s.key).toEqual(expected);
    }
  });

  it('matches types, nullability, formats, enums, bounds and secrets', () => {
    for (const s of fromModel) {
      const node = leaves.get(s.key)!;
      const alts = nonNull(node);
      for (const t of alts.map((a) => a.type).filter((t): t is string => t !== undefined)) {
        expect(KIND_TYPES[s.kind], `${s.key} kind ${s.kind} vs ${t}`).toContain(t);
      }
      expect(s.nullable, s.key).toBe((node.anyOf ?? []).some((a) => a.type === 'null'));
      expect(s.secret, s.key).toBe(alts.some((a) => a.format === 'password') || HOUSEKEEPER_SECRETS.has(s.key));
      const main = alts.length === 1 ? { ...node, ...alts[0] } : node;
      if (s.kind === 'duration' || s.kind === 'seconds-duration') expect(main.format, s.key).toBe('duration');
      if (main.format === 'duration') expect(['duration', 'seconds-duration'], s.key).toContain(s.kind);
      if (main.enum) expect(s.enum, s.key).toEqual(main.enum);
      if (s.kind === 'vacuum-types') expect(s.enum, s.key).toEqual(info.vacuumTypes);
      expect(s.min, s.key).toBe(main.minimum);
      expect(s.max, s.key).toBe(main.maximum);
      expect(s.exclusiveMin, s.key).toBe(main.exclusiveMinimum);
      expect(s.exclusiveMax, s.key).toBe(main.exclusiveMaximum);
    }
  });

  it('keeps the integration-package extras out of the model (remove them here if Prefect adopts one)', () => {
    for (const e of EXTRA_SETTINGS) expect(leaves.has(e.key), e.key).toBe(false);
  });

  it('has unique names across canonical names and aliases', () => {
    const all = cat.settings.flatMap((s) => [s.env, ...s.aliases]);
    expect(new Set(all).size).toBe(all.length);
  });
});
