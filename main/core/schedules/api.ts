/**
 * The Prefect REST calls the Schedules feature makes, typed, on top of the app's client (auth, CSRF,
 * retries, 429). Shapes from Prefect 3.9.1's server schemas (DeploymentResponse, DeploymentSchedule,
 * FlowRunFilter). Every write here has a documented side effect on runs (docs/prefect.md §8.2);
 * the comment on each says which, because the change plans count on them.
 *
 * Older servers: what the connected server accepts comes from targets/capabilities.ts. Where it
 * cannot filter runs by schedule (FlowRunFilter.created_by, 3.6.13), runs are listed and filtered
 * here; where it does not record the schedule at all (before 3.2), runs are matched by their times
 * (attribution.ts); schedule writes carry only the fields the server has.
 */
import { z } from 'zod';
import { AppError } from '../../../shared/errors';
import type { StoredSchedule } from '../../../shared/domain/schedules';
import { parseInstant } from '../../../shared/schedules/instant';
import { toSchedule } from '../../../shared/schedules/occurrences';
import { apiCapabilities, type ApiCapabilities } from '../targets/capabilities';
import { apiServerNow } from '../targets/server-clock';
import type { PrefectApi, RequestOptions } from '../targets/prefect-api';
import { onLattice, runsBySchedule } from './attribution';
import { chunks, mapLimit } from './concurrency';
import { sparseCounts } from './sparse-counts';

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

/** Every 3.x scheduler tags its runs so (models/deployments.py `_generate_scheduled_flow_runs`). */
export const AUTO_SCHEDULED_TAG = 'auto-scheduled';

export class SchedulesApi {
  private capsP: Promise<ApiCapabilities> | null = null;

  constructor(
    readonly api: PrefectApi,
    private readonly concurrency = 8,
  ) {}

  private o(signal?: AbortSignal): RequestOptions {
    return signal ? { signal } : {};
  }

  /** What this server accepts and does (probed once per server, see targets/capabilities.ts). */
  capabilities(signal?: AbortSignal): Promise<ApiCapabilities> {
    this.capsP ??= apiCapabilities(this.api, signal).catch((e: unknown) => {
      this.capsP = null;
      throw e;
    });
    return this.capsP;
  }

  /**
   * The FlowRunFilter part that picks runs the scheduler made: `created_by.type_ SCHEDULE` where the
   * server can filter on it, else the `auto-scheduled` tag every 3.x scheduler adds to its runs.
   */
  async madeByScheduler(signal?: AbortSignal): Promise<Record<string, unknown>> {
    return (await this.capabilities(signal)).filters.flowRunCreatedBy ? { created_by: { type_: ['SCHEDULE'] } } : { tags: { all_: [AUTO_SCHEDULED_TAG] } };
  }

  /** A schedule write with the fields this server has (unknown ones are a 422 there). */
  private async writeBody(s: StoredSchedule, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const fields = (await this.capabilities(signal)).schedules.fields;
    const body: Record<string, unknown> = { schedule: s.schedule, active: s.active };
    if (fields.has('parameters')) body.parameters = s.parameters;
    if (s.slug !== null && fields.has('slug')) body.slug = s.slug;
    if (s.maxScheduledRuns !== null && fields.has('max_scheduled_runs')) body.max_scheduled_runs = s.maxScheduledRuns;
    return body;
  }

  /** The server's clock, so plans and predictions use its "now" (targets/server-clock.ts). */
  serverNow(signal?: AbortSignal): Promise<number> {
    return apiServerNow(this.api.baseUrl, signal);
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
   *
   * Before Prefect 3.3.4 both delete every never-started auto-scheduled run (the plan counts them,
   * see plan.ts), and the PATCH also re-validates the deployment's parameters, which a deployment
   * created without a parameter schema fails with 409: there pause_deployment is the path that works.
   */
  async pause(id: string, signal?: AbortSignal): Promise<void> {
    if (!(await this.capabilities(signal)).schedules.updatesKeepPastDue) {
      return this.api.request('POST', `/deployments/${id}/pause_deployment`, undefined, { ...this.o(signal), idempotent: true });
    }
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
  async patchSchedule(deploymentId: string, s: StoredSchedule, signal?: AbortSignal): Promise<void> {
    const body = await this.writeBody(s, signal);
    return this.api.request('PATCH', `/deployments/${deploymentId}/schedules/${s.id}`, body, { ...this.o(signal), idempotent: true });
  }

  /** POST …/schedules (restore of a schedule someone deleted). Deletes no runs. */
  async createSchedule(deploymentId: string, s: StoredSchedule, signal?: AbortSignal): Promise<string> {
    const body = await this.writeBody(s, signal);
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

  /**
   * Per deployment: past-due Scheduled/Late runs, and scheduler-made runs whose schedule is gone.
   * Runs left behind need to know the schedule of each run: counted by the server where it filters
   * on created_by, from a listing where it only records it, and not at all before 3.2 (0, with the
   * degradation reported by the caller).
   */
  async backlog(deps: DeploymentInfo[], now: number, signal?: AbortSignal): Promise<Map<string, { pastDue: number; leftBehind: number }>> {
    const iso = new Date(now).toISOString();
    const caps = await this.capabilities(signal);
    const ids = deps.map((d) => d.id);
    const scheduled = (of: string[]) => ({ deployment_id: { any_: of }, state: { type: { any_: ['SCHEDULED'] } } });
    const opts = { concurrency: this.concurrency, ...(signal ? { signal } : {}) };
    const pastDueP = sparseCounts(
      ids,
      (of) => this.count({ ...scheduled(of), state: { type: { any_: ['SCHEDULED'] }, name: { any_: ['Scheduled', 'Late'] } }, next_scheduled_start_time: { before_: iso } }, signal),
      opts,
    );
    const scheduleIds = new Map(deps.map((d) => [d.id, d.schedules.map((s) => s.id)]));
    let leftBehindP: Promise<Map<string, number>>;
    if (caps.filters.flowRunCreatedBy) {
      // Runs its scheduler made minus those of a schedule it still has: additive over deployments,
      // since a schedule's runs belong to its own deployment.
      leftBehindP = sparseCounts(
        ids,
        async (of) => {
          const current = of.flatMap((id) => scheduleIds.get(id) ?? []);
          const [made, kept] = await Promise.all([
            this.count({ ...scheduled(of), created_by: { type_: ['SCHEDULE'] } }, signal),
            current.length ? this.count({ ...scheduled(of), created_by: { id_: current } }, signal) : Promise.resolve(0),
          ]);
          return Math.max(0, made - kept);
        },
        opts,
      );
    } else if (caps.schedules.runsAttributed) {
      // The server records created_by but cannot filter on it: list the scheduled runs, 50 deployments a request.
      leftBehindP = mapLimit(chunks(ids, 50), this.concurrency, (of) => this.runs(scheduled(of), signal), signal).then((parts) => {
        const n = new Map<string, number>(ids.map((id) => [id, 0]));
        for (const r of parts.flat()) {
          if (!r.deployment_id || r.created_by?.type !== 'SCHEDULE' || (scheduleIds.get(r.deployment_id) ?? []).includes(r.created_by.id ?? '')) continue;
          n.set(r.deployment_id, (n.get(r.deployment_id) ?? 0) + 1);
        }
        return n;
      });
    } else {
      leftBehindP = Promise.resolve(new Map());
    }
    const [pastDue, leftBehind] = await Promise.all([pastDueP, leftBehindP]);
    return new Map(ids.map((id) => [id, { pastDue: pastDue.get(id) ?? 0, leftBehind: leftBehind.get(id) ?? 0 }]));
  }

  /**
   * Future SCHEDULED runs of one schedule after `sinceIso`. `siblings` are the deployment's other
   * schedules: on servers that do not record the schedule (before 3.2) a run belongs to the schedule
   * whose times it falls on, so runs on a sibling's times are not this schedule's; runs on nobody's
   * times are kept (they are what the caller looks for: runs of an old schedule).
   */
  async scheduleRuns(deploymentId: string, schedule: StoredSchedule, siblings: readonly StoredSchedule[], sinceIso: string, signal?: AbortSignal): Promise<ApiRun[]> {
    const caps = await this.capabilities(signal);
    const base = { deployment_id: { any_: [deploymentId] }, state: { type: { any_: ['SCHEDULED'] } }, next_scheduled_start_time: { after_: sinceIso } };
    if (caps.filters.flowRunCreatedBy) return this.runs({ ...base, created_by: { id_: [schedule.id] } }, signal);
    const runs = await this.runs(base, signal);
    if (caps.schedules.runsAttributed) return runs.filter((r) => r.created_by?.id === schedule.id);
    const others = siblings.filter((s) => s.id !== schedule.id && s.active).flatMap((s) => {
      try {
        return [toSchedule(s.schedule)];
      } catch {
        return [];
      }
    });
    return runs.filter((r) => {
      if (!r.auto_scheduled) return false;
      const t = parseInstant(r.next_scheduled_start_time ?? '');
      return Number.isNaN(t) || !others.some((o) => onLattice(o, t));
    });
  }

  /** Held runs grouped by the schedule that made them (see attribution.ts). */
  async bySchedule(runs: readonly ApiRun[], deps: readonly DeploymentInfo[], signal?: AbortSignal): Promise<Map<string, ApiRun[]>> {
    return runsBySchedule(runs, deps, (await this.capabilities(signal)).schedules.runsAttributed);
  }

  /** Scheduled runs the scheduler made for deployments that no longer exist. */
  async orphaned(existingIds: string[], signal?: AbortSignal): Promise<number> {
    const base = { state: { type: { any_: ['SCHEDULED'] } }, ...(await this.madeByScheduler(signal)) };
    const all = await this.count(base, signal);
    if (all === 0) return 0;
    let mine = 0;
    for (const ids of chunks(existingIds, 200)) mine += await this.count({ ...base, deployment_id: { any_: ids } }, signal);
    return Math.max(0, all - mine);
  }
}
