#!/usr/bin/env node
/**
 * Generates shared/domain/settings-catalog/generated.ts: one catalog of Prefect settings per Prefect 3
 * minor line, each taken from that line's own `Settings` model (never from one snapshot):
 *
 *   node scripts/gen-settings-catalog.mjs
 *
 * For every line in LINES (the newest patch of each), the harness installs that release in a cached
 * venv (test/harness/venv.ts: `.cache/prefect-venv-<version>`, dependencies as of its release date),
 * scripts/prefect-settings-schema.py prints the model's JSON schema (what Prefect's own
 * schemas/settings.schema.json is made from) with env names and runtime defaults, and
 * scripts/prefect-validate-cases.py probes what the schema cannot say (does a timedelta field take
 * plain seconds? does a list field take JSON?). The newest line is written in full; every other line
 * as its differences from it, which keeps the file (and the UI bundle) small.
 *
 * The output is committed. test/integration/profiles-catalog.test.ts checks it against the Prefect the
 * harness installs (PREFECT_VERSION), so it cannot drift silently. Our explanations live beside it
 * (groups.ts, notes.ts) and are not generated. After adding a line here, add it to PREFECT_LINES in
 * shared/domain/settings-catalog/types.ts.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outPath = path.join(repoRoot, 'shared', 'domain', 'settings-catalog', 'generated.ts');

/** The newest patch of every 3.x line (refresh with `pip index versions prefect`). Newest last. */
export const LINES = {
  '3.0': '3.0.11',
  '3.1': '3.1.15',
  '3.2': '3.2.15',
  '3.3': '3.3.7',
  '3.4': '3.4.25',
  '3.5': '3.5.0',
  '3.6': '3.6.29',
  '3.7': '3.7.8',
  '3.8': '3.8.8',
  '3.9': '3.9.1',
};

/**
 * Settings the server computes at start when nothing sets them: their "default" depends on the machine
 * (PREFECT_HOME, SSL_CERT_FILE) or on other settings, so it is not written into the catalog.
 */
const COMPUTED = new Set([
  'home',
  'profiles_path',
  'api.ssl_cert_file',
  'ui_url',
  'cloud.ui_url',
  'server.ui.api_url',
  'logging.config_path',
  'results.local_storage_path',
  'server.memo_store_path',
  'server.database.connection_url',
]);

/** Union-typed fields that need their own parser (shared/domain/profiles/value.ts), by settings path. */
const SPECIAL_KINDS = {
  'server.services.db_vacuum.enabled': 'vacuum-types',
  'server.services.db_vacuum.event_retention_overrides': 'seconds-map',
  'client.custom_headers': 'json-object',
  'client.retry_extra_codes': 'status-codes',
  'flows.default_retry_delay_seconds': 'retry-delays',
  'tasks.default_retry_delay_seconds': 'retry-delays',
  'logging.extra_loggers': 'string-list',
  'plugins.allow': 'string-list',
  'plugins.deny': 'string-list',
  'experiments.plugins.allow': 'string-list',
  'experiments.plugins.deny': 'string-list',
  'testing.test_setting': 'any',
};

function kindOf(key, node, alts) {
  const special = SPECIAL_KINDS[key];
  // A special field that is a plain scalar in some line (db_vacuum.enabled was a bool once) is read as one.
  if (special && !(alts.length === 1 && ['boolean', 'integer', 'number'].includes(alts[0].type) && special !== 'any')) return special;
  const t = node.type;
  if (node.enum) return 'enum';
  if (t === 'boolean') return 'boolean';
  if (t === 'integer') return 'integer';
  if (t === 'number') return 'number';
  if (t === 'string') {
    if (node.format === 'duration') return 'duration';
    if (node.format === 'path') return 'path';
    return 'string';
  }
  throw new Error(`No kind for ${key}: ${JSON.stringify(node)}. Add it to SPECIAL_KINDS and teach value.ts to parse it.`);
}

function schemaLeaves(schema) {
  const defs = schema.$defs ?? {};
  const out = new Map();
  const walk = (props, prefix) => {
    for (const [name, node] of Object.entries(props)) {
      const key = prefix ? `${prefix}.${name}` : name;
      const ref = node.$ref ?? node.allOf?.find((a) => a.$ref)?.$ref;
      if (ref) walk(defs[ref.split('/').pop()].properties, key);
      else out.set(key, node);
    }
  };
  walk(schema.properties, '');
  return out;
}

function leaf(key, node, envs, runtimeDefaults) {
  if (!envs || envs.length === 0) throw new Error(`${key} has no environment variable`);
  const alts = node.anyOf ?? [node];
  const nonNull = alts.filter((a) => a.type !== 'null');
  const main = nonNull.length === 1 ? { ...node, ...nonNull[0] } : node;
  const e = {
    key,
    env: envs[0],
    aliases: envs.slice(1),
    kind: kindOf(key, main, nonNull),
    nullable: alts.some((a) => a.type === 'null'),
    secret: alts.some((a) => a.format === 'password'),
  };
  if (COMPUTED.has(key)) e.computed = true;
  else if ('default' in node) e.default = node.default;
  else if (key in runtimeDefaults) e.default = runtimeDefaults[key];
  if (main.enum) e.enum = main.enum;
  for (const [from, to] of [['minimum', 'min'], ['maximum', 'max'], ['exclusiveMinimum', 'exclusiveMin'], ['exclusiveMaximum', 'exclusiveMax']]) {
    if (typeof main[from] === 'number') e[to] = main[from];
  }
  e.description = (node.description ?? '').replace(/\s+/g, ' ').trim();
  return e;
}

function python(venvPython, script, input) {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-catalog-'));
  try {
    return JSON.parse(
      execFileSync(venvPython, [path.join(repoRoot, 'scripts', script)], {
        input: input === undefined ? undefined : JSON.stringify(input),
        cwd,
        // A minimal environment: some defaults come from it (SSL_CERT_FILE), and PREFECT_* must not leak in.
        env: { PATH: process.env.PATH, HOME: cwd, HK_PROBE_HOME: cwd },
        maxBuffer: 64 * 1024 * 1024,
      }).toString(),
    );
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

function ensureVenv(version) {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test', 'harness', 'venv.ts'), version], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return path.join(path.dirname(out.toString().trim()), 'python');
}

/** One line's catalog, from its model, refined by probes against the same model. */
function generateLine(line, version) {
  const py = ensureVenv(version);
  const info = python(py, 'prefect-settings-schema.py');
  if (info.prefect !== version) throw new Error(`${py} has Prefect ${info.prefect}, expected ${version}`);
  const leaves = schemaLeaves(info.schema);
  const entries = [...leaves].map(([key, node]) => leaf(key, node, node.supported_environment_variables ?? info.envs[key], info.runtimeDefaults));
  for (const e of entries) if (e.kind === 'vacuum-types' && info.vacuumTypes) e.enum = info.vacuumTypes;

  // Probes: what the schema cannot tell apart, asked of the model itself.
  const probes = [];
  const probe = (id, c) => probes.push({ id, ...c });
  for (const e of entries) {
    // 7200 s: a SecondsTimeDelta takes it (db_vacuum.retention_period must be > 1 h); a timedelta refuses bare numbers.
    if (e.kind === 'duration') probe(`seconds:${e.key}`, { env: e.env, value: '7200' });
    if (e.kind === 'string-list') probe(`jsonlist:${e.key}`, { env: e.env, value: '["a", "b"]' });
    if (e.kind === 'retry-delays') probe(`csv:${e.key}`, { env: e.env, value: '1,2' });
  }
  probe('dayWordAnyCase', { env: 'PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME', value: '1 dAy' });
  // Which connection parts a Postgres DRIVER without a URL needs (_defaults.py; 3.0 also wanted a password).
  const pg = (more) => ({ values: { PREFECT_SERVER_DATABASE_DRIVER: 'postgresql+asyncpg', ...more } });
  const parts = { PREFECT_SERVER_DATABASE_HOST: 'db', PREFECT_SERVER_DATABASE_USER: 'prefect', PREFECT_SERVER_DATABASE_NAME: 'prefect' };
  probe('pg:none', pg({}));
  probe('pg:host-user-name', pg(parts));
  probe('pg:all', pg({ ...parts, PREFECT_SERVER_DATABASE_PASSWORD: 'x' }));
  probe('maxLogSizeWithinBatchSize', { values: { PREFECT_LOGGING_TO_API_BATCH_SIZE: '100', PREFECT_LOGGING_TO_API_MAX_LOG_SIZE: '1000' } });
  const results = python(py, 'prefect-validate-cases.py', probes.map(({ id: _id, ...c }) => c));
  const ok = new Map(probes.map((p, i) => [p.id, results[i].ok]));
  for (const e of entries) {
    if (e.kind === 'duration' && ok.get(`seconds:${e.key}`)) e.kind = 'seconds-duration';
    if (e.kind === 'string-list' && !ok.get(`jsonlist:${e.key}`)) e.kind = 'string-list-csv';
    if (e.kind === 'retry-delays' && !ok.get(`csv:${e.key}`)) e.kind = 'retry-delays-json';
  }
  entries.sort((a, b) => a.key.localeCompare(b.key));
  if (!ok.get('pg:all')) throw new Error(`Prefect ${version} refuses a complete Postgres DRIVER/HOST/USER/NAME/PASSWORD set; look at its _defaults.py`);
  const postgresDriverRequires = ok.get('pg:none') ? [] : ok.get('pg:host-user-name') ? ['HOST', 'USER', 'NAME'] : ['HOST', 'USER', 'NAME', 'PASSWORD'];
  return {
    info: {
      line,
      version,
      pydantic: info.pydantic,
      quirks: { dayWordAnyCase: ok.get('dayWordAnyCase') },
      rules: { postgresDriverRequires, maxLogSizeWithinBatchSize: !ok.get('maxLogSizeWithinBatchSize') },
    },
    entries,
  };
}

const FIELDS = ['env', 'aliases', 'kind', 'nullable', 'secret', 'default', 'computed', 'enum', 'min', 'max', 'exclusiveMin', 'exclusiveMax', 'description'];
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** A line as differences from the base: removed keys, added entries, changed fields (set or dropped). */
function delta(base, entries) {
  const byKey = new Map(base.map((e) => [e.key, e]));
  const keys = new Set(entries.map((e) => e.key));
  const d = { removed: base.filter((e) => !keys.has(e.key)).map((e) => e.key), added: [], changed: {} };
  for (const e of entries) {
    const b = byKey.get(e.key);
    if (!b) {
      d.added.push(e);
      continue;
    }
    const set = {};
    const drop = [];
    for (const f of FIELDS) {
      if (!(f in e) && f in b) drop.push(f);
      else if (f in e && !same(e[f], b[f])) set[f] = e[f];
    }
    if (Object.keys(set).length || drop.length) d.changed[e.key] = drop.length ? { set, drop } : { set };
  }
  return d;
}

const lines = Object.entries(LINES).map(([line, version]) => {
  process.stderr.write(`Prefect ${version} ...\n`);
  return generateLine(line, version);
});
const newest = lines[lines.length - 1];
const body = (es) => es.map((e) => `  ${JSON.stringify(e)},`).join('\n');
const out = `// GENERATED by scripts/gen-settings-catalog.mjs from each Prefect line's own Settings model. Do not
// edit: change the script and regenerate. Checked by test/integration/profiles-catalog.test.ts.
import type { GeneratedSetting, PrefectLine, PrefectLineInfo } from './types';

export interface LineDelta {
  removed: readonly string[];
  added: readonly GeneratedSetting[];
  changed: Readonly<Record<string, { set: Partial<GeneratedSetting>; drop?: readonly (keyof GeneratedSetting)[] }>>;
}

export const GENERATED_LINES: readonly PrefectLineInfo[] = [
${lines.map((l) => `  ${JSON.stringify(l.info)},`).join('\n')}
];

/** The newest line, in full. */
export const BASE_LINE: PrefectLine = ${JSON.stringify(newest.info.line)};
export const BASE_SETTINGS: readonly GeneratedSetting[] = [
${body(newest.entries)}
];

/** Every other line as its differences from the newest. */
export const LINE_DELTAS: Readonly<Partial<Record<PrefectLine, LineDelta>>> = {
${lines
  .slice(0, -1)
  .map((l) => `  ${JSON.stringify(l.info.line)}: ${JSON.stringify(delta(newest.entries, l.entries))},`)
  .join('\n')}
};
`;
fs.writeFileSync(outPath, out);
console.log(`wrote ${lines.map((l) => `${l.info.version}: ${l.entries.length}`).join(', ')} settings to ${path.relative(repoRoot, outPath)} (${Math.round(out.length / 1024)} KiB)`);
