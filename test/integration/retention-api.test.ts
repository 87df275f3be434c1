/**
 * `housekeeper retention` through the Prefect API only (no --db: as on Prefect Cloud), against the
 * harness's real Postgres-backed Prefect, through the built CLI. Ground truth is read with SQL as
 * the superuser: exactly Prefect's vacuum predicate goes (top-level finished runs ended before the
 * cutoff, their finished old subflows), with their states, task runs, inputs, artifacts (keyed
 * "latest" pointers repaired by Prefect) and, after Prefect's background task, their logs. A run that
 * changes after the plan stays. Both server paths: POST /flow_runs/bulk_delete, and one DELETE per
 * run (forced by a test hook on the same server), the latter killed mid-way and resumed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { ResolvedConnection } from '../../main/core/connections/types';
import type { JobFinished } from '../../shared/domain/jobs';
import type { RetentionOutcome } from '../../shared/domain/retention';
import { versionAtLeast } from '../../main/core/targets/prefect-version';
import { prefectApi } from '../harness/prefect-api';
import { tempContext } from './support/purge-fixture';
import { childCount, expectedDeleted, midOlderThan, q, runsOf, seedRetention, type RetentionScenario } from './support/retention-fixture';

const h = inject('harness');
const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'bin', 'housekeeper.cjs');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-retention-api-'));
const baseEnv = { ...process.env, HOUSEKEEPER_HOME: home, CI: process.env.CI ?? '' };
const ctx = tempContext();
afterAll(async () => {
  fs.rmSync(home, { recursive: true, force: true });
  await ctx.dispose();
});

interface Totals { runs: number; subflows: number }
interface Plan { planId: string; cutoff: string; confirmCount: number; executor: string; backend: string; kept: number; notes: string[]; impact: Record<string, { value: number } | null> }

function run(args: string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { env: { ...baseEnv, ...env }, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const apiOnly = () => ['--api', h.prefectPg.apiUrl];
const depFlags = (s: RetentionScenario) => s.deployments.flatMap((d) => ['--deployment', d.fullName]);

function latestPlanId(): string {
  const db = new BetterSqlite3(path.join(home, 'housekeeper.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT id FROM retention_plan ORDER BY created_at DESC LIMIT 1').get() as { id: string }).id;
  } finally {
    db.close();
  }
}

/**
 * Prefect deletes a deleted run's logs in a background task (PrefectHQ/prefect#18517, mid-2025; seen in
 * the source of 3.4.25 and 3.9.1, absent from 3.0.11): wait for it, bounded.
 */
const serverDeletesLogs = versionAtLeast(h.prefectPg.version, '3.4.25');
const serverKeepsLogs = !versionAtLeast(h.prefectPg.version, '3.1.0');
async function logsOf(ids: string[], within = 60_000): Promise<number> {
  const until = Date.now() + within;
  for (;;) {
    const n = await childCount(h, 'log', ids);
    if (n === 0 || Date.now() > until) return n;
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function checkDeleted(s: RetentionScenario, before: Awaited<ReturnType<typeof runsOf>>, want: Set<string>, spared: string[]) {
  const after = await runsOf(h, s);
  const gone = [...before.keys()].filter((id) => !after.has(id));
  expect(new Set(gone)).toEqual(want);
  for (const id of spared) expect(after.has(id)).toBe(true);
  for (const t of ['flow_run_state', 'task_run', 'artifact', 'flow_run_input'] as const) expect(await childCount(h, t, [...want]), t).toBe(0);
  // Running subflows under deleted parents survive (Prefect makes them top-level).
  for (const x of s.subflows.filter((x) => !x.finished)) expect(after.has(x.sub)).toBe(true);
  return after;
}

describe('housekeeper retention through the Prefect API (no database access)', () => {
  it('plans with the limits of the API path, skips a run that changed after the plan, and deletes exactly the rest (bulk_delete where the server has it)', async () => {
    const s = await seedRetention(h, 60);
    const before = await runsOf(h, s);
    const olderThan = midOlderThan(before);
    const sel = [...apiOnly(), ...depFlags(s), '--older-than', olderThan];

    const dry = run(['retention', ...sel, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = (JSON.parse(dry.stdout) as { value: { plan: Plan } }).value.plan;
    expect(plan.executor).toBe('api');
    expect(plan.backend).toBe('api');
    const want = expectedDeleted(before, plan.cutoff, s.deployments.map((d) => d.id));
    const tops = [...want].filter((id) => before.get(id)!.parent_task_run_id === null);
    expect(plan.confirmCount).toBe(tops.length);
    expect(plan.impact.events).toBeNull();
    const notes = plan.notes.join('\n');
    // bulk_delete came in Prefect 3.6.16; older lines (the compat matrix) take one DELETE per run.
    expect(notes).toMatch(versionAtLeast(h.prefectPg.version, '3.6.16') ? /bulk_delete, at most 50 runs per call/ : /one DELETE \/flow_runs\/\{id\} per run/);
    expect(notes).toMatch(/Events cannot be deleted through the API/);
    expect(notes).toMatch(/orphaned logs and artifacts cannot be found/);
    expect((await runsOf(h, s)).size).toBe(before.size);

    // The same plan through the service (as the screen runs it), then, after the plan, a planned run
    // is retried (a user's "Retry" in the UI): the batches re-check and leave it.
    const conn: ResolvedConnection = { id: null, name: 'it-api-only', apiUrl: h.prefectPg.apiUrl, apiAuth: { kind: 'none' }, db: { kind: 'none' }, readOnly: false };
    const p2 = await ctx.ctx.retention.plan({ conn, filter: { olderThan, deployments: s.deployments.map((d) => d.fullName) } });
    expect(p2.confirmCount).toBe(tops.length);
    // A parent of a finished subflow: that subflow must then stay with it too.
    const changed = s.subflows.find((x) => x.finished && tops.includes(x.parent))!.parent;
    const itsSub = s.subflows.find((x) => x.parent === changed)!.sub;
    await prefectApi(h.prefectPg.apiUrl).post(`/flow_runs/${changed}/set_state`, { state: { type: 'SCHEDULED', name: 'AwaitingRetry' }, force: true });
    const wantNow = expectedDeleted(new Map([...before].map(([id, r]) => [id, id === changed ? { ...r, state_type: 'SCHEDULED', end_time: null } : r])), plan.cutoff, s.deployments.map((d) => d.id));
    expect(wantNow.has(changed) || wantNow.has(itsSub)).toBe(false);
    want.clear();
    for (const id of wantNow) want.add(id);
    const wrong = ctx.ctx.retention.execute({ conn, planId: p2.planId, confirmCount: p2.confirmCount + 1 });
    await expect(wrong).rejects.toThrow(/Confirmation mismatch/);
    const started = await ctx.ctx.retention.execute({ conn, planId: p2.planId, confirmCount: p2.confirmCount });
    const f = (await started.finished) as JobFinished;
    expect(f.status, JSON.stringify(f.error)).toBe('succeeded');
    const o = f.result as RetentionOutcome;
    expect(o.executor).toBe('api');
    await checkDeleted(s, before, want, [changed, itsSub]);
    expect(o.totals.runs).toBe(tops.length - 1);
    expect(o.totals.runs + o.totals.subflows).toBe(want.size);
    expect(o.remaining.runs).toBe(0);
    // Keyed artifacts: each key's "latest" row names the newest artifact left for it, or is gone
    // with the key's last artifact (key B keeps one on a live run; key A may keep one on the changed run).
    for (const key of [s.keyA, s.keyB]) {
      const [c] = await q<{ latest: string | null; newest: string | null; n: string }>(
        h,
        `SELECT (SELECT latest_id::text FROM artifact_collection WHERE key = $1) AS latest,
                (SELECT id::text FROM artifact WHERE key = $1 ORDER BY created DESC LIMIT 1) AS newest,
                (SELECT count(*) FROM artifact WHERE key = $1) AS n`,
        [key],
      );
      expect(c!.latest, key).toBe(c!.newest);
      if (key === s.keyB) expect(Number(c!.n)).toBe(1);
    }
    expect(o.totals.artifacts).toBeGreaterThan(0);
    // Logs: deleted by Prefect itself after each call (on the releases that do; 3.0 keeps them).
    if (serverDeletesLogs) expect(await logsOf([...want])).toBe(0);
    if (serverKeepsLogs) expect(await childCount(h, 'log', [...want])).toBeGreaterThan(0);
    // Events are untouched through the API.
    const [ev] = await q<{ n: string }>(h, 'SELECT count(*) AS n FROM events WHERE event = $1', [s.eventName]);
    expect(Number(ev!.n)).toBe(40);

    const audit = ctx.ctx.store.audit.list({ limit: 20 });
    expect(JSON.stringify(audit)).toMatch(/logs by Prefect/);
  });

  it('without bulk_delete: one DELETE per run, re-checked, --keep-newest honoured, killed after a batch and resumed to exact totals', async () => {
    const hook = { HOUSEKEEPER_TEST_NO_BULK_DELETE: '1' };
    const s = await seedRetention(h, 40);
    const before = await runsOf(h, s);
    const olderThan = midOlderThan(before);
    const sel = [...apiOnly(), ...depFlags(s), '--older-than', olderThan, '--keep-newest', '2'];

    // The third batch deletes its runs, then the process dies before the journal records it.
    const killed = run(['retention', ...sel, '--yes', '--batch-size', '5'], { ...hook, HOUSEKEEPER_TEST_KILL_AT: 'retention:after-commit:3' });
    expect(killed.code).toBe(-1);
    expect(killed.stderr).toMatch(/one DELETE \/flow_runs\/\{id\} per run/);
    const planId = latestPlanId();
    const mid = await runsOf(h, s);
    expect(mid.size).toBeLessThan(before.size);

    const r = run(['retention', 'resume', planId, ...apiOnly(), '--json'], hook);
    expect(r.code, r.stderr).toBe(0);
    const o = (JSON.parse(r.stdout) as { value: { plan: Plan; outcome: { totals: Totals; remaining: { runs: number | null } } } }).value;
    expect(o.plan.kept).toBe(4); // the newest 2 of each of the 2 deployments
    // The kept runs: the newest 2 matching per deployment, by end time.
    const matchingTops = [...expectedDeleted(before, o.plan.cutoff, s.deployments.map((d) => d.id))].filter((id) => before.get(id)!.parent_task_run_id === null);
    const kept = s.deployments.flatMap((d) =>
      matchingTops
        .map((id) => before.get(id)!)
        .filter((x) => x.deployment_id === d.id)
        .sort((a, b) => b.end_time!.getTime() - a.end_time!.getTime())
        .slice(0, 2)
        .map((x) => x.id),
    );
    const want = expectedDeleted(new Map([...before].filter(([id]) => !kept.includes(id))), o.plan.cutoff, s.deployments.map((d) => d.id));
    expect(o.plan.confirmCount).toBe(matchingTops.length - 4);
    expect(o.outcome.totals.runs).toBe(o.plan.confirmCount);
    expect(o.outcome.totals.runs + o.outcome.totals.subflows).toBe(want.size);
    expect(o.outcome.remaining.runs).toBe(0);
    await checkDeleted(s, before, want, kept);
    if (serverDeletesLogs) expect(await logsOf([...want])).toBe(0);
  });
});
