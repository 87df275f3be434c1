import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteTarget } from '../../main/core/targets/sqlite';

const dir = mkdtempSync(path.join(os.tmpdir(), 'hk-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A miniature of Prefect's cascade: flow_run_state -> flow_run ON DELETE CASCADE, in WAL mode. */
function makeDb(file: string) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
    INSERT INTO alembic_version VALUES ('27d8f4e1a6c9');
    CREATE TABLE flow_run (id CHAR(36) PRIMARY KEY);
    CREATE TABLE flow_run_state (id CHAR(36) PRIMARY KEY, flow_run_id CHAR(36) REFERENCES flow_run(id) ON DELETE CASCADE);
    INSERT INTO flow_run VALUES ('r1'), ('r2');
    INSERT INTO flow_run_state VALUES ('s1', 'r1'), ('s2', 'r2');
  `);
  db.close();
}

describe('SqliteTarget', () => {
  it('reads through a read-only handle that refuses writes', () => {
    const file = path.join(dir, 'ro.db');
    makeDb(file);
    const t = new SqliteTarget(file);
    expect(t.readOnly((db) => (db.prepare('SELECT count(*) AS n FROM flow_run').get() as { n: number }).n)).toBe(2);
    expect(() => t.readOnly((db) => db.prepare("DELETE FROM flow_run WHERE id = 'r1'").run())).toThrow(
      expect.objectContaining({ code: 'SQLITE', message: expect.stringMatching(/read-only/) }),
    );
    const info = t.info();
    expect(info.journalMode).toBe('wal');
    expect(info.version).toMatch(/^3\./);
    t.close();
  });

  it('writes with foreign keys on, so deletes cascade like Prefect expects', () => {
    const file = path.join(dir, 'rw.db');
    makeDb(file);
    const t = new SqliteTarget(file);
    const deleted = t.write((db) => db.prepare("DELETE FROM flow_run WHERE id = 'r1'").run().changes);
    expect(deleted).toBe(1);
    const states = t.readOnly((db) => db.prepare('SELECT id FROM flow_run_state ORDER BY id').all());
    expect(states).toEqual([{ id: 's2' }]);
    t.close();
  });

  it('rolls a failed write back', () => {
    const file = path.join(dir, 'rb.db');
    makeDb(file);
    const t = new SqliteTarget(file);
    expect(() =>
      t.write((db) => {
        db.prepare('DELETE FROM flow_run').run();
        throw new Error('boom');
      }),
    ).toThrow();
    expect(t.readOnly((db) => (db.prepare('SELECT count(*) AS n FROM flow_run').get() as { n: number }).n)).toBe(2);
    t.close();
  });

  it('explains a missing file, a directory, and a file that is not a database', () => {
    expect(() => new SqliteTarget(path.join(dir, 'nope.db')).info()).toThrow(
      expect.objectContaining({ code: 'SQLITE', message: expect.stringMatching(/There is no file/), hint: expect.stringMatching(/prefect\.db/) }),
    );
    expect(() => new SqliteTarget(dir).info()).toThrow(expect.objectContaining({ code: 'SQLITE', message: expect.stringMatching(/is a directory/) }));
    const junk = path.join(dir, 'junk.db');
    writeFileSync(junk, 'this is not a database, just some text that is long enough to have a header'.repeat(20));
    expect(() => new SqliteTarget(junk).info()).toThrow(expect.objectContaining({ code: 'SQLITE', message: expect.stringMatching(/is not a SQLite database/) }));
    expect(() => new SqliteTarget(junk).write(() => 1)).toThrow(expect.objectContaining({ code: 'SQLITE', message: expect.stringMatching(/is not a SQLite database/) }));
  });

  it('reports whether the file is writable', () => {
    const file = path.join(dir, 'w.db');
    makeDb(file);
    const t = new SqliteTarget(file);
    expect(t.writable()).toEqual({ file: true, directory: true });
  });
});
