/**
 * `housekeeper retention` end to end on the harness's real Prefect (Postgres), through the built CLI:
 * plan (dry run: every table counted, nothing deleted) -> confirm (refused without --yes off a
 * terminal) -> batches, killed mid-way with SIGKILL -> `retention resume` to exact totals -> verify
 * against an independent statement of Prefect's vacuum predicate -> audit.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { childCount, expectedDeleted, midOlderThan, q, runsOf, seedRetention, type RetentionScenario, type RunRow } from './support/retention-fixture';

const h = inject('harness');
const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'bin', 'housekeeper.cjs');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-retention-'));
const env = { ...process.env, HOUSEKEEPER_HOME: home, CI: process.env.CI ?? '' };
const dbUrl = `postgresql://${h.pg.owner.user}:${encodeURIComponent(h.pg.owner.password)}@${h.pg.host}:${h.pg.port}/${h.pg.database}?sslmode=disable`;
const target = () => ['--api', h.prefectPg.apiUrl, '--db', dbUrl];

let s: RetentionScenario;
let before: Map<string, RunRow>;
let olderThan: string;
let oldEvents = { events: 0, resources: 0 };
const depFlags = () => s.deployments.flatMap((d) => ['--deployment', d.fullName]);
// Events: only the scenario's 500-day-old ones are older than 400 days (other tests' events are recent).
const selection = () => [...target(), ...depFlags(), '--older-than', olderThan, '--events-older-than', '400d', '--orphans'];

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

interface Totals { runs: number; subflows: number; flowRunStates: number; logs: number; artifacts: number; flowRunInputs: number; events: number; eventResources: number; collectionsRepointed: number; collectionsRemoved: number; orphanLogs: number }

function journal(): { planId: string; cutoff: string; status: string; totals: Totals } | null {
  const file = path.join(home, 'housekeeper.db');
  if (!fs.existsSync(file)) return null;
  try {
    const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare('SELECT id, cutoff, status, progress FROM retention_plan ORDER BY created_at DESC LIMIT 1').get() as
        | { id: string; cutoff: string; status: string; progress: string }
        | undefined;
      if (!row) return null;
      const p = JSON.parse(row.progress) as { totals?: Totals };
      return p.totals ? { planId: row.id, cutoff: row.cutoff, status: row.status, totals: p.totals } : null;
    } finally {
      db.close();
    }
  } catch {
    return null; // the store is being created or migrated
  }
}

beforeAll(async () => {
  s = await seedRetention(h, 300);
  before = await runsOf(h, s);
  olderThan = midOlderThan(before);
}, 240_000);
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('housekeeper retention (CLI, Postgres)', () => {
  it('--dry-run counts what would go, table by table, and deletes nothing', async () => {
    const r = run(['retention', ...selection(), '--dry-run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      ok: boolean;
      value: { executed: boolean; plan: { cutoff: string; confirmCount: number; impact: Record<string, { value: number; exact: boolean } | null>; prefect: { available: boolean; settingsRead: boolean; flowRunsOn: boolean | null; presetChanges: Record<string, string> | null }; beyondPrefect: string[] } };
    };
    expect(doc.ok).toBe(true);
    expect(doc.value.executed).toBe(false);
    const want = expectedDeleted(before, doc.value.plan.cutoff, s.deployments.map((d) => d.id));
    const topLevel = [...want].filter((id) => before.get(id)!.parent_task_run_id === null).length;
    expect(doc.value.plan.confirmCount).toBe(topLevel);
    // Events go by age across the whole server: the scenario's 30 (500 days old) and any an earlier test left that old.
    const [old] = await q<{ e: string; r: string }>(h, `SELECT (SELECT count(*) FROM events WHERE occurred < now() - interval '400 days') AS e, (SELECT count(*) FROM event_resources WHERE occurred < now() - interval '400 days') AS r`);
    oldEvents = { events: Number(old!.e), resources: Number(old!.r) };
    expect(oldEvents.events).toBeGreaterThanOrEqual(30);
    expect(doc.value.plan.impact.events?.value).toBe(oldEvents.events);
    expect(doc.value.plan.impact.eventResources?.value).toBe(oldEvents.resources);
    expect(doc.value.plan.impact.orphanLogs?.value).toBeGreaterThanOrEqual(5); // the scenario's, and any other test's
    // Prefect's own vacuum, read from the live server's /admin/settings (3.6.19+: present, flow runs off by default).
    const pv = doc.value.plan.prefect;
    const [maj, min, pat] = h.prefectPg.version.split('.').map(Number);
    const hasVacuum = maj! > 3 || (maj === 3 && (min! > 6 || (min === 6 && pat! >= 19)));
    expect(pv.available).toBe(hasVacuum);
    expect(pv.settingsRead).toBe(true);
    if (hasVacuum) {
      expect(pv.flowRunsOn).toBe(false);
      expect(pv.presetChanges?.PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED).toMatch(/flow_runs/);
    }
    expect(doc.value.plan.beyondPrefect.length).toBeGreaterThan(0);
    expect((await runsOf(h, s)).size).toBe(before.size);
  });

  it('refuses bad input (exit 2), a read-only connection and an unconfirmed run (exit 3), changing nothing', async () => {
    expect(run(['retention', ...target(), '--older-than', 'lastyear']).code).toBe(2);
    expect(run(['retention', ...target(), '--state', 'SCHEDULED']).code).toBe(2);
    expect(run(['retention', 'repack', ...target(), '--table', 'no_such_table']).code).toBe(2);
    expect(run(['retention', ...target(), '--older-than', '30m', '--dry-run']).code).toBe(2); // under an hour
    const ro = run(['retention', ...selection(), '--read-only', '--yes']);
    expect(ro.code).toBe(3);
    const nc = run(['retention', ...selection()]);
    expect(nc.code).toBe(3);
    expect(nc.stderr).toMatch(/Not confirmed: nothing was deleted/);
    expect((await runsOf(h, s)).size).toBe(before.size);
  });

  it('is killed mid-way, resumes to exact totals and deletes exactly what Prefect vacuum would, with what belongs to it', async () => {
    const child = spawn(process.execPath, [cli, 'retention', ...selection(), '--yes', '--batch-size', '5', '--batch-target-ms', '20'], { env, stdio: 'ignore' });
    let killed = false;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const j = journal();
      if (j && j.totals.runs >= 40) {
        child.kill('SIGKILL');
        killed = true;
        break;
      }
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    expect(killed, 'the retention should have been killed mid-way').toBe(true);
    const j = journal()!;
    const want = expectedDeleted(before, j.cutoff, s.deployments.map((d) => d.id));
    expect(j.totals.runs + j.totals.subflows).toBeLessThan(want.size); // work left

    const st = run(['retention', 'status', j.planId, '--json']);
    expect(st.code, st.stderr).toBe(0);

    const r = run(['retention', 'resume', j.planId, ...target(), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const o = (JSON.parse(r.stdout) as { value: { outcome: { totals: Totals; remaining: { runs: number | null; events: number | null } } } }).value.outcome;

    const after = await runsOf(h, s);
    const gone = [...before.keys()].filter((id) => !after.has(id));
    expect(new Set(gone)).toEqual(want);
    expect(o.totals.runs + o.totals.subflows).toBe(want.size);
    expect(o.remaining.runs).toBe(0);
    // What belonged to the deleted runs is gone too, and the totals say exactly how much.
    for (const t of ['flow_run_state', 'task_run', 'log', 'artifact', 'flow_run_input'] as const) expect(await childCount(h, t, [...want])).toBe(0);
    expect(o.totals.flowRunInputs).toBe(3);
    // Events older than 400 days are gone, the recent ones stay.
    const ev = await q<{ old: string; recent: string }>(h, `SELECT count(*) FILTER (WHERE occurred < now() - interval '400 days') AS old, count(*) FILTER (WHERE occurred >= now() - interval '400 days') AS recent FROM events WHERE event = $1`, [s.eventName]);
    expect(Number(ev[0]!.old)).toBe(0);
    expect(Number(ev[0]!.recent)).toBe(10);
    expect(o.totals.events).toBe(oldEvents.events);
    expect(o.totals.eventResources).toBe(oldEvents.resources);
    // Keyed artifacts: key A had only old runs (its "latest" pointer goes); key B's points at the live run's artifact.
    const cols = await q<{ key: string; flow_run_id: string | null }>(h, 'SELECT key, flow_run_id::text FROM artifact_collection WHERE key = ANY($1)', [[s.keyA, s.keyB]]);
    expect(cols.map((c) => c.key)).toEqual([s.keyB]);
    expect(want.has(cols[0]!.flow_run_id!)).toBe(false);
    expect(Number((await q<{ n: string }>(h, 'SELECT count(*) AS n FROM log WHERE flow_run_id = $1::uuid', [s.orphanRun]))[0]!.n)).toBe(0);
    expect(o.totals.orphanLogs).toBeGreaterThanOrEqual(5);
    // Running subflows under deleted parents survive.
    for (const x of s.subflows.filter((x) => !x.finished)) expect(after.has(x.sub)).toBe(true);

    const audit = run(['audit', '--json']);
    const entries = (JSON.parse(audit.stdout) as { value: Array<{ action: string; outcome: string }> }).value;
    expect(entries.filter((e) => e.action.startsWith('retention')).map((e) => e.outcome)).toContain('succeeded');
  });

  it('after: maintenance shows the tables, VACUUM runs as a job, VACUUM FULL only with the table typed back', () => {
    const m = run(['retention', 'maintenance', ...target(), '--json']);
    expect(m.code, m.stderr).toBe(0);
    const view = (JSON.parse(m.stdout) as { value: { backend: string; tables: Array<{ table: string }> } }).value;
    expect(view.backend).toBe('postgres');
    expect(view.tables.map((t) => t.table)).toContain('flow_run');
    const v = run(['retention', 'vacuum', ...target(), '--table', 'flow_run_input', '--json']);
    expect(v.code, v.stderr).toBe(0);
    const wrong = run(['retention', 'vacuum-full', ...target(), '--table', 'flow_run_input', '--confirm', 'flow_run']);
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/Confirmation mismatch/);
    expect(run(['retention', 'vacuum-full', ...target(), '--table', 'flow_run_input']).code).toBe(3); // no terminal to type on
    expect(run(['retention', 'vacuum-full', ...target(), '--table', 'log', '--table', 'events', '--confirm', 'log']).code).toBe(2);
    const full = run(['retention', 'vacuum-full', ...target(), '--table', 'flow_run_input', '--confirm', 'flow_run_input', '--json']);
    expect(full.code, full.stderr).toBe(0);
    const audit = (JSON.parse(run(['audit', '--json']).stdout) as { value: Array<{ action: string; outcome: string }> }).value;
    expect(audit.some((e) => e.action === 'retention.vacuumFull' && e.outcome === 'refused')).toBe(true);
    expect(audit.some((e) => e.action === 'retention.vacuumFull' && e.outcome === 'succeeded')).toBe(true);
  });
});
