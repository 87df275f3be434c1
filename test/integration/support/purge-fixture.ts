/**
 * A purge scenario on the harness's real Prefect server: fresh deployments (through the API) with a
 * seeded mix of runs (through SQL), plus the ground truth the tests compare against: a snapshot of
 * every run of those deployments and an independent, JS-side statement of Prefect's stale predicate.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { HarnessInfo } from '../../harness/types';
import { createWorkPool, seedDeployments, type SeededDeployment } from '../../harness/seed-api';
import { planSeed, targetsFromDeployments, type RunVolume } from '../../harness/seed-plan';
import { seedRunsPg } from '../../harness/seed-sql';
import { prefectApi } from '../../harness/prefect-api';
import type { ResolvedConnection } from '../../../main/core/connections/types';
import { createContext, type AppContext } from '../../../main/context';

export interface SnapshotRow {
  id: string;
  deployment_id: string | null;
  state_type: string;
  state_name: string;
  run_count: number;
  auto_scheduled: boolean;
  next_scheduled_start_time: Date | null;
  created: Date;
}

export function superClient(h: HarnessInfo, database = h.pg.database): pg.Client {
  return new pg.Client({ host: h.pg.host, port: h.pg.port, user: h.pg.superuser.user, password: h.pg.superuser.password, database });
}

export function pgConnection(h: HarnessInfo, opts: { readOnly?: boolean; role?: 'owner' | 'monitor'; id?: string | null } = {}): ResolvedConnection {
  const role = opts.role === 'monitor' ? h.pg.monitor : h.pg.owner;
  return {
    id: opts.id ?? null,
    name: 'it-pg',
    apiUrl: h.prefectPg.apiUrl,
    apiAuth: { kind: 'none' },
    db: { kind: 'postgres', host: h.pg.host, port: h.pg.port, database: h.pg.database, user: role.user, password: role.password, sslmode: 'disable' },
    readOnly: opts.readOnly ?? false,
  };
}

/** Prefect's stale predicate, written independently of the SQL under test. */
export function isStale(r: SnapshotRow, cutoff: string, includeManual = false): boolean {
  return (
    r.state_type === 'SCHEDULED' &&
    (r.state_name === 'Scheduled' || r.state_name === 'Late') &&
    r.run_count === 0 &&
    (includeManual || r.auto_scheduled) &&
    r.next_scheduled_start_time !== null &&
    r.next_scheduled_start_time.getTime() < Date.parse(cutoff)
  );
}

export async function snapshot(h: HarnessInfo, deploymentIds: string[]): Promise<Map<string, SnapshotRow>> {
  const c = superClient(h);
  await c.connect();
  try {
    const r = await c.query<SnapshotRow>(
      `SELECT id::text, deployment_id::text, state_type::text, state_name, run_count, auto_scheduled, next_scheduled_start_time, created
         FROM flow_run WHERE deployment_id = ANY($1::uuid[])`,
      [deploymentIds],
    );
    return new Map(r.rows.map((x) => [x.id, x]));
  } finally {
    await c.end();
  }
}

/**
 * `beforeRuns` changes the deployments before their runs are written: before 3.3.4 any deployment
 * update makes Prefect delete its never-started auto-scheduled runs, past-due ones included
 * (models/deployments.py _delete_scheduled_runs without future_only), so a change made after seeding
 * would leave nothing to purge on those lines.
 */
export async function seedScenario(h: HarnessInfo, tag: string, volume: RunVolume, deploymentCount = 2, beforeRuns?: (deployments: SeededDeployment[]) => Promise<void>): Promise<SeededDeployment[]> {
  const api = prefectApi(h.prefectPg.apiUrl);
  const pool = `purge-pool-${tag}`;
  await createWorkPool(api, pool);
  const deployments = await seedDeployments(
    api,
    Array.from({ length: deploymentCount }, (_, i) => ({
      flow: `purge-flow-${tag}`,
      name: `dep-${i}`,
      schedules: [{ schedule: { kind: 'interval' as const, interval: 120 + 60 * i } }],
      workPool: pool,
      tags: ['purge-it'],
    })),
  );
  await beforeRuns?.(deployments);
  const plan = planSeed(targetsFromDeployments(deployments, { weight: () => 1 }), volume);
  await seedRunsPg({ host: h.pg.host, port: h.pg.port, user: h.pg.superuser.user, password: h.pg.superuser.password, database: h.pg.database }, plan);
  return deployments;
}

/** Adds logs and an artifact to some runs: Prefect has no FK from log/artifact to flow_run. */
export async function addLogsAndArtifacts(h: HarnessInfo, runIds: string[]): Promise<void> {
  const c = superClient(h);
  await c.connect();
  try {
    await c.query(
      `INSERT INTO log (id, created, updated, name, level, flow_run_id, message, timestamp)
       SELECT gen_random_uuid(), now(), now(), 'prefect.flow_runs.worker', 40, id, 'Failed to submit flow run: worker crashed', now()
         FROM unnest($1::uuid[]) AS id`,
      [runIds],
    );
    await c.query(
      `INSERT INTO artifact (id, created, updated, key, type, data, flow_run_id)
       SELECT gen_random_uuid(), now(), now(), NULL, 'markdown', to_jsonb('submission report'::text), id FROM unnest($1::uuid[]) AS id`,
      [runIds],
    );
  } finally {
    await c.end();
  }
}

export async function countWhere(h: HarnessInfo, table: 'log' | 'artifact' | 'flow_run_state' | 'flow_run', ids: string[]): Promise<number> {
  const c = superClient(h);
  await c.connect();
  try {
    const col = table === 'flow_run' ? 'id' : 'flow_run_id';
    const r = await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${col} = ANY($1::uuid[])`, [ids]);
    return Number(r.rows[0]!.n);
  } finally {
    await c.end();
  }
}

export function tempContext(): { ctx: AppContext; home: string; dispose(): Promise<void> } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-it-'));
  const ctx = createContext({ face: 'cli', home });
  return {
    ctx,
    home,
    async dispose() {
      await ctx.close();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

export const uniqueTag = () => crypto.randomBytes(3).toString('hex');
