/**
 * The retention benchmark (issue #14, "Measured"). Printed side by side, never asserted.
 *
 * A throwaway PostgreSQL cluster (the harness's) gets one database with Prefect 3.9.1's own schema
 * and a year of finished history (retention-seed.ts: 2M runs, 6M states, 2M task runs with 6M
 * states, 6M logs, artifacts, 1M events with 3M event_resources at --scale 1), kept as a template.
 * Each contender then gets an identical fresh copy (CREATE DATABASE ... TEMPLATE) and a real Prefect
 * server on it, and removes the same set: finished top-level runs that ended more than --days ago
 * with everything of theirs, and events older than that (retention-contenders.ts):
 *   (a) Housekeeper's CLI as a user runs it, (b) one unbatched DELETE, (c) Prefect's own db_vacuum.
 * On each copy the load generator (retention-load.ts) first measures the idle API, then runs again
 * while the contender works. Printed: throughput, API p50/p99 idle vs during, WAL written (the
 * cluster's pg_current_wal_lsn before and after), Housekeeper's peak RSS, and the ratios against the
 * issue's targets.
 *
 *   npm run bench:retention -- [--scale 1] [--days 90] [--idle-seconds 45] [--vacuum-max-seconds 900]
 *                              [--only hk,delete,vacuum]   (also: hk-1s, Housekeeper with --batch-target-ms 1000;
 *                              hk@<ms>, Housekeeper with --batch-target-ms <ms>;
 *                              hk-pause@<ms>, Housekeeper resting <ms> before each batch (--batch-pause-ms); hk-base, the CLI built in
 *                              the checkout BENCH_HK_BASE names, to compare a change under the same load)
 *   --scale 0.05 is 100k runs (a few minutes, for debugging); --scale 1 is the issue's 2M.
 *
 * The cluster runs with the harness's settings (fsync, synchronous_commit and full_page_writes off:
 * the data is disposable), the same for every contender. Writes test-results/bench/retention.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { restorePgTemplate } from '../harness/db-template';
import { startPostgres, type PgCluster } from '../harness/postgres';
import { startPrefectServer, type PrefectServer } from '../harness/prefect-server';
import { ensurePrefectVenv } from '../harness/venv';
import { formatBytes, formatInt } from '../../shared/text/bytes';
import { dbVacuum, housekeeper, leftOf, unbatched, vacuumEnv, type ContenderResult } from './retention-contenders';
import { allOf, quantile, startLoad, type Latencies, type LoadGenerator } from './retention-load';
import { FULL_RUNS, QUIET_ENV, seedRetention, sql, type SeedFacts } from './retention-seed';

const root = path.resolve(__dirname, '..', '..');
const { values: args } = parseArgs({
  options: {
    scale: { type: 'string', default: process.env.BENCH_SCALE ?? '1' },
    days: { type: 'string', default: '90' },
    'idle-seconds': { type: 'string', default: '45' },
    'vacuum-max-seconds': { type: 'string', default: '900' },
    only: { type: 'string', default: 'hk,delete,vacuum' },
  },
});
const SCALE = Number(args.scale);
const DAYS = Number(args.days);
const IDLE = Number(args['idle-seconds']);
const VACUUM_MAX = Number(args['vacuum-max-seconds']);
const ONLY = new Set(args.only.split(','));
if (!(SCALE > 0) || !(DAYS >= 1) || !(IDLE > 0) || !(VACUUM_MAX > 0)) throw new Error('--scale, --days, --idle-seconds and --vacuum-max-seconds must be positive numbers');

const WARMUP_S = 10;
const SEED_DB = 'hk_bench_seed';
const RUN_DB = 'hk_bench_run';
/** Where a Housekeeper contender's own log (info level: each phase's time) is kept. */
const logOf = (name: string): string => {
  const dir = path.join(root, 'test-results', 'bench');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, `retention-${name}.log`);
};
const log = (m: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

interface Row {
  name: string;
  result: ContenderResult;
  idle: Latencies;
  during: Latencies;
  walBytes: number;
  left: { runs: number; events: number; eventResources: number };
  setRuns: number;
}

async function walLsn(cluster: PgCluster): Promise<string> {
  return (await sql<{ l: string }>(cluster, 'postgres', 'SELECT pg_current_wal_lsn()::text AS l'))[0]!.l;
}
async function walSince(cluster: PgCluster, from: string): Promise<number> {
  return Number((await sql<{ d: string }>(cluster, 'postgres', `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn) AS d`, [from]))[0]!.d);
}

async function idleLoad(apiUrl: string, pool: string): Promise<Latencies> {
  // A fresh server answers its first calls slowly (imports, pools, caches): warm it, unrecorded.
  const warm = startLoad(apiUrl, pool);
  await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
  await warm.stop();
  const load = startLoad(apiUrl, pool);
  await new Promise((r) => setTimeout(r, IDLE * 1000));
  return load.stop();
}

/** One contender on its own fresh copy of the seed, with its own Prefect server. */
async function onCopy(cluster: PgCluster, tmp: string, pool: string, name: string, work: (server: PrefectServer) => Promise<{ result: ContenderResult; during: Latencies; walBytes: number }>): Promise<Row> {
  const t0 = Date.now();
  await sql(cluster, 'postgres', `CREATE DATABASE ${RUN_DB} TEMPLATE ${SEED_DB} STRATEGY FILE_COPY OWNER ${cluster.info.owner.user}`);
  log(`${name}: fresh copy in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  const server = await startPrefectServer({ name: `bench-ret-${name}`, db: { kind: 'postgres', url: cluster.url(cluster.info.owner, RUN_DB), database: RUN_DB }, parentDir: tmp, extraEnv: QUIET_ENV });
  try {
    const at = new Date();
    const set = await leftOf(cluster, RUN_DB, DAYS, at);
    log(`${name}: the set is ${formatInt(set.runs)} runs, ${formatInt(set.events)} events, ${formatInt(set.eventResources)} event_resources; idle API for ${IDLE} s`);
    const idle = await idleLoad(server.info.apiUrl, pool);
    log(`${name}: running`);
    const av0 = await autovacuums(cluster);
    const w = await work(server);
    const av = [...(await autovacuums(cluster))].filter(([t, n]) => n > (av0.get(t) ?? 0)).map(([t, n]) => `${t} ${n - (av0.get(t) ?? 0)}`);
    w.result.notes.push(`${name}: autovacuum/autoanalyze passes that finished during the run: ${av.length ? av.join(', ') : 'none'}`);
    const left = await leftOf(cluster, RUN_DB, DAYS, at);
    log(`${name}: ${formatInt(w.result.runs)} runs in ${w.result.seconds.toFixed(1)} s; left ${JSON.stringify(left)}`);
    return { name, result: w.result, idle, during: w.during, walBytes: w.walBytes, left, setRuns: set.runs };
  } finally {
    await server.stop();
    await sql(cluster, 'postgres', `DROP DATABASE IF EXISTS ${RUN_DB} WITH (FORCE)`);
  }
}

/**
 * Autovacuum and autoanalyze passes per table so far (pg_stat_user_tables): a contender that commits
 * as it goes leaves dead rows autovacuum starts on while the API is measured; one that commits once
 * leaves them for after.
 */
async function autovacuums(cluster: PgCluster): Promise<Map<string, number>> {
  const rows = await sql<{ t: string; n: string }>(cluster, RUN_DB, `SELECT relname AS t, autovacuum_count + autoanalyze_count AS n FROM pg_stat_user_tables`);
  return new Map(rows.map((r) => [r.t, Number(r.n)]));
}

/** Load + WAL around a contender that runs against the live server. */
async function measured(cluster: PgCluster, server: PrefectServer, pool: string, fn: () => Promise<ContenderResult>) {
  const wal0 = await walLsn(cluster);
  const load = startLoad(server.info.apiUrl, pool);
  const result = await fn();
  const during = await load.stop();
  return { result, during, walBytes: await walSince(cluster, wal0) };
}

const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(0)} ms` : '-');
const pad = (s: string, n: number) => s.padStart(n);

function report(seed: SeedFacts, rows: Row[], version: string): string {
  const rate = (r: Row) => r.result.runs / r.result.seconds;
  const p = (l: Latencies, q: number) => quantile(allOf(l), q);
  const labels: Record<string, string> = { hk: 'Housekeeper retention (CLI)', 'hk-1s': 'Housekeeper, 1 s batches', 'hk-base': 'Housekeeper, base build', delete: 'one unbatched DELETE', vacuum: 'Prefect db_vacuum (3.9.1)' };
  const label = (name: string) =>
    labels[name] ?? (/^hk-\d+$/.test(name) ? `Housekeeper, ${name.slice(3)} ms batches` : /^hk-pause-\d+$/.test(name) ? `Housekeeper, ${name.slice(9)} ms rests` : name);
  const out: string[] = [
    '',
    `Retention benchmark: Prefect ${version} on PostgreSQL, retention ${DAYS} days, scale ${SCALE} (machine: ${os.cpus().length} cores, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')})`,
    `seed: ${Object.entries(seed.rows).map(([t, n]) => `${t} ${formatInt(n)}`).join(', ')}; ${formatBytes(seed.bytes)}; seeded in ${seed.seconds.toFixed(0)} s`,
    '',
    `${'contender'.padEnd(30)}${pad('runs', 11)}${pad('seconds', 9)}${pad('runs/s', 9)}${pad('API p50 idle/during', 22)}${pad('API p99 idle/during', 22)}${pad('WAL', 11)}${pad('peak RSS', 11)}${pad('left', 10)}`,
  ];
  for (const r of rows) {
    out.push(
      `${label(r.name).padEnd(30)}${pad(formatInt(r.result.runs), 11)}${pad(r.result.seconds.toFixed(1), 9)}${pad(rate(r).toFixed(0), 9)}` +
        `${pad(`${ms(p(r.idle, 0.5))} / ${ms(p(r.during, 0.5))}`, 22)}${pad(`${ms(p(r.idle, 0.99))} / ${ms(p(r.during, 0.99))}`, 22)}` +
        `${pad(formatBytes(r.walBytes), 11)}${pad(r.result.peakRssBytes ? formatBytes(r.result.peakRssBytes) : '-', 11)}${pad(formatInt(r.left.runs), 10)}${r.result.capped ? '  (capped)' : ''}`,
    );
  }
  out.push('', 'API latency per endpoint, p50 / p99 / max (ms) and calls, idle -> during:');
  for (const r of rows) {
    for (const ep of Object.keys(r.during.byEndpoint)) {
      const a = r.idle.byEndpoint[ep] ?? [];
      const b = r.during.byEndpoint[ep] ?? [];
      const f = (xs: number[]) => `${quantile(xs, 0.5).toFixed(0)} / ${quantile(xs, 0.99).toFixed(0)} / ${Math.max(...xs).toFixed(0)} (${xs.length})`;
      out.push(`  ${label(r.name).padEnd(30)}${ep.padEnd(8)}${f(a).padStart(26)}  ->  ${f(b)}`);
    }
    if (r.during.errors || r.idle.errors) out.push(`  ${label(r.name)}: ${r.idle.errors} failed calls idle, ${r.during.errors} during`);
  }
  const by = Object.fromEntries(rows.map((r) => [r.name, r]));
  const hk = by.hk;
  out.push('', 'Against the targets (issue #14):');
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  if (hk && by.delete) {
    const x = rate(hk) / rate(by.delete);
    out.push(`  Housekeeper vs unbatched DELETE throughput: ${x.toFixed(2)}x   (target >= 0.7x: ${verdict(x >= 0.7)})`);
  }
  if (hk && by.vacuum) {
    const x = rate(hk) / rate(by.vacuum);
    out.push(`  Housekeeper vs db_vacuum throughput:        ${x.toFixed(2)}x   (target >= 5x: ${verdict(x >= 5)})${by.vacuum.result.capped ? ' (db_vacuum stopped at the cap: its rate is what it removed in that time)' : ''}`);
  }
  if (hk) {
    const x = p(hk.during, 0.99) / p(hk.idle, 0.99);
    out.push(`  API p99 during Housekeeper vs idle:         ${x.toFixed(2)}x   (target <= 1.5x: ${verdict(x <= 1.5)})`);
    if (by.delete) out.push(`  API p99 during unbatched DELETE vs idle:    ${(p(by.delete.during, 0.99) / p(by.delete.idle, 0.99)).toFixed(2)}x   (beside it)`);
    if (by.vacuum) out.push(`  API p99 during db_vacuum vs idle:           ${(p(by.vacuum.during, 0.99) / p(by.vacuum.idle, 0.99)).toFixed(2)}x   (beside it)`);
    const s = hk.result.rssSamples ?? [];
    const peak = hk.result.peakRssBytes ?? 0;
    out.push(
      `  Housekeeper peak RSS (VmHWM):               ${formatBytes(peak)}   (target < 300 MB: ${verdict(peak < 300 * 1024 * 1024)}); RSS over the run p10/p50/p90: ${[0.1, 0.5, 0.9].map((q) => formatBytes(quantile(s, q))).join(' / ')} (${s.length} samples)`,
    );
  }
  out.push('');
  for (const r of rows) out.push(...r.result.notes.map((n) => `  ${n}`));
  out.push('');
  return out.join('\n');
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-bench-ret-'));
  fs.chmodSync(tmp, 0o711);
  const venv = await ensurePrefectVenv();
  const cluster = await startPostgres({ parentDir: tmp });
  const rows: Row[] = [];
  let seed: SeedFacts | null = null;
  try {
    await sql(cluster, 'postgres', `CREATE DATABASE ${SEED_DB} OWNER ${cluster.info.owner.user}`);
    if (!(await restorePgTemplate(cluster, SEED_DB, venv.version))) log('no migrated template cached: Prefect migrates the seed database itself');
    const runs = Math.round(FULL_RUNS * SCALE);
    log(`seeding ${formatInt(runs)} finished runs (with states, task runs, logs, artifacts, events)`);
    seed = await seedRetention(cluster, SEED_DB, runs, tmp, log);
    log(`seed ready: ${JSON.stringify(seed.rows)}, ${formatBytes(seed.bytes)}`);
    const pool = seed.pool;
    const dbUrl = `${cluster.url(cluster.info.owner, RUN_DB)}?sslmode=disable`;

    if (ONLY.has('hk')) {
      const home = fs.mkdtempSync(path.join(tmp, 'hk-home-'));
      rows.push(await onCopy(cluster, tmp, pool, 'hk', (server) => measured(cluster, server, pool, () => housekeeper({ root, apiUrl: server.info.apiUrl, dbUrl, home, days: DAYS, logFile: logOf('hk') }))));
    }
    // Not in the default set, Housekeeper with other tuning (--only hk,hk-1s,...): hk-1s, a 1 s batch
    // target instead of 200 ms (how much of the gap to the unbatched DELETE is the batch budget);
    // hk@<ms>, any other batch target; hk-pause@<ms>, a rest before each batch (the API's share).
    const variants = [...ONLY].flatMap((o): Array<[string, string[]]> => {
      if (o === 'hk-1s') return [[o, ['--batch-target-ms', '1000']]];
      const m = /^(hk|hk-pause)@(\d+)$/.exec(o);
      return m ? [[o.replace('@', '-'), [m[1] === 'hk' ? '--batch-target-ms' : '--batch-pause-ms', m[2]!]]] : [];
    });
    for (const [name, extra] of variants) {
      const home = fs.mkdtempSync(path.join(tmp, 'hk-home-'));
      rows.push(await onCopy(cluster, tmp, pool, name, (server) => measured(cluster, server, pool, () => housekeeper({ root, apiUrl: server.info.apiUrl, dbUrl, home, days: DAYS, logFile: logOf(name), extra }))));
    }
    // hk-base: the same CLI built from another checkout (BENCH_HK_BASE=<its root>, after `npm run
    // build:main` there), on its own fresh copy in the same run: a change measured against its base
    // under the same machine load (on this shared machine the load moves every absolute number).
    if (ONLY.has('hk-base')) {
      const baseRoot = process.env.BENCH_HK_BASE;
      if (!baseRoot || !fs.existsSync(path.join(baseRoot, 'bin', 'housekeeper.cjs'))) throw new Error('hk-base needs BENCH_HK_BASE=<a checkout with bin/housekeeper.cjs built>');
      const home = fs.mkdtempSync(path.join(tmp, 'hk-home-'));
      rows.push(await onCopy(cluster, tmp, pool, 'hk-base', (server) => measured(cluster, server, pool, () => housekeeper({ root: baseRoot, apiUrl: server.info.apiUrl, dbUrl, home, days: DAYS, logFile: logOf('hk-base') }))));
    }
    if (ONLY.has('delete')) {
      rows.push(await onCopy(cluster, tmp, pool, 'delete', (server) => measured(cluster, server, pool, () => unbatched(cluster, RUN_DB, DAYS))));
    }
    if (ONLY.has('vacuum')) {
      rows.push(
        await onCopy(cluster, tmp, pool, 'vacuum', async (plain) => {
          // Idle was measured on a plain server; Prefect's vacuum runs inside a server started with it on.
          await plain.kill();
          const before = await leftOf(cluster, RUN_DB, DAYS);
          const wal0 = await walLsn(cluster);
          let load: LoadGenerator | null = null;
          const { result, server } = await dbVacuum(
            cluster,
            RUN_DB,
            () => startPrefectServer({ name: 'bench-ret-vacuum-on', db: { kind: 'postgres', url: cluster.url(cluster.info.owner, RUN_DB), database: RUN_DB }, parentDir: tmp, logLevel: 'INFO', extraEnv: vacuumEnv(DAYS) }),
            DAYS,
            VACUUM_MAX,
            before,
            (s) => (load = startLoad(s.info.apiUrl, pool)),
          );
          try {
            const during = await (load as LoadGenerator | null)!.stop();
            return { result, during, walBytes: await walSince(cluster, wal0) };
          } finally {
            await server.stop();
          }
        }),
      );
    }
  } finally {
    await cluster.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (!seed) return;
  const text = report(seed, rows, venv.version);
  process.stdout.write(text);
  const file = path.join(root, 'test-results', 'bench', 'retention.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const summary = rows.map((r) => ({
    name: r.name,
    runs: r.result.runs,
    seconds: r.result.seconds,
    capped: r.result.capped ?? false,
    walBytes: r.walBytes,
    peakRssBytes: r.result.peakRssBytes ?? null,
    left: r.left,
    setRuns: r.setRuns,
    api: Object.fromEntries(
      (['idle', 'during'] as const).map((k) => [k, Object.fromEntries(Object.entries(r[k].byEndpoint).map(([ep, xs]) => [ep, { n: xs.length, p50: quantile(xs, 0.5), p99: quantile(xs, 0.99), max: Math.max(...xs) }]))]),
    ),
    notes: r.result.notes,
  }));
  fs.writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), scale: SCALE, days: DAYS, seed, rows: summary, text }, null, 2)}\n`);
  log(`wrote ${file}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
