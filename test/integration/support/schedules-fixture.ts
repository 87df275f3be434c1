/**
 * Schedules scenarios on a real Prefect server: deployments with every kind of schedule created
 * through the API (so Prefect normalises them as it does for `prefect deploy`), runs created by
 * Prefect's own generator (POST /deployments/{id}/schedule, the scheduler's code path), and the SQL
 * pokes that only a damaged server has (a stored rrule without DTSTART, runs of a deleted deployment).
 */
import pg from 'pg';
import type { HarnessInfo } from '../../harness/types';
import { prefectApi, type HarnessApi } from '../../harness/prefect-api';
import { seedDeployments, type DeploymentSpec, type SeededDeployment } from '../../harness/seed-api';
import type { ResolvedConnection } from '../../../main/core/connections/types';

export function apiConnection(apiUrl: string, opts: { readOnly?: boolean; name?: string; db?: ResolvedConnection['db'] } = {}): ResolvedConnection {
  return { id: null, name: opts.name ?? 'it-schedules', apiUrl, apiAuth: { kind: 'none' }, db: opts.db ?? { kind: 'none' }, readOnly: opts.readOnly ?? false };
}

export async function createDeployments(apiUrl: string, specs: DeploymentSpec[]): Promise<SeededDeployment[]> {
  return seedDeployments(prefectApi(apiUrl), specs, { concurrency: 4 });
}

/** Prefect's own generator for a deployment (the scheduler's code path), with optional overrides. */
export async function scheduleRuns(api: HarnessApi, deploymentId: string, body: { start_time?: string; end_time?: string; min_runs?: number; max_runs?: number; min_time?: number } = {}): Promise<void> {
  await api.post(`/deployments/${deploymentId}/schedule`, body);
}

export interface RunRow {
  id: string;
  next_scheduled_start_time: string;
  state_type: string;
  state_name: string;
  created_by: { id: string | null; type: string | null } | null;
  auto_scheduled: boolean;
}

export async function runsOf(api: HarnessApi, deploymentId: string, extra: Record<string, unknown> = {}): Promise<RunRow[]> {
  const out: RunRow[] = [];
  for (let offset = 0; ; offset += 200) {
    const page = await api.post<RunRow[]>('/flow_runs/filter', {
      flow_runs: { deployment_id: { any_: [deploymentId] }, ...extra },
      sort: 'NEXT_SCHEDULED_START_TIME_ASC',
      limit: 200,
      offset,
    });
    out.push(...page);
    if (page.length < 200) return out;
  }
}

export function superClient(h: HarnessInfo, database = h.pg.database): pg.Client {
  return new pg.Client({ host: h.pg.host, port: h.pg.port, user: h.pg.superuser.user, password: h.pg.superuser.password, database });
}

export async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(h: HarnessInfo, text: string, params: unknown[] = [], database?: string): Promise<T[]> {
  const c = superClient(h, database);
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}

/** A minute of the hour a few minutes away, so cron/rrule boundaries never fall inside a test's window. */
export function quietMinute(now = new Date(), aheadMinutes = 7): number {
  return (now.getUTCMinutes() + aheadMinutes) % 60;
}
