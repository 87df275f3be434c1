/**
 * Inspecting through the Prefect REST API alone (Prefect Cloud, or a self-hosted server whose
 * database Housekeeper cannot reach). Counts come from POST /flow_runs/count (exact: the server counts
 * them), recent activity from POST /flow_runs/history. Space cannot be seen from the API at all, and
 * the report says so plainly instead of leaving the section blank.
 *
 * Cost on the server: a handful of count queries plus two per deployment with a backlog, capped at
 * MAX_DEPLOYMENTS deployments and run a few at a time.
 */
import { z } from 'zod';
import { AGE_BUCKET_DAYS, STATE_TYPES, TERMINAL_STATE_TYPES, type AgeBucket, type DeploymentBacklog, type RecentActivity, type RunHealth, type StateCount } from '../../../shared/domain/inspect';
import { AppError } from '../../../shared/errors';
import { apiCapabilities, degradationsFor } from '../targets/capabilities';
import type { PrefectApi } from '../targets/prefect-api';
import { NAME_TYPES } from './run-health-pg';
import type { ReportBuilder } from './sections';

export const MAX_DEPLOYMENTS = 300;
const CONCURRENCY = 4;

const DeploymentRowSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  flow_id: z.string(),
  paused: z.boolean().optional(),
  status: z.string().nullable().optional(),
  last_polled: z.string().nullable().optional(),
  schedules: z.array(z.looseObject({ id: z.string() })).optional(),
});
type DeploymentRow = z.infer<typeof DeploymentRowSchema>;

const RunRowSchema = z.looseObject({
  expected_start_time: z.string().nullable().optional(),
  next_scheduled_start_time: z.string().nullable().optional(),
});

const HistorySchema = z.array(
  z.looseObject({
    interval_start: z.string(),
    states: z.array(z.looseObject({ state_type: z.string(), count_runs: z.number() })),
  }),
);

/** Runs `fn` over `items`, `limit` at a time, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export interface ApiInspection {
  version: string | null;
  runs: RunHealth | null;
}

export async function inspectApi(api: PrefectApi, b: ReportBuilder, opts: { signal?: AbortSignal; now?: Date; hasDatabase?: boolean } = {}): Promise<ApiInspection> {
  const signal = opts.signal;
  const now = opts.now ?? new Date();
  const version = await b.run('server', async () => {
    const v = await api.assertSupportedVersion({ signal });
    return { value: v.version };
  });
  if (version === null) {
    b.skipped(['runs', 'orphans'], 'The Prefect API could not be reached.');
    b.unavailable('space', 'Needs database access.');
    b.unavailable('maintenance', 'Needs database access.');
    return { version: null, runs: null };
  }
  if (!opts.hasDatabase) {
    b.unavailable('space', 'Space needs database access: the Prefect API does not report table sizes, dead rows or bloat.');
    b.note(
      'space',
      'info',
      'Space needs database access: the Prefect API does not report table sizes, dead rows or bloat.',
      api.cloud
        ? 'Prefect Cloud manages its own database; run health below is all the API can show.'
        : 'Add the server\'s database (a postgresql:// URL or the SQLite file) to this connection to see where the space went.',
    );
    b.unavailable('maintenance', 'Live vacuum progress needs database access.');
  }
  const count = (body: Record<string, unknown>) => api.countFlowRuns(body, { signal });
  const runs = await b.run('runs', async () => {
    const warnings: string[] = [];
    let partial = false;
    const byType: StateCount[] = (
      await mapLimit(STATE_TYPES, CONCURRENCY, async (type) => ({ type, name: null, count: await count({ flow_runs: { state: { type: { any_: [type] } } } }), exact: true }))
    ).filter((t) => t.count > 0);
    const byName: StateCount[] = (
      await mapLimit(Object.keys(NAME_TYPES), CONCURRENCY, async (name) => ({
        type: NAME_TYPES[name] ?? null,
        name,
        count: await count({ flow_runs: { state: { name: { any_: [name] } } } }),
        exact: true,
      }))
    ).filter((n) => n.count > 0);
    const total = await count({});

    const deployments: DeploymentRow[] = [];
    for await (const page of api.paginate('/deployments/filter', { sort: 'NAME_ASC' }, undefined, { signal, schema: DeploymentRowSchema, maxItems: MAX_DEPLOYMENTS + 1 })) {
      deployments.push(...page);
    }
    if (deployments.length > MAX_DEPLOYMENTS) {
      partial = true;
      warnings.push(`More than ${MAX_DEPLOYMENTS} deployments: the per-deployment backlog covers the first ${MAX_DEPLOYMENTS} by name.`);
      deployments.length = MAX_DEPLOYMENTS;
    }
    const flowNames = new Map<string, string>();
    const flowIds = [...new Set(deployments.map((d) => d.flow_id))];
    for (let i = 0; i < flowIds.length; i += 200) {
      const flows = await api.filterFlows({ flows: { id: { any_: flowIds.slice(i, i + 200) } } }, { signal });
      for (const f of flows) flowNames.set(f.id, f.name);
    }
    const nowIso = now.toISOString();
    const lateFilter = (id: string) => ({ flow_runs: { state: { name: { any_: ['Late'] } }, deployment_id: { any_: [id] } } });
    const futureFilter = (id: string) => ({ flow_runs: { state: { type: { any_: ['SCHEDULED'] } }, next_scheduled_start_time: { after_: nowIso }, deployment_id: { any_: [id] } } });
    const firstOf = async (filter: Record<string, unknown>, sort: string, field: 'expected_start_time' | 'next_scheduled_start_time') => {
      const rows = await api.request('POST', '/flow_runs/filter', { ...filter, sort, limit: 1 }, { signal, schema: z.array(RunRowSchema) });
      return rows[0]?.[field] ?? null;
    };
    const backlog = async (d: DeploymentRow, kind: 'late' | 'future'): Promise<DeploymentBacklog | null> => {
      const filter = kind === 'late' ? lateFilter(d.id) : futureFilter(d.id);
      const n = await count(filter);
      if (n === 0) return null;
      const first = kind === 'late' ? await firstOf(filter, 'EXPECTED_START_TIME_ASC', 'expected_start_time') : await firstOf(filter, 'NEXT_SCHEDULED_START_TIME_ASC', 'next_scheduled_start_time');
      return {
        deploymentId: d.id,
        name: `${flowNames.get(d.flow_id) ?? d.flow_id.slice(0, 8)}/${d.name}`,
        exists: true,
        paused: d.paused ?? null,
        status: d.status ?? null,
        lastPolled: d.last_polled ?? null,
        count: n,
        first: first ? new Date(first).toISOString() : null,
        last: null,
      };
    };
    const lateTotal = await count({ flow_runs: { state: { name: { any_: ['Late'] } } } });
    const futureTotal = await count({ flow_runs: { state: { type: { any_: ['SCHEDULED'] } }, next_scheduled_start_time: { after_: nowIso } } });
    const lateList = lateTotal > 0 ? (await mapLimit(deployments, CONCURRENCY, (d) => backlog(d, 'late'))).filter((x): x is DeploymentBacklog => x !== null) : [];
    const futureList = futureTotal > 0 ? (await mapLimit(deployments, CONCURRENCY, (d) => backlog(d, 'future'))).filter((x): x is DeploymentBacklog => x !== null) : [];

    // Orphans by subtraction: SCHEDULED runs minus those of existing deployments minus deployment-less ones.
    const scheduled = byType.find((t) => t.type === 'SCHEDULED')?.count ?? 0;
    let deploymentGone: RunHealth['orphans']['deploymentGone'] = null;
    let scheduleGone: RunHealth['orphans']['scheduleGone'] = null;
    if (deployments.length < MAX_DEPLOYMENTS) {
      const ofExisting = deployments.length
        ? await count({ flow_runs: { state: { type: { any_: ['SCHEDULED'] } }, deployment_id: { any_: deployments.map((d) => d.id) } } })
        : 0;
      const noDeployment = await count({ flow_runs: { state: { type: { any_: ['SCHEDULED'] } }, deployment_id: { is_null_: true } } });
      deploymentGone = { count: Math.max(0, scheduled - ofExisting - noDeployment), deployments: 0, oldest: null };
      const caps = await apiCapabilities(api, signal);
      if (caps.filters.flowRunCreatedBy) {
        const scheduleIds = deployments.flatMap((d) => (d.schedules ?? []).map((s) => s.id));
        const bySchedule = await count({ flow_runs: { state: { type: { any_: ['SCHEDULED'] } }, created_by: { type_: ['SCHEDULE'] } } });
        const ofLive = scheduleIds.length
          ? await count({ flow_runs: { state: { type: { any_: ['SCHEDULED'] } }, created_by: { type_: ['SCHEDULE'], id_: scheduleIds } } })
          : 0;
        scheduleGone = { count: Math.max(0, bySchedule - ofLive - (deploymentGone?.count ?? 0)), oldest: null };
      } else {
        warnings.push(...degradationsFor(caps, 'inspect').map((d) => d.reason));
        partial = true;
      }
    }

    const terminalByAge: AgeBucket[] = await mapLimit(AGE_BUCKET_DAYS, CONCURRENCY, async (days) => {
      const before = new Date(now.getTime() - days * 86_400_000).toISOString();
      return { days, before, count: await count({ flow_runs: { state: { type: { any_: [...TERMINAL_STATE_TYPES] } }, end_time: { before_: before } } }), exact: true };
    });

    let recent: RecentActivity | null = null;
    try {
      const start = new Date(now.getTime() - 14 * 86_400_000);
      const hist = await api.request(
        'POST',
        '/flow_runs/history',
        { history_start: start.toISOString(), history_end: nowIso, history_interval_seconds: 86_400 },
        { signal, idempotent: true, schema: HistorySchema },
      );
      recent = {
        intervalSeconds: 86_400,
        points: hist.map((h) => ({
          start: new Date(h.interval_start).toISOString(),
          byType: h.states.reduce<Record<string, number>>((acc, s) => ({ ...acc, [s.state_type]: (acc[s.state_type] ?? 0) + s.count_runs }), {}),
        })),
      };
    } catch (e) {
      if (e instanceof AppError && e.code === 'CANCELLED') throw e;
      warnings.push(`Run history could not be read: ${(e as Error).message}`);
    }

    const value: RunHealth = {
      method: 'api',
      total,
      totalExact: true,
      byType: byType.sort((a, b) => b.count - a.count),
      byName: byName.sort((a, b) => b.count - a.count),
      late: { count: lateTotal, exact: true, deployments: lateList.sort((a, b) => b.count - a.count) },
      future: { count: futureTotal, exact: true, deployments: futureList.sort((a, b) => b.count - a.count) },
      terminalByAge,
      orphans: { deploymentGone, scheduleGone, logs: null, artifacts: null },
      recent,
    };
    return { value, partial, warnings };
  });
  if (runs) b.unavailable('orphans', 'Orphaned logs and artifacts need database access.');
  else b.skipped(['orphans'], 'Run health failed.');
  return { version, runs };
}
