/**
 * Purge speed, measured side by side on the same real Prefect server and Postgres (the harness):
 *   1. Housekeeper's SQL path (plan + batched, re-checking delete of runs, states, logs, artifacts)
 *   2. one unbatched DELETE statement doing the same work (the physical limit; no re-check, no batches)
 *   3. Prefect's POST /flow_runs/bulk_delete (50 per call), as a script on the API would use it
 *   4. one DELETE /flow_runs/{id} per run, 8 in flight, which is what Prefect's UI does
 *   5. Housekeeper's API executor (claim each run with a non-forced Pending, then delete only claimed
 *      runs), alone and 6. with a racing "worker" moving the same stale runs to Pending meanwhile
 *      (its accepted runs must all survive; the bench checks and prints that)
 * Each path deletes its own freshly seeded stale runs (with states and a log line each). The API paths
 * are measured on a smaller sample and reported as runs/second. Prints a table and ratios; asserts nothing.
 *
 *   npm run bench:purge            (BENCH_RUNS=100000 by default; BENCH_API_RUNS=3000, BENCH_UI_RUNS=1000,
 *                                   BENCH_HK_API_RUNS=1000 for each Housekeeper API executor run)
 */
import { readFileSync } from 'node:fs';
import { startHarness, type Harness } from '../harness/index';
import type { HarnessInfo } from '../harness/types';
import { prefectApi } from '../harness/prefect-api';
import { pgConnection, seedScenario, superClient, tempContext, uniqueTag, addLogsAndArtifacts } from '../integration/support/purge-fixture';
import type { PurgeOutcome } from '../../shared/domain/purge';
import type { JobFinished } from '../../shared/domain/jobs';
import type { ResolvedConnection } from '../../main/core/connections/types';
import { racingWorker, runsOf, staleIds } from '../integration/support/purge-race';

const RUNS = Number(process.env.BENCH_RUNS ?? 100_000);
const API_RUNS = Number(process.env.BENCH_API_RUNS ?? 3000);
const UI_RUNS = Number(process.env.BENCH_UI_RUNS ?? 1000);
const HK_API_RUNS = Number(process.env.BENCH_HK_API_RUNS ?? 1000);

async function seed(h: HarnessInfo, n: number): Promise<{ ids: string[]; deploymentIds: string[] }> {
  const deps = await seedScenario(h, uniqueTag(), { late: Math.round(n * 0.8), scheduledPast: n - Math.round(n * 0.8) }, 4);
  const c = superClient(h);
  await c.connect();
  const r = await c.query<{ id: string }>(`SELECT id::text FROM flow_run WHERE deployment_id = ANY($1::uuid[])`, [deps.map((d) => d.id)]);
  await c.end();
  const ids = r.rows.map((x) => x.id);
  for (let i = 0; i < ids.length; i += 20_000) await addLogsAndArtifacts(h, ids.slice(i, i + 20_000).filter((_, k) => k % 1 === 0)).catch(() => undefined);
  return { ids, deploymentIds: deps.map((d) => d.id) };
}

async function housekeeper(h: HarnessInfo, deploymentIds: string[]) {
  const env = tempContext();
  try {
    const conn = pgConnection(h);
    const plan = await env.ctx.purge.plan({ conn, filter: { olderThan: '1m', deployments: deploymentIds } });
    const t0 = performance.now();
    const { finished } = await env.ctx.purge.execute({ conn, planId: plan.planId, confirmCount: plan.count });
    const f = (await finished) as JobFinished;
    if (f.status !== 'succeeded') throw new Error(`purge ${f.status}: ${f.error?.message}`);
    const o = f.result as PurgeOutcome;
    return { runs: o.deleted, seconds: (performance.now() - t0) / 1000, p99: o.p99BatchMs, batches: o.batches, inBatches: o.batchMsTotal / 1000 };
  } finally {
    await env.dispose();
  }
}

async function unbatched(h: HarnessInfo, deploymentIds: string[]) {
  const c = superClient(h);
  await c.connect();
  try {
    const t0 = performance.now();
    const r = await c.query(
      `WITH d AS (DELETE FROM flow_run fr
                   WHERE fr.deployment_id = ANY($1::uuid[]) AND fr.state_type = 'SCHEDULED' AND fr.state_name IN ('Scheduled','Late')
                     AND fr.run_count = 0 AND fr.auto_scheduled AND fr.next_scheduled_start_time < now() - interval '1 minute'
                   RETURNING fr.id),
            l AS (DELETE FROM log WHERE flow_run_id IN (SELECT id FROM d) RETURNING 1),
            a AS (DELETE FROM artifact WHERE flow_run_id IN (SELECT id FROM d) RETURNING 1)
       SELECT (SELECT count(*) FROM d) AS n, (SELECT count(*) FROM l) AS logs`,
      [deploymentIds],
    );
    return { runs: Number((r.rows[0] as { n: string }).n), seconds: (performance.now() - t0) / 1000 };
  } finally {
    await c.end();
  }
}

async function bulkDelete(h: HarnessInfo, deploymentIds: string[]) {
  const api = prefectApi(h.prefectPg.apiUrl);
  const filter = { deployment_id: { any_: deploymentIds }, state: { type: { any_: ['SCHEDULED'] }, name: { any_: ['Scheduled', 'Late'] } } };
  let runs = 0;
  const t0 = performance.now();
  for (;;) {
    const r = await api.post<{ deleted: string[] }>('/flow_runs/bulk_delete', { flow_runs: filter, limit: 50 });
    if (!r.deleted.length) break;
    runs += r.deleted.length;
  }
  return { runs, seconds: (performance.now() - t0) / 1000 };
}

async function perRun(h: HarnessInfo, ids: string[]) {
  const api = prefectApi(h.prefectPg.apiUrl);
  const queue = [...ids];
  const t0 = performance.now();
  let runs = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let id = queue.pop(); id; id = queue.pop()) {
        const res = await api.raw('DELETE', `/flow_runs/${id}`);
        if (res.ok) runs++;
      }
    }),
  );
  return { runs, seconds: (performance.now() - t0) / 1000 };
}

/**
 * The API executor on its own stale runs (states, no logs or artifacts: each artifact would add one
 * DELETE call), optionally racing a worker that proposes Pending on the same runs.
 */
async function hkApi(h: HarnessInfo, n: number, race: boolean) {
  const deps = await seedScenario(h, uniqueTag(), { late: Math.round(n * 0.8), scheduledPast: n - Math.round(n * 0.8) }, 4);
  const api = prefectApi(h.prefectPg.apiUrl);
  const stale = staleIds(await runsOf(api, deps.map((d) => d.id)), new Date(Date.now() - 60_000).toISOString());
  const env = tempContext();
  try {
    const conn: ResolvedConnection = { id: null, name: 'bench-api', apiUrl: h.prefectPg.apiUrl, apiAuth: { kind: 'none' }, db: { kind: 'none' }, readOnly: false };
    const plan = await env.ctx.purge.plan({ conn, filter: { olderThan: '1m', deployments: deps.map((d) => d.id) } });
    const t0 = performance.now();
    const { finished } = await env.ctx.purge.execute({ conn, planId: plan.planId, confirmCount: plan.count });
    const worker = race ? racingWorker(api, stale, { parallel: 2 }) : null;
    const f = (await finished) as JobFinished;
    const seconds = (performance.now() - t0) / 1000;
    const w = worker ? await worker.stop() : null;
    if (f.status !== 'succeeded') throw new Error(`API purge ${f.status}: ${f.error?.message}`);
    const o = f.result as PurgeOutcome;
    const after = await runsOf(api, deps.map((d) => d.id));
    const survivors = w ? w.accepted.filter((id) => after.has(id)).length : 0;
    return { runs: o.deleted, seconds, planned: plan.count, workerTook: w?.accepted.length ?? 0, survivors, refused: w?.refused ?? 0 };
  } finally {
    await env.dispose();
  }
}

async function main(): Promise<void> {
  let harness: Harness | null = null;
  let h: HarnessInfo;
  if (process.env.HK_HARNESS_JSON) h = JSON.parse(readFileSync(process.env.HK_HARNESS_JSON, 'utf8')) as HarnessInfo;
  else {
    harness = await startHarness({ seed: false });
    h = harness.info;
  }
  try {
    process.stderr.write(`seeding ${RUNS} + ${RUNS} + ${API_RUNS} + ${UI_RUNS} stale runs (with states and a log line each)...\n`);
    const sHk = await seed(h, RUNS);
    const sRaw = await seed(h, RUNS);
    const sBulk = await seed(h, API_RUNS);
    const sUi = await seed(h, UI_RUNS);
    const apiAlone = await hkApi(h, HK_API_RUNS, false);
    const apiRace = await hkApi(h, HK_API_RUNS, true);
    const c = superClient(h);
    await c.connect();
    await c.query('ANALYZE flow_run, flow_run_state, log, artifact');
    await c.end();

    const hk = await housekeeper(h, sHk.deploymentIds);
    const raw = await unbatched(h, sRaw.deploymentIds);
    const bulk = await bulkDelete(h, sBulk.deploymentIds);
    const ui = await perRun(h, sUi.ids);

    const rate = (x: { runs: number; seconds: number }) => x.runs / x.seconds;
    const rows: Array<[string, { runs: number; seconds: number }]> = [
      ['Housekeeper SQL (batched, re-checked)', hk],
      ['one unbatched DELETE (physical limit)', raw],
      ['Prefect bulk_delete API (50/call)', bulk],
      ['Prefect per-run DELETE (UI, 8 in flight)', ui],
      ['Housekeeper API executor (claim, delete)', apiAlone],
      ['Housekeeper API executor, racing worker', apiRace],
    ];
    console.log('\npurge benchmark: stale scheduled runs with their states, logs and artifacts');
    console.log(`${'path'.padEnd(44)}${'runs'.padStart(9)}${'seconds'.padStart(10)}${'runs/s'.padStart(10)}`);
    for (const [name, r] of rows) console.log(`${name.padEnd(44)}${String(r.runs).padStart(9)}${r.seconds.toFixed(2).padStart(10)}${rate(r).toFixed(0).padStart(10)}`);
    console.log('');
    console.log(`Housekeeper vs bulk_delete:      ${(rate(hk) / rate(bulk)).toFixed(1)}x faster   (target >= 20x)`);
    console.log(`Housekeeper vs per-run DELETE:   ${(rate(hk) / rate(ui)).toFixed(1)}x faster`);
    console.log(`unbatched vs Housekeeper:        ${(rate(raw) / rate(hk)).toFixed(2)}x            (target <= 1.5x)`);
    console.log(`Housekeeper p99 batch:           ${hk.p99} ms over ${hk.batches} batches (target < 250 ms)`);
    console.log(`API executor with a racing worker: ${apiRace.runs} of ${apiRace.planned} planned runs deleted; the worker took ${apiRace.workerTook} (${apiRace.survivors} survived), was refused ${apiRace.refused} times on claimed runs`);
    console.log(`API executor vs bulk_delete:     ${(rate(apiAlone) / rate(bulk)).toFixed(2)}x (the claim costs one orchestrated transition per run)`);
    console.log(`Housekeeper time in delete batches: ${hk.inBatches.toFixed(2)} s of ${hk.seconds.toFixed(2)} s (the rest: journal, re-checks, recount)`);
  } finally {
    await harness?.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
