/**
 * The three ways the retention benchmark removes the same set (top-level runs in a terminal state
 * whose end is older than the period, everything of theirs, and events older than the period):
 *
 * (a) Housekeeper, as a user runs it: the built CLI, `housekeeper retention --api .. --db ..
 *     --older-than P --events-older-than P --yes --json`, its peak memory sampled from /proc.
 * (b) One unbatched statement: DELETE of the runs (flow_run_state, task_run, task_run_state go by
 *     Prefect's ON DELETE CASCADE foreign keys), plus their logs and artifacts (no foreign key to
 *     flow_run in Prefect's schema, so a bare DELETE FROM flow_run would orphan them), plus the old
 *     events and event_resources, in one transaction: the physical limit, with no batches, no
 *     re-checks and every lock held to the end.
 * (c) Prefect's own db_vacuum (prefect/server/services/db_vacuum.py, 3.9.1), run the way Prefect runs
 *     it: inside `prefect server start`, enabled with PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED=
 *     events,flow_runs and the same retention for runs and events; its batch size is Prefect's
 *     default (200). The bench restarts the server with those settings and watches the database
 *     until the set is gone (or a time cap: then the throughput is what it removed in that time).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { PgCluster } from '../harness/postgres';
import type { PrefectServer } from '../harness/prefect-server';
import { sampleProcess } from './retention-load';
import { sql } from './retention-seed';

export interface ContenderResult {
  runs: number;
  seconds: number;
  /** Extra facts printed under the table. */
  notes: string[];
  peakRssBytes?: number;
  rssSamples?: number[];
  /** CPU seconds used by the contender's own process (Housekeeper's Node), when it has one. */
  cpuSeconds?: number;
  /** Stopped at the time cap before the set was gone. */
  capped?: boolean;
}

const TERMINAL = `('COMPLETED','FAILED','CANCELLED','CRASHED')`;
export const eligibleSql = (days: number) =>
  `fr.parent_task_run_id IS NULL AND fr.state_type IN ${TERMINAL} AND fr.end_time IS NOT NULL AND fr.end_time < now() - interval '${days} days'`;

/**
 * What is left of the set (runs, and events/event_resources older than the period), counted at
 * `at` (default now). The bench counts before and after a contender at the same instant: runs that
 * came of age while a four-minute contender ran are not part of its set.
 */
export async function leftOf(cluster: PgCluster, database: string, days: number, at?: Date): Promise<{ runs: number; events: number; eventResources: number }> {
  const now = at ? `'${at.toISOString()}'::timestamptz` : 'now()';
  const [r] = await sql<{ runs: string; events: string; er: string }>(
    cluster,
    database,
    `SELECT (SELECT count(*) FROM flow_run fr WHERE ${eligibleSql(days).replace('now()', now)}) AS runs,
            (SELECT count(*) FROM events WHERE occurred < ${now} - interval '${days} days') AS events,
            (SELECT count(*) FROM event_resources WHERE occurred < ${now} - interval '${days} days') AS er`,
  );
  return { runs: Number(r!.runs), events: Number(r!.events), eventResources: Number(r!.er) };
}

export async function housekeeper(opts: { root: string; apiUrl: string; dbUrl: string; home: string; days: number; logFile: string; extra?: string[] }): Promise<ContenderResult> {
  const cli = path.join(opts.root, 'bin', 'housekeeper.cjs');
  const args = [cli, 'retention', '--api', opts.apiUrl, '--db', opts.dbUrl, '--older-than', `${opts.days}d`, '--events-older-than', `${opts.days}d`, ...(opts.extra ?? []), '--yes', '--json'];
  const t0 = performance.now();
  // Its log at info level (each phase's time) is kept beside the results: test-results/bench/<name>.log.
  const child = spawn(process.execPath, args, { env: { ...process.env, HOUSEKEEPER_HOME: opts.home, HOUSEKEEPER_LOG: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logFile = fs.createWriteStream(opts.logFile);
  const mem = sampleProcess(child.pid!);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    logFile.write(d);
    stderr = (stderr + d.toString()).slice(-8000);
  });
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  logFile.end();
  const seconds = (performance.now() - t0) / 1000;
  const m = mem.stop();
  let doc: { ok: boolean; value?: { plan?: { confirmCount: number }; outcome?: { totals: Record<string, number>; p99BatchMs: number | null; remaining: unknown; durationMs: number } }; error?: { message: string } };
  try {
    doc = JSON.parse(stdout) as typeof doc;
  } catch {
    throw new Error(`housekeeper retention exited ${code} without JSON:\n${stdout.slice(0, 2000)}\n${stderr}`);
  }
  if (!doc.ok || !doc.value?.outcome) throw new Error(`housekeeper retention failed (exit ${code}): ${doc.error?.message ?? stdout.slice(0, 2000)}`);
  const o = doc.value.outcome;
  const t = o.totals;
  fs.writeFileSync(path.join(opts.home, 'outcome.json'), JSON.stringify(doc.value, null, 2));
  return {
    runs: t.runs! + (t.subflows ?? 0),
    seconds,
    peakRssBytes: m.peakBytes,
    rssSamples: m.samples,
    cpuSeconds: m.cpuSeconds,
    notes: [
      `Housekeeper's own process used ${m.cpuSeconds.toFixed(1)} s of CPU in ${seconds.toFixed(1)} s (${((100 * m.cpuSeconds) / seconds).toFixed(0)} % of one core)`,
      `Housekeeper: plan ${doc.value.plan?.confirmCount} runs; deleted ${t.runs} runs, ${t.flowRunStates} states, ${t.taskRuns} task runs, ${t.taskRunStates} task run states, ${t.logs} logs, ${t.artifacts} artifacts, ${t.events} events, ${t.eventResources} event_resources in ${t.batches} batches (p99 batch ${o.p99BatchMs} ms); job ${(o.durationMs / 1000).toFixed(1)} s of ${seconds.toFixed(1)} s wall (the rest: Node start, plan, recount); remaining ${JSON.stringify(o.remaining)}`,
    ],
  };
}

export async function unbatched(cluster: PgCluster, database: string, days: number): Promise<ContenderResult> {
  const c = await cluster.connect(database);
  try {
    await c.query('SET statement_timeout = 0');
    const t0 = performance.now();
    const r = await c.query<Record<string, string>>(
      `WITH d AS (DELETE FROM flow_run fr WHERE ${eligibleSql(days)} RETURNING fr.id),
            l AS (DELETE FROM log g WHERE g.flow_run_id IN (SELECT id FROM d) RETURNING 1),
            a AS (DELETE FROM artifact x WHERE x.flow_run_id IN (SELECT id FROM d) RETURNING 1),
            er AS (DELETE FROM event_resources WHERE occurred < now() - interval '${days} days' RETURNING 1),
            ev AS (DELETE FROM events WHERE occurred < now() - interval '${days} days' RETURNING 1)
       SELECT (SELECT count(*) FROM d) AS runs, (SELECT count(*) FROM l) AS logs, (SELECT count(*) FROM a) AS artifacts,
              (SELECT count(*) FROM ev) AS events, (SELECT count(*) FROM er) AS event_resources`,
    );
    const seconds = (performance.now() - t0) / 1000;
    const x = r.rows[0]!;
    return {
      runs: Number(x.runs),
      seconds,
      notes: [`unbatched DELETE: ${x.runs} runs (states, task runs and their states by cascade), ${x.logs} logs, ${x.artifacts} artifacts, ${x.events} events, ${x.event_resources} event_resources in one statement`],
    };
  } finally {
    await c.end();
  }
}

/** The db_vacuum env: both vacuum types on, the same retention for runs and events, loop soon after start. */
export function vacuumEnv(days: number): Record<string, string> {
  return {
    PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED: 'events,flow_runs',
    PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD: String(days * 86_400),
    PREFECT_SERVER_EVENTS_RETENTION_PERIOD: `P${days}D`,
    // The first pass is scheduled when the service starts; a short loop only matters if it is not.
    PREFECT_SERVER_SERVICES_DB_VACUUM_LOOP_SECONDS: '30',
  };
}

/**
 * Starts a server with db_vacuum on (`start`, built with vacuumEnv and log level INFO so Prefect's
 * "Database vacuum: deleted ..." lines show) and waits until the set is gone and Prefect logged both
 * passes, or `maxSeconds` passed.
 */
export async function dbVacuum(cluster: PgCluster, database: string, start: () => Promise<PrefectServer>, days: number, maxSeconds: number, before: { runs: number }, onStarted: (s: PrefectServer) => void): Promise<{ result: ContenderResult; server: PrefectServer }> {
  const tStart = performance.now();
  const server = await start();
  const startup = (performance.now() - tStart) / 1000;
  onStarted(server);
  const t0 = performance.now();
  const seen = () => {
    const text = fs.readFileSync(server.logFile, 'utf8');
    return {
      runs: /Database vacuum: deleted \d+ old flow runs/.exec(text)?.[0],
      events: /Database vacuum: deleted \d+ old events and \d+ event resources/.exec(text)?.[0],
      logs: text.match(/Database vacuum: [^\n]*/g) ?? [],
    };
  };
  let capped = false;
  let left = await leftOf(cluster, database, days);
  for (;;) {
    const s = seen();
    if (s.runs && s.events && left.runs === 0 && left.events === 0 && left.eventResources === 0) break;
    if ((performance.now() - t0) / 1000 > maxSeconds) {
      capped = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 2000));
    left = await leftOf(cluster, database, days);
  }
  const seconds = (performance.now() - t0) / 1000;
  left = await leftOf(cluster, database, days);
  const s = seen();
  const result: ContenderResult = {
    runs: before.runs - left.runs,
    seconds,
    capped,
    notes: [
      `db_vacuum: server restart with it on took ${startup.toFixed(1)} s (not counted; deletes it made during start-up are counted); ${capped ? `STOPPED at the ${maxSeconds} s cap with ${left.runs} runs, ${left.events} events, ${left.eventResources} event_resources of the set left` : 'the whole set removed'}`,
      ...s.logs.map((l) => `  Prefect logged: ${l}`),
    ],
  };
  return { result, server };
}
