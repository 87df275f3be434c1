/**
 * What a Prefect server can do, as facts the features ask about, derived from what the server says
 * about itself. Pure (no I/O): capabilities.ts fetches, this file decides.
 *
 * Two sources, in order of trust:
 * 1. The server's own OpenAPI document (`GET /openapi.json`): which request fields and endpoints it
 *    accepts. This is what a 422 "Extra inputs are not permitted" is decided by, so it wins for
 *    request shapes (a patched or backported server is judged by what it accepts, not its number).
 * 2. The release number (`GET /admin/version`), for behaviour no schema shows (what the scheduler
 *    writes and selects, what an update deletes), and as the fallback for request shapes when the
 *    document cannot be read. Each fact below names the release and the Prefect source that changed it
 *    (PrefectHQ/prefect, verified against the tags).
 *
 * No feature compares version strings: they ask `caps.filters.flowRunCreatedBy` and the like.
 */
import type { Degradation, DegradedFeature } from '../../../shared/domain/compat';
import { versionAtLeast } from './prefect-version';

/** The release each behaviour arrived in (first tag containing it). */
export const SINCE = {
  /** FlowRunFilter.created_by (src/prefect/server/schemas/filters.py FlowRunFilterCreatedBy). */
  flowRunCreatedByFilter: '3.6.13',
  /** POST /flow_runs/bulk_delete (src/prefect/server/api/flow_runs.py, PR #20469). */
  flowRunsBulkDelete: '3.6.16',
  /** DeploymentSchedule slug and parameters (src/prefect/server/schemas/actions.py DeploymentScheduleCreate). */
  scheduleSlugParameters: '3.2.0',
  /** DeploymentScheduleUpdate.replaces (schemas/actions.py). */
  scheduleReplaces: '3.6.17',
  /** 3.0's max_active_runs and catchup left DeploymentScheduleUpdate (schemas/actions.py). */
  scheduleWithoutCatchup: '3.1.0',
  /** Auto-scheduled runs carry created_by {id: schedule, type: SCHEDULE} (models/deployments.py _generate_scheduled_flow_runs). */
  runsAttributed: '3.2.0',
  /** The idempotency key names the schedule (`scheduled <dep> <schedule> <time>`), so two schedules may hold the same instant. */
  runsKeyedBySchedule: '3.2.2',
  /** _delete_scheduled_runs(future_only=True) on deployment/schedule updates (models/deployments.py, api/deployments.py). */
  updatesKeepPastDue: '3.3.4',
  /** The scheduler selects per schedule, not per deployment (services/scheduler.py per_schedule_run_count). */
  perScheduleSelection: '3.6.19',
  /**
   * From 3.1.13 the Scheduler service class declared `loop_seconds: float` without a value, so the
   * LoopService default (60) shadowed PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS; 3.6.7 moved the
   * scheduler to Docket and reads the setting again (services/scheduler.py). Observed on 3.1.15 and
   * 3.4.25: one pass a minute with loop_seconds=2.
   */
  schedulerLoopIgnoredFrom: '3.1.13',
  schedulerLoopHonouredAgain: '3.6.7',
  /** Rules without DTSTART get one written on save (_internal/schemas/validators.py normalize_rrule_string). */
  injectsDtstart: '3.6.26',
} as const;

/** Fields of a schedule write (DeploymentScheduleUpdate) by release. */
function scheduleFieldsOf(version: string | null): Set<string> {
  const f = ['schedule', 'active', 'max_scheduled_runs'];
  if (!at(version, SINCE.scheduleWithoutCatchup)) f.push('max_active_runs', 'catchup');
  if (at(version, SINCE.scheduleSlugParameters)) f.push('parameters', 'slug');
  if (at(version, SINCE.scheduleReplaces)) f.push('replaces');
  return new Set(f);
}

export interface ApiCapabilities {
  /** Prefect package version (GET /admin/version); null when the server does not say (Prefect Cloud). */
  prefectVersion: string | null;
  /** Where the request shapes came from: the server's OpenAPI document, or its release number. */
  source: 'openapi' | 'version' | 'newest';
  filters: {
    /** FlowRunFilter.created_by (id_, type_). */
    flowRunCreatedBy: boolean;
  };
  endpoints: {
    /** POST /flow_runs/bulk_delete. */
    flowRunsBulkDelete: boolean;
  };
  schedules: {
    /** Fields a schedule write may carry (unknown ones are a 422). */
    fields: ReadonlySet<string>;
    /** Auto-scheduled runs say which schedule made them (created_by.id). */
    runsAttributed: boolean;
    /** Two schedules of one deployment may each hold a run at the same instant. */
    runsKeyedBySchedule: boolean;
    /** Updating a deployment or schedule deletes only future auto-scheduled runs (else also past-due ones). */
    updatesKeepPastDue: boolean;
    /** The scheduler tops up each schedule on its own (else the whole deployment when any needs it). */
    perScheduleSelection: boolean;
    /** The main scheduler loop runs every loop_seconds (else every 60 s, whatever the setting says). */
    loopSecondsHonoured: boolean;
    /** A rule saved without DTSTART gets one written (else it stays without: the scheduler walks from 2020). */
    injectsDtstart: boolean;
  };
}

/** The loop interval of the releases that ignore loop_seconds (LoopService's default). */
export const IGNORED_LOOP_SECONDS = 60;

type Json = Record<string, unknown>;

function at(version: string | null, since: string): boolean {
  // Unknown version (Cloud): Cloud runs the newest server.
  return version === null || versionAtLeast(version, since);
}

/** Capabilities from the release number alone (the fallback, and the only source for behaviour). */
export function capabilitiesFromVersion(version: string | null): ApiCapabilities {
  return {
    prefectVersion: version,
    source: version === null ? 'newest' : 'version',
    filters: { flowRunCreatedBy: at(version, SINCE.flowRunCreatedByFilter) },
    endpoints: { flowRunsBulkDelete: at(version, SINCE.flowRunsBulkDelete) },
    schedules: {
      fields: scheduleFieldsOf(version),
      runsAttributed: at(version, SINCE.runsAttributed),
      runsKeyedBySchedule: at(version, SINCE.runsKeyedBySchedule),
      updatesKeepPastDue: at(version, SINCE.updatesKeepPastDue),
      perScheduleSelection: at(version, SINCE.perScheduleSelection),
      loopSecondsHonoured: !at(version, SINCE.schedulerLoopIgnoredFrom) || at(version, SINCE.schedulerLoopHonouredAgain),
      injectsDtstart: at(version, SINCE.injectsDtstart),
    },
  };
}

// --- reading an OpenAPI document --------------------------------------------------------------------

function deref(doc: Json, s: unknown): Json {
  let cur = (s && typeof s === 'object' ? s : {}) as Json;
  for (let i = 0; i < 32 && typeof cur.$ref === 'string'; i++) {
    const name = cur.$ref.split('/').pop() ?? '';
    cur = (((doc.components as Json | undefined)?.schemas as Json | undefined)?.[name] ?? {}) as Json;
  }
  for (const k of ['anyOf', 'allOf', 'oneOf']) {
    const alts = cur[k];
    if (Array.isArray(alts)) {
      const hit = alts.map((a) => deref(doc, a)).find((a) => a.type !== 'null' && (a.properties || a.items || a.type));
      if (hit) return hit;
    }
  }
  return cur;
}

function operation(doc: Json, path: string, method: string): Json | null {
  const p = (doc.paths as Json | undefined)?.[path] as Json | undefined;
  return (p?.[method] as Json | undefined) ?? null;
}

function requestBody(doc: Json, op: Json | null): Json | null {
  if (!op) return null;
  const schema = ((((op.requestBody as Json | undefined)?.content as Json | undefined)?.['application/json'] as Json | undefined)?.schema);
  return schema ? deref(doc, schema) : null;
}

/** Property names of `schema` after following `keys` (array items are stepped into). */
function propsAt(doc: Json, schema: Json | null, ...keys: string[]): Set<string> | null {
  let cur: Json | null = schema;
  for (const k of keys) {
    if (!cur) return null;
    let next = deref(doc, (cur.properties as Json | undefined)?.[k]);
    if (next.type === 'array' && next.items) next = deref(doc, next.items);
    cur = Object.keys(next).length ? next : null;
  }
  const props = cur?.properties as Json | undefined;
  return props ? new Set(Object.keys(props)) : null;
}

/**
 * Request shapes from the server's OpenAPI document, over the version-derived facts. Returns the
 * base unchanged for a document that does not look like Prefect's (no /flow_runs/count).
 */
export function withOpenApi(base: ApiCapabilities, doc: unknown): ApiCapabilities {
  if (!doc || typeof doc !== 'object') return base;
  const d = doc as Json;
  const count = operation(d, '/flow_runs/count', 'post');
  const runFilter = propsAt(d, requestBody(d, count), 'flow_runs');
  if (!runFilter) return base;
  const patch = requestBody(d, operation(d, '/deployments/{id}/schedules/{schedule_id}', 'patch'));
  const scheduleFields = patch?.properties ? new Set(Object.keys(patch.properties as Json)) : base.schedules.fields;
  return {
    ...base,
    source: 'openapi',
    filters: { ...base.filters, flowRunCreatedBy: runFilter.has('created_by') },
    endpoints: { ...base.endpoints, flowRunsBulkDelete: operation(d, '/flow_runs/bulk_delete', 'post') !== null },
    schedules: { ...base.schedules, fields: scheduleFields },
  };
}

// --- what that means for the user ---------------------------------------------------------------------

const v = (c: ApiCapabilities) => (c.prefectVersion ? `Prefect ${c.prefectVersion}` : 'This server');

/** The degradations of one server, each with its reason; features pick the ones they touch. */
export function degradations(c: ApiCapabilities): Degradation[] {
  const out: Degradation[] = [];
  const add = (feature: DegradedFeature, reason: string) => out.push({ feature, reason });
  if (!c.schedules.runsAttributed) {
    add('schedules.run-attribution', `${v(c)} does not record which schedule made a run (created_by is set from Prefect ${SINCE.runsAttributed}): held runs are matched to schedules by their times, and runs left behind by deleted schedules cannot be told apart.`);
  } else if (!c.filters.flowRunCreatedBy) {
    add('schedules.created-by-filter', `${v(c)} cannot filter runs by schedule (FlowRunFilter.created_by came in Prefect ${SINCE.flowRunCreatedByFilter}): Housekeeper lists the runs and filters them itself, which takes more requests.`);
  }
  if (!c.schedules.fields.has('slug') || !c.schedules.fields.has('parameters')) {
    add('schedules.slug-parameters', `${v(c)} has no schedule slugs or per-schedule parameters (added in Prefect ${SINCE.scheduleSlugParameters}): there is nothing of either to keep.`);
  }
  if (!c.schedules.updatesKeepPastDue) {
    add('schedules.update-deletes-backlog', `${v(c)} deletes every never-started auto-scheduled run of a deployment, past-due ones included, whenever the deployment or one of its schedules changes (Prefect ${SINCE.updatesKeepPastDue} limited that to future runs): pausing or changing a schedule also removes its Late backlog, and plans count those runs.`);
  }
  if (!c.schedules.perScheduleSelection) {
    add('schedules.scheduler-selection', `${v(c)}'s scheduler tops up a whole deployment when it runs low, not each schedule (per-schedule selection came in Prefect ${SINCE.perScheduleSelection}); the simulator models that.`);
  }
  if (!c.schedules.loopSecondsHonoured) {
    add('schedules.scheduler-loop', `${v(c)}'s scheduler runs its main loop every ${IGNORED_LOOP_SECONDS} s whatever loop_seconds says (Prefect ${SINCE.schedulerLoopIgnoredFrom} until ${SINCE.schedulerLoopHonouredAgain} ignored the setting); the simulator steps ${IGNORED_LOOP_SECONDS} s loops.`);
  }
  if (!c.endpoints.flowRunsBulkDelete) {
    add('purge.bulk-delete', `${v(c)} has no POST /flow_runs/bulk_delete (Prefect ${SINCE.flowRunsBulkDelete}): without database access, Purge deletes one run per request, which is slow.`);
  }
  if (!c.filters.flowRunCreatedBy) {
    add('inspect.schedule-gone', `${v(c)} cannot filter runs by created_by (Prefect ${SINCE.flowRunCreatedByFilter}): without database access, runs of deleted schedules are not counted.`);
  }
  return out;
}

export function degradationsFor(c: ApiCapabilities, prefix: 'schedules' | 'purge' | 'inspect'): Degradation[] {
  return degradations(c).filter((d) => d.feature.startsWith(`${prefix}.`));
}
