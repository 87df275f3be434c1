/**
 * A stored secret only goes to the destination it was saved with (issue #12, item 1): the service
 * refuses, with SECRET_REQUIRED and nothing written, a draft that keeps a stored secret but points it
 * at another API origin or another database host, port, database or user; the secret table records
 * each secret's destination (migration 0080) and refuses a mismatch itself.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionsService } from '../../main/core/connections/service';
import { createStore, type Store } from '../../main/store';
import { openStore } from '../../main/store/db';
import { MIGRATIONS } from '../../main/store/migrations';
import { KeyFileKeyring } from '../../main/store/secrets/keyring';
import { SecretsRepo } from '../../main/store/repos/secrets';
import { ConnectionDraftSchema, type ConnectionDraftInput } from '../../shared/domain/connection';
import { AppError } from '../../shared/errors';

let home: string;
let store: Store;
let svc: ConnectionsService;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-dest-'));
  store = createStore(home);
  svc = new ConnectionsService(store.connections, store.secrets);
});
afterEach(() => {
  store.close();
  fs.rmSync(home, { recursive: true, force: true });
});

const PG = { kind: 'postgres', host: 'db.internal', port: 5432, database: 'prefect', user: 'prefect', sslmode: 'prefer' } as const;
const draft = (over: Partial<ConnectionDraftInput> = {}) =>
  ConnectionDraftSchema.parse({ name: 'prod', apiUrl: 'http://prefect.internal:4200/api', apiAuth: { kind: 'basic', authString: 'admin:hunter22' }, db: { ...PG, password: 'pg-secret-1' }, ...over });
const thrown = (fn: () => unknown): AppError => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected a throw');
};
const snapshot = () => JSON.stringify([store.handle.db.prepare('SELECT * FROM connection').all(), store.handle.db.prepare('SELECT owner_id, name, hex(ciphertext), destination FROM secret ORDER BY name').all()]);

describe('secrets go only where they were saved for', () => {
  const moves: Array<[string, Partial<ConnectionDraftInput>, string]> = [
    ['the database host', { apiAuth: { kind: 'basic' }, db: { ...PG, host: 'evil.example' } }, 'db.password'],
    ['the database port', { apiAuth: { kind: 'basic' }, db: { ...PG, port: 6543 } }, 'db.password'],
    ['the database name', { apiAuth: { kind: 'basic' }, db: { ...PG, database: 'other' } }, 'db.password'],
    ['the database user', { apiAuth: { kind: 'basic' }, db: { ...PG, user: 'postgres' } }, 'db.password'],
    ['the API host', { apiUrl: 'http://evil.example:4200/api', apiAuth: { kind: 'basic' }, db: { ...PG } }, 'apiAuth.authString'],
    ['the API port', { apiUrl: 'http://prefect.internal:4201/api', apiAuth: { kind: 'basic' }, db: { ...PG } }, 'apiAuth.authString'],
    ['the API scheme', { apiUrl: 'https://prefect.internal:4200/api', apiAuth: { kind: 'basic' }, db: { ...PG } }, 'apiAuth.authString'],
  ];

  for (const [what, over, field] of moves) {
    it(`changing ${what} without entering the secret again: test and save refuse, nothing is written`, () => {
      const v = svc.save(undefined, draft());
      const before = snapshot();
      const changed = draft(over);
      const t = thrown(() => svc.resolve(v.id, changed));
      expect(t.code).toBe('SECRET_REQUIRED');
      expect(t.details?.fields).toEqual([field]);
      expect(t.message).toMatch(/Enter the .* again/);
      expect(t.message).not.toMatch(/hunter22|pg-secret-1/);
      const s = thrown(() => svc.save(v.id, changed));
      expect(s.code).toBe('SECRET_REQUIRED');
      expect(snapshot()).toBe(before);
    });
  }

  it('a secret entered again goes to the new destination, and is bound to it', () => {
    const v = svc.save(undefined, draft());
    const moved = draft({ apiUrl: 'http://prefect-2.internal:4200/api', apiAuth: { kind: 'basic', authString: 'admin:new-pass' }, db: { ...PG, host: 'db2.internal', password: 'pg-secret-2' } });
    const r = svc.resolve(v.id, moved);
    expect(r.db).toMatchObject({ host: 'db2.internal', password: 'pg-secret-2' });
    expect(r.apiAuth).toEqual({ kind: 'basic', authString: 'admin:new-pass' });
    svc.save(v.id, moved);
    expect(store.secrets.destinationOf(v.id, 'db.password')).toBe('postgresql://prefect@db2.internal:5432/prefect');
    expect(store.secrets.destinationOf(v.id, 'api.authString')).toBe('http://prefect-2.internal:4200');
    expect(svc.resolve(v.id).db).toMatchObject({ password: 'pg-secret-2' });
  });

  it('removing the saved password ("use PGPASSWORD / ~/.pgpass") is allowed with a new host', () => {
    const v = svc.save(undefined, draft());
    const r = svc.resolve(v.id, draft({ apiAuth: { kind: 'basic' }, db: { ...PG, host: 'db2', password: null } }));
    expect(r.db).toMatchObject({ host: 'db2', password: null });
  });

  it('the secret table itself refuses a secret for another destination', () => {
    store.secrets.set('c1', 'db.password', 'pw-1234', 'postgresql://prefect@db:5432/prefect');
    expect(store.secrets.get('c1', 'db.password', { destination: 'postgresql://prefect@db:5432/prefect' })).toBe('pw-1234');
    expect(thrown(() => store.secrets.get('c1', 'db.password', { destination: 'postgresql://prefect@evil:5432/prefect' })).code).toBe('SECRET_REQUIRED');
  });

  it('migration 0080 binds secrets saved before it to their connection as it was', () => {
    const old = path.join(home, 'old');
    const s = openStore(old, MIGRATIONS.filter((m) => m.version <= 50));
    s.db.prepare(`INSERT INTO connection (id, name, api_url, api_auth_kind, api_auth_user, db_kind, db_config, read_only, created_at, updated_at, last_used_at)
      VALUES ('c1', 'prod', 'http://prefect.internal:4200/api', 'basic', 'admin', 'postgres', ?, 0, 'x', 'x', NULL)`).run(JSON.stringify({ host: 'DB.internal', port: 5432, database: 'prefect', user: 'prefect', sslmode: 'prefer' }));
    const kr = new KeyFileKeyring(old);
    for (const name of ['api.authString', 'db.password']) s.db.prepare('INSERT INTO secret (owner_id, name, scheme, ciphertext, updated_at) VALUES (?, ?, ?, ?, ?)').run('c1', name, kr.scheme, kr.encrypt('v-1234'), 'x');
    s.close();
    const s2 = openStore(old);
    const repo = new SecretsRepo(s2.db, [kr]);
    expect(repo.destinationOf('c1', 'db.password')).toBe('postgresql://prefect@db.internal:5432/prefect');
    expect(repo.destinationOf('c1', 'api.authString')).toBe('http://prefect.internal:4200');
    s2.close();
  });
});
