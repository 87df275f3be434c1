/**
 * Issue #11 items 4, 5 and 6, through the CLI as a user runs it, on an ad hoc connection:
 * - a purge with --export is SIGKILLed right after a batch committed on the server and before the
 *   local journal recorded it (HOUSEKEEPER_TEST_KILL_AT=after-commit:N), then its resume is
 *   SIGKILLed inside a batch before the server committed it (before-commit:N);
 * - `purge resume PLAN_ID` without flags says the plan was ad hoc and prints the full command (no
 *   secrets); that command, run as printed, finishes the purge;
 * - the totals (runs, logs, artifacts) equal what the database lost, the export holds every deleted
 *   run exactly once, and the audit log says the same;
 * - a purge that fails suggests a resume command that reaches the same plan and server;
 * - from the screen (the contract's purge.resume), a resumed purge keeps appending to its export.
 * On the SQL executor (Postgres, and SQLite with its server running) and on the API executor.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { JobFinished, JobProgress } from '../../shared/domain/jobs';
import type { PurgeOutcome } from '../../shared/domain/purge';
import { prefectApi } from '../harness/prefect-api';
import type { SeededDeployment } from '../harness/seed-api';
import type { HarnessInfo } from '../harness/types';
import { addLogsAndArtifacts, countWhere, pgConnection, seedScenario, tempContext, uniqueTag } from './support/purge-fixture';
import { addLogsAndArtifactsSqlite, countSqlite, readJournal, runsOf, seedScenarioSqlite, splitCommand, sqliteFile, staleIds } from './support/purge-race';

const h = inject('harness');
const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'bin', 'housekeeper.cjs');
const dirs: string[] = [];
const env = tempContext();
afterAll(async () => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  await env.dispose();
});

function run(args: string[], home: string, extra: Record<string, string> = {}): { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { env: { ...process.env, HOUSEKEEPER_HOME: home, CI: process.env.CI ?? '', ...extra }, encoding: 'utf8', timeout: 600_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

const pgUrl = (x: HarnessInfo, role: { user: string; password: string }, withPassword: boolean) =>
  `postgresql://${role.user}${withPassword ? `:${encodeURIComponent(role.password)}` : ''}@${x.pg.host}:${x.pg.port}/${x.pg.database}?sslmode=disable`;

interface Target {
  name: string;
  executor: 'sql' | 'api';
  apiUrl: (x: HarnessInfo) => string;
  /** Ad hoc flags as a user would type them (the Postgres password in the URL). */
  flags: (x: HarnessInfo) => string[];
  /** Where the resume gets the secret the printed command leaves out. */
  secretEnv: (x: HarnessInfo) => Record<string, string>;
  seed: (x: HarnessInfo, tag: string) => Promise<SeededDeployment[]>;
  addChildren: (x: HarnessInfo, ids: string[]) => Promise<void>;
  count: (x: HarnessInfo, table: 'log' | 'artifact' | 'flow_run', ids: string[]) => Promise<number>;
}

const VOLUME = { late: 260, scheduledPast: 40, future: 10, running: 2 };
const VOLUME_SMALL = { late: 90, scheduledPast: 20, future: 5, running: 1 };

const targets: Target[] = [
  {
    name: 'SQL on Postgres',
    executor: 'sql',
    apiUrl: (x) => x.prefectPg.apiUrl,
    flags: (x) => ['--api', x.prefectPg.apiUrl, '--db', pgUrl(x, x.pg.owner, true)],
    secretEnv: (x) => ({ PGPASSWORD: x.pg.owner.password }),
    seed: (x, tag) => seedScenario(x, tag, VOLUME, 2),
    addChildren: (x, ids) => addLogsAndArtifacts(x, ids),
    count: (x, table, ids) => countWhere(x, table, ids),
  },
  {
    name: 'SQL on SQLite (server running)',
    executor: 'sql',
    apiUrl: (x) => x.prefectSqlite.apiUrl,
    flags: (x) => ['--api', x.prefectSqlite.apiUrl, '--db', sqliteFile(x)],
    secretEnv: () => ({}),
    seed: (x, tag) => seedScenarioSqlite(x, tag, VOLUME, 2),
    addChildren: async (x, ids) => addLogsAndArtifactsSqlite(sqliteFile(x), ids),
    count: async (x, table, ids) => countSqlite(sqliteFile(x), table, ids),
  },
  {
    name: 'API on the Postgres-backed server',
    executor: 'api',
    apiUrl: (x) => x.prefectPg.apiUrl,
    flags: (x) => ['--api', x.prefectPg.apiUrl],
    secretEnv: () => ({}),
    seed: (x, tag) => seedScenario(x, tag, VOLUME_SMALL, 2),
    addChildren: (x, ids) => addLogsAndArtifacts(x, ids),
    count: (x, table, ids) => countWhere(x, table, ids),
  },
];

describe.each(targets)('kill and resume through the CLI ($name, ad hoc, --export)', (t) => {
  it('settles both kill points to exact totals, resumes with the printed command, exports each run once', async () => {
    const tag = uniqueTag();
    const deps = await t.seed(h, tag);
    const api = prefectApi(t.apiUrl(h));
    const stale = staleIds(await runsOf(api, deps.map((d) => d.id)), new Date(Date.now() - 60_000).toISOString());
    await t.addChildren(h, stale);
    const logsBefore = await t.count(h, 'log', stale);
    const artifactsBefore = await t.count(h, 'artifact', stale);
    expect(logsBefore).toBe(stale.length);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-kill-'));
    dirs.push(home);
    const exportFile = path.join(home, 'out', 'deleted.jsonl');
    const depFlags = deps.flatMap((d) => ['--deployment', d.fullName]);

    // 1. Killed right after the server committed batch 3, before the journal heard of it.
    const first = run(['purge', ...t.flags(h), ...depFlags, '--older-than', '1m', '--yes', '--export', exportFile, '--batch-size', '20', '--batch-target-ms', '20'], home, {
      HOUSEKEEPER_TEST_KILL_AT: 'after-commit:3',
    });
    expect(first.signal, first.stderr).toBe('SIGKILL');
    const j1 = readJournal(home)!;
    expect(j1.pendingBatch, 'the killed batch is journaled as pending').not.toBeNull();
    const goneAtKill = stale.length - (await t.count(h, 'flow_run', stale));
    const journaledAtKill = [...j1.byRun.values()].filter((s) => s === 2).length;
    expect(goneAtKill).toBeGreaterThan(journaledAtKill); // the window this test is about

    // 2. Resume without flags: it was ad hoc; the full command is printed, without secrets.
    const bare = run(['purge', 'resume', j1.planId], home);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/ad hoc/);
    expect(bare.stderr).not.toMatch(/No server given/);
    if (t.executor === 'sql' && t.name.includes('Postgres')) expect(bare.stderr).not.toContain(h.pg.owner.password);
    const printed = /Run: (housekeeper purge resume .*?)(?: \(with .*\))?$/m.exec(bare.stderr)?.[1];
    expect(printed, bare.stderr).toBeDefined();
    const resumeArgs = splitCommand(printed!).slice(1);
    expect(resumeArgs.slice(0, 3)).toEqual(['purge', 'resume', j1.planId]);
    expect(resumeArgs).toContain('--api');

    // 3. The printed command, killed inside batch 2 before the server committed it.
    const second = run(resumeArgs, home, { ...t.secretEnv(h), HOUSEKEEPER_TEST_KILL_AT: 'before-commit:2' });
    expect(second.signal, second.stderr).toBe('SIGKILL');

    // 4. The printed command again, to the end.
    const last = run([...resumeArgs, '--json'], home, t.secretEnv(h));
    expect(last.code, last.stderr).toBe(0);
    const o = (JSON.parse(last.stdout) as { value: { outcome: PurgeOutcome } }).value.outcome;
    expect(o.planned).toBe(stale.length);
    expect(o.deleted).toBe(stale.length);
    expect(await t.count(h, 'flow_run', stale)).toBe(0);
    expect(await t.count(h, 'artifact', stale)).toBe(0);
    expect(o.deletedArtifacts).toBe(artifactsBefore);
    if (t.executor === 'sql') {
      expect(await t.count(h, 'log', stale)).toBe(0);
      expect(o.deletedLogs).toBe(logsBefore);
    }
    // The export continued across both kills: every deleted run exactly once.
    expect(o.exportedTo).toBe(exportFile);
    const lines = fs.readFileSync(exportFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { flow_run?: { id: string }; id?: string });
    const ids = lines.map((l) => l.flow_run?.id ?? l.id);
    expect(ids.length).toBe(stale.length);
    expect(new Set(ids).size).toBe(stale.length);
    expect([...ids].sort()).toEqual([...stale].sort());
    // The audit log tells the same totals.
    const audit = JSON.parse(run(['audit', '--json'], home).stdout) as { value: Array<{ action: string; outcome: string; summary: string }> };
    const done = audit.value.find((a) => a.action === 'purge.execute' && a.outcome === 'succeeded');
    expect(done?.summary).toContain(`Deleted ${stale.length} of ${stale.length}`);
    if (t.executor === 'sql') expect(done?.summary).toContain(`${logsBefore} logs, ${artifactsBefore} artifacts`);
  }, 900_000);
});

describe('resume hints', () => {
  it('a failed ad hoc purge suggests a resume command that reaches the same plan and server', async () => {
    const deps = await seedScenario(h, uniqueTag(), { late: 30 }, 1);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-hint-'));
    dirs.push(home);
    // The monitor role may read but not delete: the purge fails with a permission error.
    const r = run(['purge', '--api', h.prefectPg.apiUrl, '--db', pgUrl(h, h.pg.monitor, true), '--deployment', deps[0]!.fullName, '--older-than', '1m', '--yes'], home);
    expect(r.code).not.toBe(0);
    expect(r.stderr).not.toContain(h.pg.monitor.password);
    const hint = /Resume with `(housekeeper purge resume [^`]+)`/.exec(r.stderr)?.[1];
    expect(hint, r.stderr).toBeDefined();
    const args = splitCommand(hint!.replace(/ \(with .*\)$/, '')).slice(1);
    expect(args).toEqual(['purge', 'resume', readJournal(home)!.planId, '--api', h.prefectPg.apiUrl, '--db', pgUrl(h, h.pg.monitor, false)]);
    // Run as printed (the password from PGPASSWORD): it reaches the plan and the server and fails
    // for the same reason, not for a missing or different target.
    const again = run(args, home, { PGPASSWORD: h.pg.monitor.password });
    expect(again.stderr).toMatch(/permission|may not|DELETE/i);
    expect(again.stderr).not.toMatch(/No server given|ad hoc connection|another connection|not on the server given/);
    // Another server is refused before anything runs.
    const other = run(['purge', 'resume', readJournal(home)!.planId, '--api', h.prefectAuth.apiUrl, '--db', pgUrl(h, h.pg.monitor, true)], home);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(/not on the server given/);
  });

  it('from the screen, a resumed purge keeps appending to its export', async () => {
    const { createHandlers } = await import('../../main/handlers');
    const handlers = createHandlers(env.ctx);
    const conn = pgConnection(h);
    const saved = env.ctx.connections.save(undefined, {
      name: `export-${uniqueTag()}`,
      apiUrl: conn.apiUrl,
      apiAuth: { kind: 'none' },
      db: { ...(conn.db as Extract<typeof conn.db, { kind: 'postgres' }>), password: (conn.db as { password: string }).password },
      readOnly: false,
    });
    const deps = await seedScenario(h, uniqueTag(), { late: 3000 }, 2);
    const plan = await handlers['purge.plan']({ connectionId: saved.id, filter: { olderThan: '1m', deployments: deps.map((d) => d.id), workPools: [], workQueues: [], tags: [], stateNames: ['Scheduled', 'Late'], includeManual: false, keepNewest: 0 }, executor: 'auto' });
    const exportFile = path.join(env.home, 'screen-export.jsonl');
    const { jobId } = await handlers['purge.execute']({ planId: plan.planId, confirmCount: plan.count, exportFile });
    await new Promise<void>((resolve) => {
      const off = env.ctx.bus.subscribe((event, payload) => {
        const p = payload as JobProgress;
        if (event === 'jobs.progress' && p.jobId === jobId && p.done > 0) {
          off();
          resolve();
        }
      });
    });
    const stopped = new Promise<JobFinished>((resolve) => {
      const off = env.ctx.bus.subscribe((event, payload) => {
        if (event === 'jobs.finished' && (payload as JobFinished).jobId === jobId) {
          off();
          resolve(payload as JobFinished);
        }
      });
    });
    await handlers['jobs.cancel']({ jobId });
    expect((await stopped).status).toBe('cancelled');
    const cut = env.ctx.store.purge.counts(plan.planId);
    expect(cut.deleted).toBeGreaterThan(0);
    expect(cut.deleted).toBeLessThan(plan.count);
    const resumed = await handlers['purge.resume']({ planId: plan.planId });
    const done = await new Promise<JobFinished>((resolve) => {
      const off = env.ctx.bus.subscribe((event, payload) => {
        if (event === 'jobs.finished' && (payload as JobFinished).jobId === resumed.jobId) {
          off();
          resolve(payload as JobFinished);
        }
      });
    });
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    const o = done.result as PurgeOutcome;
    expect(o.deleted).toBe(plan.count);
    expect(o.exportedTo).toBe(exportFile);
    const ids = fs.readFileSync(exportFile, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { flow_run: { id: string } }).flow_run.id);
    expect(ids.length).toBe(plan.count);
    expect(new Set(ids).size).toBe(plan.count);
  });
});
