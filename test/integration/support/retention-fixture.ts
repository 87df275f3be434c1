/**
 * A retention scenario on the harness's real Prefect (Postgres): fresh deployments (through the API)
 * with finished and live runs, states, task runs, logs and artifacts (seed-sql.ts), plus what makes
 * retention hard, added by SQL in Prefect's own shapes: subflows (finished and running) under old
 * parents, keyed artifacts whose artifact_collection "latest" must be repointed or removed, flow run
 * inputs, old and recent events with their resources, and orphaned logs. And the ground truth:
 * an independent JS statement of Prefect's vacuum predicate over a snapshot of the rows.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import type { HarnessInfo } from '../../harness/types';
import type { SeededDeployment } from '../../harness/seed-api';
import { seedScenario, superClient } from './purge-fixture';

export interface RunRow {
  id: string;
  deployment_id: string | null;
  parent_task_run_id: string | null;
  parent_run: string | null;
  state_type: string;
  end_time: Date | null;
}

export interface RetentionScenario {
  tag: string;
  deployments: SeededDeployment[];
  /** Subflows added: [parent run, subflow, finished?]. */
  subflows: Array<{ parent: string; sub: string; finished: boolean }>;
  keyA: string;
  keyB: string;
  eventName: string;
  orphanRun: string;
}

export const TERMINAL = ['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED'];

export async function q<T extends pg.QueryResultRow = Record<string, unknown>>(h: HarnessInfo, sql: string, params: unknown[] = [], database = h.pg.database): Promise<T[]> {
  const c = superClient(h, database);
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

export async function seedRetention(h: HarnessInfo, runsPerDeployment = 120): Promise<RetentionScenario> {
  const tag = crypto.randomBytes(3).toString('hex');
  const deployments = await seedScenario(
    h,
    tag,
    { completedOld: runsPerDeployment, failed: Math.ceil(runsPerDeployment / 6), cancelled: 6, crashed: 4, running: 3, late: 5, future: 5, manual: 8, artifactEvery: 5 },
    2,
  );
  const deps = deployments.map((d) => d.id);
  const c = superClient(h);
  await c.connect();
  const subflows: RetentionScenario['subflows'] = [];
  try {
    // Subflows: under 6 old finished parents, a finished subflow (ends 10 s before its parent) with a
    // task run and logs of its own, and a nested finished sub-subflow under the first; under 2 more,
    // a RUNNING subflow (must survive, becoming top-level as in Prefect).
    const parents = (
      await c.query<{ id: string; tr: string }>(
        `SELECT DISTINCT ON (fr.end_time, fr.id) fr.id::text, tr.id::text AS tr FROM flow_run fr JOIN task_run tr ON tr.flow_run_id = fr.id
          WHERE fr.deployment_id = ANY($1::uuid[]) AND fr.state_type = 'COMPLETED' AND fr.parent_task_run_id IS NULL
          ORDER BY fr.end_time, fr.id LIMIT 8`,
        [deps],
      )
    ).rows;
    const addSub = async (parentRun: string, parentTr: string, finished: boolean): Promise<string> => {
      const [row] = (
        await c.query<{ id: string }>(
          `INSERT INTO flow_run SELECT (jsonb_populate_record(NULL::flow_run, to_jsonb(p) || jsonb_build_object(
              'id', gen_random_uuid(), 'name', p.name || '-sub', 'parent_task_run_id', $2::uuid, 'deployment_id', NULL,
              'idempotency_key', NULL, 'state_id', NULL, 'auto_scheduled', false,
              'state_type', $3::text, 'state_name', $4::text,
              'end_time', CASE WHEN $3::text = 'RUNNING' THEN NULL ELSE p.end_time - interval '10 seconds' END))).*
             FROM flow_run p WHERE p.id = $1::uuid RETURNING id::text`,
          [parentRun, parentTr, finished ? 'COMPLETED' : 'RUNNING', finished ? 'Completed' : 'Running'],
        )
      ).rows;
      const sub = row!.id;
      await c.query(
        `INSERT INTO flow_run_state (id, created, updated, type, timestamp, name, flow_run_id)
         SELECT gen_random_uuid(), now(), now(), $2::state_type, now(), $3, $1::uuid`,
        [sub, finished ? 'COMPLETED' : 'RUNNING', finished ? 'Completed' : 'Running'],
      );
      await c.query(
        `INSERT INTO task_run (id, created, updated, name, flow_run_id, task_key, dynamic_key, state_type, state_name, empirical_policy, task_inputs, tags, run_count)
         VALUES (gen_random_uuid(), now(), now(), 'sub-task', $1::uuid, 'sub-task', '0', 'COMPLETED', 'Completed', '{}'::jsonb, '{}'::jsonb, '[]'::jsonb, 1)`,
        [sub],
      );
      await c.query(
        `INSERT INTO log (id, created, updated, name, level, flow_run_id, task_run_id, message, timestamp)
         SELECT gen_random_uuid(), now(), now(), 'prefect.task_runs', 20, $1::uuid, t.id, 'sub task log', now() FROM task_run t WHERE t.flow_run_id = $1::uuid`,
        [sub],
      );
      subflows.push({ parent: parentRun, sub, finished });
      return sub;
    };
    for (const [i, p] of parents.entries()) {
      const sub = await addSub(p.id, p.tr, i < 6);
      if (i === 0) {
        const [tr] = (await c.query<{ id: string }>('SELECT id::text FROM task_run WHERE flow_run_id = $1::uuid LIMIT 1', [sub])).rows;
        await addSub(sub, tr!.id, true);
      }
    }

    // Keyed artifacts. Key A: only on old runs (its collection row must go). Key B: the latest is on
    // an old run, an older one on a live run (the collection must be repointed to it).
    const keyA = `rt-${tag}-a`;
    const keyB = `rt-${tag}-b`;
    const old = (await c.query<{ id: string }>(`SELECT id::text FROM flow_run WHERE deployment_id = ANY($1::uuid[]) AND state_type = 'COMPLETED' ORDER BY end_time LIMIT 3`, [deps])).rows.map((r) => r.id);
    const [live] = (await c.query<{ id: string }>(`SELECT id::text FROM flow_run WHERE deployment_id = ANY($1::uuid[]) AND state_type = 'RUNNING' LIMIT 1`, [deps])).rows;
    const art = async (key: string, run: string, createdAgo: string) =>
      (
        await c.query<{ id: string }>(
          `INSERT INTO artifact (id, created, updated, key, type, data, description, flow_run_id)
           VALUES (gen_random_uuid(), now() - $3::interval, now() - $3::interval, $1, 'markdown', to_jsonb('report'::text), $1, $2::uuid) RETURNING id::text`,
          [key, run, createdAgo],
        )
      ).rows[0]!.id;
    await art(keyA, old[0]!, '3 hours');
    const a2 = await art(keyA, old[1]!, '2 hours');
    await art(keyB, live!.id, '5 hours');
    const b2 = await art(keyB, old[2]!, '1 hour');
    for (const [key, latest] of [[keyA, a2], [keyB, b2]] as const) {
      await c.query(
        `INSERT INTO artifact_collection (id, created, updated, key, latest_id, type, data, description, flow_run_id)
         SELECT gen_random_uuid(), a.created, a.updated, a.key, a.id, a.type, a.data, a.description, a.flow_run_id FROM artifact a WHERE a.id = $1::uuid AND a.key = $2
         ON CONFLICT (key) DO NOTHING`,
        [latest, key],
      );
    }
    // Flow run inputs on the three oldest runs.
    for (const run of old) {
      await c.query(`INSERT INTO flow_run_input (id, created, updated, key, value, flow_run_id) VALUES (gen_random_uuid(), now(), now(), 'approval', '"yes"', $1::uuid)`, [run]);
    }
    // Events: 30 very old (500 days) and 10 recent, each with two resources, as the event persister writes them.
    const eventName = `rt-${tag}.test`;
    for (const [n, ago] of [[30, '500 days'], [10, '1 day']] as const) {
      await c.query(
        `WITH e AS (
           INSERT INTO events (id, created, updated, occurred, event, resource_id, resource, related_resource_ids, related, payload, received, recorded, follows)
           SELECT gen_random_uuid(), now(), now(), now() - $2::interval - make_interval(secs => g), $1, 'prefect.flow-run.x', '{}'::jsonb, '[]'::jsonb, '[]'::jsonb, '{}'::jsonb, now(), now(), NULL
             FROM generate_series(1, $3::int) g RETURNING id, occurred)
         INSERT INTO event_resources (id, created, updated, occurred, resource_id, resource_role, resource, event_id)
         SELECT gen_random_uuid(), now(), now(), e.occurred, 'prefect.flow-run.x', r, '{}'::jsonb, e.id FROM e CROSS JOIN (VALUES (''), ('flow')) v(r)`,
        [eventName, ago, n],
      );
    }
    // Orphaned logs: their run does not exist.
    const orphanRun = crypto.randomUUID();
    await c.query(
      `INSERT INTO log (id, created, updated, name, level, flow_run_id, message, timestamp)
       SELECT gen_random_uuid(), now(), now(), 'prefect.flow_runs', 20, $1::uuid, 'left behind', now() FROM generate_series(1, 5)`,
      [orphanRun],
    );
    return { tag, deployments, subflows, keyA, keyB, eventName, orphanRun };
  } finally {
    await c.end();
  }
}

/** Every run of the scenario (top-level of its deployments, and the subflows under them). */
export async function runsOf(h: HarnessInfo, s: RetentionScenario, database = h.pg.database): Promise<Map<string, RunRow>> {
  const rows = await q<RunRow>(
    h,
    `WITH RECURSIVE t AS (
       SELECT fr.id FROM flow_run fr WHERE fr.deployment_id = ANY($1::uuid[])
       UNION SELECT fr.id FROM flow_run fr JOIN task_run tr ON tr.id = fr.parent_task_run_id JOIN t ON tr.flow_run_id = t.id
     )
     SELECT fr.id::text, fr.deployment_id::text, fr.parent_task_run_id::text, tr.flow_run_id::text AS parent_run, fr.state_type::text, fr.end_time
       FROM flow_run fr LEFT JOIN task_run tr ON tr.id = fr.parent_task_run_id WHERE fr.id IN (SELECT id FROM t)
        OR fr.id = ANY($2::uuid[])`,
    [s.deployments.map((d) => d.id), s.subflows.map((x) => x.sub)],
    database,
  );
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * Prefect's vacuum predicate, independently: top-level, terminal, ended before the cutoff (of the
 * chosen deployments); plus, transitively, subflows of deleted runs that are terminal and ended
 * before the cutoff (Prefect takes them on its next pass, once their parent is gone).
 */
export function expectedDeleted(runs: Map<string, RunRow>, cutoff: string, deploymentIds?: string[]): Set<string> {
  const cut = Date.parse(cutoff);
  const old = (r: RunRow) => TERMINAL.includes(r.state_type) && r.end_time !== null && r.end_time.getTime() < cut;
  const out = new Set<string>();
  for (const r of runs.values()) {
    if (r.parent_task_run_id === null && old(r) && (!deploymentIds || (r.deployment_id !== null && deploymentIds.includes(r.deployment_id)))) out.add(r.id);
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of runs.values()) {
      if (!out.has(r.id) && r.parent_run && out.has(r.parent_run) && old(r)) {
        out.add(r.id);
        changed = true;
      }
    }
  }
  return out;
}

/** A cutoff about halfway through the scenario's finished runs, as a duration ("NNh"). */
export function midOlderThan(runs: Map<string, RunRow>, now = Date.now()): string {
  const ends = [...runs.values()].filter((r) => r.end_time && r.parent_task_run_id === null).map((r) => r.end_time!.getTime()).sort((a, b) => a - b);
  const mid = ends[Math.floor(ends.length / 2)]!;
  return `${Math.max(2, Math.ceil((now - mid) / 3_600_000))}h`;
}

export async function childCount(h: HarnessInfo, table: 'flow_run_state' | 'task_run' | 'log' | 'artifact' | 'flow_run_input', runIds: string[], database = h.pg.database): Promise<number> {
  const [r] = await q<{ n: string }>(h, `SELECT count(*) AS n FROM ${table} WHERE flow_run_id = ANY($1::uuid[])`, [runIds], database);
  return Number(r!.n);
}
