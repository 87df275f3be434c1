/**
 * Kill-and-resume of a retention run on the harness's real SQLite-backed Prefect (issue #14),
 * through the built CLI with an export, old events and orphaned logs: SIGKILLed four times, in the
 * runs phase with a batch journaled but not committed (before-commit) and with a batch committed on
 * the server but not journaled (after-commit), then the same in the event_resources and events
 * phases, and resumed to the end. The totals must be exact against the database counted before
 * (runs, states, task runs, task run states, logs, artifacts, events, event resources, orphaned
 * logs), the database must hold exactly what was not planned, and the export each deleted run once.
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
import { seedRunsSqlite, sqliteTs } from '../harness/seed-sqlite';
import crypto from 'node:crypto';
import { uniqueTag } from './support/purge-fixture';

const h = inject('harness');
const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'bin', 'housekeeper.cjs');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-retention-sqr-'));
const env = { ...process.env, HOUSEKEEPER_HOME: home, CI: process.env.CI ?? '' };
const file = h.prefectSqlite.db.kind === 'sqlite' ? h.prefectSqlite.db.path : '';
const exportFile = path.join(home, 'export', 'retention.jsonl');
const tag = uniqueTag();
const eventName = `rs-${tag}.test`;
let depIds: string[] = [];
let names: string[] = [];

interface Row { id: string; state_type: string | null; end_time: string | null; parent_task_run_id: string | null }
interface Totals { runs: number; subflows: number; flowRunStates: number; taskRuns: number; taskRunStates: number; logs: number; artifacts: number; batches: number; events: number; eventResources: number; orphanLogs: number }

const TERMINAL = ['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED'];
const toMs = (t: string) => Date.parse(t.includes('T') ? t : `${t.replace(' ', 'T')}Z`);

function prefectDb<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
const rows = (): Row[] =>
  prefectDb((db) => db.prepare(`SELECT id, state_type, end_time, parent_task_run_id FROM flow_run WHERE deployment_id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(depIds)) as Row[]);

type Children = { flowRunStates: number; taskRuns: number; taskRunStates: number; logs: number; artifacts: number };
const NONE: Children = { flowRunStates: 0, taskRuns: 0, taskRunStates: 0, logs: 0, artifacts: 0 };

/** What belongs to each of the given runs, table by table, counted straight from Prefect's database. */
function childrenByRun(ids: string[]): Map<string, Children> {
  return prefectDb((db) => {
    const out = new Map<string, Children>(ids.map((id) => [id, { ...NONE }]));
    const add = (key: keyof Children, sql: string) => {
      for (const r of db.prepare(sql).all(JSON.stringify(ids)) as Array<{ id: string; n: number }>) out.get(r.id)![key] += r.n;
    };
    const runs = 'SELECT value FROM json_each(?)';
    add('flowRunStates', `SELECT flow_run_id AS id, count(*) AS n FROM flow_run_state WHERE flow_run_id IN (${runs}) GROUP BY 1`);
    add('taskRuns', `SELECT flow_run_id AS id, count(*) AS n FROM task_run WHERE flow_run_id IN (${runs}) GROUP BY 1`);
    add('taskRunStates', `SELECT t.flow_run_id AS id, count(*) AS n FROM task_run_state s JOIN task_run t ON t.id = s.task_run_id WHERE t.flow_run_id IN (${runs}) GROUP BY 1`);
    add('logs', `SELECT flow_run_id AS id, count(*) AS n FROM log WHERE flow_run_id IN (${runs}) GROUP BY 1`);
    add('artifacts', `SELECT flow_run_id AS id, count(*) AS n FROM artifact WHERE flow_run_id IN (${runs}) GROUP BY 1`);
    return out;
  });
}
function sum(map: Map<string, Children>, ids: string[]): Children {
  const t = { ...NONE };
  for (const id of ids) for (const k of Object.keys(t) as Array<keyof Children>) t[k] += map.get(id)?.[k] ?? 0;
  return t;
}

/** Old events and resources (server-wide), this test's recent events, and orphaned logs (server-wide). */
function eventCounts(): { events: number; resources: number; recentOurs: number; orphanLogs: number } {
  const cut = sqliteTs((Date.now() - 400 * 86_400_000) * 1000);
  return prefectDb((db) => ({
    events: (db.prepare('SELECT count(*) AS n FROM events WHERE occurred < ?').get(cut) as { n: number }).n,
    resources: (db.prepare('SELECT count(*) AS n FROM event_resources WHERE occurred < ?').get(cut) as { n: number }).n,
    recentOurs: (db.prepare('SELECT count(*) AS n FROM events WHERE event = ? AND occurred >= ?').get(eventName, cut) as { n: number }).n,
    orphanLogs: (db.prepare('SELECT count(*) AS n FROM log l WHERE l.flow_run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM flow_run fr WHERE fr.id = l.flow_run_id)').get() as { n: number }).n,
  }));
}

function run(args: string[], extraEnv: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Everything a CLI run said, for a failed expectation (an exit instead of the kill says why here). */
const why = (r: ReturnType<typeof run>) => `exit ${r.code}, signal ${r.signal}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

function journal(): { id: string; status: string; cutoff: string; totals: Totals; pending: string | null; phase: string } {
  const db = new Database(path.join(home, 'housekeeper.db'), { readonly: true, fileMustExist: true });
  try {
    const r = db.prepare('SELECT id, status, cutoff, progress, pending_batch FROM retention_plan ORDER BY created_at DESC LIMIT 1').get() as { id: string; status: string; cutoff: string; progress: string; pending_batch: string | null };
    const p = JSON.parse(r.progress) as { totals: Totals; phase: string };
    return { id: r.id, status: r.status, cutoff: r.cutoff, totals: p.totals, pending: r.pending_batch, phase: p.phase };
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  const api = prefectApi(h.prefectSqlite.apiUrl);
  await createWorkPool(api, `rs-pool-${tag}`);
  const deps = await seedDeployments(api, [0, 1].map((i) => ({ flow: `rs-flow-${tag}`, name: `dep-${i}`, schedules: [{ schedule: { kind: 'interval' as const, interval: 300 } }], workPool: `rs-pool-${tag}` })));
  depIds = deps.map((d) => d.id);
  names = deps.map((d) => d.fullName);
  seedRunsSqlite(file, planSeed(targetsFromDeployments(deps, { weight: () => 1 }), { completedOld: 160, failed: 30, cancelled: 6, crashed: 4, running: 3, late: 10, future: 10 }));
  // Events as Prefect's event persister writes them: 150 from 500 days ago and 10 recent, two
  // resources each; and 30 logs of a run that no longer exists.
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 60000');
    const ev = db.prepare(`INSERT INTO events (occurred, event, resource_id, resource, related_resource_ids, related, payload, received, recorded, id, created, updated)
                           VALUES (?, ?, 'prefect.flow-run.x', '{}', '[]', '[]', '{}', ?, ?, ?, ?, ?)`);
    const res = db.prepare(`INSERT INTO event_resources (occurred, resource_id, resource_role, resource, event_id, id, created, updated) VALUES (?, 'prefect.flow-run.x', ?, '{}', ?, ?, ?, ?)`);
    const log = db.prepare(`INSERT INTO log (id, created, updated, name, level, flow_run_id, task_run_id, message, timestamp) VALUES (?, ?, ?, 'prefect.flow_runs', 20, ?, NULL, 'left behind', ?)`);
    const nowUs = Date.now() * 1000;
    const now = sqliteTs(nowUs);
    db.transaction(() => {
      for (const [n, daysAgo] of [[150, 500], [10, 1]] as const) {
        for (let g = 0; g < n; g++) {
          const at = sqliteTs(nowUs - daysAgo * 86_400e6 - g * 1e6);
          const id = crypto.randomUUID();
          ev.run(at, eventName, at, at, id, now, now);
          for (const role of ['', 'flow']) res.run(at, role, id, crypto.randomUUID(), now, now);
        }
      }
      const gone = crypto.randomUUID();
      for (let i = 0; i < 30; i++) log.run(crypto.randomUUID(), now, now, gone, now);
    })();
  } finally {
    db.close();
  }
}, 120_000);
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('housekeeper retention on SQLite: kill and resume', () => {
  it('settles batches killed before and after their commit, in the runs and the event phases, to exact totals', () => {
    const before = rows();
    const ev0 = eventCounts();
    expect(ev0.events).toBeGreaterThanOrEqual(150);
    expect(ev0.orphanLogs).toBeGreaterThanOrEqual(30);
    const byRun = childrenByRun(before.map((r) => r.id)); // before anything is deleted
    const ends = before.filter((r) => r.end_time).map((r) => toMs(r.end_time!)).sort((a, b) => a - b);
    const olderThan = `${Math.max(2, Math.ceil((Date.now() - ends[Math.floor(ends.length / 2)]!) / 3_600_000))}h`;
    const sel = ['--api', h.prefectSqlite.apiUrl, '--db', file, ...names.flatMap((n) => ['--deployment', n]), '--older-than', olderThan, '--events-older-than', '400d', '--orphans'];
    const slow = ['--batch-size', '10', '--batch-target-ms', '10'];

    // 1. Killed inside its 3rd batch: journaled as pending, never committed on the server.
    const k1 = run(['retention', ...sel, '--yes', '--export', exportFile, ...slow], { HOUSEKEEPER_TEST_KILL_AT: 'retention:before-commit:3' });
    expect(k1.signal, why(k1)).toBe('SIGKILL');
    const j1 = journal();
    expect(j1.pending).not.toBeNull();
    expect(j1.totals.batches).toBe(2);
    const want = before.filter((r) => r.parent_task_run_id === null && r.state_type && TERMINAL.includes(r.state_type) && r.end_time && toMs(r.end_time) < Date.parse(j1.cutoff)).map((r) => r.id);
    expect(want.length).toBeGreaterThan(60);
    expect(before.length - rows().length).toBe(j1.totals.runs); // the pending batch did not commit

    // 2. Resumed, and killed after its 2nd batch committed on the server, before the journal heard.
    const k2 = run(['retention', 'resume', j1.id, ...sel.slice(0, 4), ...slow], { HOUSEKEEPER_TEST_KILL_AT: 'retention:after-commit:2' });
    expect(k2.signal, why(k2)).toBe('SIGKILL');
    const j2 = journal();
    expect(j2.totals.runs).toBeLessThan(before.length - rows().length); // the server is ahead of the journal

    // 3. Killed in the event_resources phase with a batch journaled, not committed; 4. in the events
    // phase with a batch committed, not journaled.
    const k3 = run(['retention', 'resume', j1.id, ...sel.slice(0, 4)], { HOUSEKEEPER_TEST_KILL_AT: 'retention/event-resources:before-commit:1' });
    expect(k3.signal, why(k3)).toBe('SIGKILL');
    const j3 = journal();
    expect([j3.phase, j3.pending !== null, j3.totals.eventResources]).toEqual(['event-resources', true, 0]);
    expect(eventCounts().resources).toBe(ev0.resources);
    const k4 = run(['retention', 'resume', j1.id, ...sel.slice(0, 4)], { HOUSEKEEPER_TEST_KILL_AT: 'retention/events:after-commit:1' });
    expect(k4.signal, why(k4)).toBe('SIGKILL');
    const j4 = journal();
    expect(j4.phase).toBe('events');
    expect(j4.totals.eventResources).toBe(ev0.resources);
    expect(ev0.events - eventCounts().events).toBeGreaterThan(j4.totals.events); // the server is ahead again

    // 5. Resumed to the end.
    const r = run(['retention', 'resume', j1.id, ...sel.slice(0, 4), ...slow, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const o = (JSON.parse(r.stdout) as { value: { outcome: { totals: Totals; remaining: { runs: number | null }; exportedTo: string | null } } }).value.outcome;

    // The database holds exactly what was not planned, and nothing of what belonged to the deleted runs.
    const after = rows();
    expect(after.map((x) => x.id).sort()).toEqual(before.filter((x) => !want.includes(x.id)).map((x) => x.id).sort());
    expect(sum(childrenByRun(want), want)).toEqual(NONE);
    expect(o.remaining.runs).toBe(0);

    // Exact totals across the three processes: the runs, and every child table against its count.
    expect(o.totals.runs).toBe(want.length);
    expect(o.totals.subflows).toBe(0);
    const pick = (t: Children) => ({ flowRunStates: t.flowRunStates, taskRuns: t.taskRuns, taskRunStates: t.taskRunStates, logs: t.logs, artifacts: t.artifacts });
    expect(pick(o.totals)).toEqual(sum(byRun, want));
    expect(o.totals.flowRunStates).toBeGreaterThan(want.length);
    // Events and orphaned logs: every old one gone and counted once, the recent ones kept.
    expect(eventCounts()).toEqual({ events: 0, resources: 0, recentOurs: 10, orphanLogs: 0 });
    expect([o.totals.events, o.totals.eventResources, o.totals.orphanLogs]).toEqual([ev0.events, ev0.resources, ev0.orphanLogs]);
    expect(o.totals.logs).toBeGreaterThan(0);

    // The export: each deleted run exactly once, through both kills.
    expect(o.exportedTo).toBe(exportFile);
    const exported = fs.readFileSync(exportFile, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { flow_run: { id: string } }).flow_run.id);
    expect(exported.length).toBe(want.length);
    expect(new Set(exported)).toEqual(new Set(want));
    expect(journal().status).toBe('done');
  });
});
