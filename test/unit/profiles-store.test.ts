/** Profiles in the local store: revisions, secrets encrypted per revision, conflicts, diff, restore. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProfilesService } from '../../main/core/profiles/service';
import { createStore, type Store } from '../../main/store';
import { openStore } from '../../main/store/db';
import { MIGRATIONS } from '../../main/store/migrations';
import { STORE_FILE } from '../../main/store/paths';
import { ProfilesRepo } from '../../main/store/repos/profiles';
import { AppError } from '../../shared/errors';

let home: string;
let store: Store;
let svc: ProfilesService;
const URL = 'postgresql+asyncpg://prefect:s3cr3t-pw-zz@db:5432/prefect';

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-profiles-'));
  store = createStore(home);
  svc = new ProfilesService(new ProfilesRepo(store.handle.db), store.secrets);
});
afterEach(() => {
  store.close();
  fs.rmSync(home, { recursive: true, force: true });
});

const thrown = (fn: () => unknown): AppError => {
  try {
    fn();
  } catch (e) {
    return e as AppError;
  }
  throw new Error('did not throw');
};

describe('migration 0090', () => {
  it('gives existing profiles the line they were checked with (3.9) and refuses a line that is no line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-profiles-0090-'));
    try {
      const old = openStore(dir, MIGRATIONS.filter((m) => m.version < 90));
      old.db.prepare("INSERT INTO profile (id, name, head_rev, created_at, updated_at, deleted_at) VALUES ('p1', 'old', 1, 'x', 'x', NULL)").run();
      old.close();
      const s = openStore(dir, MIGRATIONS);
      expect(s.db.prepare("SELECT prefect_line FROM profile WHERE id = 'p1'").get()).toEqual({ prefect_line: '3.9' });
      expect(() => s.db.prepare("UPDATE profile SET prefect_line = 'x' WHERE id = 'p1'").run()).toThrow(/CHECK/);
      s.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('custom headers are a secret (issue #12 item 7)', () => {
  it('stores them encrypted, masks them and leaves them out of plain values', () => {
    const v = svc.create('h', { PREFECT_CLIENT_CUSTOM_HEADERS: '{"Authorization": "Bearer t0k3n"}' });
    expect(v.values).toEqual([{ name: 'PREFECT_CLIENT_CUSTOM_HEADERS', value: null, secret: true }]);
    const files = [STORE_FILE, `${STORE_FILE}-wal`].map((f) => path.join(home, f)).filter((f) => fs.existsSync(f));
    for (const f of files) expect(fs.readFileSync(f).includes(Buffer.from('t0k3n')), f).toBe(false);
    expect(svc.values(v.id, 1)).toEqual({ PREFECT_CLIENT_CUSTOM_HEADERS: '{"Authorization": "Bearer t0k3n"}' });
  });

  it('seals headers an older Housekeeper kept in plain text the first time the revision is read', () => {
    store.handle.db
      .prepare("INSERT INTO profile (id, name, head_rev, created_at, updated_at, deleted_at) VALUES ('old', 'old', 1, 'x', 'x', NULL)")
      .run();
    store.handle.db
      .prepare("INSERT INTO profile_revision (profile_id, rev, created_at, source, message, values_json, secret_names) VALUES ('old', 1, 'x', 'create', '', ?, '[]')")
      .run(JSON.stringify({ PREFECT_CLIENT_CUSTOM_HEADERS: '{"X-Api-Key": "k3y"}', PREFECT_LOGGING_LEVEL: 'INFO' }));
    const v = svc.get('old');
    expect(v.values.find((x) => x.name === 'PREFECT_CLIENT_CUSTOM_HEADERS')).toEqual({ name: 'PREFECT_CLIENT_CUSTOM_HEADERS', value: null, secret: true });
    const row = store.handle.db.prepare("SELECT values_json, secret_names FROM profile_revision WHERE profile_id = 'old'").get() as { values_json: string; secret_names: string };
    expect(row.values_json).not.toContain('k3y');
    expect(JSON.parse(row.secret_names)).toEqual(['PREFECT_CLIENT_CUSTOM_HEADERS']);
    expect(svc.values('old', 1)).toEqual({ PREFECT_CLIENT_CUSTOM_HEADERS: '{"X-Api-Key": "k3y"}', PREFECT_LOGGING_LEVEL: 'INFO' });
  });
});

describe('migration 0030', () => {
  it('creates the profile tables, with a name unique among live profiles only', () => {
    const tables = (store.handle.db.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['profile', 'profile_revision']));
    const ins = store.handle.db.prepare("INSERT INTO profile (id, name, head_rev, created_at, updated_at, deleted_at) VALUES (?, ?, 1, 'x', 'x', ?)");
    ins.run('a', 'Same', 'gone');
    ins.run('b', 'same', null);
    expect(() => ins.run('c', 'SAME', null)).toThrow(/UNIQUE/);
  });
});

describe('profiles store', () => {
  it('creates a profile with masked, encrypted secrets', () => {
    const v = svc.create('prod', { PREFECT_SERVER_DATABASE_CONNECTION_URL: URL, PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS: '20' });
    expect(v).toMatchObject({ name: 'prod', rev: 1, shownRev: 1, settingsCount: 2, errorCount: 0 });
    expect(v.values).toEqual([
      { name: 'PREFECT_SERVER_DATABASE_CONNECTION_URL', value: null, secret: true },
      { name: 'PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS', value: '20', secret: false },
    ]);
    store.handle.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(fs.readFileSync(path.join(home, STORE_FILE)).includes(Buffer.from('s3cr3t-pw-zz'))).toBe(false);
    expect(svc.values(v.id, 1).PREFECT_SERVER_DATABASE_CONNECTION_URL).toBe(URL);
  });

  it('saves every edit as a revision and carries secrets along', () => {
    const v = svc.create('prod', { PREFECT_SERVER_DATABASE_CONNECTION_URL: URL });
    const v2 = svc.save('prod', 1, { set: { PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS: '20', PREFECT_SERVER_DATABASE_CONNECTION_URL: '••••••' } }, { message: 'tune' });
    expect(v2.rev).toBe(2);
    expect(svc.values(v.id, 2)).toEqual({ PREFECT_SERVER_DATABASE_CONNECTION_URL: URL, PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS: '20' });
    expect(svc.history('prod').map((h) => [h.rev, h.source, h.message])).toEqual([
      [2, 'edit', 'tune'],
      [1, 'create', 'Created'],
    ]);
  });

  it('makes no revision when nothing changed', () => {
    svc.create('prod', { PREFECT_LOGGING_LEVEL: 'INFO' });
    expect(svc.save('prod', 1, { set: { PREFECT_LOGGING_LEVEL: 'INFO' } }).rev).toBe(1);
  });

  it('refuses a save based on a stale revision and writes nothing', () => {
    svc.create('prod', {});
    svc.save('prod', 1, { set: { PREFECT_LOGGING_LEVEL: 'INFO' } });
    const e = thrown(() => svc.save('prod', 1, { set: { PREFECT_LOGGING_LEVEL: 'DEBUG' } }));
    expect(e.code).toBe('CONFLICT');
    expect(svc.get('prod').rev).toBe(2);
  });

  it('refuses to save values Prefect would reject (nothing stored) unless forced', () => {
    const p = svc.create('prod', {});
    const e = thrown(() => svc.save('prod', 1, { set: { PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME: 'abc' } }));
    expect(e).toMatchObject({ code: 'VALIDATION' });
    expect(e.message).toMatch(/Prefect 3\.9 would reject this value; nothing was saved/);
    expect((e.details?.issues as { name: string }[])[0]!.name).toBe('PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME');
    expect(svc.history(p.id).map((h) => h.rev)).toEqual([1]);
    const v = svc.save('prod', 1, { set: { PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME: '3600' } }, { force: true });
    expect(v.rev).toBe(2);
    expect(v.errorCount).toBe(1);
    expect(v.issues[0]!.message).toMatch(/ISO 8601/);
    // A later edit elsewhere is not blocked by the value the user already forced.
    expect(svc.save('prod', 2, { set: { PREFECT_LOGGING_LEVEL: 'INFO' } }).rev).toBe(3);
    // ...but changing the bad value to another bad one is.
    expect(thrown(() => svc.save('prod', 3, { set: { PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME: '7200' } })).code).toBe('VALIDATION');
  });

  it('refuses to create a profile with rejected values unless forced', () => {
    expect(thrown(() => svc.create('bad', { PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS: 'twenty' })).code).toBe('VALIDATION');
    expect(svc.list()).toEqual([]);
    expect(svc.create('bad', { PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS: 'twenty' }, { force: true }).errorCount).toBe(1);
  });

  it('checks values with the line the profile targets, and keeps it on copies', () => {
    // Plain seconds for the late-runs grace period: SecondsTimeDelta from 3.6, a plain timedelta before.
    const v = { PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS: '45' };
    expect(svc.create('new', v).errorCount).toBe(0);
    expect(thrown(() => svc.create('old', v, { line: '3.4' })).message).toMatch(/Prefect 3\.4 would reject/);
    const old = svc.create('old', { PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS: 'PT45S' }, { line: '3.4' });
    expect(old).toMatchObject({ line: '3.4', lineVersion: '3.4.25', errorCount: 0 });
    expect(svc.copy('old', 'old2').line).toBe('3.4');
    // Moving a profile to another line re-checks it with that line's catalog.
    const moved = svc.setLine('new', '3.4');
    expect(moved).toMatchObject({ line: '3.4', errorCount: 1 });
    expect(thrown(() => svc.setLine('new', '2.20')).code).toBe('VALIDATION');
    expect(svc.list().map((p) => [p.name, p.line])).toEqual([
      ['new', '3.4'],
      ['old', '3.4'],
      ['old2', '3.4'],
    ]);
  });

  it('restores an old revision as a new one, secrets included', () => {
    const v = svc.create('prod', { PREFECT_SERVER_API_AUTH_STRING: 'admin:one' });
    svc.save('prod', 1, { set: { PREFECT_SERVER_API_AUTH_STRING: 'admin:two' } });
    svc.save('prod', 2, { unset: ['PREFECT_SERVER_API_AUTH_STRING'] });
    const r = svc.restore('prod', 1);
    expect(r).toMatchObject({ rev: 4, source: 'restore', message: 'Restored revision 1' });
    expect(svc.values(v.id, 4)).toEqual({ PREFECT_SERVER_API_AUTH_STRING: 'admin:one' });
    expect(svc.values(v.id, 2)).toEqual({ PREFECT_SERVER_API_AUTH_STRING: 'admin:two' });
  });

  it('diffs revisions and profiles, masking secrets', () => {
    const a = svc.create('a', { PREFECT_SERVER_API_AUTH_STRING: 'admin:one', PREFECT_LOGGING_LEVEL: 'INFO' });
    svc.save('a', 1, { set: { PREFECT_SERVER_API_AUTH_STRING: 'admin:two', PREFECT_LOGGING_LEVEL: 'DEBUG' } });
    expect(svc.diff({ id: a.id, rev: 1 }, { id: a.id, rev: 2 })).toEqual([
      { name: 'PREFECT_LOGGING_LEVEL', status: 'changed', before: 'INFO', after: 'DEBUG', secret: false },
      { name: 'PREFECT_SERVER_API_AUTH_STRING', status: 'changed', before: '••••••', after: '••••••', secret: true },
    ]);
    const b = svc.copy('a', 'b');
    expect(svc.diff({ id: a.id }, { id: b.id })).toEqual([]);
    expect(svc.values(b.id, 1).PREFECT_SERVER_API_AUTH_STRING).toBe('admin:two');
  });

  it('renames, refuses duplicate names, deletes and undeletes', () => {
    const a = svc.create('a', {});
    svc.create('b', {});
    expect(thrown(() => svc.rename('a', 'B')).code).toBe('CONFLICT');
    expect(thrown(() => svc.create('A', {})).code).toBe('CONFLICT');
    svc.rename('a', 'alpha');
    svc.delete('alpha');
    expect(svc.list().map((p) => p.name)).toEqual(['b']);
    expect(thrown(() => svc.get('alpha')).code).toBe('NOT_FOUND');
    svc.create('alpha', {});
    expect(thrown(() => svc.undelete(a.id)).code).toBe('CONFLICT');
    svc.delete('alpha');
    expect(svc.undelete(a.id).name).toBe('alpha');
    expect(svc.list(true)).toHaveLength(3);
  });

  it('renames a legacy name to the canonical one as a change', () => {
    svc.create('prod', { PREFECT_API_DATABASE_CONNECTION_URL: URL });
    const v = svc.save('prod', 1, { rename: { PREFECT_API_DATABASE_CONNECTION_URL: 'PREFECT_SERVER_DATABASE_CONNECTION_URL' } });
    expect(v.values).toEqual([{ name: 'PREFECT_SERVER_DATABASE_CONNECTION_URL', value: null, secret: true }]);
    expect(svc.values(v.id, 2)).toEqual({ PREFECT_SERVER_DATABASE_CONNECTION_URL: URL });
    expect(svc.diff({ id: v.id, rev: 1 }, { id: v.id, rev: 2 })[0]).toMatchObject({ status: 'renamed', fromName: 'PREFECT_API_DATABASE_CONNECTION_URL' });
  });
});
