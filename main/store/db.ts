/**
 * Opens the local store: better-sqlite3 in WAL mode, integrity-checked at open, migrated in one
 * transaction after a backup. A damaged store or one written by a newer Housekeeper is refused with a
 * clear message and left untouched: nothing the user owns is lost by accident.
 *
 * SECURITY: the folder is 0700 and every file in it 0600 (store, WAL, SHM, backups; the key file in
 * keyring.ts), tightened when an older Housekeeper left them readable (issue #12, item 7). SQLite
 * creates the WAL and SHM files with the main file's mode, so creating that one 0600 covers them.
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import { sqliteBinding } from '../native/sqlite';
import { createLogger } from '../core/log/logger';
import { LATEST_VERSION, MIGRATIONS, type Migration } from './migrations';
import { STORE_FILE } from './paths';

const log = createLogger('store');

export interface StoreHandle {
  db: Database;
  home: string;
  file: string;
  close(): void;
}

export function checkMigrationOrder(migrations: readonly Migration[]): void {
  let prev = 0;
  for (const m of migrations) {
    if (m.version <= prev) throw new Error(`Store migrations out of order at ${m.version} (${m.name})`);
    prev = m.version;
  }
}

export function openStore(home: string, migrations: readonly Migration[] = MIGRATIONS): StoreHandle {
  checkMigrationOrder(migrations);
  const file = path.join(home, STORE_FILE);
  preparePrivateFolder(home);
  createPrivateFile(file);
  const damaged = (detail: string, cause?: unknown) =>
    new AppError('STORE', `The local store at ${file} is damaged (${detail}). Housekeeper left it untouched.`, {
      hint: `Move it aside and restart to begin with an empty store, or restore one of the backups next to it (${STORE_FILE}.bak-*).`,
      cause,
    });

  // Outside the try: a missing Electron add-on is not a damaged store.
  const binding = sqliteBinding();
  let db: Database;
  try {
    db = new BetterSqlite3(file, binding);
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
  } catch (e) {
    if (isNotWritable(e)) throw notWritable(home, e);
    throw damaged(e instanceof Error ? e.message : String(e), e);
  }

  try {
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw damaged(String(check));
    const current = Number(db.pragma('user_version', { simple: true }));
    const latest = migrations[migrations.length - 1]?.version ?? 0;
    if (current > latest) {
      throw new AppError(
        'STORE',
        `The local store at ${file} was written by a newer Housekeeper (schema ${current}, this one knows ${latest}).`,
        { hint: 'Update Housekeeper, or point HOUSEKEEPER_HOME at another folder.' },
      );
    }
    // WAL only after the checks: switching journal mode rewrites the header of a file we may refuse.
    db.pragma('journal_mode = WAL');
    const pending = migrations.filter((m) => m.version > current);
    if (pending.length > 0) {
      if (current > 0) backup(db, file, current);
      const apply = db.transaction(() => {
        for (const m of pending) {
          log.info(`applying store migration ${m.version} ${m.name}`);
          m.up(db);
        }
        db.pragma(`user_version = ${pending[pending.length - 1]!.version}`);
      });
      apply();
    }
    for (const f of [`${file}-wal`, `${file}-shm`]) tightenFile(f);
  } catch (e) {
    db.close();
    if (e instanceof AppError) throw e;
    if (isNotWritable(e)) throw notWritable(home, e);
    const msg = e instanceof Error ? e.message : String(e);
    if (/not a database|malformed|corrupt/i.test(msg)) throw damaged(msg, e);
    throw new AppError('STORE', `Could not prepare the local store at ${file}: ${msg}`, { cause: e });
  }

  return { db, home, file, close: () => db.close() };
}

/** VACUUM INTO writes a consistent copy even while WAL is active; kept next to the store. */
function backup(db: Database, file: string, version: number): void {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const target = `${file}.bak-v${version}-${stamp}`;
  // VACUUM INTO accepts an empty file: create it 0600 first, so the copy is never readable by others.
  createPrivateFile(target);
  db.prepare('VACUUM INTO ?').run(target);
  tightenFile(target);
}

const POSIX = process.platform !== 'win32';

/** Creates the folder 0700, or tightens an existing one; names what is wrong when it cannot. */
export function preparePrivateFolder(home: string): void {
  try {
    fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new AppError('STORE', `${home} (or a folder above it) is a file, not a folder: Housekeeper keeps its local store there.`, {
        hint: 'Point HOUSEKEEPER_HOME at a folder, or move the file aside.',
        cause: e,
      });
    }
    if (isNotWritable(e)) throw notWritable(home, e);
    throw e;
  }
  const st = fs.statSync(home);
  if (!st.isDirectory()) {
    throw new AppError('STORE', `${home} is a file, not a folder: Housekeeper keeps its local store there.`, { hint: 'Point HOUSEKEEPER_HOME at a folder, or move the file aside.' });
  }
  if (POSIX && (st.mode & 0o077) !== 0) {
    try {
      fs.chmodSync(home, st.mode & 0o700);
    } catch (e) {
      // Not ours to change (another owner): say so, but the store itself is still made private.
      log.warn(`could not make ${home} private (0700): ${(e as Error).message}`);
    }
  }
  try {
    fs.accessSync(home, fs.constants.W_OK);
  } catch (e) {
    throw notWritable(home, e);
  }
}

/** Creates `file` empty with mode 0600 unless it exists; tightens an existing one to 0600. */
export function createPrivateFile(file: string): void {
  try {
    fs.closeSync(fs.openSync(file, 'wx', 0o600));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EISDIR' || (code === 'EEXIST' && fs.statSync(file).isDirectory())) {
      throw new AppError('STORE', `${file} is a folder, not a file.`, { hint: 'Move that folder aside; Housekeeper keeps its store in that file.', cause: e });
    }
    if (code !== 'EEXIST') {
      if (isNotWritable(e)) throw notWritable(path.dirname(file), e);
      throw e;
    }
    tightenFile(file);
  }
}

function tightenFile(file: string): void {
  if (!POSIX) return;
  try {
    const mode = fs.statSync(file).mode;
    if ((mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log.warn(`could not make ${file} private (0600): ${(e as Error).message}`);
  }
}

function isNotWritable(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY_DIRECTORY';
}

/** A folder Housekeeper cannot write is not a damaged store: say what it is and what to do. */
function notWritable(home: string, cause: unknown): AppError {
  const code = (cause as { code?: unknown } | null)?.code;
  const why = code === 'EROFS' ? 'is on a read-only file system' : 'is not writable for this user';
  return new AppError('STORE', `The local store folder ${home} ${why}. Nothing is damaged; Housekeeper changed nothing.`, {
    hint: 'Fix the folder\'s permissions (it should belong to you, mode 0700), or point HOUSEKEEPER_HOME at a writable folder.',
    ...(typeof code === 'string' ? { details: { errno: code } } : {}),
    cause,
  });
}

export { LATEST_VERSION };
