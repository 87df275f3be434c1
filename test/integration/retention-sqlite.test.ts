/**
 * `housekeeper retention` on a SQLite-backed Prefect server (the harness's real one), through the
 * built CLI: the plan counts what goes, the run deletes exactly the finished top-level runs that
 * ended before the cutoff in the chosen deployments (Prefect's vacuum predicate), with their states
 * and task runs, and leaves everything else.
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
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-retention-sq-'));
const env = { ...process.env, HOUSEKEEPER_HOME: home, CI: process.env.CI ?? '' };
const file = h.prefectSqlite.db.kind === 'sqlite' ? h.prefectSqlite.db.path : '';
const tag = uniqueTag();
let depIds: string[] = [];
let names: string[] = [];

interface Row { id: string; state_type: string | null; end_time: string | null; parent_task_run_id: string | null }
const TERMINAL = ['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED'];
const toMs = (t: string) => Date.parse(t.includes('T') ? t : `${t.replace(' ', 'T')}Z`);

function rows(): Row[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(`SELECT id, state_type, end_time, parent_task_run_id FROM flow_run WHERE deployment_id IN (${depIds.map(() => '?').join(',')})`).all(...depIds) as Row[];
  } finally {
    db.close();
  }
}
function countFor(table: 'flow_run_state' | 'task_run', ids: string[]): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE flow_run_id IN (SELECT value FROM json_each(?))`).get(JSON.stringify(ids)) as { n: number }).n;
  } finally {
    db.close();
  }
}
function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  const api = prefectApi(h.prefectSqlite.apiUrl);
  await createWorkPool(api, `rt-pool-${tag}`);
  const deps = await seedDeployments(api, [0, 1].map((i) => ({ flow: `rt-flow-${tag}`, name: `dep-${i}`, schedules: [{ schedule: { kind: 'interval' as const, interval: 300 } }], workPool: `rt-pool-${tag}` })));
  depIds = deps.map((d) => d.id);
  names = deps.map((d) => d.fullName);
  seedRunsSqlite(file, planSeed(targetsFromDeployments(deps, { weight: () => 1 }), { completedOld: 120, failed: 20, cancelled: 6, crashed: 4, running: 3, late: 10, future: 10 }));
}, 120_000);
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('housekeeper retention (CLI, SQLite)', () => {
  it('plans, then deletes exactly the finished runs older than the cutoff with their states and task runs', () => {
    const before = rows();
    const ends = before.filter((r) => r.end_time).map((r) => toMs(r.end_time!)).sort((a, b) => a - b);
    const olderThan = `${Math.max(2, Math.ceil((Date.now() - ends[Math.floor(ends.length / 2)]!) / 3_600_000))}h`;
    const sel = ['--api', h.prefectSqlite.apiUrl, '--db', file, ...names.flatMap((n) => ['--deployment', n]), '--older-than', olderThan, '--no-events'];

    const dry = run(['retention', ...sel, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = (JSON.parse(dry.stdout) as { value: { plan: { cutoff: string; confirmCount: number } } }).value.plan;
    const want = before.filter((r) => r.parent_task_run_id === null && r.state_type && TERMINAL.includes(r.state_type) && r.end_time && toMs(r.end_time) < Date.parse(plan.cutoff)).map((r) => r.id);
    expect(want.length).toBeGreaterThan(20);
    expect(want.length).toBeLessThan(before.length);
    expect(plan.confirmCount).toBe(want.length);
    expect(rows().length).toBe(before.length);
    const states = countFor('flow_run_state', want);
    expect(states).toBeGreaterThan(0);

    const r = run(['retention', ...sel, '--yes', '--batch-size', '10', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const o = (JSON.parse(r.stdout) as { value: { outcome: { totals: { runs: number; flowRunStates: number }; remaining: { runs: number | null } } } }).value.outcome;
    expect(o.totals.runs).toBe(want.length);
    expect(o.totals.flowRunStates).toBe(states);
    expect(o.remaining.runs).toBe(0);
    const after = rows();
    expect(after.map((x) => x.id).sort()).toEqual(before.filter((x) => !want.includes(x.id)).map((x) => x.id).sort());
    expect(countFor('flow_run_state', want)).toBe(0);
    expect(countFor('task_run', want)).toBe(0);
  });
});
