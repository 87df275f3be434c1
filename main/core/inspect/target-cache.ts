/**
 * One Postgres pool (and one API client) per connection, kept for a few minutes after last use.
 *
 * Why: the Overview polls live maintenance every 3 s and people press "Inspect now" repeatedly during
 * an incident. A fresh pool each time means fresh TCP + TLS + SCRAM handshakes each time, which on a
 * busy server costs more than the catalog queries themselves. Idle pooled connections still close
 * after 30 s (postgres.ts), so a kept target holds no server connection for long.
 */
import crypto from 'node:crypto';
import type { ResolvedConnection } from '../connections/types';
import { PostgresTarget, type PostgresConfig } from '../targets/postgres';
import { PrefectApi } from '../targets/prefect-api';

const IDLE_MS = 5 * 60_000;
/** Inspection runs five short read-only transactions side by side (space, run counts, the SCHEDULED pass, orphans, maintenance). */
export const INSPECT_POOL_SIZE = 5;

interface Entry<T> {
  value: T;
  timer: ReturnType<typeof setTimeout>;
}

function key(parts: unknown): string {
  // Hashed so the map never holds a readable password as a key string in a heap dump or a log.
  return crypto.createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

export class TargetCache {
  private readonly pg = new Map<string, Entry<PostgresTarget>>();
  private readonly api = new Map<string, Entry<PrefectApi>>();

  postgres(db: PostgresConfig): PostgresTarget {
    const k = key([db.host, db.port, db.database, db.user, db.password, db.sslmode, db.caFile ?? null]);
    return this.touch(this.pg, k, () => new PostgresTarget(db, { applicationName: 'housekeeper-inspect', maxConnections: INSPECT_POOL_SIZE }), (t) => void t.close());
  }

  prefect(conn: Pick<ResolvedConnection, 'apiUrl' | 'apiAuth'>, opts: { timeoutMs: number; maxRetries?: number }): PrefectApi {
    const k = key([conn.apiUrl, conn.apiAuth, opts]);
    return this.touch(this.api, k, () => new PrefectApi(conn, opts), () => undefined);
  }

  private touch<T>(map: Map<string, Entry<T>>, k: string, make: () => T, dispose: (t: T) => void): T {
    const e = map.get(k);
    if (e) clearTimeout(e.timer);
    const value = e?.value ?? make();
    const timer = setTimeout(() => {
      map.delete(k);
      dispose(value);
    }, IDLE_MS);
    // Never keep the CLI alive just to close an idle pool.
    timer.unref();
    map.set(k, { value, timer });
    return value;
  }

  async close(): Promise<void> {
    const targets = [...this.pg.values()];
    for (const e of [...targets, ...this.api.values()]) clearTimeout(e.timer);
    this.pg.clear();
    this.api.clear();
    await Promise.allSettled(targets.map((e) => e.value.close()));
  }
}
