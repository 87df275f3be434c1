/**
 * The retention benchmark's seed: a year of finished history in a real Prefect database, made once
 * and kept as a template database so every contender starts from an identical copy.
 *
 * - Prefect's own schema: the harness's migrated template (db-template.ts) restored into a fresh
 *   database, then deployments, flows and a work pool created through the real server's API.
 * - Runs, states, task runs (+ states), logs and artifacts with the harness's set-based seeder
 *   (seed-sql.ts: INSERT ... SELECT generate_series, rows shaped like Prefect 3.9.1's). Deployments
 *   run every few minutes to every hour (scaled so each one's history spans about a year: a faster
 *   schedule has proportionally more runs), ending Completed, Failed, Cancelled or Crashed.
 * - Events: one state-change event per second finished run (at its end), with its three
 *   event_resources rows (the run, its flow, its deployment), as Prefect's event persister writes them.
 * - VACUUM (FREEZE, ANALYZE): the copies start with settled hint bits and statistics, so no contender
 *   pays for the seed's own clean-up.
 */
import pg from 'pg';
import type { PgCluster } from '../harness/postgres';
import { prefectApi } from '../harness/prefect-api';
import { startPrefectServer } from '../harness/prefect-server';
import { createWorkPool, seedDeployments, type DeploymentSpec } from '../harness/seed-api';
import { planSeed, targetsFromDeployments, type SeedPlan } from '../harness/seed-plan';
import { seedRunsPg } from '../harness/seed-sql';

export const FULL_RUNS = 2_000_000;
const DEPLOYMENTS = 40;
/** Base intervals (s), cycled over the deployments; stretched so the history spans ~365 days. */
const BASE_STEPS = [300, 600, 900, 1800, 3600];
const YEAR_S = 365 * 86_400;

export interface SeedFacts {
  runs: number;
  seconds: number;
  pool: string;
  /** Exact row counts per table after seeding. */
  rows: Record<string, number>;
  /** Database size after VACUUM. */
  bytes: number;
}

/** Settings for every bench server: nothing of Prefect's own deletes while another contender is measured. */
export const QUIET_ENV = {
  // db_vacuum's "events" part is on by default (services/db_vacuum.py): with the default 7-day event
  // retention it would delete the seeded events under the other contenders.
  PREFECT_SERVER_EVENTS_RETENTION_PERIOD: 'P3650D',
};

export function superConn(cluster: PgCluster, database: string): pg.ClientConfig {
  return { host: cluster.info.host, port: cluster.info.port, user: cluster.info.superuser.user, password: cluster.info.superuser.password, database };
}

export async function sql<T extends pg.QueryResultRow>(cluster: PgCluster, database: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = await cluster.connect(database);
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}

function specs(runs: number, pool: string): DeploymentSpec[] {
  const bases = Array.from({ length: DEPLOYMENTS }, (_, i) => BASE_STEPS[i % BASE_STEPS.length]!);
  // Runs of deployment d = YEAR / step_d, summed over d = runs  =>  stretch = YEAR * sum(1/base) / runs.
  const stretch = (YEAR_S * bases.reduce((a, b) => a + 1 / b, 0)) / runs;
  return bases.map((base, i) => ({
    flow: `etl-${i % 8}`,
    name: `sync-${String(i).padStart(2, '0')}`,
    workPool: pool,
    tags: ['bench', `team-${i % 4}`],
    schedules: [
      {
        schedule: {
          kind: 'interval' as const,
          interval: Math.max(60, Math.round(base * stretch)),
          anchorDate: new Date(Date.UTC(2024, 0, 1) + i * 7_000).toISOString(),
          timezone: 'UTC',
        },
      },
    ],
  }));
}

const EVENTS_SQL = `
WITH e AS (
  INSERT INTO events (id, created, updated, occurred, event, resource_id, resource, related_resource_ids, related, payload, received, recorded, follows)
  SELECT gen_random_uuid(), fr.end_time, fr.end_time, fr.end_time, 'prefect.flow-run.' || fr.state_name, 'prefect.flow-run.' || fr.id,
         jsonb_build_object('prefect.resource.id', 'prefect.flow-run.' || fr.id, 'prefect.resource.name', fr.name,
                            'prefect.state-name', fr.state_name, 'prefect.state-type', fr.state_type::text),
         jsonb_build_array('prefect.flow.' || fr.flow_id, 'prefect.deployment.' || fr.deployment_id),
         jsonb_build_array(jsonb_build_object('prefect.resource.id', 'prefect.flow.' || fr.flow_id, 'prefect.resource.role', 'flow'),
                           jsonb_build_object('prefect.resource.id', 'prefect.deployment.' || fr.deployment_id, 'prefect.resource.role', 'deployment')),
         jsonb_build_object('intended', jsonb_build_object('from', 'RUNNING', 'to', fr.state_type::text)),
         fr.end_time, fr.end_time, NULL
    FROM flow_run fr
   WHERE fr.end_time IS NOT NULL AND get_byte(uuid_send(fr.id), 15) % 2 = 0
   ORDER BY fr.end_time
  RETURNING id, occurred, resource_id, related_resource_ids)
INSERT INTO event_resources (id, created, updated, occurred, resource_id, resource_role, resource, event_id)
SELECT gen_random_uuid(), e.occurred, e.occurred, e.occurred, r.rid, r.role, jsonb_build_object('prefect.resource.id', r.rid), e.id
  FROM e CROSS JOIN LATERAL (VALUES (e.resource_id, ''), (e.related_resource_ids->>0, 'flow'), (e.related_resource_ids->>1, 'deployment')) r(rid, role)
 ORDER BY e.occurred`;

/**
 * The harness's planner interleaves terminal recipes with a stride of how many there are, which
 * stretches the biggest one (Completed) over several times the span of the others. Here each
 * deployment's finished runs are laid out as 25 interleaved lanes of consecutive lattice slots
 * instead: 21 Completed (84%), 2 Failed, 1 Cancelled, 1 Crashed, so every state is spread over the
 * whole year, and the slots (hence the scheduler's idempotency keys) stay unique.
 */
const LANES = [...Array<string>(21).fill('completedOld'), 'failed', 'failed', 'cancelled', 'crashed'];
function lanes(plan: SeedPlan): SeedPlan {
  const rows: SeedPlan['rows'] = [];
  for (const row of plan.rows) {
    if (row.recipe !== 'completedOld') {
      rows.push(row);
      continue;
    }
    const per = Math.floor(row.n / LANES.length);
    const extra = row.n - per * LANES.length;
    LANES.forEach((recipe, i) => {
      const n = per + (i < extra ? 1 : 0);
      if (n > 0) rows.push({ t: row.t, recipe, n, k0: row.k0 + i, stride: LANES.length });
    });
  }
  return { ...plan, rows };
}

const TABLES = ['flow_run', 'flow_run_state', 'task_run', 'task_run_state', 'log', 'artifact', 'events', 'event_resources'];

/**
 * Seeds `database` (already holding Prefect's migrated, empty schema). Starts a Prefect server on it
 * only for the API part, and stops it before the bulk SQL.
 */
export async function seedRetention(cluster: PgCluster, database: string, runs: number, tmp: string, log: (m: string) => void): Promise<SeedFacts> {
  const t0 = Date.now();
  const pool = 'bench-pool';
  const server = await startPrefectServer({ name: 'bench-ret-seed', db: { kind: 'postgres', url: cluster.url(cluster.info.owner, database), database }, parentDir: tmp, extraEnv: QUIET_ENV });
  let deps;
  try {
    const api = prefectApi(server.info.apiUrl);
    await createWorkPool(api, pool);
    deps = await seedDeployments(api, specs(runs, pool), { concurrency: 4 });
  } finally {
    await server.stop();
  }
  const plan = lanes(
    planSeed(targetsFromDeployments(deps, { weight: (step) => 1 / step }), {
      completedOld: runs,
      // What a live server also holds: the worker's next runs and a few in flight.
      future: 400,
      running: 20,
      statesPerTerminalRun: 3,
      logsPerRun: 3,
      taskRunsPerRun: 1,
      artifactEvery: 50,
    }),
  );
  const s = await seedRunsPg(superConn(cluster, database), plan, { workers: 2 });
  log(`runs seeded: ${s.flowRuns} runs, ${s.flowRunStates} states, ${s.logs} logs in ${(s.ms / 1000).toFixed(0)} s`);
  const t1 = Date.now();
  await sql(cluster, database, 'SET statement_timeout = 0; ' + EVENTS_SQL);
  log(`events seeded in ${((Date.now() - t1) / 1000).toFixed(0)} s`);
  const t2 = Date.now();
  await sql(cluster, database, 'VACUUM (FREEZE, ANALYZE)');
  log(`VACUUM (FREEZE, ANALYZE) in ${((Date.now() - t2) / 1000).toFixed(0)} s`);
  const rows: Record<string, number> = {};
  for (const t of TABLES) rows[t] = Number((await sql<{ n: string }>(cluster, database, `SELECT count(*) AS n FROM ${t}`))[0]!.n);
  for (const r of await sql<{ t: string; n: string; oldest: string }>(cluster, database, `SELECT state_type::text AS t, count(*) AS n, min(end_time)::date::text AS oldest FROM flow_run WHERE end_time IS NOT NULL GROUP BY 1 ORDER BY 2 DESC`)) {
    log(`  ${r.t}: ${r.n} runs, oldest end ${r.oldest}`);
  }
  const [size] = await sql<{ b: string }>(cluster, database, `SELECT pg_database_size(current_database()) AS b`);
  return { runs: rows.flow_run!, seconds: (Date.now() - t0) / 1000, pool, rows, bytes: Number(size!.b) };
}
