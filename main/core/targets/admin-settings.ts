/**
 * `GET /admin/settings` of any 3.x server, read in the newest layout.
 *
 * The nested layout is the same in every 3.x line's newest patch, except for a few settings that
 * moved (compared field by field across 3.0.11 ... 3.9.1; the old env names stay accepted as aliases
 * in the newer Settings models):
 * - 3.0: `server.database.sqlalchemy_pool_size` / `_max_overflow`, since 3.1 under
 *   `server.database.sqlalchemy.*` (prefect/settings/models/server/database.py);
 * - 3.0: `experimental_warn`, since 3.1 `experiments.warn`;
 * - 3.4 to 3.6: `experiments.plugins.*`, since 3.7 `plugins.*` (settings/models/plugins.py);
 * - before 3.6: `runner.heartbeat_frequency`, since 3.6 `flows.heartbeat_frequency`
 *   (settings/models/flows.py, "legacy alias").
 * The value is copied to the newer place when that place is absent; the old key stays, so a reader
 * that knows an older layout still finds it. Nothing else is changed.
 */

type Json = Record<string, unknown>;

export const MOVED_SETTINGS: ReadonlyArray<{ from: string; to: string }> = [
  { from: 'server.database.sqlalchemy_pool_size', to: 'server.database.sqlalchemy.pool_size' },
  { from: 'server.database.sqlalchemy_max_overflow', to: 'server.database.sqlalchemy.max_overflow' },
  { from: 'experimental_warn', to: 'experiments.warn' },
  { from: 'experiments.plugins', to: 'plugins' },
  { from: 'runner.heartbeat_frequency', to: 'flows.heartbeat_frequency' },
];

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function get(root: Json, path: string): { found: boolean; value: unknown } {
  let cur: unknown = root;
  for (const k of path.split('.')) {
    if (!isObject(cur) || !(k in cur)) return { found: false, value: undefined };
    cur = cur[k];
  }
  return { found: true, value: cur };
}

function set(root: Json, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = root;
  for (const k of keys.slice(0, -1)) {
    if (!isObject(cur[k])) cur[k] = {};
    cur = cur[k] as Json;
  }
  cur[keys[keys.length - 1]!] = value;
}

/** A copy of the settings with moved fields also at their newest place. */
export function normalizeAdminSettings<T>(json: T): T {
  if (!isObject(json)) return json;
  const out = structuredClone(json) as Json;
  for (const m of MOVED_SETTINGS) {
    const old = get(out, m.from);
    if (!old.found || get(out, m.to).found) continue;
    set(out, m.to, structuredClone(old.value));
  }
  return out as T;
}
