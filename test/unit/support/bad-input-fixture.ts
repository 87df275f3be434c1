/**
 * Shared by the bad-input tables (test/unit/bad-input-*.test.ts): a throwaway store with one saved
 * connection ("prod", its API on a closed port, a stored database password) and one profile
 * ("base"), a work folder with one file, and a snapshot of everything in both (every row of every
 * table, every file's bytes) to prove a refused input wrote nothing.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { ProfilesService } from '../../../main/core/profiles/service';
import { createStore } from '../../../main/store';
import { ProfilesRepo } from '../../../main/store/repos/profiles';
import { ConnectionsService } from '../../../main/core/connections/service';
import { STORE_FILE } from '../../../main/store/paths';
import { closedPort } from '../../support/failures';

export interface BadInputFixture {
  root: string;
  home: string;
  work: string;
  /** A file that exists in `work`. */
  existing: string;
  apiUrl: string;
  connectionId: string;
  profileId: string;
  snapshot(): string;
  cleanup(): void;
}

function files(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    // WAL and SHM come and go as the store is opened and closed; their content is in the dump below.
    if (/-(wal|shm)$/.test(e.name) || e.name === STORE_FILE) continue;
    if (e.isDirectory()) files(p, out);
    else out.push(`${p} ${(fs.statSync(p).mode & 0o777).toString(8)} ${crypto.createHash('sha1').update(fs.readFileSync(p)).digest('hex')}`);
  }
  return out;
}

function dump(file: string): string {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
    const rows = (t: string) =>
      (db.prepare(`SELECT * FROM "${t}"`).all() as unknown[]).map((r) => JSON.stringify(r, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v))).sort();
    return JSON.stringify(tables.map((t) => [t, rows(t)]));
  } finally {
    db.close();
  }
}

export async function badInputFixture(): Promise<BadInputFixture> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-bad-'));
  const home = path.join(root, 'home');
  const work = path.join(root, 'work');
  fs.mkdirSync(work);
  const existing = path.join(work, 'profiles.toml');
  fs.writeFileSync(existing, '[profiles.local]\nPREFECT_API_URL = "http://127.0.0.1:4200/api"\n');
  const apiUrl = `http://127.0.0.1:${await closedPort()}/api`;
  const store = createStore(home);
  const conn = new ConnectionsService(store.connections, store.secrets).save(undefined, {
    name: 'prod',
    apiUrl,
    apiAuth: { kind: 'none' },
    db: { kind: 'postgres', host: '127.0.0.1', port: 5432, database: 'prefect', user: 'prefect', password: 'pg-secret-1', sslmode: 'prefer' },
    readOnly: false,
  });
  const profile = new ProfilesService(new ProfilesRepo(store.handle.db), store.secrets).create('base', { PREFECT_API_URL: apiUrl });
  store.close();
  return {
    root,
    home,
    work,
    existing,
    apiUrl,
    connectionId: conn.id,
    profileId: profile.id,
    snapshot: () => [dump(path.join(home, STORE_FILE)), ...files(home), ...files(work)].join('\n'),
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}
