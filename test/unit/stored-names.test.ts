/**
 * Names Housekeeper stores never carry control characters (issue #12, item 5), whichever way they
 * arrive: the contract (window, web), the service itself (discovered setups, imported files).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionsService } from '../../main/core/connections/service';
import { ProfilesService } from '../../main/core/profiles/service';
import { ProfileTransfer } from '../../main/core/profiles/transfer';
import { createStore, type Store } from '../../main/store';
import { ProfilesRepo } from '../../main/store/repos/profiles';
import { ConnectionDraftSchema } from '../../shared/domain/connection';
import { escapeControls, hasControlChars } from '../../shared/domain/safe-text';

let home: string;
let store: Store;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-names-'));
  store = createStore(home);
});
afterEach(() => {
  store.close();
  fs.rmSync(home, { recursive: true, force: true });
});

const NASTY = ['a\u001b[31mb', 'a\nb', 'a\rb', 'a\u0007b', 'a\u009bb', 'a\u202eb', 'a\u2066b', 'a\u0000b'];

describe('stored names', () => {
  it('recognises ESC, CR/LF, BEL, C1, bidi overrides/isolates and NUL, and shows them as escapes', () => {
    for (const n of NASTY) expect(hasControlChars(n), JSON.stringify(n)).toBe(true);
    expect(hasControlChars('prod-eu 1 (read-only) é ü 中')).toBe(false);
    expect(escapeControls('a\u001b[31mb\u202ec\rd')).toBe('a\\x1b[31mb\\u202ec\\rd');
    expect(escapeControls('line 1\n\tline 2\r', { keepLines: true })).toBe('line 1\n\tline 2\\r');
  });

  it('connection names: refused by the contract and by the service', () => {
    const svc = new ConnectionsService(store.connections, store.secrets);
    for (const name of NASTY) {
      expect(ConnectionDraftSchema.safeParse({ name, apiUrl: 'http://127.0.0.1:4200/api' }).success).toBe(false);
      expect(() => svc.save(undefined, { name, apiUrl: 'http://127.0.0.1:4200/api', apiAuth: { kind: 'none' }, db: { kind: 'none' }, readOnly: false })).toThrow(/control characters/);
    }
    expect(svc.list().connections).toEqual([]);
  });

  it('profile names from an imported profiles.toml: refused, nothing stored', () => {
    const transfer = new ProfileTransfer(new ProfilesService(new ProfilesRepo(store.handle.db), store.secrets));
    const content = '[profiles."evil\\u001b]0;pwned\\u0007"]\nPREFECT_API_URL = "http://127.0.0.1:4200/api"\n';
    expect(() => transfer.import({ format: 'toml', content }, { onExisting: 'refuse' })).toThrow(/control characters/);
    expect(store.handle.db.prepare('SELECT count(*) AS n FROM profile').get()).toEqual({ n: 0 });
  });
});
