/**
 * Retention through the Prefect REST API, where there is no database (Prefect Cloud, or no access).
 * The plan is a FlowRunFilter that states Prefect's vacuum predicate exactly: state type terminal,
 * end_time before the cutoff, parent_task_run_id null, the chosen deployments, minus the kept runs.
 * Each batch lists up to 50 matching runs, journals them, and deletes them with POST
 * /flow_runs/bulk_delete (filter + their ids: the server re-evaluates the filter at delete time, so a
 * run that changed meanwhile stays), then their artifacts one DELETE /artifacts/{id} at a time
 * (which lets Prefect repair the artifact_collection "latest" rows itself). Without bulk_delete (before
 * Prefect 3.6.16) each run is one DELETE /flow_runs/{id}. Limits, stated in every plan:
 * - 50 runs per call (BULK_OPERATION_LIMIT in server/api/flow_runs.py); each call is one server
 *   transaction; logs are deleted afterwards by the server's background task (docs/prefect.md §7.3),
 *   so they are not counted here; states, task runs and inputs cascade inside Prefect;
 * - subflows: as in Prefect's own vacuum, a deleted parent's subflows become top-level runs and the
 *   next listings take them when they match (counted among the runs);
 * - events cannot be deleted through the API (Prefect trims them itself after
 *   PREFECT_SERVER_EVENTS_RETENTION_PERIOD); orphaned rows cannot be found through it.
 */
import type { Count, RetentionImpact } from '../../../shared/domain/retention';
import { AppError } from '../../../shared/errors';
import type { ResolvedConnection } from '../connections/types';
import { apiCapabilities } from '../purge/backend-api';
import { mapLimit } from '../purge/api-claim';
import { resolveDeployments, type DeploymentName } from '../purge/names';
import { PrefectApi } from '../targets/prefect-api';
import { exact } from './estimate';
import type { BackendPlan, PlanInput, ResolvedRetention, RetentionBackend, RetentionExecution, Step, StepResult } from './types';

export const BULK_LIMIT = 50;

interface ApiRun {
  id: string;
  name: string;
  deployment_id: string | null;
  state_type: string | null;
  end_time: string | null;
  parent_task_run_id: string | null;
}

/** end_time.before_ is inclusive (<=); the plan's cutoff is strict, so one millisecond earlier. */
function beforeCutoff(cutoff: string): string {
  return new Date(Date.parse(cutoff) - 1).toISOString();
}

export function runFilter(r: ResolvedRetention, exclude: readonly string[] = [], only?: readonly string[]): Record<string, unknown> {
  const f: Record<string, unknown> = {
    state: { type: { any_: r.stateTypes } },
    end_time: { before_: beforeCutoff(r.cutoff), is_null_: false },
    parent_task_run_id: { is_null_: true },
  };
  if (r.deploymentIds.length) f.deployment_id = { any_: r.deploymentIds };
  const id: Record<string, unknown> = {};
  if (exclude.length) id.not_any_ = exclude;
  if (only) id.any_ = only;
  if (Object.keys(id).length) f.id = id;
  return f;
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

async function artifactIdsOf(api: PrefectApi, runIds: readonly string[], signal?: AbortSignal): Promise<string[]> {
  if (!runIds.length) return [];
  const opts = signal ? { signal } : {};
  const limit = await api.pageLimit(opts);
  const out: string[] = [];
  for (let offset = 0; ; offset += limit) {
    const page = await api.request<Array<{ id: string }>>('POST', '/artifacts/filter', { artifacts: { flow_run_id: { any_: runIds } }, sort: 'ID_DESC', limit, offset }, opts);
    out.push(...page.map((a) => a.id));
    if (page.length < limit) return out;
  }
}

async function deleteArtifacts(api: PrefectApi, ids: readonly string[]): Promise<number> {
  let n = 0;
  await mapLimit([...ids], 8, async (id) => {
    try {
      await api.request('DELETE', `/artifacts/${id}`);
      n++;
    } catch (e) {
      if (!(e instanceof AppError && e.details?.status === 404)) throw e;
    }
  });
  return n;
}

export async function openApiRetention(conn: ResolvedConnection): Promise<RetentionBackend> {
  const api = new PrefectApi(conn);
  await api.assertSupportedVersion();
  const caps = await apiCapabilities(api);
  const notes = [
    caps.bulkDelete
      ? `Through the Prefect API: POST /flow_runs/bulk_delete, at most ${BULK_LIMIT} runs per call (Prefect's limit), each call one server transaction that re-evaluates the filter.`
      : 'Through the Prefect API, one DELETE /flow_runs/{id} per run (this server has no /flow_runs/bulk_delete, which came in Prefect 3.6.16): slow on large plans.',
    'Logs are deleted by the Prefect server itself after each run (a background task), so they are not counted; states, task runs and inputs go with their runs inside Prefect.',
    "Artifacts are deleted one DELETE /artifacts/{id} each, which lets Prefect repoint its keyed-artifact 'latest' rows.",
    "Subflows: as in Prefect's own vacuum, a deleted parent's subflows become top-level runs and are taken by the next batches when they are finished and old enough.",
    'Events cannot be deleted through the API: Prefect trims them itself after PREFECT_SERVER_EVENTS_RETENTION_PERIOD. Orphaned logs and artifacts cannot be found through it either.',
  ];
  const count = async (body: unknown, path: string, signal?: AbortSignal) => Number(await api.request<number>('POST', path, body, signal ? { signal } : {}));
  return {
    kind: 'api',
    executor: 'api',
    notes,
    serverNow: async (signal) => {
      const res = await fetch(`${api.baseUrl}/health`, signal ? { signal } : {}).catch(() => null);
      const date = res?.headers.get('date');
      return date ? new Date(date) : new Date();
    },
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
      let keepIds: string[] = [];
      if (resolved.keepNewest > 0) {
        // The newest N of each deployment (and of the runs without one).
        const groups: Array<Record<string, unknown>> = [...(resolved.deploymentIds.length ? resolved.deploymentIds : deps.map((d) => d.id)).map((id) => ({ any_: [id] })), { is_null_: true }];
        for (const g of resolved.deploymentIds.length ? groups.slice(0, -1) : groups) {
          const rows = await api.request<ApiRun[]>('POST', '/flow_runs/filter', { flow_runs: { ...runFilter(resolved), deployment_id: g }, sort: 'END_TIME_DESC', limit: resolved.keepNewest }, opts);
          keepIds.push(...rows.map((x) => x.id));
        }
        keepIds = [...new Set(keepIds)];
      }
      const filter = runFilter(resolved, keepIds);
      const runs = await count({ flow_runs: filter }, '/flow_runs/count', signal);
      const byState: Array<{ stateType: string; count: number }> = [];
      for (const t of resolved.stateTypes) {
        const n = await count({ flow_runs: { ...filter, state: { type: { any_: [t] } } } }, '/flow_runs/count', signal);
        if (n) byState.push({ stateType: t, count: n });
      }
      const taskRuns = await count({ flow_runs: filter }, '/task_runs/count', signal).catch(() => null);
      const artifacts = await count({ flow_runs: filter }, '/artifacts/count', signal).catch(() => null);
      const newest = await api.request<ApiRun[]>('POST', '/flow_runs/filter', { flow_runs: filter, sort: 'END_TIME_DESC', limit: 10 }, opts);
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
        keepIds,
        runs: exact(runs),
        byState,
        oldestEnd: null,
        newestEnd: newest[0]?.end_time ?? null,
        sample: newest.map((r) => ({ id: r.id, name: r.name, deployment: r.deployment_id ? (names.get(r.deployment_id) ?? `deleted deployment ${r.deployment_id.slice(0, 8)}`) : '(no deployment)', stateType: r.state_type ?? '', endTime: r.end_time })),
        impact,
        bytesEstimate: null,
        kept: keepIds.length,
        indexNotes: [],
        notes: [],
      };
    },
    async execution(r, keep): Promise<RetentionExecution> {
      const runsStep: Step = {
        phase: 'runs',
        minBatch: 1,
        initialBatch: BULK_LIMIT,
        maxBatch: BULK_LIMIT,
        async run(cursorIn, size, ctx): Promise<StepResult> {
          const cursor = (cursorIn as { stuck: string[] } | undefined) ?? { stuck: [] };
          const opts = { signal: ctx.signal };
          const listed = await api.request<ApiRun[]>('POST', '/flow_runs/filter', { flow_runs: runFilter(r, [...keep, ...cursor.stuck]), sort: 'ID_DESC', limit: Math.min(size, BULK_LIMIT) }, opts);
          if (!listed.length) return { done: true, cursorAfter: cursor, delta: {}, units: 0, prepared: false };
          const ids = listed.map((x) => x.id);
          // Journaled before the server deletes anything: a kill is settled by asking which are gone.
          ctx.beforeCommit({ xid: null, victims: ids, delta: {}, cursorAfter: cursor, retry: [], ...(ctx.wantExport ? { exportLines: listed.map((x) => ({ flow_run: x })) } : {}) });
          let deleted: string[];
          if (caps.bulkDelete) {
            const res = await api.request<{ deleted: string[] }>('POST', '/flow_runs/bulk_delete', { flow_runs: runFilter(r, keep, ids), limit: BULK_LIMIT });
            deleted = res.deleted ?? [];
          } else {
            deleted = [];
            await mapLimit(ids, 8, async (id) => {
              try {
                await api.request('DELETE', `/flow_runs/${id}`);
                deleted.push(id);
              } catch (e) {
                if (!(e instanceof AppError && e.details?.status === 404)) throw e;
              }
            });
          }
          const artifacts = await deleteArtifacts(api, await artifactIdsOf(api, deleted));
          const gone = new Set(deleted);
          const stuck = ids.filter((id) => !gone.has(id));
          const cursorAfter = { stuck: [...cursor.stuck, ...stuck] };
          return { done: false, cursorAfter, delta: { runs: deleted.length, artifacts, skipped: stuck.length, batches: 1 }, units: ids.length, prepared: true };
        },
      };
      return {
        steps: [runsStep],
        committed: async () => false,
        async resolvePending(pb, signal) {
          const still = new Set<string>();
          for await (const page of api.paginate<{ id: string }>('/flow_runs/filter', { flow_runs: { id: { any_: pb.victims } } }, undefined, { signal })) for (const x of page) still.add(x.id);
          const gone = pb.victims.filter((id) => !still.has(id));
          if (!gone.length) return null;
          // Finish the batch's idempotent tail: the artifacts of the runs that are gone.
          const artifacts = await deleteArtifacts(api, await artifactIdsOf(api, gone, signal));
          return { delta: { runs: gone.length, artifacts, batches: 1 }, gone };
        },
        recount: async (signal) => ({ runs: await count({ flow_runs: runFilter(r, keep) }, '/flow_runs/count', signal).catch(() => null), events: null }),
        isTransient: () => false,
        close: async () => undefined,
      };
    },
    close: async () => undefined,
  };
}
