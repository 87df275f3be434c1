import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../main/store/db';
import { MIGRATIONS } from '../../main/store/migrations';
import { PurgeRepo, RUN_DELETED, RUN_IN_FLIGHT, RUN_PENDING } from '../../main/store/repos/purge';

let home: string;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-m20-'));
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

describe('store migration 0020 (purge plans and journal)', () => {
  it('upgrades a 0010 store with data, and the journal works', () => {
    const old = openStore(home, MIGRATIONS.filter((m) => m.version <= 10));
    old.db.prepare("INSERT INTO app_setting (key, value) VALUES ('kept', 'yes')").run();
    old.close();
    // Up to 0020 and the later purge-journal columns (0070) the current repository writes.
    const s = openStore(home, MIGRATIONS.filter((m) => m.version <= 20 || m.version === 70));
    expect(s.db.prepare("SELECT value FROM app_setting WHERE key = 'kept'").pluck().get()).toBe('yes');
    const repo = new PurgeRepo(s.db);
    repo.savePlan({ id: 'p1', connection_id: null, created_at: 't', server_now: 't', cutoff: 'c', executor: 'sql', filter: '{}', resolved: '{}', plan: '{}' }, ['a', 'b', 'c']);
    repo.setState('p1', ['a', 'b'], RUN_IN_FLIGHT);
    repo.setState('p1', ['a'], RUN_DELETED);
    expect(repo.counts('p1')).toEqual({ pending: 1, inFlight: 1, deleted: 1, skipped: 0, busy: 0, total: 3 });
    expect(repo.idsInState('p1', RUN_PENDING)).toEqual(['c']);
    // Deleting a plan drops its journal (foreign key, cascade).
    s.db.prepare("DELETE FROM purge_plan WHERE id = 'p1'").run();
    expect(s.db.prepare('SELECT count(*) FROM purge_plan_run').pluck().get()).toBe(0);
    s.close();
  });
});
