/**
 * Opens the local store: better-sqlite3 in WAL mode, integrity-checked at open, migrated in one
 * transaction after a backup. A damaged store or one written by a newer Housekeeper is refused with a
 * clear message and left untouched: nothing the user owns is lost by accident.
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
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  const file = path.join(home, STORE_FILE);
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
  } catch (e) {
    db.close();
    if (e instanceof AppError) throw e;
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
  db.prepare('VACUUM INTO ?').run(target);
  fs.chmodSync(target, 0o600);
}

export { LATEST_VERSION };
