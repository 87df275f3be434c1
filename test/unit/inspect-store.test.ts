import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../main/store/db';
import { MIGRATIONS } from '../../main/store/migrations';
import { InspectionsRepo, KEEP_FULL_REPORTS } from '../../main/store/repos/inspections';
import { historyPoint } from '../../main/core/inspect/report-export';
import { sampleReport } from './support/inspect-report-fixture';

let home: string;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-inspect-store-'));
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

describe('migration 0040 and the inspections repo', () => {
  it('creates the inspection table on a store at version 30 and keeps existing rows', () => {
    const old = openStore(home, MIGRATIONS.filter((m) => m.version <= 30));
    old.db.prepare("INSERT INTO app_setting (key, value) VALUES ('k', 'v')").run();
    old.close();
    const s = openStore(home, MIGRATIONS);
    expect(s.db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(40);
    expect(s.db.prepare("SELECT name FROM sqlite_master WHERE name = 'inspection'").get()).toBeTruthy();
    expect(s.db.prepare("SELECT value FROM app_setting WHERE key='k'").get()).toEqual({ value: 'v' });
    s.close();
  });

  it('saves, reads back, lists the history oldest first and prunes old full reports', () => {
    const s = openStore(home, MIGRATIONS);
    const repo = new InspectionsRepo(s.db);
    const n = KEEP_FULL_REPORTS + 3;
    for (let i = 0; i < n; i++) {
      const r = sampleReport({ id: `r-${i}`, createdAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString() });
      repo.save(r, historyPoint(r));
    }
    expect(repo.latest(null)?.id).toBe(`r-${n - 1}`);
    const h = repo.history(null);
    expect(h).toHaveLength(n);
    expect(h[0]!.id).toBe('r-0');
    expect(repo.get('r-0')).toBeUndefined();
    expect(repo.exists('r-0')).toBe(true);
    expect(repo.get(`r-${n - 1}`)?.connectionName).toBe('prod, eu');
    expect(repo.list(null, 5).map((x) => x.id)).toEqual([`r-${n - 1}`, `r-${n - 2}`, `r-${n - 3}`, `r-${n - 4}`, `r-${n - 5}`]);
    s.close();
  });

  it('removes a connection\'s history with the connection', () => {
    const s = openStore(home, MIGRATIONS);
    s.db
      .prepare(
        `INSERT INTO connection (id, name, api_url, api_auth_kind, db_kind, db_config, read_only, created_at, updated_at)
         VALUES ('c1', 'c1', 'http://x/api', 'none', 'none', '{}', 0, '2026-01-01', '2026-01-01')`,
      )
      .run();
    const repo = new InspectionsRepo(s.db);
    const r = sampleReport({ id: 'x', connectionId: 'c1' });
    repo.save(r, historyPoint(r));
    expect(repo.history('c1')).toHaveLength(1);
    s.db.prepare("DELETE FROM connection WHERE id = 'c1'").run();
    expect(repo.history('c1')).toHaveLength(0);
    s.close();
  });
});
