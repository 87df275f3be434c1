/**
 * The Prefect REST calls the Schedules feature makes, typed, on top of the app's client (auth, CSRF,
 * retries, 429). Shapes from Prefect 3.9.1's server schemas (DeploymentResponse, DeploymentSchedule,
 * FlowRunFilter). Every write here has a documented side effect on runs (docs/prefect.md §8.2);
 * the comment on each says which, because the change plans count on them.
 */
import { z } from 'zod';
import { AppError } from '../../../shared/errors';
import type { StoredSchedule } from '../../../shared/domain/schedules';
import type { PrefectApi, RequestOptions } from '../targets/prefect-api';
import { chunks, mapLimit } from './concurrency';

const ScheduleSchema = z.looseObject({
  id: z.string(),
  schedule: z.record(z.string(), z.unknown()),
  active: z.boolean(),
  parameters: z.record(z.string(), z.unknown()).nullable().optional(),
  slug: z.string().nullable().optional(),
  max_scheduled_runs: z.number().nullable().optional(),
  updated: z.string().nullable().optional(),
});

export const ApiDeploymentSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  flow_id: z.string(),
  paused: z.boolean().optional(),
  updated: z.string().nullable().optional(),
  schedules: z.array(ScheduleSchema).nullable().optional(),
});
export type ApiDeployment = z.infer<typeof ApiDeploymentSchema>;

export interface ApiRun {
  id: string;
  deployment_id: string | null;
  next_scheduled_start_time: string | null;
  state_type: string | null;
  state_name: string | null;
  run_count: number;
  auto_scheduled: boolean;
  created_by: { id?: string | null; type?: string | null } | null;
}

export function storedOf(s: z.infer<typeof ScheduleSchema>): StoredSchedule {
  return {
    id: s.id,
    schedule: s.schedule,
    active: s.active,
    parameters: s.parameters ?? {},
    slug: s.slug ?? null,
    maxScheduledRuns: s.max_scheduled_runs ?? null,
  };
}

export interface DeploymentInfo {
  id: string;
  name: string;
  flowName: string;
  fullName: string;
  paused: boolean;
  updated: string | null;
  schedules: StoredSchedule[];
}

export class SchedulesApi {
  constructor(
    readonly api: PrefectApi,
    private readonly concurrency = 8,
  ) {}

  private o(signal?: AbortSignal): RequestOptions {
    return signal ? { signal } : {};
  }

  /** The server's clock (the Date header of a cheap call), so plans and predictions use its "now". */
  async serverNow(signal?: AbortSignal): Promise<number> {
    const before = Date.now();
    const res = await fetch(`${this.api.baseUrl}/health`, signal ? { signal } : {}).catch(() => null);
    const date = res?.headers.get('date');
    const server = date ? Date.parse(date) : Number.NaN;
    // The header has whole seconds: keep the local clock unless they disagree by more than that.
    return Number.isNaN(server) || Math.abs(server - before) < 2000 ? Date.now() : server + (Date.now() - before);
  }

  async deployments(signal?: AbortSignal): Promise<DeploymentInfo[]> {
    const flows = new Map<string, string>();
    for await (const page of this.api.paginate<{ id: string; name: string }>('/flows/filter', {}, undefined, this.o(signal))) for (const f of page) flows.set(f.id, f.name);
    const out: DeploymentInfo[] = [];
    const seen = new Set<string>();
    for await (const page of this.api.paginate<ApiDeployment>('/deployments/filter', { sort: 'NAME_ASC' }, undefined, { ...this.o(signal), schema: ApiDeploymentSchema })) {
      for (const d of page) {
        if (seen.has(d.id)) continue;
        seen.add(d.id);
        out.push(this.info(d, flows.get(d.flow_id) ?? '?'));
      }
    }
    return out.sort((a, b) => a.fullName.localeCompare(b.fullName));
  }

  info(d: ApiDeployment, flowName: string): DeploymentInfo {
    return {
      id: d.id,
      name: d.name,
      flowName,
      fullName: `${flowName}/${d.name}`,
      paused: d.paused ?? false,
      updated: d.updated ?? null,
      schedules: (d.schedules ?? []).map(storedOf),
    };
  }

  /** GET /deployments/{id}; null when it no longer exists. */
  async deployment(id: string, flowName: string, signal?: AbortSignal): Promise<DeploymentInfo | null> {
    try {
      const d = await this.api.request('GET', `/deployments/${id}`, undefined, { ...this.o(signal), schema: ApiDeploymentSchema });
      return this.info(d, flowName);
    } catch (e) {
      if (e instanceof AppError && e.details?.status === 404) return null;
      throw e;
    }
  }

  /**
   * Pause without touching the Late backlog: PATCH /deployments/{id} {paused: true}. Prefect's
   * update_deployment deletes the deployment's *future* auto-scheduled runs (future_only=True) and the
   * scheduler skips paused deployments. POST …/pause_deployment would also delete every past-due
   * auto-scheduled run, outside any plan Housekeeper showed.
   */
  pause(id: string, signal?: AbortSignal): Promise<void> {
    return this.api.request('PATCH', `/deployments/${id}`, { paused: true }, { ...this.o(signal), idempotent: true });
  }

  /** POST …/resume_deployment: paused=false and `updated` bumped, so the recent-deployments loop refills in seconds. */
  resume(id: string, signal?: AbortSignal): Promise<void> {
    return this.api.request('POST', `/deployments/${id}/resume_deployment`, undefined, { ...this.o(signal), idempotent: true });
  }

  /**
   * PATCH one schedule with *every* field: Prefect writes model_dump(exclude_none=True) of the update,
   * whose `parameters` defaults to {} (not None), so a PATCH without them wipes the schedule's
   * parameter overrides (docs/prefect.md §8.1). Deletes the deployment's future auto runs.
   */
  patchSchedule(deploymentId: string, s: StoredSchedule, signal?: AbortSignal): Promise<void> {
    const body: Record<string, unknown> = { schedule: s.schedule, active: s.active, parameters: s.parameters };
    if (s.slug !== null) body.slug = s.slug;
    if (s.maxScheduledRuns !== null) body.max_scheduled_runs = s.maxScheduledRuns;
    return this.api.request('PATCH', `/deployments/${deploymentId}/schedules/${s.id}`, body, { ...this.o(signal), idempotent: true });
  }

  /** POST …/schedules (restore of a schedule someone deleted). Deletes no runs. */
  async createSchedule(deploymentId: string, s: StoredSchedule, signal?: AbortSignal): Promise<string> {
    const body: Record<string, unknown> = { schedule: s.schedule, active: s.active, parameters: s.parameters };
    if (s.slug !== null) body.slug = s.slug;
    if (s.maxScheduledRuns !== null) body.max_scheduled_runs = s.maxScheduledRuns;
    const created = await this.api.request<Array<{ id: string }>>('POST', `/deployments/${deploymentId}/schedules`, [body], this.o(signal));
    const id = created?.[0]?.id;
    if (!id) throw new AppError('PREFECT_HTTP', 'Prefect did not return the created schedule.');
    return id;
  }

  /** Runs matching a FlowRunFilter, all pages, deduplicated (offset paging over a changing table). */
  async runs(flowRuns: Record<string, unknown>, signal?: AbortSignal, maxItems = 100_000): Promise<ApiRun[]> {
    const seen = new Map<string, ApiRun>();
    const body = { flow_runs: flowRuns, sort: 'NEXT_SCHEDULED_START_TIME_ASC' };
    for await (const page of this.api.paginate<ApiRun>('/flow_runs/filter', body, undefined, { ...this.o(signal), maxItems })) for (const r of page) seen.set(r.id, r);
    return [...seen.values()];
  }

  /** Future SCHEDULED runs of these deployments (what the scheduler counts), in chunks of 50 ids. */
  async futureRuns(deploymentIds: string[], now: number, signal?: AbortSignal): Promise<ApiRun[]> {
    const parts = await mapLimit(
      chunks(deploymentIds, 50),
      4,
      (ids) => this.runs({ deployment_id: { any_: ids }, state: { type: { any_: ['SCHEDULED'] } }, next_scheduled_start_time: { after_: new Date(now).toISOString() } }, signal),
      signal,
    );
    return parts.flat();
  }

  count(flowRuns: Record<string, unknown>, signal?: AbortSignal): Promise<number> {
    return this.api.countFlowRuns({ flow_runs: flowRuns }, this.o(signal));
  }

  /** Per deployment: past-due Scheduled/Late runs, and scheduler-made runs whose schedule is gone. */
  async backlog(deps: DeploymentInfo[], now: number, signal?: AbortSignal): Promise<Map<string, { pastDue: number; leftBehind: number }>> {
    const iso = new Date(now).toISOString();
    const rows = await mapLimit(
      deps,
      this.concurrency,
      async (d) => {
        const base = { deployment_id: { any_: [d.id] }, state: { type: { any_: ['SCHEDULED'] } } };
        const [pastDue, made, current] = await Promise.all([
          this.count({ ...base, state: { type: { any_: ['SCHEDULED'] }, name: { any_: ['Scheduled', 'Late'] } }, next_scheduled_start_time: { before_: iso } }, signal),
          this.count({ ...base, created_by: { type_: ['SCHEDULE'] } }, signal),
          d.schedules.length ? this.count({ ...base, created_by: { id_: d.schedules.map((s) => s.id) } }, signal) : Promise.resolve(0),
        ]);
        return [d.id, { pastDue, leftBehind: Math.max(0, made - current) }] as const;
      },
      signal,
    );
    return new Map(rows);
  }

  /** Scheduled runs the scheduler made for deployments that no longer exist. */
  async orphaned(existingIds: string[], signal?: AbortSignal): Promise<number> {
    const base = { state: { type: { any_: ['SCHEDULED'] } }, created_by: { type_: ['SCHEDULE'] } };
    const all = await this.count(base, signal);
    if (all === 0) return 0;
    let mine = 0;
    for (const ids of chunks(existingIds, 200)) mine += await this.count({ ...base, deployment_id: { any_: ids } }, signal);
    return Math.max(0, all - mine);
  }
}
