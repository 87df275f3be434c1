/**
 * The Inspect benchmark (issue 3, "Measured"): seed the harness's real Prefect database with at least
 * 1M flow runs, 3M flow run states and 2M logs, delete a fifth of the completed runs (so there is
 * bloat and there are orphaned logs, as after a careless cleanup), VACUUM, and then compare:
 *
 *   - Housekeeper's overview (InspectService.run, everything the Overview screen shows), and
 *   - the naive exact queries a DBA would run for the same answers: COUNT(*) grouped by state, exact
 *     row counts of the big tables, exact terminal-by-age and orphaned-log counts, and full-table
 *     sizes measured with pgstattuple,
 *
 * printing the median times side by side with their ratio, and how close every estimate is to the
 * exact number (and whether the exact number lies inside the margin the estimate states).
 * Target: overview under 1 s and at least 10 times faster than the naive set.
 *
 *   node --import tsx test/bench/inspect.ts            starts its own harness (about 10 minutes)
 *   HK_HARNESS_JSON=.cache/harness.json node ...       reuses a running harness (seeds it!)
 *   BENCH_RUNS=7 BENCH_SCALE=1                         repetitions; volume multiplier
 *
 * Measured, not asserted: exits 0 and writes test-results/bench/inspect.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { startHarness, type Harness } from '../harness/index';
import { planSeed, targetsFromDeployments, type RunVolume } from '../harness/seed-plan';
import { seedRunsPg } from '../harness/seed-sql';
import type { HarnessInfo } from '../harness/types';
import { createWorkPool, seedDeployments, type SeededDeployment } from '../harness/seed-api';
import { prefectApi } from '../harness/prefect-api';
import type { InspectReport, PostgresSpace } from '../../shared/domain/inspect';
import type { ResolvedConnection } from '../../main/core/connections/types';
import { InspectService } from '../../main/core/inspect/service';
import { measureExact } from '../../main/core/inspect/exact-pg';
import { PostgresTarget } from '../../main/core/targets/postgres';
import { formatBytes, formatInt } from '../../shared/text/bytes';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const root = path.resolve(__dirname, '..', '..');

const VOLUME: RunVolume = {
  late: 100_000 * SCALE,
  scheduledPast: 2_000 * SCALE,
  future: 5_000 * SCALE,
  running: 500 * SCALE,
  pending: 500 * SCALE,
  completedOld: 1_150_000 * SCALE,
  failed: 60_000 * SCALE,
  cancelled: 15_000 * SCALE,
  crashed: 10_000 * SCALE,
  manual: 2_000 * SCALE,
  awaitingRetry: 500 * SCALE,
  statesPerTerminalRun: 3,
  logsPerRun: 3,
  taskRunsPerRun: 0,
  artifactEvery: 100,
};

const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/**
 * Deployments of its own, made through Prefect's API (so rows are what `prefect deploy` writes): the
 * baseline's deployments already own their schedules' lattice slots, and the idempotency keys would
 * collide. A mix of hot and lazy interval schedules, a third of them on a dead work pool.
 */
async function benchDeployments(info: HarnessInfo): Promise<SeededDeployment[]> {
  const api = prefectApi(info.prefectPg.apiUrl, info.prefectPg.authString);
  const pool = `bench-pool-${Date.now().toString(36)}`;
  await createWorkPool(api, pool);
  const steps = [60, 120, 300, 600, 900, 1800, 3600, 60, 300, 600, 120, 3600];
  return seedDeployments(
    api,
    steps.map((interval, i) => ({
      flow: `bench-flow-${i % 4}`,
      name: `bench-${i}-every-${interval}s`,
      workPool: pool,
      tags: ['bench'],
      schedules: [{ schedule: { kind: 'interval' as const, interval, anchorDate: '2026-01-01T00:00:00Z', timezone: 'UTC' } }],
    })),
  );
}

interface NaiveResult {
  byState: Array<{ t: string; n: string; c: string }>;
  rows: Record<string, number>;
  ages: Record<string, number>;
  orphanLogs: number;
  tuple: Record<string, { table_len: number; dead_tuple_len: number; free_space: number }>;
}

/** The naive exact set: what you would type into psql to get the same answers exactly. */
async function naive(c: pg.Client, withPgstattuple: boolean): Promise<NaiveResult> {
  const byState = (await c.query('SELECT state_type::text AS t, state_name AS n, count(*) AS c FROM flow_run GROUP BY 1, 2')).rows;
  const rows: Record<string, number> = {};
  for (const t of ['flow_run', 'flow_run_state', 'log', 'task_run', 'task_run_state', 'artifact']) {
    rows[t] = Number((await c.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
  }
  const a = (
    await c.query(`SELECT count(*) FILTER (WHERE end_time < now() - interval '1 day') AS d1,
                          count(*) FILTER (WHERE end_time < now() - interval '7 days') AS d7,
                          count(*) FILTER (WHERE end_time < now() - interval '30 days') AS d30,
                          count(*) FILTER (WHERE end_time < now() - interval '90 days') AS d90
                     FROM flow_run WHERE state_type IN ('COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED')`)
  ).rows[0];
  const orphanLogs = Number(
    (await c.query('SELECT count(*) AS n FROM log l WHERE l.flow_run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM flow_run f WHERE f.id = l.flow_run_id)')).rows[0].n,
  );
  const tuple: NaiveResult['tuple'] = {};
  for (const t of ['flow_run', 'flow_run_state', 'log']) {
    tuple[t] = withPgstattuple
      ? (await c.query(`SELECT table_len::float8, dead_tuple_len::float8, free_space::float8 FROM pgstattuple($1::regclass)`, [t])).rows[0]
      : { table_len: Number((await c.query(`SELECT sum(pg_column_size(x.*)) AS n FROM ${t} x`)).rows[0].n), dead_tuple_len: 0, free_space: 0 };
  }
  return { byState, rows, ages: { 1: Number(a.d1), 7: Number(a.d7), 30: Number(a.d30), 90: Number(a.d90) }, orphanLogs, tuple };
}

async function main(): Promise<void> {
  let harness: Harness | null = null;
  let info: HarnessInfo;
  if (process.env.HK_HARNESS_JSON) {
    info = JSON.parse(fs.readFileSync(process.env.HK_HARNESS_JSON, 'utf8')) as HarnessInfo;
    log(`reusing the harness in ${process.env.HK_HARNESS_JSON}`);
  } else {
    harness = await startHarness();
    info = harness.info;
  }
  const superConn = { host: info.pg.host, port: info.pg.port, user: info.pg.superuser.user, password: info.pg.superuser.password, database: info.pg.database };
  const sup = new pg.Client(superConn);
  await sup.connect();
  try {
    const deployments = await benchDeployments(info);
    const t0 = Date.now();
    const seed = await seedRunsPg(superConn, planSeed(targetsFromDeployments(deployments), VOLUME), { workers: 2 });
    log(`seeded ${formatInt(seed.flowRuns)} runs, ${formatInt(seed.flowRunStates)} states, ${formatInt(seed.logs)} logs in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    const t1 = Date.now();
    // A careless cleanup: a fifth of the completed runs deleted with plain SQL (their states cascade,
    // their logs stay behind as orphans), then VACUUM turns the dead rows into free space.
    const del = await sup.query(`DELETE FROM flow_run WHERE state_type = 'COMPLETED' AND (hashtext(id::text) & 1023) < 205`);
    await sup.query('SET maintenance_work_mem = 1048576');
    await sup.query('VACUUM (ANALYZE)');
    log(`deleted ${formatInt(del.rowCount ?? 0)} completed runs, VACUUM (ANALYZE) in ${((Date.now() - t1) / 1000).toFixed(0)} s`);
    // Bench-only, in the throwaway harness database: Housekeeper itself never installs extensions.
    const withPgstattuple = await sup.query('CREATE EXTENSION IF NOT EXISTS pgstattuple').then(
      () => true,
      () => false,
    );

    const monitor: ResolvedConnection = {
      id: null,
      name: 'bench',
      apiUrl: info.prefectPg.apiUrl,
      apiAuth: { kind: 'none' },
      db: { kind: 'postgres', host: info.pg.host, port: info.pg.port, database: info.pg.database, user: info.pg.monitor.user, password: info.pg.monitor.password, sslmode: 'disable' },
      readOnly: true,
    };
    // The service without a store: the bench does not save (save: false never touches it). Like the
    // app, it keeps its pool between inspections; the naive set likewise reuses one connection.
    const svc = new InspectService(null as never, null as never);
    await svc.run({ conn: monitor, save: false }); // warm-up: both sides are measured with warm caches and connections
    const overview: number[] = [];
    let report!: InspectReport;
    for (let i = 0; i < RUNS; i++) {
      const r = await time(() => svc.run({ conn: monitor, save: false }));
      overview.push(r.ms);
      report = r.value;
    }
    log(`overview: ${overview.map((x) => x.toFixed(0)).join(', ')} ms`);
    await svc.close();

    await naive(sup, withPgstattuple); // warm-up
    const naiveMs: number[] = [];
    let exact!: NaiveResult;
    for (let i = 0; i < Math.max(3, Math.ceil(RUNS / 2)); i++) {
      const r = await time(() => naive(sup, withPgstattuple));
      naiveMs.push(r.ms);
      exact = r.value;
    }
    log(`naive exact set: ${naiveMs.map((x) => x.toFixed(0)).join(', ')} ms`);

    // Exact measurement as Housekeeper does it on demand (pgstattuple_approx), for the bloat comparison.
    const target = new PostgresTarget(monitor.db as Extract<ResolvedConnection['db'], { kind: 'postgres' }>);
    const approx: Record<string, number> = {};
    if (withPgstattuple) for (const t of ['flow_run', 'flow_run_state', 'log']) approx[t] = (await measureExact(target, { kind: 'table', name: t })).reclaimableBytes;
    await target.close();

    // --- accuracy --------------------------------------------------------------------------
    const lines: string[] = [];
    const acc: Array<{ what: string; estimate: number; exact: number; errorPct: number; margin: string; inside: boolean | null }> = [];
    const add = (what: string, estimate: number, truth: number, margin: number | null, isExact: boolean) => {
      const errorPct = truth === 0 ? (estimate === 0 ? 0 : 100) : (100 * (estimate - truth)) / truth;
      acc.push({ what, estimate, exact: truth, errorPct, margin: isExact ? 'exact' : margin === null ? 'n/a' : `±${formatInt(margin)}`, inside: isExact ? estimate === truth : margin === null ? null : Math.abs(estimate - truth) <= margin });
    };
    const space = report.space as PostgresSpace;
    for (const t of ['flow_run', 'flow_run_state', 'log']) {
      const row = space.tables.find((x) => x.name === t)!;
      add(`rows ${t} (reltuples)`, row.rowsEstimate ?? 0, exact.rows[t]!, Math.round(exact.rows[t]! * 0.02), false);
    }
    const typeTruth = new Map<string, number>();
    for (const r of exact.byState) typeTruth.set(r.t, (typeTruth.get(r.t) ?? 0) + Number(r.c));
    for (const t of report.runs!.byType) add(`runs ${t.type}`, t.count, typeTruth.get(t.type!) ?? 0, Math.round((typeTruth.get(t.type!) ?? 0) * 0.02), t.exact);
    const late = exact.byState.filter((r) => r.n === 'Late').reduce((n, r) => n + Number(r.c), 0);
    add('Late backlog (all deployments)', report.runs!.late!.count, late, null, report.runs!.late!.exact);
    for (const b of report.runs!.terminalByAge.filter((x) => x.days <= 90)) add(`terminal, ended > ${b.days} d ago`, b.count, exact.ages[b.days]!, Math.round(exact.ages[b.days]! * 0.03), b.exact);
    const ol = report.runs!.orphans.logs!;
    add('orphaned logs (sampled)', ol.count, exact.orphanLogs, ol.margin, ol.exact);
    if (withPgstattuple) {
      for (const t of ['flow_run', 'flow_run_state', 'log']) {
        const row = space.tables.find((x) => x.name === t)!;
        const margin = row.bloat.confidence.margin === null ? null : Math.round(row.bloat.confidence.margin * row.heapBytes);
        add(`reclaimable ${t} vs pgstattuple_approx (${row.bloat.confidence.level})`, row.bloat.reclaimableBytes ?? 0, approx[t]!, margin, false);
      }
    }

    const ov = median(overview);
    const nv = median(naiveMs);
    lines.push('');
    lines.push(`Inspect benchmark — ${formatInt(exact.rows.flow_run)} flow runs, ${formatInt(exact.rows.flow_run_state)} states, ${formatInt(exact.rows.log)} logs; database ${formatBytes(space.databaseBytes)}`);
    lines.push(`PostgreSQL ${report.server.database}, Prefect ${report.server.prefectVersion}, role ${info.pg.monitor.user} (pg_monitor + SELECT), ${RUNS} runs, warm cache`);
    lines.push('');
    lines.push(`${'set'.padEnd(44)}${'median'.padStart(12)}`);
    lines.push(`${'Housekeeper overview (all sections)'.padEnd(44)}${`${ov.toFixed(0)} ms`.padStart(12)}`);
    lines.push(`${`naive exact queries${withPgstattuple ? ' (incl. pgstattuple)' : ''}`.padEnd(44)}${`${nv.toFixed(0)} ms`.padStart(12)}`);
    lines.push(`${'ratio'.padEnd(44)}${`${(nv / ov).toFixed(1)}×`.padStart(12)}`);
    lines.push(`overview under 1 s: ${ov < 1000 ? 'yes' : 'NO'}; at least 10× faster: ${nv / ov >= 10 ? 'yes' : 'NO'}`);
    lines.push('');
    lines.push(`${'estimate vs exact'.padEnd(62)}${'estimate'.padStart(14)}${'exact'.padStart(14)}${'error'.padStart(9)}${'margin'.padStart(14)}  inside`);
    for (const a of acc) {
      lines.push(
        `${a.what.padEnd(62)}${formatInt(a.estimate).padStart(14)}${formatInt(a.exact).padStart(14)}${`${a.errorPct >= 0 ? '+' : ''}${a.errorPct.toFixed(1)}%`.padStart(9)}${a.margin.padStart(14)}  ${a.inside === null ? '-' : a.inside ? 'yes' : 'NO'}`,
      );
    }
    lines.push('');
    lines.push('Sections: ' + report.sections.map((s) => `${s.id} ${s.status} ${Math.round(s.durationMs)} ms`).join(', '));
    process.stdout.write(lines.join('\n') + '\n');
    const outDir = path.join(root, 'test-results', 'bench');
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(
      path.join(outDir, 'inspect.json'),
      JSON.stringify({ overviewMs: overview, naiveMs, medianOverviewMs: ov, medianNaiveMs: nv, ratio: nv / ov, accuracy: acc, rows: exact.rows, sections: report.sections }, null, 2),
    );
  } finally {
    await sup.end();
    await harness?.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
