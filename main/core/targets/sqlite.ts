/**
 * The SQLite target, for Prefect servers on their default `sqlite+aiosqlite` database.
 *
 * Two handles, deliberately:
 * - a read-only one for inspection (it cannot change the file, even by mistake);
 * - a writable one, opened only on demand for destructive features. It MUST run with
 *   `PRAGMA foreign_keys=ON`: Prefect's schema relies on ON DELETE CASCADE (flow_run -> flow_run_state,
 *   task_run, …), and SQLite enforces foreign keys only per connection with that pragma (Prefect's own
 *   engine sets it in src/prefect/server/database/configurations.py `AioSqliteConfiguration.setup_sqlite`). Without it
 *   a DELETE FROM flow_run would orphan every dependent row.
 *
 * better-sqlite3 is synchronous and has no way to interrupt a running statement, so callers cancel
 * between statements (small batches), not inside one. A busy_timeout makes us wait politely while the
 * Prefect server holds the write lock instead of failing at once with SQLITE_BUSY.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../../../shared/errors';
import { sqliteBinding } from '../../native/sqlite';
import { createLogger } from '../log/logger';

export interface SqliteTargetOptions {
  /** How long a statement waits for a lock held by the Prefect server. Default 5 s. */
  busyTimeoutMs?: number;
}

export interface SqliteInfo {
  /** SQLite library version, e.g. "3.50.2". */
  version: string;
  /** journal_mode of the file (Prefect uses WAL). */
  journalMode: string;
  sizeBytes: number;
}

const log = createLogger('targets:sqlite');

/** Turns better-sqlite3's SqliteError (and fs errors) into SQLITE AppErrors. */
export function mapSqliteError(e: unknown, file: string): AppError {
  if (e instanceof AppError) return e;
  const code = (e as { code?: unknown } | null)?.code;
  const msg = e instanceof Error ? e.message : String(e);
  const make = (message: string, hint?: string) => new AppError('SQLITE', message, { hint, details: { file, sqliteCode: code }, cause: e });
  switch (code) {
    case 'SQLITE_NOTADB':
      return make(`"${file}" is not a SQLite database.`, 'Point the connection at the Prefect database file, usually ~/.prefect/prefect.db (or $PREFECT_HOME/prefect.db).');
    case 'SQLITE_CORRUPT':
      return make(`The SQLite database "${file}" is corrupt (${msg}).`, 'Stop the Prefect server and restore a backup, or try `sqlite3 prefect.db ".recover"`.');
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return make(`The SQLite database "${file}" is locked by another process (the Prefect server is probably writing).`, 'Try again in a moment; for large deletes, stop the Prefect server first.');
    case 'SQLITE_READONLY':
      return make(`The SQLite database "${file}" is read-only for this user.`, 'Run Housekeeper as the user that owns the file, or fix the permissions of the file and its directory.');
    case 'SQLITE_CANTOPEN':
      return make(`Cannot open the SQLite database "${file}".`, 'Check that the file exists and that its directory is readable (and writable, for WAL).');
    case 'SQLITE_PERM':
    case 'EACCES':
    case 'EPERM':
      return make(`Permission denied opening "${file}".`, 'Run Housekeeper as the user that owns the file, or fix its permissions.');
    case 'SQLITE_FULL':
      return make(`The disk holding "${file}" is full.`, 'Free some disk space; VACUUM needs up to the database size again.');
    default:
      return make(`SQLite error on "${file}": ${msg}`);
  }
}

/** Checks the path before SQLite sees it: SQLite's own messages for these cases are vague. */
function checkFile(file: string): number {
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new AppError('SQLITE', `There is no file at "${file}".`, {
        hint: 'Check the path; Prefect keeps its SQLite database at $PREFECT_HOME/prefect.db (default ~/.prefect/prefect.db).',
        details: { file },
      });
    }
    throw mapSqliteError(e, file);
  }
  if (st.isDirectory()) {
    throw new AppError('SQLITE', `"${file}" is a directory, not a SQLite file.`, {
      hint: `Did you mean ${path.join(file, 'prefect.db')}?`,
      details: { file },
    });
  }
  return st.size;
}

export class SqliteTarget {
  readonly file: string;
  private readonly busyTimeoutMs: number;
  private ro: Database.Database | null = null;
  private rw: Database.Database | null = null;

  constructor(file: string, opts: SqliteTargetOptions = {}) {
    this.file = path.resolve(file);
    this.busyTimeoutMs = opts.busyTimeoutMs ?? 5_000;
  }

  /** Opens (once) the read-only handle and proves the file is a database. */
  private reader(): Database.Database {
    if (this.ro) return this.ro;
    checkFile(this.file);
    const binding = sqliteBinding();
    let db: Database.Database | null = null;
    try {
      db = new Database(this.file, { ...binding, readonly: true, fileMustExist: true, timeout: this.busyTimeoutMs });
      // Opening is lazy: the header is only read on first use, which is where SQLITE_NOTADB appears.
      db.prepare('SELECT count(*) FROM sqlite_master').get();
      this.ro = db;
      return db;
    } catch (e) {
      db?.close();
      throw mapSqliteError(e, this.file);
    }
  }

  /** Opens (once) the writable handle with foreign keys enforced. */
  private writer(): Database.Database {
    if (this.rw) return this.rw;
    checkFile(this.file);
    const binding = sqliteBinding();
    let db: Database.Database | null = null;
    try {
      db = new Database(this.file, { ...binding, fileMustExist: true, timeout: this.busyTimeoutMs });
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(this.busyTimeoutMs))}`);
      db.pragma('foreign_keys = ON');
      // The pragma is silently a no-op inside a transaction or when compiled out: verify it took.
      if (db.pragma('foreign_keys', { simple: true }) !== 1) {
        throw new AppError('SQLITE', 'SQLite refused to enable foreign keys, so deletes would not cascade.', {
          hint: 'This SQLite build does not enforce foreign keys; Housekeeper will not delete from it.',
        });
      }
      this.rw = db;
      return db;
    } catch (e) {
      db?.close();
      throw mapSqliteError(e, this.file);
    }
  }

  /**
   * Runs `fn` on the read-only handle inside one deferred transaction, so all its reads see one
   * snapshot (WAL) even while the Prefect server writes.
   */
  readOnly<T>(fn: (db: Database.Database) => T): T {
    const db = this.reader();
    try {
      return db.transaction(() => fn(db))();
    } catch (e) {
      throw mapSqliteError(e, this.file);
    }
  }

  /**
   * Runs `fn` in a BEGIN IMMEDIATE transaction on the writable handle (takes the write lock up front, so
   * a busy server makes us wait busy_timeout instead of failing halfway). Keep `fn` short: one batch.
   */
  write<T>(fn: (db: Database.Database) => T): T {
    const db = this.writer();
    try {
      return db.transaction(() => fn(db)).immediate();
    } catch (e) {
      throw mapSqliteError(e, this.file);
    }
  }

  info(): SqliteInfo {
    const db = this.reader();
    try {
      const version = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
      const journalMode = String(db.pragma('journal_mode', { simple: true }));
      return { version, journalMode, sizeBytes: checkFile(this.file) };
    } catch (e) {
      throw mapSqliteError(e, this.file);
    }
  }

  /** VACUUM rewrites the file to drop free pages; it cannot run inside a transaction. */
  vacuum(): void {
    const db = this.writer();
    try {
      db.exec('VACUUM');
    } catch (e) {
      throw mapSqliteError(e, this.file);
    }
  }

  /** Whether this process could write the file (and create the -wal/-shm files beside it). */
  writable(): { file: boolean; directory: boolean } {
    const can = (p: string) => {
      try {
        accessSync(p, constants.W_OK);
        return true;
      } catch {
        return false;
      }
    };
    return { file: can(this.file), directory: can(path.dirname(this.file)) };
  }

  close(): void {
    for (const db of [this.ro, this.rw]) {
      try {
        db?.close();
      } catch (e) {
        log.warn(`closing ${this.file} failed`, e);
      }
    }
    this.ro = null;
    this.rw = null;
  }
}
