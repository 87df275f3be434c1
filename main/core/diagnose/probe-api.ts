/**
 * Prefect API reads for Diagnose beyond Inspect and Schedules: which work queue each deployment uses
 * and when a worker last polled it, and (only when DEFAULT_LIMIT is raised) how long a list call
 * without a limit takes next to one with Prefect's default 200. Reads only.
 */
import { z } from 'zod';
import type { ApiProbe, WorkQueueView } from '../../../shared/domain/diagnose';
import { PREFECT_DEFAULT_LIMIT } from '../../../shared/domain/diagnose';
import type { PrefectApi } from '../targets/prefect-api';

const QueueSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  work_pool_name: z.string().nullable().optional(),
  last_polled: z.string().nullable().optional(),
  is_paused: z.boolean().optional(),
});
const DeploymentSchema = z.looseObject({ id: z.string(), work_queue_id: z.string().nullable().optional() });

/** Times of three calls each, in turn (so both see the same cache state); medians. */
const TIMINGS = 3;

export async function probeApi(api: PrefectApi, opts: { defaultLimit: number | null; signal?: AbortSignal }): Promise<ApiProbe> {
  const o = opts.signal ? { signal: opts.signal } : {};
  const queues: WorkQueueView[] = [];
  for await (const page of api.paginate('/work_queues/filter', {}, undefined, { ...o, schema: QueueSchema, maxItems: 5_000 })) {
    for (const q of page) queues.push({ id: q.id, name: q.name, pool: q.work_pool_name ?? null, lastPolled: q.last_polled ?? null, paused: q.is_paused ?? false });
  }
  const deploymentQueues: Record<string, string | null> = {};
  for await (const page of api.paginate('/deployments/filter', {}, undefined, { ...o, schema: DeploymentSchema, maxItems: 20_000 })) {
    for (const d of page) deploymentQueues[d.id] = d.work_queue_id ?? null;
  }
  let listLatency: ApiProbe['listLatency'] = null;
  if (opts.defaultLimit !== null && opts.defaultLimit > PREFECT_DEFAULT_LIMIT) {
    const time = async (body: Record<string, unknown>) => {
      const t0 = performance.now();
      const rows = await api.request<unknown[]>('POST', '/flow_runs/filter', body, o);
      return { ms: performance.now() - t0, rows: Array.isArray(rows) ? rows.length : 0 };
    };
    const unbounded: Array<{ ms: number; rows: number }> = [];
    const bounded: Array<{ ms: number; rows: number }> = [];
    for (let i = 0; i < TIMINGS; i++) {
      unbounded.push(await time({}));
      bounded.push(await time({ limit: PREFECT_DEFAULT_LIMIT }));
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    listLatency = {
      defaultLimit: opts.defaultLimit,
      rowsDefault: Math.max(...unbounded.map((x) => x.rows)),
      msDefault: med(unbounded.map((x) => x.ms)),
      rows200: Math.max(...bounded.map((x) => x.rows)),
      ms200: med(bounded.map((x) => x.ms)),
    };
  }
  return { queues, deploymentQueues, listLatency };
}
