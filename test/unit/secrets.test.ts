import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStore, type Store } from '../../main/store';
import { KeyFileKeyring } from '../../main/store/secrets/keyring';
import { SecretsRepo } from '../../main/store/repos/secrets';
import { KEY_FILE, STORE_FILE } from '../../main/store/paths';
import { redact } from '../../main/core/log/redact';

let home: string;
let store: Store;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-secrets-'));
  store = createStore(home);
});
afterEach(() => {
  store.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('secrets at rest', () => {
  it('never stores the plain text in the database file, and reads it back', () => {
    store.secrets.set('c1', 'db.password', 'correct horse battery staple');
    store.handle.db.pragma('wal_checkpoint(TRUNCATE)');
    const raw = fs.readFileSync(path.join(home, STORE_FILE));
    expect(raw.includes(Buffer.from('correct horse battery staple'))).toBe(false);
    expect(store.secrets.get('c1', 'db.password')).toBe('correct horse battery staple');
    expect(store.secrets.has('c1', 'db.password')).toBe(true);
  });

  it('keeps the key file private (0600)', () => {
    if (process.platform === 'win32') return;
    expect(fs.statSync(path.join(home, KEY_FILE)).mode & 0o777).toBe(0o600);
  });

  it('registers decrypted secrets with the redactor', () => {
    store.secrets.set('c1', 'api.apiKey', 'zq-unique-secret-value-123');
    expect(redact('error: zq-unique-secret-value-123 rejected')).toBe('error: *** rejected');
  });

  it('fails clearly when a secret was written with a scheme this face cannot read', () => {
    const foreign = { scheme: 'safeStorage', encrypt: (s: string) => Buffer.from(s.split('').reverse().join('')), decrypt: (b: Buffer) => b.toString() };
    new SecretsRepo(store.handle.db, [foreign]).set('c2', 'db.password', 'pw-from-window');
    expect(() => store.secrets.get('c2', 'db.password')).toThrow(/cannot read/);
  });

  it('fails clearly when the key file changed', () => {
    store.secrets.set('c1', 'db.password', 'pw');
    fs.rmSync(path.join(home, KEY_FILE));
    const other = new SecretsRepo(store.handle.db, [new KeyFileKeyring(home)]);
    expect(() => other.get('c1', 'db.password')).toThrow(/could not be decrypted/);
  });
});
