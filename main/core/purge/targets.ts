/**
 * What the Purge screen offers to pick from: deployments (with how many of their runs are past due
 * and still SCHEDULED, index-backed by the partial scheduler index), work pools and queues.
 */
import type { ResolvedConnection } from '../connections/types';
import { PrefectApi } from '../targets/prefect-api';
import { PostgresTarget } from '../targets/postgres';
import { SqliteTarget } from '../targets/sqlite';
import type { PurgeTargets } from '../../../shared/contracts/purge';

export async function purgeTargets(conn: ResolvedConnection, signal?: AbortSignal): Promise<PurgeTargets> {
  const db = conn.db;
  if (db.kind === 'postgres') {
    const t = new PostgresTarget(db, { applicationName: 'housekeeper-purge' });
    try {
      return await t.readOnly(
        async (q) => {
          const deps = await q<{ id: string; name: string; past_due: number }>(
            `SELECT d.id::text AS id, f.name || '/' || d.name AS name, coalesce(c.n, 0) AS past_due
               FROM deployment d JOIN flow f ON f.id = d.flow_id
               LEFT JOIN (SELECT deployment_id, count(*) AS n FROM flow_run
                           WHERE state_type = 'SCHEDULED' AND next_scheduled_start_time < now()
                           GROUP BY deployment_id) c ON c.deployment_id = d.id
              ORDER BY c.n DESC NULLS LAST, name`,
          );
          const queues = await q<{ pool: string; queue: string }>(
            `SELECT wp.name AS pool, wq.name AS queue FROM work_queue wq JOIN work_pool wp ON wp.id = wq.work_pool_id ORDER BY 1, 2`,
          );
          return shape(deps.map((d) => ({ id: d.id, name: d.name, pastDue: Number(d.past_due) })), queues);
        },
        signal ? { signal } : {},
      );
    } finally {
      await t.close();
    }
  }
  if (db.kind === 'sqlite') {
    const t = new SqliteTarget(db.path);
    try {
      return t.readOnly((d) => {
        const deps = d
          .prepare(
            `SELECT d.id AS id, f.name || '/' || d.name AS name,
                    (SELECT count(*) FROM flow_run r WHERE r.deployment_id = d.id AND r.state_type = 'SCHEDULED'
                       AND r.next_scheduled_start_time < strftime('%Y-%m-%d %H:%M:%f', 'now')) AS past_due
               FROM deployment d JOIN flow f ON f.id = d.flow_id ORDER BY past_due DESC, name`,
          )
          .all() as { id: string; name: string; past_due: number }[];
        const queues = d.prepare('SELECT wp.name AS pool, wq.name AS queue FROM work_queue wq JOIN work_pool wp ON wp.id = wq.work_pool_id ORDER BY 1, 2').all() as { pool: string; queue: string }[];
        return shape(deps.map((x) => ({ id: x.id, name: x.name, pastDue: x.past_due })), queues);
      });
    } finally {
      t.close();
    }
  }
  const api = new PrefectApi(conn);
  const opts = signal ? { signal } : {};
  const flows = new Map<string, string>();
  for await (const page of api.paginate<{ id: string; name: string }>('/flows/filter', {}, undefined, opts)) for (const f of page) flows.set(f.id, f.name);
  const deps: PurgeTargets['deployments'] = [];
  for await (const page of api.paginate<{ id: string; name: string; flow_id: string }>('/deployments/filter', {}, undefined, opts)) {
    for (const d of page) deps.push({ id: d.id, name: `${flows.get(d.flow_id) ?? '?'}/${d.name}`, pastDue: null });
  }
  const queues: { pool: string; queue: string }[] = [];
  for await (const page of api.paginate<{ name: string; work_pool_name: string | null }>('/work_queues/filter', {}, undefined, opts)) {
    for (const q of page) queues.push({ pool: q.work_pool_name ?? '', queue: q.name });
  }
  return shape(deps.sort((a, b) => a.name.localeCompare(b.name)), queues);
}

function shape(deployments: PurgeTargets['deployments'], queues: { pool: string; queue: string }[]): PurgeTargets {
  return {
    deployments,
    workPools: [...new Set(queues.map((q) => q.pool))].filter(Boolean),
    workQueues: queues.map((q) => `${q.pool}/${q.queue}`),
  };
}
