/**
 * Seeding through Prefect's REST API: work pools, flows, deployments and their schedules.
 *
 * Why the API for these (and SQL only for runs): deployments and schedules are few, and going
 * through Prefect's own validation gives exactly the rows a real `prefect deploy` produces
 * (normalised schedules, rrule DTSTART injection, default work queue wiring, labels). Runs are many,
 * so seed-sql.ts writes those directly.
 *
 * Shapes follow Prefect 3.9.1's server schemas (`DeploymentCreate`, `DeploymentScheduleCreate`,
 * `IntervalSchedule` / `CronSchedule` / `RRuleSchedule` in prefect/server/schemas). Older releases
 * refuse fields they do not have (`extra="forbid"`): a schedule's `slug` and `parameters` exist from
 * 3.2, so on older servers they are left out (`scheduleFields`, from server-facts.ts) and the seeded
 * schedule has no slug and no parameter overrides, as it would there.
 */
import type { HarnessApi } from './prefect-api';
import { scheduleFieldsOf } from './server-facts';

export type ScheduleSpec =
  /** `interval` in seconds; `anchorDate` ISO (Prefect defaults it to "now" when omitted). */
  | { kind: 'interval'; interval: number; anchorDate?: string; timezone?: string }
  | { kind: 'cron'; cron: string; timezone?: string; dayOr?: boolean }
  /** Without DTSTART Prefect injects one on write (see docs/prefect.md §8.1). */
  | { kind: 'rrule'; rrule: string; timezone?: string };

export interface DeploymentScheduleSpec {
  schedule: ScheduleSpec;
  active?: boolean;
  parameters?: Record<string, unknown>;
  slug?: string;
}

export interface DeploymentSpec {
  /** Flow name; flows are upserted by name, so several deployments may share one. */
  flow: string;
  name: string;
  schedules: DeploymentScheduleSpec[];
  paused?: boolean;
  parameters?: Record<string, unknown>;
  tags?: string[];
  description?: string;
  /** Work pool (must exist, see createWorkPool); runs then get work_queue_name/work_queue_id. */
  workPool?: string;
  workQueue?: string;
}

export interface SeededSchedule {
  id: string;
  active: boolean;
  slug: string | null;
  parameters: Record<string, unknown>;
  /** The schedule JSON as Prefect stored it (e.g. rrule with injected DTSTART). */
  schedule: Record<string, unknown>;
  /** What Prefect writes to flow_run.created_by.display_value: the slug or the schedule class name. */
  displayValue: string;
  /** The spec it came from. */
  spec: ScheduleSpec;
}

export interface SeededDeployment {
  id: string;
  name: string;
  /** "<flow>/<deployment>", the form Prefect's CLI uses. */
  fullName: string;
  flowId: string;
  flowName: string;
  paused: boolean;
  tags: string[];
  parameters: Record<string, unknown>;
  workQueueName: string | null;
  workQueueId: string | null;
  /** In the order of the spec (Prefect returns them sorted by `updated`). */
  schedules: SeededSchedule[];
  /**
   * Whether this server's scheduler records the schedule in its runs (created_by, keys): true from
   * Prefect 3.2, the release that also brought schedule slugs, which is how it is told here.
   */
  runsAttributed: boolean;
}

export interface SeededWorkPool {
  id: string;
  name: string;
  type: string;
  defaultQueueId: string;
}

/** Wire format of a schedule, exactly as DeploymentScheduleCreate.schedule expects it. */
export function scheduleBody(s: ScheduleSpec): Record<string, unknown> {
  switch (s.kind) {
    case 'interval':
      return {
        interval: s.interval,
        ...(s.anchorDate ? { anchor_date: s.anchorDate } : {}),
        ...(s.timezone ? { timezone: s.timezone } : {}),
      };
    case 'cron':
      return { cron: s.cron, ...(s.timezone ? { timezone: s.timezone } : {}), ...(s.dayOr === undefined ? {} : { day_or: s.dayOr }) };
    case 'rrule':
      return { rrule: s.rrule, ...(s.timezone ? { timezone: s.timezone } : {}) };
  }
}

const SCHEDULE_CLASS: Record<ScheduleSpec['kind'], string> = {
  interval: 'IntervalSchedule',
  cron: 'CronSchedule',
  rrule: 'RRuleSchedule',
};

/** Creates a work pool (type "process" needs no worker to exist). Returns the existing one on 409. */
export async function createWorkPool(api: HarnessApi, name: string, type = 'process'): Promise<SeededWorkPool> {
  interface PoolResponse {
    id: string;
    name: string;
    type: string;
    default_queue_id: string;
  }
  let pool: PoolResponse;
  const res = await api.raw('POST', '/work_pools/', { name, type }, { retryOnClose: true }); // 409 below: safe to send twice
  if (res.status === 409) {
    pool = await api.get<PoolResponse>(`/work_pools/${encodeURIComponent(name)}`);
  } else if (res.ok) {
    pool = (await res.json()) as PoolResponse;
  } else {
    throw new Error(`POST /work_pools/ ${name} -> ${res.status}: ${await res.text()}`);
  }
  return { id: pool.id, name: pool.name, type: pool.type, defaultQueueId: pool.default_queue_id };
}

/** Upserts a flow by name (POST /flows/ returns the existing flow for a known name). */
export async function createFlow(api: HarnessApi, name: string): Promise<{ id: string; name: string }> {
  const flow = await api.post<{ id: string; name: string }>('/flows/', { name });
  return { id: flow.id, name: flow.name };
}

interface DeploymentResponse {
  id: string;
  name: string;
  flow_id: string;
  paused: boolean;
  tags: string[];
  parameters: Record<string, unknown>;
  work_queue_name: string | null;
  /** Absent before 3.6. */
  work_queue_id?: string | null;
  schedules: {
    id: string;
    active: boolean;
    /** Absent before 3.2. */
    slug?: string | null;
    parameters?: Record<string, unknown>;
    schedule: Record<string, unknown>;
  }[];
}

/**
 * Creates one deployment per spec, in spec order in the result. Sequential by default (SQLite
 * dislikes concurrent writers); `concurrency` > 1 is fine on Postgres (the demo's 80 deployments).
 * Schedules in the response are matched back to the spec by slug/active/schedule JSON, since
 * Prefect returns them sorted by `updated`, not in the order sent.
 */
export async function seedDeployments(
  api: HarnessApi,
  specs: DeploymentSpec[],
  opts: { concurrency?: number; scheduleFields?: ReadonlySet<string> } = {},
): Promise<SeededDeployment[]> {
  const fields = opts.scheduleFields ?? (await scheduleFieldsFor(api));
  const flowIds = new Map<string, string>();
  for (const flow of new Set(specs.map((s) => s.flow))) flowIds.set(flow, (await createFlow(api, flow)).id);
  const out: SeededDeployment[] = new Array(specs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < specs.length) {
      const i = next++;
      out[i] = await createDeployment(api, specs[i]!, flowIds.get(specs[i]!.flow)!, fields);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 1) }, worker));
  return out;
}

const fieldsByServer = new Map<string, Promise<Set<string>>>();
/** DeploymentScheduleCreate's fields on this server (from its /openapi.json, once per server). */
function scheduleFieldsFor(api: HarnessApi): Promise<Set<string>> {
  let p = fieldsByServer.get(api.apiUrl);
  if (!p) {
    p = api.get<Record<string, unknown>>('/openapi.json').then(scheduleFieldsOf);
    fieldsByServer.set(api.apiUrl, p);
    p.catch(() => fieldsByServer.delete(api.apiUrl));
  }
  return p;
}

async function createDeployment(api: HarnessApi, spec: DeploymentSpec, flowId: string, fields: ReadonlySet<string>): Promise<SeededDeployment> {
  const has = (f: string) => fields.has(f);
  const body = {
    flow_id: flowId,
    name: spec.name,
    paused: spec.paused ?? false,
    parameters: spec.parameters ?? {},
    tags: spec.tags ?? [],
    // What newer servers default to and `prefect deploy` always sends. Without it, Prefect < 3.1's
    // DeploymentCreate stores none, and with enforce_parameter_schema (the default) every later
    // PATCH of the deployment is refused with 409 (api/deployments.py update_deployment).
    parameter_openapi_schema: { type: 'object', properties: {} },
    ...(spec.description ? { description: spec.description } : {}),
    // The pool's default queue is called "default"; naming it makes runs carry work_queue_name.
    ...(spec.workPool ? { work_pool_name: spec.workPool, work_queue_name: spec.workQueue ?? 'default' } : {}),
    ...(!spec.workPool && spec.workQueue ? { work_queue_name: spec.workQueue } : {}),
    schedules: spec.schedules.map((s) => ({
      schedule: scheduleBody(s.schedule),
      active: s.active ?? true,
      ...(has('parameters') ? { parameters: s.parameters ?? {} } : {}),
      ...(s.slug && has('slug') ? { slug: s.slug } : {}),
    })),
  };
  const dep = await api.post<DeploymentResponse>('/deployments/', body);
  // DeploymentResponse has work_queue_id from 3.6 only; the deployment has one all along (its runs get it).
  if (dep.work_queue_id === undefined && dep.work_queue_name && spec.workPool) {
    dep.work_queue_id = (await api.get<{ id: string }>(`/work_pools/${encodeURIComponent(spec.workPool)}/queues/${encodeURIComponent(dep.work_queue_name)}`)).id;
  }
  const remaining = [...dep.schedules];
  const schedules: SeededSchedule[] = spec.schedules.map((s) => {
    const slug = s.slug && has('slug') ? s.slug : null;
    const idx = remaining.findIndex(
      (r) =>
        (r.slug ?? null) === slug &&
        r.active === (s.active ?? true) &&
        sameSchedule(r.schedule, s.schedule),
    );
    const found = idx >= 0 ? remaining.splice(idx, 1)[0] : undefined;
    if (!found) throw new Error(`deployment ${spec.name}: could not find created schedule ${JSON.stringify(s)}`);
    return {
      id: found.id,
      active: found.active,
      slug: found.slug ?? null,
      parameters: found.parameters ?? {},
      schedule: found.schedule,
      displayValue: found.slug ?? SCHEDULE_CLASS[s.schedule.kind],
      spec: s.schedule,
    };
  });
  return {
    id: dep.id,
    name: dep.name,
    fullName: `${spec.flow}/${dep.name}`,
    flowId,
    flowName: spec.flow,
    paused: dep.paused,
    tags: dep.tags,
    parameters: dep.parameters,
    workQueueName: dep.work_queue_name,
    workQueueId: dep.work_queue_id ?? null,
    schedules,
    runsAttributed: has('slug'),
  };
}

function sameSchedule(stored: Record<string, unknown>, spec: ScheduleSpec): boolean {
  switch (spec.kind) {
    case 'interval':
      return Number(stored.interval) === spec.interval;
    case 'cron':
      return stored.cron === spec.cron;
    case 'rrule':
      // Prefect may prepend "DTSTART:...\n" to a rule without one.
      return typeof stored.rrule === 'string' && stored.rrule.endsWith(spec.rrule.replace(/^.*\n/, ''));
  }
}
