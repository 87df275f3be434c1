/**
 * The local store is private (issue #12, item 7): the folder 0700 (an existing one tightened), the
 * database, its WAL/SHM, backups and the key file 0600. On Linux, safeStorage's `basic_text` backend
 * is plain text, so the window writes with the key file then. A folder Housekeeper cannot write is
 * reported as that, not as a damaged store.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStore } from '../../main/store';
import { openStore } from '../../main/store/db';
import { LATEST_VERSION, MIGRATIONS } from '../../main/store/migrations';
import { KEY_FILE, STORE_FILE } from '../../main/store/paths';
import { SecretsRepo } from '../../main/store/repos/secrets';
import { KeyFileKeyring, osKeychainProtects, type Keyring } from '../../main/store/secrets/keyring';
import { AppError } from '../../shared/errors';

const POSIX = process.platform !== 'win32';
const mode = (p: string) => fs.statSync(p).mode & 0o777;
let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-perm-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function storeError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected a failure');
}

describe.runIf(POSIX)('file permissions', () => {
  it('creates the folder 0700 and the store, WAL, SHM and key file 0600', () => {
    const home = path.join(root, 'new', 'Housekeeper');
    const store = createStore(home);
    store.secrets.set('c1', 'db.password', 'pw-1234');
    expect(mode(home)).toBe(0o700);
    for (const f of [STORE_FILE, `${STORE_FILE}-wal`, `${STORE_FILE}-shm`, KEY_FILE]) expect([f, mode(path.join(home, f))]).toEqual([f, 0o600]);
    store.close();
  });

  it('tightens an existing folder and store that an older version left readable', () => {
    const home = path.join(root, 'old');
    fs.mkdirSync(home, { mode: 0o755 });
    fs.chmodSync(home, 0o755);
    const db = new BetterSqlite3(path.join(home, STORE_FILE));
    db.pragma('journal_mode = WAL');
    db.close();
    fs.chmodSync(path.join(home, STORE_FILE), 0o644);
    fs.writeFileSync(path.join(home, KEY_FILE), Buffer.alloc(32, 7), { mode: 0o644 });
    fs.chmodSync(path.join(home, KEY_FILE), 0o644);
    const store = createStore(home);
    expect(mode(home)).toBe(0o700);
    expect(mode(path.join(home, STORE_FILE))).toBe(0o600);
    expect(mode(path.join(home, KEY_FILE))).toBe(0o600);
    expect(mode(path.join(home, `${STORE_FILE}-wal`))).toBe(0o600);
    store.close();
  });

  it('writes migration backups 0600', () => {
    const home = path.join(root, 'bak');
    openStore(home, MIGRATIONS).close();
    const extra = { version: LATEST_VERSION + 10, name: 'extra', up: () => undefined };
    openStore(home, [...MIGRATIONS, extra]).close();
    const backups = fs.readdirSync(home).filter((f) => f.includes('.bak-'));
    expect(backups).toHaveLength(1);
    expect(mode(path.join(home, backups[0]!))).toBe(0o600);
  });

  it('says so when HOUSEKEEPER_HOME is a file, or the key file is a folder', () => {
    const file = path.join(root, 'not-a-folder');
    fs.writeFileSync(file, 'x');
    const e1 = storeError(() => createStore(file));
    expect(e1.code).toBe('STORE');
    expect(e1.message).toMatch(/is a file, not a folder/);
    expect(e1.message).not.toMatch(/EEXIST|ENOTDIR/);
    const home = path.join(root, 'keydir');
    fs.mkdirSync(path.join(home, KEY_FILE), { recursive: true });
    const e2 = storeError(() => createStore(home));
    expect(e2.message).toMatch(/key file .* is a folder/);
    expect(e2.message).not.toMatch(/EISDIR/);
  });

  it('reports a folder it cannot write as not writable, not as damaged', () => {
    const home = path.join(root, 'ro');
    openStore(home).close();
    let out: string;
    const script = `import('${path.resolve('main/store/db.ts')}').then((m) => { try { (m.openStore ?? m.default.openStore)(${JSON.stringify(home)}); console.log('opened'); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message, hint: e.hint })); } })`;
    if (process.getuid?.() === 0) {
      // root ignores permissions: run the check as "nobody", for whom a root-owned 0700 folder is closed.
      fs.chmodSync(root, 0o755);
      const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', '-e', script], { encoding: 'utf8', env: { ...process.env, HOME: '/tmp' } });
      out = r.stdout + r.stderr;
    } else {
      fs.chmodSync(home, 0o500);
      const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
      fs.chmodSync(home, 0o700);
      out = r.stdout + r.stderr;
    }
    const e = JSON.parse(out.trim().split('\n').pop()!) as { code: string; message: string; hint: string };
    expect(e.code).toBe('STORE');
    expect(e.message).toMatch(/not writable|read-only/);
    expect(e.message).toMatch(/Nothing is damaged/);
    expect(e.message).not.toMatch(/damaged \(/);
    expect(e.hint).toMatch(/HOUSEKEEPER_HOME/);
    // A child process with tsx: seconds on a busy machine.
  }, 60_000);
});

describe('OS keychain choice', () => {
  it('treats Linux basic_text (and an uninitialised backend) as no protection', () => {
    expect(osKeychainProtects('linux', true, 'basic_text')).toBe(false);
    expect(osKeychainProtects('linux', true, 'unknown')).toBe(false);
    expect(osKeychainProtects('linux', true, 'gnome_libsecret')).toBe(true);
    expect(osKeychainProtects('linux', true, 'kwallet5')).toBe(true);
    expect(osKeychainProtects('darwin', true, null)).toBe(true);
    expect(osKeychainProtects('win32', true, null)).toBe(true);
    expect(osKeychainProtects('darwin', false, null)).toBe(false);
  });

  it('writes with the key file when the keychain does not protect, and still reads what it wrote before', () => {
    const home = path.join(root, 'kc');
    const store = createStore(home);
    const plainKeychain = (writable: boolean): Keyring => ({ scheme: 'safeStorage', writable, encrypt: (s) => Buffer.from(s), decrypt: (b) => b.toString() });
    new SecretsRepo(store.handle.db, [plainKeychain(true)]).set('c1', 'db.password', 'old-from-window');
    const repo = new SecretsRepo(store.handle.db, [plainKeychain(false), new KeyFileKeyring(home)]);
    expect(repo.scheme).toBe('keyfile-v1');
    repo.set('c2', 'db.password', 'new-secret-value');
    const row = store.handle.db.prepare("SELECT scheme, ciphertext FROM secret WHERE owner_id = 'c2'").get() as { scheme: string; ciphertext: Buffer };
    expect(row.scheme).toBe('keyfile-v1');
    expect(row.ciphertext.includes(Buffer.from('new-secret-value'))).toBe(false);
    expect(repo.get('c1', 'db.password')).toBe('old-from-window');
    store.close();
  });
});
