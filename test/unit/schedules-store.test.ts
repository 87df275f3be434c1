/** Migration 0050 and the schedules repository: originals kept per change, journal per deployment. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../main/store/db';
import { MIGRATIONS } from '../../main/store/migrations';
import { SchedulesRepo } from '../../main/store/repos/schedules';

let home: string;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-sched-store-'));
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

const original = { id: 's1', schedule: { interval: 600, anchor_date: '2020-01-01T00:00:00Z', timezone: 'UTC' }, active: true, parameters: { x: 1 }, slug: 'ten', maxScheduledRuns: null };

describe('migration 0050 (schedules)', () => {
  it('creates the change and original tables on top of 0040', () => {
    const s = openStore(home, MIGRATIONS.filter((m) => m.version <= 50));
    const tables = (s.db.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['schedule_change', 'schedule_original']));
    expect(s.db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(50);
    s.close();
  });

  it('keeps originals with the plan, journals each deployment, and cascades on delete', () => {
    const s = openStore(home, MIGRATIONS);
    const repo = new SchedulesRepo(s.db);
    repo.save(
      { id: 'c1', connection_id: 'conn', kind: 'recreate', created_at: '2026-11-29T10:00:00Z', plan: '{"totals":{"deployments":1,"schedules":1}}' },
      [{ deploymentId: 'd1', deploymentName: 'flow/dep', paused: false, schedules: [original], target: { paused: false, schedules: [{ ...original, schedule: { ...original.schedule, anchor_date: '2026-11-29T10:00:00Z' } }] } }],
    );
    expect(repo.get('c1')).toMatchObject({ kind: 'recreate', status: 'planned' });
    expect(repo.items('c1')).toEqual([expect.objectContaining({ deploymentId: 'd1', paused: false, schedules: [original], state: 'pending' })]);
    repo.setItemState('c1', 'd1', 'needs-restore', 'server unreachable');
    repo.setStatus('c1', 'needs-restore', { jobId: 'j1', outcome: { ok: false } });
    expect(repo.items('c1')[0]).toMatchObject({ state: 'needs-restore', error: 'server unreachable' });
    expect(repo.get('c1')).toMatchObject({ status: 'needs-restore', job_id: 'j1', outcome: '{"ok":false}' });
    expect(repo.list('conn', 10).map((r) => r.id)).toEqual(['c1']);
    expect(() => s.db.prepare("INSERT INTO schedule_change (id, kind, created_at, plan) VALUES ('x', 'delete-all', 'now', '{}')").run()).toThrow(/CHECK/);
    s.db.prepare("DELETE FROM schedule_change WHERE id = 'c1'").run();
    expect(repo.items('c1')).toEqual([]);
    s.close();
  });
});
