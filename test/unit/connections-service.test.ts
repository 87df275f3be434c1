import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionsService } from '../../main/core/connections/service';
import { createStore, type Store } from '../../main/store';
import { ConnectionDraftSchema, type ConnectionDraftInput } from '../../shared/domain/connection';
import { AppError } from '../../shared/errors';

let home: string;
let store: Store;
let svc: ConnectionsService;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-conn-'));
  store = createStore(home);
  svc = new ConnectionsService(store.connections, store.secrets);
});
afterEach(() => {
  store.close();
  fs.rmSync(home, { recursive: true, force: true });
});

const draft = (over: Partial<ConnectionDraftInput> = {}) =>
  ConnectionDraftSchema.parse({
    name: 'prod',
    apiUrl: 'http://prefect.internal:4200/api/',
    apiAuth: { kind: 'basic', authString: 'admin:hunter22' },
    db: { kind: 'postgres', host: 'db.internal', port: 5432, database: 'prefect', user: 'prefect', password: 'pg-secret-1', sslmode: 'require' },
    ...over,
  });

const thrown = (fn: () => unknown): AppError => {
  try {
    fn();
  } catch (e) {
    return e as AppError;
  }
  throw new Error('expected a throw');
};

describe('ConnectionsService', () => {
  it('saves a connection, normalises the URL and returns a view without secrets', () => {
    const v = svc.save(undefined, draft());
    expect(v.apiUrl).toBe('http://prefect.internal:4200/api');
    expect(v.apiKind).toBe('self-hosted');
    expect(v.apiAuth).toEqual({ kind: 'basic', user: 'admin', hasSecret: true });
    expect(v.db).toMatchObject({ kind: 'postgres', hasPassword: true, sslmode: 'require' });
    expect(JSON.stringify(v)).not.toMatch(/hunter22|pg-secret-1/);
    const r = svc.resolve(v.id);
    expect(r.apiAuth).toEqual({ kind: 'basic', authString: 'admin:hunter22' });
    expect(r.db).toMatchObject({ kind: 'postgres', password: 'pg-secret-1' });
  });

  it('keeps stored secrets when an edit leaves them out (same destination), clears them on null', () => {
    const v = svc.save(undefined, draft());
    svc.save(v.id, draft({ name: 'prod-2', apiUrl: 'http://PREFECT.internal:4200/other/api', apiAuth: { kind: 'basic' }, db: { kind: 'postgres', host: 'db.internal', database: 'prefect', user: 'prefect', sslmode: 'verify-full' } }));
    const r = svc.resolve(v.id);
    expect(r.name).toBe('prod-2');
    expect(r.apiAuth).toEqual({ kind: 'basic', authString: 'admin:hunter22' });
    expect(r.db).toMatchObject({ host: 'db.internal', password: 'pg-secret-1' });
    svc.save(v.id, draft({ db: { kind: 'postgres', host: 'db.internal', database: 'prefect', user: 'prefect', password: null } }));
    expect(svc.get(v.id).db).toMatchObject({ hasPassword: false });
  });

  it('drops the secrets of a kind that is no longer used', () => {
    const v = svc.save(undefined, draft());
    svc.save(v.id, draft({ apiAuth: { kind: 'none' }, db: { kind: 'sqlite', path: '/tmp/prefect.db' } }));
    expect(store.secrets.has(v.id, 'api.authString')).toBe(false);
    expect(store.secrets.has(v.id, 'db.password')).toBe(false);
  });

  it('refuses a duplicate name (case-insensitive) and changes nothing', () => {
    svc.save(undefined, draft());
    const e = thrown(() => svc.save(undefined, draft({ name: 'PROD', apiUrl: 'http://other:4200/api' })));
    expect(e.code).toBe('CONFLICT');
    expect(svc.list().connections).toHaveLength(1);
  });

  it('refuses an API URL without a scheme or path, with a hint', () => {
    const e = thrown(() => svc.save(undefined, draft({ apiUrl: 'http://prefect.internal:4200' })));
    expect(e.code).toBe('VALIDATION');
    expect(e.hint).toMatch(/\/api/);
    expect(svc.list().connections).toHaveLength(0);
  });

  it('refuses an auth string without a colon and rolls back the save', () => {
    const e = thrown(() => svc.save(undefined, draft({ apiAuth: { kind: 'basic', authString: 'justapassword' } })));
    expect(e.code).toBe('VALIDATION');
    expect(svc.list().connections).toHaveLength(0);
    expect(store.handle.db.prepare('SELECT count(*) AS n FROM secret').get()).toEqual({ n: 0 });
  });

  it('recognises Prefect Cloud workspace URLs', () => {
    const v = svc.save(undefined, draft({
      name: 'cloud',
      apiUrl: 'https://api.prefect.cloud/api/accounts/9b8c7d6e-1234-4abc-8def-0123456789ab/workspaces/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      apiAuth: { kind: 'apiKey', apiKey: 'pnu_abcdefghijklmnopqrstuvwxyz0123456789' },
      db: { kind: 'none' },
    }));
    expect(v.apiKind).toBe('cloud');
    expect(v.apiAuth).toEqual({ kind: 'apiKey', hasSecret: true });
  });

  it('opens on the first connection ever saved', () => {
    const a = svc.save(undefined, draft());
    svc.save(undefined, draft({ name: 'staging', apiUrl: 'http://staging:4200/api' }));
    expect(svc.list().lastUsedId).toBe(a.id);
  });

  it('removes a connection with its secrets, and remembers the last one used', () => {
    const a = svc.save(undefined, draft());
    const b = svc.save(undefined, draft({ name: 'staging', apiUrl: 'http://staging:4200/api' }));
    svc.use(b.id);
    expect(svc.list().lastUsedId).toBe(b.id);
    svc.remove(a.id);
    expect(store.secrets.has(a.id, 'db.password')).toBe(false);
    expect(svc.list().connections.map((c) => c.name)).toEqual(['staging']);
    expect(thrown(() => svc.remove(a.id)).code).toBe('NOT_FOUND');
  });

  it('finds by name for the CLI, with a hint when missing', () => {
    svc.save(undefined, draft());
    expect(svc.find('prod').name).toBe('prod');
    expect(thrown(() => svc.find('nope')).hint).toMatch(/connections list/);
  });
});
