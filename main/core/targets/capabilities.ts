/**
 * The one place that knows what the connected Prefect server and its database can do. Features ask
 * here (`apiCapabilities(api)`, `dbCapabilities(target)`) instead of assuming the newest release or
 * comparing version strings themselves (capability-facts.ts holds the facts and their sources).
 *
 * Probing costs a few requests, so answers are cached per server (its API URL and credentials, or its
 * database) for ten minutes: a server upgraded meanwhile is noticed on the next probe after that, and
 * a failed probe is not cached.
 *
 * - API: `GET /admin/version` (through the client's own cache) and `GET /openapi.json` (what the
 *   server accepts). Without the document (some proxies and Prefect Cloud do not serve it) the
 *   release number decides, and without a number (Cloud) the newest behaviour is assumed.
 * - Database: the Alembic revision and the catalog (tables, their columns, index names), read in one
 *   short read-only transaction.
 */
import crypto from 'node:crypto';
import { AppError } from '../../../shared/errors';
import { createLogger } from '../log/logger';
import { capabilitiesFromVersion, withOpenApi, type ApiCapabilities } from './capability-facts';
import type { PostgresTarget } from './postgres';
import type { PrefectApi } from './prefect-api';
import { SqliteTarget } from './sqlite';

export { capabilitiesFromVersion, degradations, degradationsFor, IGNORED_LOOP_SECONDS, SINCE, type ApiCapabilities } from './capability-facts';

const log = createLogger('targets:capabilities');
const TTL_MS = 10 * 60_000;

interface Entry<T> {
  at: number;
  value: Promise<T>;
}

function cached<T>(map: Map<string, Entry<T>>, key: string, make: () => Promise<T>): Promise<T> {
  const hit = map.get(key);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
  const value = make();
  map.set(key, { at: Date.now(), value });
  value.catch(() => {
    if (map.get(key)?.value === value) map.delete(key);
  });
  return value;
}

const apiCache = new Map<string, Entry<ApiCapabilities>>();
const dbCache = new Map<string, Entry<DbCapabilities>>();

/** Forget every cached answer (tests; after the user says a server was upgraded). */
export function clearCapabilityCache(): void {
  apiCache.clear();
  dbCache.clear();
}

export async function probeApiCapabilities(api: PrefectApi, signal?: AbortSignal): Promise<ApiCapabilities> {
  const opts = signal ? { signal } : {};
  let version: string | null = null;
  try {
    version = (await api.serverVersion(opts)).version;
  } catch (e) {
    // Prefect Cloud has no /admin/version; anything else (auth, network) is the caller's error to see.
    if (!(e instanceof AppError && (e.details?.status === 404 || e.details?.status === 403) && api.cloud)) throw e;
  }
  const base = capabilitiesFromVersion(version);
  try {
    const doc = await api.request<unknown>('GET', '/openapi.json', undefined, { ...opts, retries: 1, timeoutMs: 20_000 });
    return withOpenApi(base, doc);
  } catch (e) {
    if (e instanceof AppError && e.code === 'CANCELLED') throw e;
    log.info(`no usable /openapi.json at ${api.baseUrl} (${e instanceof Error ? e.message : String(e)}); deciding by the release number`);
    return base;
  }
}

/** What the server behind `api` accepts and does (cached per server for ten minutes). */
export function apiCapabilities(api: PrefectApi, signal?: AbortSignal): Promise<ApiCapabilities> {
  return cached(apiCache, api.identity, () => probeApiCapabilities(api, signal));
}

// --- the database ----------------------------------------------------------------------------------

export interface DbCapabilities {
  kind: 'postgres' | 'sqlite';
  /** Alembic revision (alembic_version.version_num); null when the table is missing. */
  migration: string | null;
  tables: ReadonlySet<string>;
  /** Columns per table. */
  columns: ReadonlyMap<string, ReadonlySet<string>>;
  indexes: ReadonlySet<string>;
}

/** Whether `table` (and `column` in it) exists. */
export function hasColumn(db: DbCapabilities, table: string, column?: string): boolean {
  const cols = db.columns.get(table);
  return column === undefined ? db.tables.has(table) : (cols?.has(column) ?? false);
}

function build(kind: DbCapabilities['kind'], migration: string | null, cols: Array<{ t: string; c: string }>, tables: string[], indexes: string[]): DbCapabilities {
  const columns = new Map<string, Set<string>>();
  for (const r of cols) {
    let s = columns.get(r.t);
    if (!s) columns.set(r.t, (s = new Set()));
    s.add(r.c);
  }
  return { kind, migration, tables: new Set(tables), columns, indexes: new Set(indexes) };
}

export async function probePostgresCapabilities(target: PostgresTarget, signal?: AbortSignal): Promise<DbCapabilities> {
  return target.readOnly(
    async (q) => {
      const tables = (await q<{ t: string }>(`SELECT c.relname::text AS t FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')`)).map((r) => r.t);
      const cols = await q<{ t: string; c: string }>(
        `SELECT c.relname::text AS t, a.attname::text AS c FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
          WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped`,
      );
      const indexes = (await q<{ i: string }>(`SELECT indexname::text AS i FROM pg_indexes WHERE schemaname = current_schema()`)).map((r) => r.i);
      const migration = tables.includes('alembic_version') ? ((await q<{ v: string }>('SELECT version_num AS v FROM alembic_version'))[0]?.v ?? null) : null;
      return build('postgres', migration, cols, tables, indexes);
    },
    { signal, statementTimeoutMs: 10_000 },
  );
}

export function probeSqliteCapabilities(target: SqliteTarget): DbCapabilities {
  return target.readOnly((db) => {
    const master = db.prepare(`SELECT type, name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%'`).all() as { type: string; name: string }[];
    const tables = master.filter((m) => m.type === 'table').map((m) => m.name);
    const cols = db
      .prepare(`SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`)
      .all() as { t: string; c: string }[];
    const migration = tables.includes('alembic_version') ? ((db.prepare('SELECT version_num AS v FROM alembic_version').get() as { v: string } | undefined)?.v ?? null) : null;
    return build(
      'sqlite',
      migration,
      cols,
      tables,
      master.filter((m) => m.type === 'index').map((m) => m.name),
    );
  });
}

/** The database's schema facts (cached per database for ten minutes). */
export function dbCapabilities(target: PostgresTarget | SqliteTarget, signal?: AbortSignal): Promise<DbCapabilities> {
  const key = target instanceof SqliteTarget ? `sqlite:${target.file}` : `pg:${identityOf([target.config.host, target.config.port, target.config.database, target.config.user])}`;
  return cached(dbCache, key, async () => (target instanceof SqliteTarget ? probeSqliteCapabilities(target) : probePostgresCapabilities(target, signal)));
}

/** A stable, secret-free cache key (hashed: no secret ever sits in a map key). */
export function identityOf(parts: unknown): string {
  return crypto.createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}
