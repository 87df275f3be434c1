/**
 * Issue #11 item 1: the API executor never deletes a run a worker took. `housekeeper purge --api URL
 * --yes` runs while a "worker" loop moves the same stale runs to Pending through Prefect's API, the
 * way a real worker does (PENDING "Pending", no force). Repeated, on the Postgres-backed and the
 * SQLite-backed server: every run whose move to Pending Prefect accepted must survive and must not be
 * journaled as deleted; every other planned run is deleted; no claim is left standing.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { prefectApi } from '../harness/prefect-api';
import type { SeededDeployment } from '../harness/seed-api';
import type { RunVolume } from '../harness/seed-plan';
import type { HarnessInfo } from '../harness/types';
import { seedScenario, uniqueTag } from './support/purge-fixture';
import { racingWorker, readJournal, runsOf, seedScenarioSqlite, staleIds } from './support/purge-race';

const h = inject('harness');
const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'bin', 'housekeeper.cjs');
const homes: string[] = [];
afterAll(() => {
  for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
});

const ROUNDS = Number(process.env.PURGE_RACE_ROUNDS ?? 3);
const VOLUME: RunVolume = { late: 150, scheduledPast: 50, future: 10, running: 2 };
// A SQLite-backed server serialises every write (and answers 503 while its file is locked), so the
// API executor is slow there: fewer runs, same race.
const VOLUME_SQLITE: RunVolume = { late: 60, scheduledPast: 20, future: 5, running: 1 };

function runCli(args: string[], home: string): { child: ReturnType<typeof spawn>; exit: Promise<{ code: number; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, HOUSEKEEPER_HOME: home, CI: process.env.CI ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code: code ?? -1, stdout, stderr })));
  return { child, exit };
}

const servers: Array<{ name: string; apiUrl: (h: HarnessInfo) => string; volume: RunVolume; seed: (h: HarnessInfo, tag: string, v: RunVolume, n: number) => Promise<SeededDeployment[]> }> = [
  { name: 'Postgres-backed', apiUrl: (x) => x.prefectPg.apiUrl, volume: VOLUME, seed: seedScenario },
  { name: 'SQLite-backed', apiUrl: (x) => x.prefectSqlite.apiUrl, volume: VOLUME_SQLITE, seed: seedScenarioSqlite },
];

describe.each(servers)('API executor against a racing worker ($name server)', ({ name, apiUrl, volume, seed }) => {
  it(`never deletes or journals as deleted a run whose move to Pending was accepted (${ROUNDS} rounds)`, async () => {
    const api = prefectApi(apiUrl(h));
    const total = { planned: 0, deleted: 0, workerAccepted: 0, workerRefused: 0, survivorsOfAccepted: 0 };
    for (let round = 1; round <= ROUNDS; round++) {
      const tag = uniqueTag();
      const deps = await seed(h, tag, volume, 2);
      const depIds = deps.map((d) => d.id);
      const candidates = staleIds(await runsOf(api, depIds), new Date(Date.now() - 60_000).toISOString());
      const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-race-'));
      homes.push(home);
      const { exit } = runCli(['purge', '--api', apiUrl(h), ...deps.flatMap((d) => ['--deployment', d.fullName]), '--older-than', '1m', '--yes', '--json'], home);
      // The worker starts once the plan is frozen, so it races the deletes, not the planning.
      const deadline = Date.now() + 60_000;
      while (!readJournal(home) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const worker = racingWorker(api, candidates, { parallel: 2, pauseMs: 4 });
      const r = await exit;
      const w = await worker.stop();
      expect(r.code, r.stderr).toBe(0);
      const o = (JSON.parse(r.stdout) as { value: { outcome: { planned: number; deleted: number; skipped: number; busy: number } } }).value.outcome;
      const j = readJournal(home)!;
      const after = await runsOf(api, depIds);

      // The worker's runs survive and are never journaled as deleted.
      for (const id of w.accepted) {
        expect(after.has(id), `run ${id} taken by the worker was deleted`).toBe(true);
        expect(j.byRun.get(id), `run ${id} taken by the worker is journaled as deleted`).not.toBe(2);
      }
      // The journal is the truth: deleted exactly when gone; and every planned run the worker did not
      // take is deleted (a claimed run is ours, a refused claim means the worker had it).
      const accepted = new Set(w.accepted);
      const unknown = new Set(w.unknown);
      for (const [id, state] of j.byRun) {
        expect(after.has(id), `run ${id}: journal state ${state}, worker ${accepted.has(id) ? 'accepted' : unknown.has(id) ? 'unanswered' : 'no'}; ${r.stderr.slice(-3000)}`).toBe(state !== 2);
        // An unanswered proposal that was accepted is a worker's run: it must then have survived.
        if (unknown.has(id) && after.get(id)?.state_type === 'PENDING' && !after.get(id)?.state?.message) continue;
        if (!accepted.has(id)) expect(state, `planned run ${id} not taken by the worker`).toBe(2);
      }
      expect(o.deleted + o.skipped + o.busy).toBe(o.planned);
      expect(o.deleted).toBe([...j.byRun.values()].filter((s) => s === 2).length);
      // No claim left standing.
      expect([...after.values()].filter((x) => x.state?.message?.startsWith('Housekeeper purge'))).toEqual([]);

      total.planned += o.planned;
      total.deleted += o.deleted;
      total.workerAccepted += w.accepted.length;
      total.workerRefused += w.refused;
      total.survivorsOfAccepted += w.accepted.filter((id) => after.has(id)).length;
    }
    console.log(`[purge-api-race ${name}] ${ROUNDS} rounds: planned ${total.planned}, deleted ${total.deleted}; worker took ${total.workerAccepted} (all ${total.survivorsOfAccepted} survived), was refused ${total.workerRefused} times on runs the purge had claimed`);
    // Both sides won some races, so the test exercised the window it guards.
    expect(total.workerAccepted).toBeGreaterThan(0);
    expect(total.survivorsOfAccepted).toBe(total.workerAccepted);
    expect(total.workerRefused).toBeGreaterThan(0);
  }, 900_000);
});
