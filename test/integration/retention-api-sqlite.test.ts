/**
 * `housekeeper retention` through the API only (no --db) against the harness's SQLite-backed Prefect:
 * the server answers from one SQLite file (a busy one answers 5xx, which the batches retry), and the
 * API path deletes exactly Prefect's vacuum predicate there too, with the runs' states and task runs
 * (the foreign keys cascade inside Prefect). Ground truth is read from the file.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { prefectApi } from '../harness/prefect-api';
import { createWorkPool, seedDeployments } from '../harness/seed-api';
import { planSeed, targetsFromDeployments } from '../harness/seed-plan';
import { seedRunsSqlite } from '../harness/seed-sqlite';
import { uniqueTag } from './support/purge-fixture';

const h = inject('harness');
const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'bin', 'housekeeper.cjs');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-retention-api-sq-'));
const env = { ...process.env, HOUSEKEEPER_HOME: home, CI: process.env.CI ?? '' };
const file = h.prefectSqlite.db.kind === 'sqlite' ? h.prefectSqlite.db.path : '';
const tag = uniqueTag();
let depIds: string[] = [];
let names: string[] = [];

interface Row { id: string; state_type: string | null; end_time: string | null; parent_task_run_id: string | null }
const TERMINAL = ['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED'];
const toMs = (t: string) => Date.parse(t.includes('T') ? t : `${t.replace(' ', 'T')}Z`);

function read<T>(sql: string, ...args: unknown[]): T[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all(...args) as T[];
  } finally {
    db.close();
  }
}
const rows = () => read<Row>(`SELECT id, state_type, end_time, parent_task_run_id FROM flow_run WHERE deployment_id IN (${depIds.map(() => '?').join(',')})`, ...depIds);
const countFor = (table: 'flow_run_state' | 'task_run', ids: string[]) => read<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE flow_run_id IN (SELECT value FROM json_each(?))`, JSON.stringify(ids))[0]!.n;

beforeAll(async () => {
  const api = prefectApi(h.prefectSqlite.apiUrl);
  await createWorkPool(api, `rta-pool-${tag}`);
  const deps = await seedDeployments(api, [0, 1].map((i) => ({ flow: `rta-flow-${tag}`, name: `dep-${i}`, schedules: [{ schedule: { kind: 'interval' as const, interval: 300 } }], workPool: `rta-pool-${tag}` })));
  depIds = deps.map((d) => d.id);
  names = deps.map((d) => d.fullName);
  seedRunsSqlite(file, planSeed(targetsFromDeployments(deps, { weight: () => 1 }), { completedOld: 90, failed: 20, cancelled: 6, crashed: 4, running: 3, late: 10, future: 10 }));
}, 120_000);
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('housekeeper retention through the API on a SQLite-backed Prefect', () => {
  it('deletes exactly the finished top-level runs older than the cutoff, with their states and task runs', () => {
    const before = rows();
    const ends = before.filter((r) => r.end_time).map((r) => toMs(r.end_time!)).sort((a, b) => a - b);
    const olderThan = `${Math.max(2, Math.ceil((Date.now() - ends[Math.floor(ends.length / 2)]!) / 3_600_000))}h`;
    const sel = ['--api', h.prefectSqlite.apiUrl, ...names.flatMap((n) => ['--deployment', n]), '--older-than', olderThan];

    const r = spawnSync(process.execPath, [cli, 'retention', ...sel, '--yes', '--batch-size', '20', '--json'], { env, encoding: 'utf8', timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { value: { plan: { cutoff: string; confirmCount: number; executor: string }; outcome: { totals: { runs: number }; remaining: { runs: number | null } } } };
    const { plan, outcome } = doc.value;
    expect(plan.executor).toBe('api');
    const want = before.filter((x) => x.parent_task_run_id === null && x.state_type && TERMINAL.includes(x.state_type) && x.end_time && toMs(x.end_time) < Date.parse(plan.cutoff)).map((x) => x.id);
    expect(want.length).toBeGreaterThan(20);
    expect(want.length).toBeLessThan(before.length);
    expect(plan.confirmCount).toBe(want.length);
    expect(outcome.totals.runs).toBe(want.length);
    expect(outcome.remaining.runs).toBe(0);
    expect(rows().map((x) => x.id).sort()).toEqual(before.filter((x) => !want.includes(x.id)).map((x) => x.id).sort());
    expect(countFor('flow_run_state', want)).toBe(0);
    expect(countFor('task_run', want)).toBe(0);
  });
});
