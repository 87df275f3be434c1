/**
 * A separate, bigger Prefect database in the harness's cluster for Inspect: the real schema (restored
 * from the harness's migrated template, i.e. exactly what Prefect 3.9.1's migrations produce),
 * flows/deployments/schedules written with SQL, runs/states/logs by the harness's bulk seeder, then
 * the damage Inspect must find: a deleted deployment and a deleted schedule whose runs stay behind,
 * logs and artifacts of runs deleted by hand.
 *
 * Why not the shared `prefect` database: the plans the EXPLAIN test checks only mean something on a
 * table big enough that the planner would not pick a sequential scan just because the table is tiny,
 * and adding 100k+ runs to the shared database would change what other test files count.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { restorePgTemplate } from '../../harness/db-template';
import type { PgCluster } from '../../harness/postgres';
import { planSeed, type RunVolume, type SeedTarget } from '../../harness/seed-plan';
import { seedRunsPg, type SeedResult } from '../../harness/seed-sql';
import type { HarnessInfo } from '../../harness/types';
import type { ResolvedConnection } from '../../../main/core/connections/types';

export interface BigDeployment {
  id: string;
  flowId: string;
  flowName: string;
  name: string;
  scheduleId: string;
  stepSeconds: number;
}

export interface BigDatabase {
  database: string;
  deployments: BigDeployment[];
  seed: SeedResult;
  /** Ids of the deployment and the schedule deleted after seeding (their runs stay, orphaned). */
  goneDeploymentId: string;
  goneScheduleId: string;
  /** Flow runs deleted with plain SQL, leaving their logs (and artifacts) orphaned. */
  deletedRunIds: string[];
}

export function superConfig(h: HarnessInfo, database: string): pg.ClientConfig {
  return { host: h.pg.host, port: h.pg.port, user: h.pg.superuser.user, password: h.pg.superuser.password, database };
}

export async function withSuper<T>(h: HarnessInfo, database: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client(superConfig(h, database));
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export function bigConnection(h: HarnessInfo, database: string, role: 'owner' | 'monitor' = 'owner'): ResolvedConnection {
  const r = role === 'monitor' ? h.pg.monitor : h.pg.owner;
  return {
    id: null,
    name: `it-${database}-${role}`,
    apiUrl: h.prefectPg.apiUrl,
    apiAuth: { kind: 'none' },
    db: { kind: 'postgres', host: h.pg.host, port: h.pg.port, database, user: r.user, password: r.password, sslmode: 'disable' },
    readOnly: true,
  };
}

/** Intervals of the seeded schedules, seconds: a mix of hot (1 min) and lazy (1 h) deployments. */
const STEPS = [60, 120, 300, 600, 900, 1800, 3600];

export async function createBigDatabase(
  h: HarnessInfo,
  database: string,
  volume: RunVolume,
  opts: { deployments?: number; workers?: number; dropDeploymentIdIndex?: boolean; log?: (m: string) => void } = {},
): Promise<BigDatabase> {
  const log = opts.log ?? (() => undefined);
  const t0 = Date.now();
  await withSuper(h, 'postgres', async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${database} OWNER ${h.pg.owner.user}`);
  });
  const restored = await restorePgTemplate({ info: h.pg } as unknown as PgCluster, database, h.prefectPg.version);
  if (!restored) throw new Error('No migrated Prefect template in .cache/db-templates: start the harness once first.');
  log(`restored Prefect schema into ${database} in ${Date.now() - t0} ms`);

  const n = opts.deployments ?? 24;
  const flows = Array.from({ length: Math.max(1, Math.ceil(n / 4)) }, (_, i) => ({ id: crypto.randomUUID(), name: `flow-${i}` }));
  const deployments: BigDeployment[] = Array.from({ length: n }, (_, i) => {
    const flow = flows[i % flows.length]!;
    return { id: crypto.randomUUID(), flowId: flow.id, flowName: flow.name, name: `dep-${i}`, scheduleId: crypto.randomUUID(), stepSeconds: STEPS[i % STEPS.length]! };
  });
  await withSuper(h, database, async (c) => {
    await c.query(`GRANT CONNECT ON DATABASE ${database} TO ${h.pg.monitor.user}`);
    await c.query(`GRANT USAGE ON SCHEMA public TO ${h.pg.monitor.user}`);
    await c.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${h.pg.monitor.user}`);
    await c.query(`INSERT INTO flow (id, name) SELECT (x->>'id')::uuid, x->>'name' FROM jsonb_array_elements($1::jsonb) x`, [JSON.stringify(flows)]);
    await c.query(
      `INSERT INTO deployment (id, name, flow_id, status, last_polled)
       SELECT (x->>'id')::uuid, x->>'name', (x->>'flowId')::uuid, 'NOT_READY', now() - interval '3 days' FROM jsonb_array_elements($1::jsonb) x`,
      [JSON.stringify(deployments)],
    );
    await c.query(
      `INSERT INTO deployment_schedule (id, deployment_id, schedule, active)
       SELECT (x->>'scheduleId')::uuid, (x->>'id')::uuid,
              jsonb_build_object('interval', (x->>'stepSeconds')::float8, 'anchor_date', '2026-01-01T00:00:00Z', 'timezone', 'UTC'), true
         FROM jsonb_array_elements($1::jsonb) x`,
      [JSON.stringify(deployments)],
    );
    if (opts.dropDeploymentIdIndex) {
      // Prefect 3.1.6 … 3.8.3 had no plain index on flow_run.deployment_id: plans must not need it.
      await c.query('DROP INDEX IF EXISTS ix_flow_run__deployment_id');
    }
  });

  const targets: SeedTarget[] = deployments.map((d) => ({
    deploymentId: d.id,
    deploymentName: d.name,
    flowId: d.flowId,
    flowName: d.flowName,
    scheduleId: d.scheduleId,
    displayValue: 'IntervalSchedule',
    timezone: 'UTC',
    stepSeconds: d.stepSeconds,
    workQueueName: null,
    workQueueId: null,
    tags: [],
    parameters: {},
    weight: Math.max(0.1, 600 / d.stepSeconds),
  }));
  const t1 = Date.now();
  const seed = await seedRunsPg(superConfig(h, database), planSeed(targets, volume), { workers: opts.workers ?? 2 });
  log(`seeded ${seed.flowRuns} runs, ${seed.flowRunStates} states, ${seed.logs} logs in ${Date.now() - t1} ms`);

  // The damage Inspect must find (no FKs from log/artifact to flow_run, none from flow_run to deployment).
  const gone = deployments[deployments.length - 1]!;
  const goneSchedule = deployments[deployments.length - 2]!;
  const deletedRunIds = await withSuper(h, database, async (c) => {
    await c.query('DELETE FROM deployment WHERE id = $1', [gone.id]);
    await c.query('DELETE FROM deployment_schedule WHERE id = $1', [goneSchedule.scheduleId]);
    const r = await c.query<{ id: string }>(
      `DELETE FROM flow_run WHERE id IN (
         SELECT id FROM flow_run WHERE state_type = 'COMPLETED' AND deployment_id = $1 ORDER BY id LIMIT 500)
       RETURNING id::text AS id`,
      [deployments[0]!.id],
    );
    return r.rows.map((x) => x.id);
  });
  const t2 = Date.now();
  // Real servers are autovacuumed; a fresh bulk load is not, and index-only scans need the visibility map.
  await withSuper(h, database, (c) => c.query('VACUUM (ANALYZE)'));
  log(`VACUUM (ANALYZE) in ${Date.now() - t2} ms`);
  return { database, deployments, seed, goneDeploymentId: gone.id, goneScheduleId: goneSchedule.scheduleId, deletedRunIds };
}

export async function dropDatabase(h: HarnessInfo, database: string): Promise<void> {
  await withSuper(h, 'postgres', (c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
}
