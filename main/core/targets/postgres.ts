/**
 * The Postgres target: one small `pg` Pool per connection, with the session rules of docs/architecture.md
 * ("The engine"): every session sets application_name, statement_timeout, lock_timeout and
 * idle_in_transaction_session_timeout; inspection runs in READ ONLY transactions; a cancel reaches the
 * server through pg_cancel_backend; every error leaves as an AppError (pg-errors.ts).
 *
 * Session settings are applied with one `set_config` query when a pooled connection is first used,
 * not as startup parameters: PgBouncer (common in front of Prefect's database) rejects unknown startup
 * parameters such as statement_timeout. Per-call overrides use SET LOCAL inside the transaction, which
 * also survives PgBouncer's transaction pooling.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { AppError } from '../../../shared/errors';
import type { ResolvedConnection } from '../connections/types';
import { pgClientClass } from '../connections/cleartext-guard';
import { createLogger } from '../log/logger';
import { registerSecret } from '../log/redact';
import { mapPgError, type PgErrorContext } from './pg-errors';
import { isPreferFallbackError, sslOptions, type PgSsl } from './pg-ssl';
import { lookupPassword } from './pgpass';

export type PostgresConfig = Extract<ResolvedConnection['db'], { kind: 'postgres' }>;

export interface PostgresTargetOptions {
  applicationName?: string;
  /** Default 30 s. Long maintenance work passes its own value per call. */
  statementTimeoutMs?: number;
  /** Default 5 s: never queue behind the Prefect server's row locks for long. */
  lockTimeoutMs?: number;
  /** Default 60 s: a crashed or paused Housekeeper never holds a transaction open for long. */
  idleInTransactionTimeoutMs?: number;
  /** Default 10 s. */
  connectTimeoutMs?: number;
  /** Default 4: enough for inspection in parallel, small beside the Prefect server's own pool. */
  maxConnections?: number;
  /** For PGPASSWORD / PGPASSFILE lookup when no password is stored (tests pass their own). */
  env?: NodeJS.ProcessEnv;
  homedir?: string;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** SET LOCAL statement_timeout for this transaction only. */
  statementTimeoutMs?: number;
  lockTimeoutMs?: number;
}

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

type Row = Record<string, unknown>;

/**
 * `prepare`: send it as a named prepared statement of this connection (the name is derived from the
 * text), so a statement a batch loop repeats is parsed once and, once Postgres settles on a generic
 * plan, not planned again per batch: retention's delete statement took ~20 ms to plan, about a tenth
 * of a batch (docs/bench-retention.md, "Round trips per batch").
 */
export interface QueryOptions {
  prepare?: boolean;
}

/** Runs one parameterised statement and returns typed rows; `result` also gives the row count. */
export interface Query {
  <T extends object = Row>(sql: string, params?: readonly unknown[], opts?: QueryOptions): Promise<T[]>;
  result<T extends object = Row>(sql: string, params?: readonly unknown[], opts?: QueryOptions): Promise<QueryResult<T>>;
}

/** A statement name per text: the same text always gets the same name, two texts never share one. */
export function statementName(sql: string): string {
  return `hk_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
}

export interface PgServerInfo {
  /** e.g. "15.8 (Debian 15.8-0+deb12u1)" */
  version: string;
  /** e.g. 150008 */
  versionNum: number;
  currentUser: string;
  database: string;
}

const log = createLogger('targets:postgres');

// int8 (count(*), pg_total_relation_size) arrives as a string by default; counts and sizes stay far
// below 2^53, so numbers are the useful type. Per pool, not pg.types globally.
const INT8_OID = 20;
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

export class PostgresTarget {
  readonly config: PostgresConfig;
  private readonly opts: Required<Omit<PostgresTargetOptions, 'env' | 'homedir'>> & Pick<PostgresTargetOptions, 'env' | 'homedir'>;
  private poolPromise: Promise<pg.Pool> | null = null;
  private ssl: PgSsl | null = null;
  private passwordSupplied: boolean | undefined;
  /** Backend pid of each pooled client, learnt by the session-setup query. */
  private readonly pids = new WeakMap<pg.PoolClient, number>();
  private closed = false;

  constructor(config: PostgresConfig, opts: PostgresTargetOptions = {}) {
    this.config = config;
    registerSecret(config.password);
    this.opts = {
      applicationName: opts.applicationName ?? 'housekeeper',
      statementTimeoutMs: opts.statementTimeoutMs ?? 30_000,
      lockTimeoutMs: opts.lockTimeoutMs ?? 5_000,
      idleInTransactionTimeoutMs: opts.idleInTransactionTimeoutMs ?? 60_000,
      connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
      maxConnections: opts.maxConnections ?? 4,
      env: opts.env,
      homedir: opts.homedir,
    };
  }

  /** "user@host:port/database", for messages and logs (no password). */
  get label(): string {
    return `${this.config.user}@${this.config.host}:${this.config.port}/${this.config.database}`;
  }

  private errorContext(extra: Partial<PgErrorContext> = {}): PgErrorContext {
    return {
      host: this.config.host,
      port: this.config.port,
      database: this.config.database,
      user: this.config.user,
      sslmode: this.config.sslmode,
      statementTimeoutMs: this.opts.statementTimeoutMs,
      lockTimeoutMs: this.opts.lockTimeoutMs,
      passwordSupplied: this.passwordSupplied,
      ...extra,
    };
  }

  private clientConfig(ssl: PgSsl): pg.ClientConfig {
    const { host, port, database, user } = this.config;
    return {
      host,
      port,
      database,
      user,
      // A function, so a missing password falls back to PGPASSWORD / ~/.pgpass like libpq (pgpass.ts).
      password: async () => {
        if (this.config.password !== null) {
          this.passwordSupplied = true;
          return this.config.password;
        }
        const found = await lookupPassword({ host, port, database, user }, { env: this.opts.env, homedir: this.opts.homedir });
        this.passwordSupplied = found !== null;
        // pg wants a string; an empty one makes the server's "password required" error reach the user.
        return found ?? '';
      },
      ssl,
      application_name: this.opts.applicationName,
      connectionTimeoutMillis: this.opts.connectTimeoutMs,
      keepAlive: true,
      types,
    };
  }

  private makePool(ssl: PgSsl): pg.Pool {
    this.ssl = ssl;
    const pool = new pg.Pool({
      ...this.clientConfig(ssl),
      // SECURITY: no cleartext password without TLS unless allowed (connections/cleartext-guard.ts).
      Client: pgClientClass(this.config.allowCleartextPassword),
      max: this.opts.maxConnections,
      idleTimeoutMillis: 30_000,
      // The CLI must be able to exit without an explicit close().
      allowExitOnIdle: true,
    });
    // An idle pooled client can die (server restart, 57P01); without a listener that crashes the process.
    pool.on('error', (e) => log.warn(`idle connection to ${this.label} failed`, mapPgError(e, this.errorContext()).message));
    return pool;
  }

  private pool(): Promise<pg.Pool> {
    if (this.closed) return Promise.reject(new AppError('INTERNAL', 'This Postgres connection was closed.'));
    this.poolPromise ??= sslOptions(this.config.sslmode, this.config.caFile).then(
      (ssl) => this.makePool(ssl),
      (e: unknown) => {
        this.poolPromise = null;
        throw e;
      },
    );
    return this.poolPromise;
  }

  private async acquire(): Promise<pg.PoolClient> {
    let pool = await this.pool();
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (e) {
      if (this.config.sslmode === 'prefer' && this.ssl !== false && isPreferFallbackError(e)) {
        log.info(`${this.label}: TLS not available, sslmode=prefer falls back to a plain connection`);
        const old = pool;
        pool = this.makePool(false);
        this.poolPromise = Promise.resolve(pool);
        void old.end().catch(() => undefined);
        try {
          client = await pool.connect();
        } catch (e2) {
          throw mapPgError(e2, this.errorContext());
        }
      } else {
        throw mapPgError(e, this.errorContext());
      }
    }
    if (!this.pids.has(client)) {
      try {
        const r = await client.query<{ pid: number }>(
          `SELECT pg_backend_pid() AS pid,
                  set_config('statement_timeout', $1, false),
                  set_config('lock_timeout', $2, false),
                  set_config('idle_in_transaction_session_timeout', $3, false)`,
          [String(this.opts.statementTimeoutMs), String(this.opts.lockTimeoutMs), String(this.opts.idleInTransactionTimeoutMs)],
        );
        this.pids.set(client, r.rows[0]?.pid ?? 0);
      } catch (e) {
        client.release(true);
        throw mapPgError(e, this.errorContext());
      }
    }
    return client;
  }

  /** pg_cancel_backend from a separate, unpooled connection (the pool may be exhausted). */
  private async cancelBackend(pid: number): Promise<void> {
    if (!pid) return;
    const c = new (pgClientClass(this.config.allowCleartextPassword))(this.clientConfig(this.ssl ?? false));
    try {
      await c.connect();
      await c.query('SELECT pg_cancel_backend($1)', [pid]);
      log.debug(`cancelled backend ${pid} on ${this.label}`);
    } catch (e) {
      log.warn(`could not cancel backend ${pid} on ${this.label}`, mapPgError(e, this.errorContext()).message);
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  /**
   * Borrow a client, wrap it as a Query whose statements a signal can cancel, and give it back only
   * after any cancel has landed (else a late pg_cancel_backend could hit the next borrower's query).
   */
  private async withClient<T>(
    signal: AbortSignal | undefined,
    body: (q: Query, client: pg.PoolClient) => Promise<T>,
    ctxExtra: Partial<PgErrorContext> = {},
  ): Promise<T> {
    if (signal?.aborted) throw cancelled();
    const client = await this.acquire();
    const cancels: Promise<void>[] = [];
    let broken = false;
    let running = false;
    // A checked-out client whose connection dies (server restart, pg_terminate_backend) emits
    // 'error' besides failing its query; the pool only listens on idle clients, so listen here.
    const onClientError = (e: Error) => {
      broken = true;
      log.warn(`connection to ${this.label} lost`, mapPgError(e, this.errorContext()).message);
    };
    client.on('error', onClientError);
    const onAbort = () => {
      if (running) cancels.push(this.cancelBackend(this.pids.get(client) ?? 0));
    };
    signal?.addEventListener('abort', onAbort);

    const run = async <R extends object>(sql: string, params?: readonly unknown[], opts?: QueryOptions): Promise<QueryResult<R>> => {
      if (signal?.aborted) throw cancelled();
      running = true;
      try {
        const values = params as unknown[] | undefined;
        const r = opts?.prepare
          ? await client.query<R & pg.QueryResultRow>({ name: statementName(sql), text: sql, ...(values ? { values } : {}) })
          : await client.query<R & pg.QueryResultRow>(sql, values);
        return { rows: r.rows, rowCount: r.rowCount ?? 0 };
      } catch (e) {
        const mapped = mapPgError(e, this.errorContext({ ...ctxExtra, cancelledByUser: signal?.aborted === true }));
        // Connection-level failures: throw the client away instead of returning it to the pool.
        if (mapped.code === 'PG_CONNECT') broken = true;
        throw mapped;
      } finally {
        running = false;
      }
    };
    const q = (<R extends object = Row>(sql: string, params?: readonly unknown[], opts?: QueryOptions) => run<R>(sql, params, opts).then((r) => r.rows)) as Query;
    q.result = run;

    try {
      return await body(q, client);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      await Promise.allSettled(cancels);
      client.removeListener('error', onClientError);
      client.release(broken || undefined);
    }
  }

  private async transaction<T>(mode: 'READ ONLY' | 'READ WRITE', fn: (q: Query) => Promise<T>, opts: RunOptions): Promise<T> {
    const timeouts: Partial<PgErrorContext> = {};
    if (opts.statementTimeoutMs !== undefined) timeouts.statementTimeoutMs = opts.statementTimeoutMs;
    if (opts.lockTimeoutMs !== undefined) timeouts.lockTimeoutMs = opts.lockTimeoutMs;
    return this.withClient(opts.signal, async (q, client) => {
      // BEGIN and the transaction's timeouts in one round trip (a multi-statement simple query: no
      // bind parameters there, so only whole milliseconds are written into it). Batches of purge and
      // retention pay this per transaction (docs/bench-retention.md, "Round trips per batch").
      const local = (name: string, ms: number | undefined) => {
        if (ms === undefined) return '';
        if (!Number.isSafeInteger(ms) || ms < 0) throw new AppError('INTERNAL', `Invalid ${name}: ${ms}`);
        return `; SET LOCAL ${name} = ${ms}`;
      };
      const begin = `${mode === 'READ ONLY' ? 'BEGIN READ ONLY' : 'BEGIN'}${local('statement_timeout', opts.statementTimeoutMs)}${local('lock_timeout', opts.lockTimeoutMs)}`;
      try {
        await q(begin);
        const out = await fn(q);
        // Abort between the last statement and COMMIT: a write must not be committed after a cancel.
        if (opts.signal?.aborted) throw cancelled();
        await q('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e instanceof AppError ? e : mapPgError(e, this.errorContext({ ...timeouts, cancelledByUser: opts.signal?.aborted === true }));
      }
    }, timeouts);
  }

  /** Runs `fn` in BEGIN READ ONLY … COMMIT: inspection can never change anything by mistake. */
  readOnly<T>(fn: (q: Query) => Promise<T>, opts: RunOptions = {}): Promise<T> {
    return this.transaction('READ ONLY', fn, opts);
  }

  /** Runs `fn` in an ordinary read-write transaction (destructive features, in short batches). */
  write<T>(fn: (q: Query) => Promise<T>, opts: RunOptions = {}): Promise<T> {
    return this.transaction('READ WRITE', fn, opts);
  }

  /**
   * One statement outside an explicit transaction (autocommit). For what cannot run in a transaction
   * (VACUUM, which also needs a longer `statementTimeoutMs`) and for one-shot reads.
   */
  query<T extends object = Row>(sql: string, params?: readonly unknown[], opts: { signal?: AbortSignal; statementTimeoutMs?: number } = {}): Promise<T[]> {
    const override = opts.statementTimeoutMs;
    if (override === undefined) return this.withClient(opts.signal, (q) => q<T>(sql, params));
    return this.withClient(
      opts.signal,
      async (q, client) => {
        // No transaction to SET LOCAL in: set it for the session and put the default back before the
        // client returns to the pool.
        await q(`SELECT set_config('statement_timeout', $1, false)`, [String(override)]);
        try {
          return await q<T>(sql, params);
        } finally {
          await client.query(`SELECT set_config('statement_timeout', $1, false)`, [String(this.opts.statementTimeoutMs)]).catch(() => undefined);
        }
      },
      { statementTimeoutMs: override },
    );
  }

  async serverInfo(opts: { signal?: AbortSignal } = {}): Promise<PgServerInfo> {
    const rows = await this.readOnly(
      (q) =>
        q<{ version: string; num: string; current_user: string; db: string }>(
          `SELECT current_setting('server_version') AS version, current_setting('server_version_num') AS num,
                  current_user AS current_user, current_database() AS db`,
        ),
      opts,
    );
    const r = rows[0];
    if (!r) throw new AppError('INTERNAL', 'Postgres returned no server version.');
    return { version: r.version, versionNum: Number(r.num), currentUser: r.current_user, database: r.db };
  }

  /** Whether the last pool was built with TLS (after a `prefer` fallback: false). */
  get usingTls(): boolean {
    return this.ssl !== null && this.ssl !== false;
  }

  async close(): Promise<void> {
    this.closed = true;
    const p = this.poolPromise;
    this.poolPromise = null;
    if (p) await (await p.catch(() => null))?.end().catch(() => undefined);
  }
}

function cancelled(): AppError {
  return new AppError('CANCELLED', 'The query was cancelled.');
}
