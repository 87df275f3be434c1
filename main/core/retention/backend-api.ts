/**
 * Retention through the Prefect REST API, where there is no database (Prefect Cloud, or a connection
 * without database access). The plan is a FlowRunFilter stating Prefect's vacuum predicate: state
 * type terminal, end_time before the cutoff, no parent (top-level), the chosen deployments, minus the
 * kept runs. Nothing is held in memory but one page: each batch lists the first matching page
 * (POST /flow_runs/filter, newest end first), adds the finished old subflows of those runs, journals
 * them, and deletes them re-checked:
 *
 * - POST /flow_runs/bulk_delete where the server has it (Prefect 3.6.16+, capabilities.ts): the
 *   filter (predicate + the batch's ids) is re-evaluated inside the server's transaction
 *   (prefect/server/api/flow_runs.py bulk_delete_flow_runs: read_flow_runs then delete_flow_runs), so
 *   a run that changed since it was listed is not deleted. At most 50 ids per call
 *   (BULK_OPERATION_LIMIT there; `limit` is validated le=50).
 * - Older servers: one DELETE /flow_runs/{id} per run, after the batch is re-read with the predicate
 *   just before (the DELETE itself checks nothing: the window is one request).
 *
 * What goes with a run inside Prefect (prefect/server/database/orm_models.py foreign keys):
 * flow_run_state, task_run (and so task_run_state) and flow_run_input cascade; a subflow's
 * parent_task_run_id is SET NULL (it becomes top-level, which is why the batch takes the finished old
 * subflows with their parent, as the SQL paths do). Logs are not cascaded: newer servers delete the
 * run's logs in a background task after the call (delete_flow_run_logs, PrefectHQ/prefect#18517; in
 * 3.4.25 and 3.9.1), 3.0.11 leaves them. Artifacts are
 * not cascaded: they are deleted here afterwards, one DELETE /artifacts/{id} each (one key at a time,
 * purge/backend-api.ts artifactLanes), which lets Prefect repoint artifact_collection itself.
 * Events and orphaned rows cannot be reached through the API at all. Every plan says so (notes).
 */
import type { Count, RetentionImpact } from '../../../shared/domain/retention';
import { AppError } from '../../../shared/errors';
import type { ResolvedConnection } from '../connections/types';
import { mapLimit } from '../purge/api-claim';
import { deleteArtifacts, isTransientApiError } from '../purge/backend-api';
import { resolveDeployments, type DeploymentName } from '../purge/names';
import { apiCapabilities } from '../targets/capabilities';
import { PrefectApi } from '../targets/prefect-api';
import { exact } from './estimate';
import type { BackendPlan, PlanInput, PreparedBatch, ResolvedRetention, RetentionBackend, RetentionExecution, Step, StepResult } from './types';
import { apiServerNow } from '../targets/server-clock';

/** BULK_OPERATION_LIMIT in prefect/server/api/flow_runs.py (the body's `limit` is validated le=50). */
export const BULK_LIMIT = 50;
/** Runs that still match after their batch was deleted (should not happen) before the job stops. */
const MAX_STUCK = 500;
const SUBFLOW_DEPTH = 10;

interface ApiRun {
  id: string;
  name: string;
  deployment_id: string | null;
  state_type: string | null;
  end_time: string | null;
  parent_task_run_id: string | null;
}

interface ApiCursor {
  /** Runs listed, still matching, yet not deleted: left out of later listings so the walk ends. */
  stuck: string[];
}

/**
 * `end_time.before_` is inclusive (<=, schemas/filters.py FlowRunFilterEndTime); the plan's cutoff is
 * strict, so one microsecond earlier (Prefect stores microseconds).
 */
export function inclusiveBefore(cutoff: string): string {
  const iso = new Date(Date.parse(cutoff) - 1).toISOString();
  return iso.replace(/Z$/, '999Z');
}

/** The predicate as a FlowRunFilter. `id.any_` and `id.not_any_` are never combined in one filter. */
export function runFilter(r: ResolvedRetention, opts: { exclude?: readonly string[]; only?: readonly string[]; topLevel?: boolean } = {}): Record<string, unknown> {
  const f: Record<string, unknown> = {
    state: { type: { any_: r.stateTypes } },
    end_time: { before_: inclusiveBefore(r.cutoff), is_null_: false },
  };
  if (opts.topLevel !== false) f.parent_task_run_id = { is_null_: true };
  if (r.deploymentIds.length && opts.topLevel !== false) f.deployment_id = { any_: r.deploymentIds };
  if (opts.only) f.id = { any_: opts.only };
  else if (opts.exclude?.length) f.id = { not_any_: opts.exclude };
  return f;
}

/**
 * TEST HOOK (integration tests only, never set in production): HOUSEKEEPER_TEST_NO_BULK_DELETE=1
 * takes the per-run DELETE path on a server that has bulk_delete, so both paths are tested against
 * the same real server.
 */
function bulkDisabledForTest(): boolean {
  return process.env.HOUSEKEEPER_TEST_NO_BULK_DELETE === '1';
}

async function deploymentNames(api: PrefectApi, signal?: AbortSignal): Promise<DeploymentName[]> {
  const opts = signal ? { signal } : {};
  const flows = new Map<string, string>();
  for await (const page of api.paginate<{ id: string; name: string }>('/flows/filter', {}, undefined, opts)) for (const f of page) flows.set(f.id, f.name);
  const out: DeploymentName[] = [];
  for await (const page of api.paginate<{ id: string; name: string; flow_id: string }>('/deployments/filter', {}, undefined, opts)) {
    for (const d of page) out.push({ id: d.id, name: d.name, fullName: `${flows.get(d.flow_id) ?? '?'}/${d.name}` });
  }
  return out;
}

async function listAll(api: PrefectApi, flowRuns: Record<string, unknown>, signal?: AbortSignal): Promise<ApiRun[]> {
  const out: ApiRun[] = [];
  for await (const page of api.paginate<ApiRun>('/flow_runs/filter', { flow_runs: flowRuns, sort: 'ID_DESC' }, undefined, signal ? { signal } : {})) out.push(...page);
  return out;
}

async function artifactsOf(api: PrefectApi, runIds: readonly string[], signal?: AbortSignal): Promise<Array<{ id: string; key: string | null }>> {
  if (!runIds.length) return [];
  const opts = signal ? { signal } : {};
  const limit = await api.pageLimit(opts);
  const out: Array<{ id: string; key: string | null }> = [];
  for (let offset = 0; ; offset += limit) {
    const page = await api.request<Array<{ id: string; key?: string | null }>>('POST', '/artifacts/filter', { artifacts: { flow_run_id: { any_: runIds } }, sort: 'ID_DESC', limit, offset }, opts);
    out.push(...page.map((a) => ({ id: a.id, key: a.key ?? null })));
    if (page.length < limit) return out;
  }
}

function chunks<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

export function apiNotes(hasBulk: boolean, version: string | null): string[] {
  const v = version ? `Prefect ${version}` : 'This server';
  return [
    hasBulk
      ? `Through the Prefect API: POST /flow_runs/bulk_delete, at most ${BULK_LIMIT} runs per call (Prefect's limit); each call re-checks the plan's filter inside one server transaction, so a run that changed since it was listed stays.`
      : `Through the Prefect API, one DELETE /flow_runs/{id} per run: ${v} has no POST /flow_runs/bulk_delete (it came in Prefect 3.6.16). Each batch is re-read with the plan's filter just before its deletes; slower on large plans.`,
    'Inside Prefect each deleted run takes its states, task runs (and their states) and flow run inputs with it; its logs are deleted by the Prefect server after the call in a background task (releases from mid-2025 on, e.g. 3.4.25; 3.0 leaves them as orphans), so they are not counted here.',
    "Artifacts are deleted after their runs, one DELETE /artifacts/{id} each, which lets Prefect repoint its keyed-artifact 'latest' rows itself.",
    'Finished subflows older than the period go with their parent in the same batch; subflows that are still running or recent stay (Prefect makes them top-level).',
    "Events cannot be deleted through the API (Prefect trims them itself after PREFECT_SERVER_EVENTS_RETENTION_PERIOD), and orphaned logs and artifacts cannot be found through it: those need a database connection.",
  ];
}

export async function openApiRetention(conn: ResolvedConnection): Promise<RetentionBackend> {
  const api = new PrefectApi(conn);
  const version = await api.assertSupportedVersion().catch((e: unknown) => {
    // Prefect Cloud has no /admin/version: capabilities then assume the newest server.
    if (api.cloud && e instanceof AppError && (e.details?.status === 404 || e.details?.status === 403)) return null;
    throw e;
  });
  const caps = await apiCapabilities(api);
  const hasBulk = caps.endpoints.flowRunsBulkDelete && !bulkDisabledForTest();
  const count = async (path: string, body: unknown, signal?: AbortSignal): Promise<number> => {
    const n = await api.request<unknown>('POST', path, body, signal ? { signal } : {});
    if (typeof n !== 'number') throw new AppError('PREFECT_HTTP', `POST ${path} did not return a number.`);
    return n;
  };
  return {
    kind: 'api',
    executor: 'api',
    notes: apiNotes(hasBulk, version?.version ?? null),
    // The API has no clock endpoint: the Date header, read as targets/server-clock.ts says.
    serverNow: async (signal) => new Date(await apiServerNow(api.baseUrl, signal)),
    async plan(input: PlanInput, signal?: AbortSignal): Promise<BackendPlan> {
      const deps = await deploymentNames(api, signal);
      const names = new Map(deps.map((d) => [d.id, d.fullName]));
      const resolved: ResolvedRetention = {
        cutoff: input.cutoff,
        stateTypes: input.stateTypes,
        deploymentIds: resolveDeployments(input.deployments, deps),
        keepNewest: input.keepNewest,
        eventsCutoff: null,
        orphans: false,
      };
      const opts = signal ? { signal } : {};
      // --keep-newest: the newest N of each deployment (and of the runs without one): N per group.
      const keepIds: string[] = [];
      if (resolved.keepNewest > 0) {
        const groups: Array<Record<string, unknown>> = resolved.deploymentIds.length ? resolved.deploymentIds.map((id) => ({ any_: [id] })) : [...deps.map((d) => ({ any_: [d.id] })), { is_null_: true }];
        for (const g of groups) {
          const rows = await api.request<ApiRun[]>('POST', '/flow_runs/filter', { flow_runs: { ...runFilter(resolved), deployment_id: g }, sort: 'END_TIME_DESC', limit: resolved.keepNewest }, opts);
          keepIds.push(...rows.map((x) => x.id));
        }
      }
      const keep = [...new Set(keepIds)];
      const filter = runFilter(resolved, { exclude: keep });
      const runs = await count('/flow_runs/count', { flow_runs: filter }, signal);
      const byState: Array<{ stateType: string; count: number }> = [];
      for (const t of resolved.stateTypes) {
        const n = runs === 0 ? 0 : await count('/flow_runs/count', { flow_runs: { ...filter, state: { type: { any_: [t] } } } }, signal);
        if (n) byState.push({ stateType: t, count: n });
      }
      byState.sort((a, b) => b.count - a.count);
      const taskRuns = runs === 0 ? 0 : await count('/task_runs/count', { flow_runs: filter }, signal).catch(() => null);
      const artifacts = runs === 0 ? 0 : await count('/artifacts/count', { flow_runs: filter }, signal).catch(() => null);
      // FlowRunSort has END_TIME_DESC only: the newest end is the first row; the oldest is not asked.
      const newest = runs === 0 ? [] : await api.request<ApiRun[]>('POST', '/flow_runs/filter', { flow_runs: filter, sort: 'END_TIME_DESC', limit: 10 }, opts);
      const c = (n: number | null): Count | null => (n === null ? null : exact(n));
      const impact: RetentionImpact = {
        flowRuns: exact(runs),
        subflowRuns: null,
        flowRunStates: null,
        taskRuns: c(taskRuns),
        taskRunStates: null,
        flowRunLogs: null,
        taskRunLogs: null,
        artifacts: c(artifacts),
        artifactCollections: null,
        flowRunInputs: null,
        orphanLogs: null,
        orphanArtifacts: null,
        events: null,
        eventResources: null,
      };
      return {
        resolved,
        keepIds: keep,
        runs: exact(runs),
        byState,
        oldestEnd: null,
        newestEnd: newest[0]?.end_time ?? null,
        sample: newest.map((r) => ({
          id: r.id,
          name: r.name,
          deployment: r.deployment_id ? (names.get(r.deployment_id) ?? `deleted deployment ${r.deployment_id.slice(0, 8)}`) : '(no deployment)',
          stateType: r.state_type ?? '',
          endTime: r.end_time,
        })),
        impact,
        bytesEstimate: null,
        kept: keep.length,
        indexNotes: [],
        notes: ['Through the API the plan counts runs, task runs and artifacts; states, subflows, logs and inputs are not countable there and go with their runs inside Prefect.'],
      };
    },
    execution: async (r, keep) => apiExecution(api, r, keep, hasBulk),
    close: async () => undefined,
  };
}

/** The finished old subflows under `ids`, depth first, at most SUBFLOW_DEPTH levels. */
async function subflowsOf(api: PrefectApi, r: ResolvedRetention, ids: readonly string[], signal: AbortSignal): Promise<string[]> {
  const all = new Set(ids);
  const subs: string[] = [];
  let frontier = [...ids];
  for (let depth = 0; frontier.length && depth < SUBFLOW_DEPTH; depth++) {
    const next: string[] = [];
    for (const part of chunks(frontier, 200)) {
      for (const run of await listAll(api, { ...runFilter(r, { topLevel: false }), parent_flow_run_id: { any_: part } }, signal)) {
        if (!all.has(run.id)) {
          all.add(run.id);
          next.push(run.id);
        }
      }
    }
    subs.push(...next);
    frontier = next;
  }
  return subs;
}

function apiExecution(api: PrefectApi, r: ResolvedRetention, keep: readonly string[], hasBulk: boolean): RetentionExecution {
  const keepSet = new Set(keep);
  /** Which of these ids still exist (any state). */
  const existing = async (ids: readonly string[], signal?: AbortSignal) => new Set((await listAll(api, { id: { any_: ids } }, signal)).map((x) => x.id));

  /** Deletes the victims re-checked by the server (bulk) or just before (per run); returns the ids gone. */
  const deleteRuns = async (tops: readonly string[], subs: readonly string[]): Promise<Set<string>> => {
    const gone = new Set<string>();
    if (hasBulk) {
      const calls = [...chunks(tops, BULK_LIMIT).map((ids) => runFilter(r, { only: ids })), ...chunks(subs, BULK_LIMIT).map((ids) => runFilter(r, { only: ids, topLevel: false }))];
      for (const flowRuns of calls) {
        // Retried by the client on a lost answer; a retry finds the deleted runs gone, which the
        // existence check below attributes to this batch.
        const res = await api.request<{ deleted?: string[] }>('POST', '/flow_runs/bulk_delete', { flow_runs: flowRuns, limit: BULK_LIMIT }, { idempotent: true });
        for (const id of res.deleted ?? []) gone.add(id);
      }
    } else {
      // The re-check: only runs that still match right now are deleted.
      const still = new Set([
        ...(tops.length ? await listAll(api, runFilter(r, { only: [...tops] })) : []).map((x) => x.id),
        ...(subs.length ? await listAll(api, runFilter(r, { only: [...subs], topLevel: false })) : []).map((x) => x.id),
      ]);
      await mapLimit([...tops, ...subs].filter((id) => still.has(id)), 8, async (id) => {
        try {
          await api.request('DELETE', `/flow_runs/${id}`, undefined, { idempotent: true });
          gone.add(id);
        } catch (e) {
          if (!(e instanceof AppError && e.details?.status === 404)) throw e;
        }
      });
    }
    return gone;
  };

  const runsStep: Step = {
    phase: 'runs',
    minBatch: 1,
    initialBatch: BULK_LIMIT,
    maxBatch: BULK_LIMIT,
    async run(cursorIn, size, ctx): Promise<StepResult> {
      const cursor = (cursorIn as ApiCursor | undefined) ?? { stuck: [] };
      const signal = ctx.signal;
      // The first page of what still matches (deleted runs drop out of it; stuck and kept ones are excluded).
      const listed = await api.request<ApiRun[]>(
        'POST',
        '/flow_runs/filter',
        { flow_runs: runFilter(r, { exclude: [...keep, ...cursor.stuck] }), sort: 'END_TIME_DESC', limit: Math.min(size, BULK_LIMIT) },
        { signal },
      );
      const page = listed.filter((x) => !keepSet.has(x.id));
      if (!page.length) return { done: true, cursorAfter: cursor, delta: {}, units: 0, prepared: false };
      const tops = page.map((x) => x.id);
      const subs = (await subflowsOf(api, r, tops, signal)).filter((id) => !keepSet.has(id));
      if (signal.aborted) throw new AppError('CANCELLED', 'Cancelled by the user.');
      // Journaled before the server deletes anything; victims are the tops then the subflows, and
      // the planned delta says how many of each, so a resume can split what it finds gone.
      const planned = { runs: tops.length, subflows: subs.length };
      const prepared: PreparedBatch = { xid: null, victims: [...tops, ...subs], delta: planned, cursorAfter: cursor, retry: [], ...(ctx.wantExport ? { exportLines: page.map((x) => ({ flow_run: x })) } : {}) };
      ctx.beforeCommit(prepared);
      // From here the batch runs to its end (a cancel takes effect after it).
      const gone = await deleteRuns(tops, subs);
      const unsure = prepared.victims.filter((id) => !gone.has(id));
      if (unsure.length) {
        const still = await existing(unsure);
        for (const id of unsure) if (!still.has(id)) gone.add(id);
      }
      const artifacts = await deleteArtifacts(api, await artifactsOf(api, [...gone]));
      const notGoneTops = tops.filter((id) => !gone.has(id));
      // A top run that was not deleted but still matches would be listed again forever: set aside.
      const stillMatching = notGoneTops.length ? (await listAll(api, runFilter(r, { only: notGoneTops }))).map((x) => x.id) : [];
      const stuck = [...cursor.stuck, ...stillMatching];
      if (stuck.length > MAX_STUCK) {
        throw new AppError('PREFECT_HTTP', `${stuck.length} runs still match the plan after their delete calls: the server does not delete them.`, {
          hint: 'Check the server log for errors on /flow_runs/bulk_delete or DELETE /flow_runs/{id}; resume once fixed.',
        });
      }
      const delta = {
        runs: tops.filter((id) => gone.has(id)).length,
        subflows: subs.filter((id) => gone.has(id)).length,
        artifacts,
        skipped: notGoneTops.length,
        batches: 1,
      };
      return { done: false, cursorAfter: { stuck }, delta, units: tops.length, prepared: true };
    },
  };

  return {
    steps: [runsStep],
    committed: async () => false,
    async resolvePending(pb, signal) {
      const still = await existing(pb.victims, signal);
      const gone = pb.victims.filter((id) => !still.has(id));
      if (!gone.length) return null;
      const topCount = pb.delta.runs ?? pb.victims.length;
      const goneSet = new Set(gone);
      // Finish the batch's idempotent tail: the artifacts of the runs that are gone.
      const artifacts = await deleteArtifacts(api, await artifactsOf(api, gone, signal));
      return {
        delta: { runs: pb.victims.slice(0, topCount).filter((id) => goneSet.has(id)).length, subflows: pb.victims.slice(topCount).filter((id) => goneSet.has(id)).length, artifacts, batches: 1 },
        gone,
      };
    },
    recount: async (signal) => {
      const n = await api.request<unknown>('POST', '/flow_runs/count', { flow_runs: runFilter(r, { exclude: keep }) }, { signal }).catch(() => null);
      return { runs: typeof n === 'number' ? n : null, events: null };
    },
    isTransient: isTransientApiError,
    close: async () => undefined,
  };
}
