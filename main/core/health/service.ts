/**
 * Health of a connection's two ends, checked quickly and side by side: the Prefect API (GET /health,
 * then the version, once per client) and the database (one `SELECT version()` on Postgres, a read of
 * the SQLite file's header). Each part has one timeout (HEALTH_TIMEOUT_MS) and no retries: a hung
 * server is reported as down after exactly that long, never after a retry loop. The last good answer
 * per part is remembered for as long as this process lives, so the strip can say "since 12:01:10".
 */
import crypto from 'node:crypto';
import { HEALTH_SLOW_MS, HEALTH_TIMEOUT_MS, type Health, type HealthPart } from '../../../shared/domain/health';
import { AppError, toAppError } from '../../../shared/errors';
import type { ResolvedConnection } from '../connections/types';
import { PostgresTarget, type PostgresConfig } from '../targets/postgres';
import { PrefectApi } from '../targets/prefect-api';
import { SqliteTarget } from '../targets/sqlite';

const IDLE_MS = 2 * 60_000;

function key(parts: unknown): string {
  // Hashed so the map never holds a readable password as a key.
  return crypto.createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** Says why a part did not answer well, and which status that is. */
export function classify(e: unknown, timeoutMs: number): Pick<HealthPart, 'status' | 'message'> {
  const ae = toAppError(e);
  const status = Number(ae.details?.status);
  if (ae.code === 'PREFECT_HTTP' && (status === 401 || status === 403)) return { status: 'auth', message: ae.message };
  if (ae.code === 'PG_CONNECT' && /password|authentication|role .* does not exist|no pg_hba/i.test(ae.message)) return { status: 'auth', message: ae.message };
  if (ae.code === 'CANCELLED' && /timed out|within/.test(ae.message)) return { status: 'down', message: ae.message };
  if (ae.code === 'PREFECT_HTTP' && (ae.details?.timeoutMs !== undefined || ae.details?.errno !== undefined || Number.isNaN(status))) {
    return { status: 'down', message: ae.details?.timeoutMs !== undefined ? `No answer within ${timeoutMs / 1000} s: the server is hung or overloaded.` : ae.message };
  }
  if (ae.code === 'PG_CONNECT') return { status: 'down', message: ae.message };
  return { status: 'error', message: ae.message };
}

/** Races `p` against the part's timeout, so a hung answer is "down" after exactly `ms`. */
async function within<T>(p: (signal: AbortSignal) => Promise<T>, ms: number, outer?: AbortSignal): Promise<T> {
  const timer = AbortSignal.timeout(ms);
  const signal = outer ? AbortSignal.any([outer, timer]) : timer;
  return await Promise.race([
    p(signal),
    new Promise<never>((_, reject) => {
      const fail = () => reject(outer?.aborted ? new AppError('CANCELLED', 'The check was cancelled.') : new AppError('PREFECT_HTTP', `No answer within ${ms / 1000} s.`, { details: { timeoutMs: ms } }));
      if (signal.aborted) fail();
      else signal.addEventListener('abort', fail, { once: true });
    }),
  ]);
}

export class HealthService {
  readonly #lastOk = new Map<string, { api: string | null; database: string | null }>();
  readonly #api = new Map<string, { value: PrefectApi; timer: ReturnType<typeof setTimeout> }>();
  readonly #pg = new Map<string, { value: PostgresTarget; timer: ReturnType<typeof setTimeout> }>();

  constructor(private readonly timeoutMs: number = HEALTH_TIMEOUT_MS) {}

  async check(conn: ResolvedConnection & { id: string }, signal?: AbortSignal): Promise<Health> {
    const last = this.#lastOk.get(conn.id) ?? { api: null, database: null };
    const [api, database] = await Promise.all([this.#checkApi(conn, signal), this.#checkDb(conn, signal)]);
    const now = new Date().toISOString();
    if (api.status === 'ok' || api.status === 'slow') last.api = now;
    if (database.status === 'ok' || database.status === 'slow') last.database = now;
    this.#lastOk.set(conn.id, last);
    return {
      connectionId: conn.id,
      checkedAt: now,
      timeoutMs: this.timeoutMs,
      api: { ...api, lastOkAt: last.api },
      database: { ...database, lastOkAt: last.database },
    };
  }

  async #checkApi(conn: ResolvedConnection, signal?: AbortSignal): Promise<Omit<HealthPart, 'lastOkAt'>> {
    const t0 = Date.now();
    try {
      const api = this.#keep(this.#api, key([conn.apiUrl, conn.apiAuth]), () => new PrefectApi(conn, { timeoutMs: this.timeoutMs, maxRetries: 0, max429Retries: 0 }), () => undefined);
      const version = await within(async (s) => {
        await api.request('GET', '/health', undefined, { signal: s, retries: 0, timeoutMs: this.timeoutMs });
        return (await api.serverVersion({ signal: s, retries: 0 })).version;
      }, this.timeoutMs, signal);
      const ms = Date.now() - t0;
      return { status: ms > HEALTH_SLOW_MS ? 'slow' : 'ok', label: `Prefect ${version}`, latencyMs: ms, message: ms > HEALTH_SLOW_MS ? `Answered, but took ${(ms / 1000).toFixed(1)} s.` : null };
    } catch (e) {
      if (signal?.aborted) throw new AppError('CANCELLED', 'The check was cancelled.');
      return { ...classify(e, this.timeoutMs), label: null, latencyMs: null };
    }
  }

  async #checkDb(conn: ResolvedConnection, signal?: AbortSignal): Promise<Omit<HealthPart, 'lastOkAt'>> {
    const db = conn.db;
    if (db.kind === 'none') return { status: 'none', label: null, latencyMs: null, message: 'No database on this connection: run counts come from the API; space needs the database.' };
    const t0 = Date.now();
    try {
      let label: string;
      if (db.kind === 'postgres') {
        const target = this.#keep(this.#pg, key(pgKey(db)), () => new PostgresTarget(db, { applicationName: 'housekeeper-health', maxConnections: 1, connectTimeoutMs: this.timeoutMs, statementTimeoutMs: this.timeoutMs }), (t) => void t.close());
        const rows = await within((s) => target.query<{ v: string }>(`SELECT current_setting('server_version') AS v`, [], { signal: s }), this.timeoutMs, signal);
        label = `PostgreSQL ${(rows[0]?.v ?? '').split(' ')[0]}`;
      } else {
        const t = new SqliteTarget(db.path, { busyTimeoutMs: Math.min(2_000, this.timeoutMs) });
        try {
          label = `SQLite ${t.readOnly((d) => (d.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v)}`;
        } finally {
          t.close();
        }
      }
      const ms = Date.now() - t0;
      return { status: ms > HEALTH_SLOW_MS ? 'slow' : 'ok', label, latencyMs: ms, message: ms > HEALTH_SLOW_MS ? `Answered, but took ${(ms / 1000).toFixed(1)} s.` : null };
    } catch (e) {
      if (signal?.aborted) throw new AppError('CANCELLED', 'The check was cancelled.');
      return { ...classify(e, this.timeoutMs), label: null, latencyMs: null };
    }
  }

  #keep<T>(map: Map<string, { value: T; timer: ReturnType<typeof setTimeout> }>, k: string, make: () => T, dispose: (t: T) => void): T {
    const e = map.get(k);
    if (e) clearTimeout(e.timer);
    const value = e?.value ?? make();
    const timer = setTimeout(() => {
      map.delete(k);
      dispose(value);
    }, IDLE_MS);
    timer.unref();
    map.set(k, { value, timer });
    return value;
  }

  async close(): Promise<void> {
    for (const e of this.#api.values()) clearTimeout(e.timer);
    const pg = [...this.#pg.values()];
    for (const e of pg) clearTimeout(e.timer);
    this.#api.clear();
    this.#pg.clear();
    await Promise.allSettled(pg.map((e) => e.value.close()));
  }
}

function pgKey(db: PostgresConfig): unknown[] {
  return [db.host, db.port, db.database, db.user, db.password, db.sslmode, db.caFile ?? null];
}
