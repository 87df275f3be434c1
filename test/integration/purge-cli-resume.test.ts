/**
 * The CLI end to end, and the journal's promise: a purge killed mid-way (SIGKILL, no chance to clean
 * up) resumes with `housekeeper purge resume` to exact totals, never deleting a run twice or outside
 * the plan.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { SeededDeployment } from '../harness/seed-api';
import { countWhere, isStale, seedScenario, snapshot, uniqueTag, type SnapshotRow } from './support/purge-fixture';

const h = inject('harness');
const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'bin', 'housekeeper.cjs');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-cli-'));
const env = { ...process.env, HOUSEKEEPER_HOME: home, CI: process.env.CI ?? '' };
const tag = uniqueTag();
let deployments: SeededDeployment[];
let before: Map<string, SnapshotRow>;

const dbUrl = `postgresql://${h.pg.owner.user}:${encodeURIComponent(h.pg.owner.password)}@${h.pg.host}:${h.pg.port}/${h.pg.database}?sslmode=disable`;
const target = () => ['--api', h.prefectPg.apiUrl, '--db', dbUrl];
const depFlags = () => deployments.flatMap((d) => ['--deployment', d.fullName]);

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function journal(): { planId: string; cutoff: string; byState: Map<number, number> } | null {
  const file = path.join(home, 'housekeeper.db');
  if (!fs.existsSync(file)) return null;
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const plan = db.prepare('SELECT id, cutoff FROM purge_plan ORDER BY created_at DESC LIMIT 1').get() as { id: string; cutoff: string } | undefined;
    if (!plan) return null;
    const rows = db.prepare('SELECT state, count(*) AS n FROM purge_plan_run WHERE plan_id = ? GROUP BY state').all(plan.id) as { state: number; n: number }[];
    return { planId: plan.id, cutoff: plan.cutoff, byState: new Map(rows.map((r) => [r.state, r.n])) };
  } catch {
    return null; // the store is being created
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  deployments = await seedScenario(h, tag, { late: 2500, scheduledPast: 300, future: 40, running: 4, completedOld: 10, manual: 10 }, 3);
  before = await snapshot(h, deployments.map((d) => d.id));
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('housekeeper purge (CLI)', () => {
  it('--dry-run prints the plan and deletes nothing', () => {
    const r = run(['purge', ...target(), ...depFlags(), '--older-than', '1m', '--dry-run', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { ok: boolean; value: { plan: { count: number; cutoff: string }; executed: boolean } };
    expect(doc.ok).toBe(true);
    expect(doc.value.executed).toBe(false);
    expect(doc.value.plan.count).toBe([...before.values()].filter((x) => isStale(x, doc.value.plan.cutoff)).length);
  });

  it('refuses without --yes when there is no terminal to confirm on (exit 3), and with bad input (exit 2)', () => {
    const r = run(['purge', ...target(), ...depFlags(), '--older-than', '1m']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Not confirmed: nothing was deleted/);
    expect(run(['purge', ...target(), '--older-than', 'tomorrowish']).code).toBe(2);
    expect(run(['purge', ...target(), '--read-only', ...depFlags(), '--yes']).code).toBe(3);
  });

  it('resumes a purge killed mid-way to exact totals', async () => {
    const child = spawn(process.execPath, [cli, 'purge', ...target(), ...depFlags(), '--older-than', '1m', '--yes', '--batch-size', '10', '--batch-target-ms', '20'], { env, stdio: 'ignore' });
    // Kill it (no cleanup possible) once some batches have committed and most remain.
    let killedAt: Map<number, number> | null = null;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const j = journal();
      const deleted = j?.byState.get(2) ?? 0;
      if (j && deleted >= 100) {
        child.kill('SIGKILL');
        killedAt = j.byState;
        break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    await new Promise((r) => child.once('exit', r));
    expect(killedAt, 'the purge should have been killed mid-way').not.toBeNull();
    const j = journal()!;
    const planned = [...j.byState.values()].reduce((a, b) => a + b, 0);
    expect(j.byState.get(0) ?? 0).toBeGreaterThan(0); // work left to do

    const r = run(['purge', 'resume', j.planId, ...target(), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const o = (JSON.parse(r.stdout) as { value: { outcome: { planned: number; deleted: number; skipped: number; busy: number; remaining: number } } }).value.outcome;
    expect(o.planned).toBe(planned);
    expect(o.deleted + o.skipped + o.busy).toBe(planned);
    expect(o.skipped).toBe(0);
    expect(o.busy).toBe(0);
    expect(o.remaining).toBe(0);
    // The database agrees with the totals: exactly the stale runs are gone, everything else stays.
    const after = await snapshot(h, deployments.map((d) => d.id));
    const stale = [...before.values()].filter((x) => isStale(x, j.cutoff));
    expect(before.size - after.size).toBe(o.deleted);
    for (const x of before.values()) if (!stale.includes(x)) expect(after.has(x.id)).toBe(true);
    expect(await countWhere(h, 'flow_run_state', stale.map((x) => x.id))).toBe(0);

    const audit = run(['audit', '--json']);
    const entries = (JSON.parse(audit.stdout) as { value: Array<{ action: string; outcome: string }> }).value;
    expect(entries.some((e) => e.action === 'purge.execute' && e.outcome === 'succeeded')).toBe(true);
  });
});
