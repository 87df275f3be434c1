import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkMigrationOrder, openStore } from '../../main/store/db';
import { LATEST_VERSION, MIGRATIONS } from '../../main/store/migrations';
import { STORE_FILE } from '../../main/store/paths';
import { AppError } from '../../shared/errors';

let home: string;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-store-'));
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

describe('store migrations', () => {
  it('are numbered in increasing order', () => {
    expect(() => checkMigrationOrder(MIGRATIONS)).not.toThrow();
    expect(() => checkMigrationOrder([...MIGRATIONS, { version: 5, name: 'bad', up: () => undefined }])).toThrow(/out of order/);
  });

  it('0010 creates the connection, secret, audit, job and setting tables', () => {
    const s = openStore(home, MIGRATIONS.filter((m) => m.version <= 10));
    const tables = (s.db.prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['app_setting', 'audit_log', 'connection', 'job', 'secret']));
    expect(s.db.pragma('user_version', { simple: true })).toBe(10);
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    s.close();
  });

  it('applies pending migrations in one transaction, after a backup, and keeps existing rows', () => {
    const first = openStore(home, MIGRATIONS);
    first.db.prepare("INSERT INTO app_setting (key, value) VALUES ('k', 'v')").run();
    first.close();
    const extra = { version: LATEST_VERSION + 10, name: 'test-extra', up: (db: BetterSqlite3.Database) => db.exec('CREATE TABLE extra (x INTEGER) STRICT') };
    const second = openStore(home, [...MIGRATIONS, extra]);
    expect(second.db.prepare("SELECT value FROM app_setting WHERE key='k'").get()).toEqual({ value: 'v' });
    expect(second.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION + 10);
    second.close();
    const backups = fs.readdirSync(home).filter((f) => f.startsWith(`${STORE_FILE}.bak-v${LATEST_VERSION}-`));
    expect(backups).toHaveLength(1);
    const bak = new BetterSqlite3(path.join(home, backups[0]!), { readonly: true });
    expect(bak.prepare("SELECT value FROM app_setting WHERE key='k'").get()).toEqual({ value: 'v' });
    bak.close();
  });

  it('rolls back every migration of a batch when one fails', () => {
    openStore(home, MIGRATIONS).close();
    const ok = { version: LATEST_VERSION + 10, name: 'ok', up: (db: BetterSqlite3.Database) => db.exec('CREATE TABLE t1 (x INTEGER)') };
    const bad = { version: LATEST_VERSION + 20, name: 'bad', up: () => { throw new Error('boom'); } };
    expect(() => openStore(home, [...MIGRATIONS, ok, bad])).toThrow(/boom/);
    const s = openStore(home, MIGRATIONS);
    expect(s.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(s.db.prepare("SELECT name FROM sqlite_master WHERE name='t1'").get()).toBeUndefined();
    s.close();
  });

  it('refuses a store written by a newer Housekeeper and leaves it untouched', () => {
    const db = new BetterSqlite3(path.join(home, STORE_FILE));
    db.pragma(`user_version = ${LATEST_VERSION + 100}`);
    db.close();
    const before = fs.readFileSync(path.join(home, STORE_FILE));
    const e = (() => { try { openStore(home); } catch (x) { return x; } })();
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('STORE');
    expect((e as AppError).message).toMatch(/newer Housekeeper/);
    expect(fs.readFileSync(path.join(home, STORE_FILE)).equals(before)).toBe(true);
  });

  it('refuses a file that is not a database with a message that names the fix', () => {
    fs.writeFileSync(path.join(home, STORE_FILE), 'this is not sqlite at all, just text '.repeat(200));
    const e = (() => { try { openStore(home); } catch (x) { return x; } })() as AppError;
    expect(e.code).toBe('STORE');
    expect(e.message).toMatch(/damaged/);
    expect(e.hint).toMatch(/Move it aside|restore/);
    expect(fs.readFileSync(path.join(home, STORE_FILE), 'utf8')).toMatch(/^this is not sqlite/);
  });
});
