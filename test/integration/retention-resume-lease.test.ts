/**
 * Two processes, one plan (issue #14, cross-process guard): a retention run on the harness's real
 * Prefect (Postgres) is SIGKILLed mid-way (its lease stays behind, held by a dead pid); then two
 * `housekeeper retention resume` CLIs start at the same moment on that plan. Exactly one runs (it
 * takes the dead holder's lease over at once) and finishes with exact totals; the other is refused
 * with CONFLICT / PLAN_IN_USE (exit 2), audited as refused, before it runs anything. The same for a
 * purge plan.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { expectedDeleted, midOlderThan, runsOf, seedRetention, type RetentionScenario, type RunRow } from './support/retention-fixture';
import { seedScenario, superClient } from './support/purge-fixture';

const h = inject('harness');
const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'bin', 'housekeeper.cjs');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-lease-'));
const env = { ...process.env, HOUSEKEEPER_HOME: home, CI: process.env.CI ?? '' };
const dbUrl = `postgresql://${h.pg.owner.user}:${encodeURIComponent(h.pg.owner.password)}@${h.pg.host}:${h.pg.port}/${h.pg.database}?sslmode=disable`;
const target = () => ['--api', h.prefectPg.apiUrl, '--db', dbUrl];
const slow = ['--batch-size', '10', '--batch-target-ms', '10'];

interface Result { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

function runSync(args: string[], extraEnv: Record<string, string> = {}): Result {
  const r = spawnSync(process.execPath, [cli, ...args], { env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function runAsync(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function store<T>(fn: (db: BetterSqlite3.Database) => T): T {
  const db = new BetterSqlite3(path.join(home, 'housekeeper.db'), { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/**
 * Both at once; exactly one must win. The rest of the plan is a few hundred runs, which an idle
 * machine deletes in well under the second a CLI takes to start: the second process would then find
 * the plan done (a different refusal) and the race would not be tested. So a SHARE lock on `table`
 * (a table the next batch deletes from) holds the winner's first batch, as a busy Prefect would,
 * for HOLD_MS after both started; the batch waits out its lock timeout, retries and goes on.
 */
const HOLD_MS = 5_000;
async function race(args: string[], table: string): Promise<{ winner: Result; loser: Result }> {
  const lock = superClient(h);
  await lock.connect();
  await lock.query('BEGIN');
  await lock.query(`LOCK TABLE ${table} IN SHARE MODE`);
  const released = new Promise<void>((resolve) => setTimeout(resolve, HOLD_MS)).then(async () => {
    await lock.query('ROLLBACK').catch(() => undefined);
    await lock.end().catch(() => undefined);
  });
  const [a, b] = await Promise.all([runAsync(args), runAsync(args)]);
  await released;
  const results = [a, b];
  const codes = results.map((r) => r.code).sort();
  expect(codes, results.map((r) => r.stderr).join('\n---\n')).toEqual([0, 2]);
  return { winner: results.find((r) => r.code === 0)!, loser: results.find((r) => r.code === 2)! };
}

/** Refused before it started: no job of its own ran, so no execution of the plan failed or was cut short. */
function expectRefusedInUse(loser: Result, action: 'purge.execute' | 'retention.execute', planId: string): void {
  const doc = JSON.parse(loser.stdout) as { ok: boolean; error: { code: string; message: string; details?: { reason?: string } } };
  expect(doc.ok).toBe(false);
  expect(doc.error.code).toBe('CONFLICT');
  expect(doc.error.details?.reason).toBe('PLAN_IN_USE');
  expect(doc.error.message).toMatch(/Another Housekeeper process/);
  const audit = (JSON.parse(runSync(['audit', '--json']).stdout) as { value: Array<{ action: string; outcome: string; details?: { planId?: string } }> }).value;
  const ofPlan = audit.filter((e) => e.action === action && e.details?.planId === planId).map((e) => e.outcome);
  expect(ofPlan).toContain('succeeded');
  expect(ofPlan).toContain('refused');
  expect(ofPlan).not.toContain('failed');
}

let s: RetentionScenario;
let before: Map<string, RunRow>;

beforeAll(async () => {
  s = await seedRetention(h, 200);
  before = await runsOf(h, s);
}, 240_000);
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('two processes resuming the same plan', () => {
  it('retention: one runs to exact totals, the other is refused with PLAN_IN_USE', async () => {
    const sel = [...target(), ...s.deployments.flatMap((d) => ['--deployment', d.fullName]), '--older-than', midOlderThan(before), '--no-events'];
    // Killed after the server committed its 3rd batch: the journal must settle that batch, and its lease stays behind.
    const killed = runSync(['retention', ...sel, '--yes', ...slow], { HOUSEKEEPER_TEST_KILL_AT: 'retention:after-commit:3' });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const plan = store((db) => db.prepare("SELECT id, cutoff, status FROM retention_plan ORDER BY created_at DESC LIMIT 1").get() as { id: string; cutoff: string; status: string });
    expect(plan.status).toBe('running');
    const left = store((db) => db.prepare("SELECT pid FROM plan_lease WHERE kind = 'retention' AND plan_id = ?").get(plan.id) as { pid: number } | undefined);
    expect(left?.pid).toBeGreaterThan(0); // the dead process's lease: taken over below without waiting

    const { winner, loser } = await race(['retention', 'resume', plan.id, ...target(), ...slow, '--json'], 'flow_run_input');
    expectRefusedInUse(loser, 'retention.execute', plan.id);
    const o = (JSON.parse(winner.stdout) as { value: { outcome: { totals: { runs: number; subflows: number }; remaining: { runs: number | null } } } }).value.outcome;
    const want = expectedDeleted(before, plan.cutoff, s.deployments.map((d) => d.id));
    const after = await runsOf(h, s);
    expect(new Set([...before.keys()].filter((id) => !after.has(id)))).toEqual(want);
    expect(o.totals.runs + o.totals.subflows).toBe(want.size);
    expect(o.remaining.runs).toBe(0);
    expect(store((db) => db.prepare('SELECT count(*) FROM plan_lease').pluck().get())).toBe(0);
  });

  it('purge: one runs, the other is refused with PLAN_IN_USE', async () => {
    const deps = await seedScenario(h, `lease${Date.now().toString(36)}`, { late: 300 }, 1);
    const sel = [...target(), '--deployment', deps[0]!.fullName, '--older-than', '1m'];
    const killed = runSync(['purge', ...sel, '--yes', ...slow], { HOUSEKEEPER_TEST_KILL_AT: 'after-commit:2' });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const plan = store((db) => db.prepare('SELECT id FROM purge_plan ORDER BY created_at DESC LIMIT 1').get() as { id: string });
    const { winner, loser } = await race(['purge', 'resume', plan.id, ...target(), ...slow, '--json'], 'artifact');
    expectRefusedInUse(loser, 'purge.execute', plan.id);
    const o = (JSON.parse(winner.stdout) as { value: { outcome: { planned: number; deleted: number; skipped: number } } }).value.outcome;
    expect(o.deleted + o.skipped).toBe(o.planned);
    expect(o.planned).toBeGreaterThan(0);
    expect(store((db) => db.prepare('SELECT count(*) FROM plan_lease').pluck().get())).toBe(0);
  });
});
