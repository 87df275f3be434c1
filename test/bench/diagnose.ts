/**
 * The Diagnose benchmark (issue #15, "Measured"). Two parts, printed, never asserted:
 *
 * 1. The issue's situation on a real Prefect 3.9.1 (Postgres): 80 deployments every 2 to 5 minutes
 *    at Prefect's default scheduler settings, a history of finished runs, and a worker down for an
 *    hour (an hour of runs past due, marked Late by Prefect's own late_runs service). The scheduler
 *    runs with a short loop so many loops fit in the watch. Measured before: future runs held, Late
 *    runs, the runs the scheduler inserts (its own "Scheduled N runs." log lines) per minute once its
 *    fill pass is over, and per loop at the LOOP_SECONDS the server is configured with (the rate times
 *    the loop: the short watch loop is the bench's, not the server's), flow_run size, and the p50/p99
 *    of POST /api/flow_runs/filter. Then `housekeeper diagnose` and `housekeeper diagnose fix --yes`
 *    through the CLI, the owner's restart with the exported settings, the same watch, and the same
 *    numbers after, side by side.
 *
 * 2. The diagnosis on a large database (the inspect benchmark's seed: ~1M runs, 100k Late, 5k future,
 *    logs and states): median wall time of DiagnoseService.diagnose and its parts. Target: under 2 s.
 *
 *   node --import tsx test/bench/diagnose.ts
 *   BENCH_BIG_RUNS=0          skip part 2;  BENCH_SCALE=0.3  a smaller part-2 seed;  BENCH_SITUATION=0  skip part 1
 *   BENCH_LOOP=5              scheduler loop seconds during the watch;  BENCH_WATCH=120  seconds watched per phase
 *   BENCH_HISTORY=100000      finished runs in part 1
 *
 * Writes test-results/bench/diagnose.json.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { restorePgTemplate } from '../harness/db-template';
import { startPostgres, type PgCluster } from '../harness/postgres';
import { prefectApi, type HarnessApi } from '../harness/prefect-api';
import { startPrefectServer, type PrefectServer } from '../harness/prefect-server';
import { createWorkPool, seedDeployments, type DeploymentSpec, type SeededDeployment } from '../harness/seed-api';
import { planSeed, targetsFromDeployments, type RunVolume } from '../harness/seed-plan';
import { seedRunsPg } from '../harness/seed-sql';
import { ensurePrefectVenv } from '../harness/venv';
import { tempContext } from '../integration/support/purge-fixture';
import { diagnoseOf } from '../../main/handlers/diagnose';
import { formatBytes, formatInt } from '../../shared/text/bytes';
import type { Diagnosis, Session } from '../../shared/domain/diagnose';

const root = path.resolve(__dirname, '..', '..');
const LOOP = Number(process.env.BENCH_LOOP ?? 5);
const WATCH = Number(process.env.BENCH_WATCH ?? 120);
/** Prefect's default PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS (prefect/settings/models/server/services.py). */
const DEFAULT_LOOP_SECONDS = 60;
/** A pass inserting fewer runs than there are deployments is a steady one, not the fill after a (re)start. */
const FILL_ABOVE = 80;
const HISTORY = Number(process.env.BENCH_HISTORY ?? 100_000);
const BIG = Number(process.env.BENCH_BIG_RUNS ?? 1);
const SITUATION = Number(process.env.BENCH_SITUATION ?? 1);
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const run = promisify(execFile);
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const median = (xs: number[]) => quantile(xs, 0.5);

interface Numbers {
  futureHeld: number;
  late: number;
  /** Runs the scheduler inserted per minute over the watch, after its fill pass. */
  insertsPerMinute: number;
  /** Scheduler passes in the watch. */
  loops: number;
  flowRunBytes: number;
  filterP50: number;
  filterP99: number;
}

async function query<T extends pg.QueryResultRow>(cluster: PgCluster, database: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = await cluster.connect(database);
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}

/** "Scheduled N runs." lines of the main scheduler loop after `since` (INFO log of the server). */
function passes(server: PrefectServer, since: number): Array<{ at: number; n: number }> {
  const text = fs.readFileSync(server.logFile, 'utf8');
  const day = new Date().toISOString().slice(0, 10);
  const out: Array<{ at: number; n: number }> = [];
  for (const m of text.matchAll(/^(\d{2}:\d{2}:\d{2}\.\d{3}) \| INFO\s+\| prefect\.server\.services\.scheduler - Scheduled (\d+) runs\./gm)) {
    const at = Date.parse(`${day}T${m[1]}Z`);
    if (at > since) out.push({ at, n: Number(m[2]) });
  }
  return out;
}

/** Waits until Prefect's late_runs service has marked every past-due run Late. */
async function lateSettled(cluster: PgCluster, database: string): Promise<void> {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    const [r] = await query<{ n: string }>(cluster, database, `SELECT count(*) AS n FROM flow_run WHERE state_name = 'Scheduled' AND next_scheduled_start_time < now() - interval '30 seconds'`);
    if (Number(r!.n) === 0 || Date.now() > deadline) return;
    await sleep(2000);
  }
}

async function measure(cluster: PgCluster, database: string, server: PrefectServer, api: HarnessApi, since: number): Promise<Numbers> {
  // The watch starts after the fill pass (the first after a (re)start or a recreate inserts everything
  // at once) and lasts WATCH seconds of the scheduler's own log time, so a loaded machine only delays it.
  const deadline = Date.now() + WATCH * 1000 + 15 * 60_000;
  let start: number | undefined;
  while (Date.now() < deadline) {
    const ps = passes(server, since);
    start ??= ps.find((p) => p.n < FILL_ABOVE)?.at;
    if (start !== undefined && ps.some((p) => p.at >= start! + WATCH * 1000)) break;
    await sleep(1000);
  }
  const ps = start === undefined ? [] : passes(server, start - 1).filter((p) => p.at > start! && p.at <= start! + WATCH * 1000);
  const [r] = await query<{ future: string; late: string; bytes: string }>(
    cluster,
    database,
    `SELECT count(*) FILTER (WHERE state_type = 'SCHEDULED' AND next_scheduled_start_time > now()) AS future,
            count(*) FILTER (WHERE state_name = 'Late') AS late, pg_total_relation_size('flow_run') AS bytes FROM flow_run`,
  );
  const times: number[] = [];
  for (let i = 0; i < 60; i++) {
    const t0 = performance.now();
    await api.post('/flow_runs/filter', { sort: 'EXPECTED_START_TIME_DESC', limit: 200 });
    times.push(performance.now() - t0);
  }
  return {
    futureHeld: Number(r!.future),
    late: Number(r!.late),
    insertsPerMinute: ps.reduce((a, p) => a + p.n, 0) / (WATCH / 60),
    loops: ps.length,
    flowRunBytes: Number(r!.bytes),
    filterP50: median(times),
    filterP99: quantile(times, 0.99),
  };
}

function situation(): DeploymentSpec[] {
  const steps = [120, 180, 240, 300];
  return Array.from({ length: 80 }, (_, i) => ({
    flow: `etl-${i % 8}`,
    name: `sync-${String(i).padStart(2, '0')}`,
    workPool: 'bench-pool',
    // Anchors a few seconds apart, as deployments created one by one have: runs of the same interval
    // do not all fall on the same second, so the scheduler's inserts are spread as in real life.
    schedules: [{ schedule: { kind: 'interval' as const, interval: steps[i % steps.length]!, anchorDate: new Date(Date.UTC(2024, 0, 1) + i * 7_000).toISOString(), timezone: 'UTC' } }],
  }));
}

async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; json: unknown }> {
  const t0 = performance.now();
  let stdout: string;
  try {
    stdout = (await run(process.execPath, ['--import', 'tsx', path.join(root, 'main/cli/index.ts'), ...args, '--json'], { cwd: root, env, maxBuffer: 64 * 1024 * 1024, timeout: 900_000 })).stdout;
  } catch (e) {
    // A session that ended partial exits 1 but still prints its JSON document.
    stdout = (e as { stdout?: string }).stdout ?? '';
    if (!stdout) throw e;
  }
  const doc = JSON.parse(stdout) as { ok: boolean; value?: unknown; error?: { message: string } };
  if (!doc.ok) throw new Error(`housekeeper ${args.slice(0, 2).join(' ')}: ${doc.error?.message}`);
  return { ms: performance.now() - t0, json: doc.value };
}

async function part1(cluster: PgCluster, tmp: string): Promise<Record<string, unknown>> {
  const database = 'prefect';
  const url = cluster.url(cluster.info.owner, database);
  const serviceEnv = {
    PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS: String(LOOP),
    // Only the main loop inserts (its log lines are what is counted), as in the scheduler tests.
    PREFECT_SERVER_SERVICES_SCHEDULER_RECENT_DEPLOYMENTS_LOOP_SECONDS: '3600',
    PREFECT_SERVER_SERVICES_LATE_RUNS_LOOP_SECONDS: '5',
  };
  let server = await startPrefectServer({ name: 'bench-diag', db: { kind: 'postgres', url, database }, services: { scheduler: true, lateRuns: true }, logLevel: 'INFO', parentDir: tmp, extraEnv: serviceEnv });
  try {
    let api = prefectApi(server.info.apiUrl);
    await createWorkPool(api, 'bench-pool');
    const deps = await seedDeployments(api, situation(), { concurrency: 8 });
    if (HISTORY > 0) {
      const t0 = Date.now();
      await seedRunsPg(
        { host: cluster.info.host, port: cluster.info.port, user: cluster.info.superuser.user, password: cluster.info.superuser.password, database },
        planSeed(targetsFromDeployments(deps), { completedOld: HISTORY, failed: Math.round(HISTORY / 20), statesPerTerminalRun: 4, logsPerRun: 3, taskRunsPerRun: 0, artifactEvery: 0 }),
        { workers: 2 },
      );
      log(`seeded ${formatInt(HISTORY)} finished runs in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
    // The worker was down for the last hour.
    const now = Date.now();
    for (const d of deps) await api.post(`/deployments/${d.id}/schedule`, { start_time: new Date(now - 3_600_000).toISOString(), end_time: new Date(now - 60_000).toISOString() });
    log('an hour of runs past due; waiting for late_runs and a few scheduler loops');
    await lateSettled(cluster, database);
    const t0 = Date.now();
    const before = await measure(cluster, database, server, api, t0);
    log(`before: ${JSON.stringify(before)}`);

    const home = path.join(tmp, 'hk-home');
    const env = { ...process.env, HOUSEKEEPER_HOME: home };
    let conn = ['--api', server.info.apiUrl, '--db', cluster.url(cluster.info.owner, database)];
    const diag = await cli(['diagnose', ...conn], env);
    const d = diag.json as Diagnosis;
    log(`diagnose: ${d.findings.length} findings in ${Math.round(diag.ms)} ms (CLI incl. start-up), ${d.durationMs} ms inside`);
    const envFile = path.join(tmp, 'prefect-server.env');
    const fix = await cli(['diagnose', 'fix', ...conn, '--yes', '--profile', 'bench-server', '--export-format', 'env', '--file', envFile], env);
    const s = fix.json as Session;
    log(`fix: ${s.outcome?.status} in ${Math.round(fix.ms)} ms: ${s.outcome?.steps.map((x) => `${x.kind} ${x.status}`).join(', ')}`);

    // The owner restarts the server with the exported settings (the loop kept short to watch it).
    const exported = Object.fromEntries(
      fs
        .readFileSync(envFile, 'utf8')
        .split('\n')
        .map((l) => /^([A-Z0-9_]+)=(.*)$/.exec(l.trim()))
        .filter((m): m is RegExpExecArray => !!m)
        .map((m) => [m[1]!, m[2]!.replace(/^'(.*)'$/, '$1')]),
    );
    await server.kill();
    server = await startPrefectServer({ name: 'bench-diag-after', db: { kind: 'postgres', url, database }, services: { scheduler: true, lateRuns: true }, logLevel: 'INFO', parentDir: tmp, extraEnv: { ...exported, ...serviceEnv } });
    api = prefectApi(server.info.apiUrl);
    conn = ['--api', server.info.apiUrl, '--db', cluster.url(cluster.info.owner, database)];
    // The owner's optional last step: the runs made under the old settings would stay until their time
    // passes (up to the old hour); recreating from now replaces them with what the new settings keep.
    const recreate = await cli(['schedules', 'recreate', ...conn, '--yes'], env);
    log(`schedules recreate after the restart in ${Math.round(recreate.ms)} ms`);
    await lateSettled(cluster, database);
    const t1 = Date.now();
    const after = await measure(cluster, database, server, api, t1);
    log(`after: ${JSON.stringify(after)}`);
    const again = (await cli(['diagnose', ...conn], env)).json as Diagnosis;
    const loopSet = exported.PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS;
    const loopBefore = DEFAULT_LOOP_SECONDS;
    const loopAfter = loopSet ? Number(loopSet) : DEFAULT_LOOP_SECONDS;
    const perLoop = (n: Numbers, loop: number) => (n.insertsPerMinute * loop) / 60;

    const row = (label: string, a: string, b: string) => `  ${label.padEnd(44)}${a.padStart(14)}${b.padStart(14)}`;
    const ms = (x: number) => `${x.toFixed(1)} ms`;
    const lines = [
      '',
      `The issue's situation: 80 deployments every 2-5 minutes, a worker down for an hour, Prefect ${server.info.version} on PostgreSQL`,
      `(the scheduler watched for ${WATCH} s per phase after its fill pass, looping every ${LOOP} s for the watch${loopSet ? `; the exported LOOP_SECONDS=${loopSet} is applied below as rate x loop` : ''};`,
      ` after the restart with the exported settings, \`housekeeper schedules recreate --yes\` replaced the runs made under the old ones)`,
      '',
      row('', 'before', 'after'),
      row('Future runs held', formatInt(before.futureHeld), formatInt(after.futureHeld)),
      row('Late runs', formatInt(before.late), formatInt(after.late)),
      row(`Scheduler inserts per minute (${before.loops} / ${after.loops} passes)`, before.insertsPerMinute.toFixed(1), after.insertsPerMinute.toFixed(1)),
      row(`Scheduler inserts per loop (${loopBefore} s / ${loopAfter} s)`, perLoop(before, loopBefore).toFixed(1), perLoop(after, loopAfter).toFixed(1)),
      row('flow_run size', formatBytes(before.flowRunBytes), formatBytes(after.flowRunBytes)),
      row('POST /api/flow_runs/filter p50', ms(before.filterP50), ms(after.filterP50)),
      row('POST /api/flow_runs/filter p99', ms(before.filterP99), ms(after.filterP99)),
      row('Findings', String(d.findings.length), String(again.findings.length)),
      '',
      `  diagnosis ${d.durationMs} ms; findings before: ${d.findings.map((f) => f.id).join(', ')}`,
      `  session: ${s.outcome?.message ?? s.status}`,
      `  findings after the restart: ${again.findings.map((f) => f.id).join(', ') || 'none'}`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
    return { before, after, loopSeconds: { before: loopBefore, after: loopAfter }, diagnosisMs: d.durationMs, cliMs: diag.ms, findingsBefore: d.findings.map((f) => f.id), findingsAfter: again.findings.map((f) => f.id), session: s.outcome };
  } finally {
    await server.stop();
  }
}

const BIG_VOLUME = (k: number): RunVolume => ({
  late: Math.round(100_000 * k),
  scheduledPast: Math.round(2_000 * k),
  future: Math.round(5_000 * k),
  running: Math.round(500 * k),
  pending: Math.round(500 * k),
  completedOld: Math.round(1_150_000 * k),
  failed: Math.round(60_000 * k),
  cancelled: Math.round(15_000 * k),
  crashed: Math.round(10_000 * k),
  manual: Math.round(2_000 * k),
  awaitingRetry: Math.round(500 * k),
  statesPerTerminalRun: 3,
  logsPerRun: 3,
  taskRunsPerRun: 0,
  artifactEvery: 100,
});

/** The Prefect release the benchmark runs (its database template is per release). */
let venvVersion = '';

async function part2(cluster: PgCluster, tmp: string): Promise<Record<string, unknown>> {
  const database = 'prefect_big';
  const su = await cluster.connect('postgres');
  await su.query(`CREATE DATABASE ${database} OWNER ${cluster.info.owner.user}`);
  await su.end();
  await restorePgTemplate(cluster, database, venvVersion);
  const url = cluster.url(cluster.info.owner, database);
  const server = await startPrefectServer({ name: 'bench-diag-big', db: { kind: 'postgres', url, database }, parentDir: tmp });
  const env = tempContext();
  try {
    const api = prefectApi(server.info.apiUrl);
    await createWorkPool(api, 'big-pool');
    const steps = [60, 120, 300, 600, 900, 1800, 3600, 60, 300, 600, 120, 3600];
    const deps: SeededDeployment[] = await seedDeployments(
      api,
      steps.map((interval, i) => ({ flow: `big-flow-${i % 4}`, name: `big-${i}-every-${interval}s`, workPool: 'big-pool', schedules: [{ schedule: { kind: 'interval' as const, interval, anchorDate: '2026-01-01T00:00:00Z', timezone: 'UTC' } }] })),
    );
    const t0 = Date.now();
    const seed = await seedRunsPg({ host: cluster.info.host, port: cluster.info.port, user: cluster.info.superuser.user, password: cluster.info.superuser.password, database }, planSeed(targetsFromDeployments(deps), BIG_VOLUME(SCALE)), { workers: 2 });
    log(`big database: ${formatInt(seed.flowRuns)} runs, ${formatInt(seed.flowRunStates)} states, ${formatInt(seed.logs)} logs in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    await query(cluster, database, 'VACUUM (ANALYZE)');
    const conn = { id: null, name: 'bench-big', apiUrl: server.info.apiUrl, apiAuth: { kind: 'none' as const }, db: { kind: 'postgres' as const, host: cluster.info.host, port: cluster.info.port, database, user: cluster.info.owner.user, password: cluster.info.owner.password, sslmode: 'disable' as const }, readOnly: true };
    const svc = diagnoseOf(env.ctx);
    await svc.diagnose({ conn, save: false }); // warm the caches, as a second look at the screen would be
    const runs: Diagnosis[] = [];
    for (let i = 0; i < 5; i++) runs.push(await svc.diagnose({ conn, save: false }));
    const ms = runs.map((r) => r.durationMs);
    const parts = Object.keys(runs[0]!.timings);
    const lines = [
      '',
      `Diagnosis on the large database (${formatInt(seed.flowRuns)} runs, ${formatInt(seed.flowRunStates)} states, ${formatInt(seed.logs)} logs; Prefect ${server.info.version}):`,
      `  median ${median(ms)} ms, min ${Math.min(...ms)} ms, max ${Math.max(...ms)} ms over ${ms.length} runs (target: under 2,000 ms)`,
      ...parts.map((p) => `    ${p.padEnd(32)} ${String(median(runs.map((r) => r.timings[p] ?? 0))).padStart(6)} ms`),
      `  findings: ${runs[0]!.findings.map((f) => f.id).join(', ')}`,
      `  machine load average: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (2 cores)`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
    return { runs: seed.flowRuns, ms, medianMs: median(ms), timings: Object.fromEntries(parts.map((p) => [p, median(runs.map((r) => r.timings[p] ?? 0))])) };
  } finally {
    await env.dispose();
    await server.stop();
  }
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-bench-diag-'));
  fs.chmodSync(tmp, 0o711);
  venvVersion = (await ensurePrefectVenv()).version;
  const cluster = await startPostgres({ parentDir: tmp });
  const out: Record<string, unknown> = { at: new Date().toISOString(), loadavg: os.loadavg() };
  try {
    await restorePgTemplate(cluster, 'prefect', venvVersion);
    if (SITUATION > 0) out.situation = await part1(cluster, tmp);
    if (BIG > 0) out.large = await part2(cluster, tmp);
  } finally {
    await cluster.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const file = path.join(root, 'test-results', 'bench', 'diagnose.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  log(`wrote ${file}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
