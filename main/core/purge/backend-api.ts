/**
 * Purge through the Prefect REST API, for Prefect Cloud or when there is no database access.
 *
 * Traps handled (prefect-internals.md section 3.3 and fact 6):
 * - FlowRunFilter cannot filter run_count or auto_scheduled: both are checked client-side on every
 *   run before it is put in a batch, and again just before each batch.
 * - any_ and not_any_ must never be combined inside state.type/state.name (the server silently ignores
 *   one): only any_ is used.
 * - next_scheduled_start_time.before_ is inclusive; the plan's cutoff is strict, so runs at exactly the
 *   cutoff are dropped client-side.
 * - POST /flow_runs/bulk_delete (3.6.16+) takes at most 50 runs and re-checks nothing at delete time
 *   beyond its filter, so the state predicate is expressed in that filter; older servers get one
 *   DELETE /flow_runs/{id} per run after re-reading it. Both honour 429 Retry-After (in the client).
 * - The page size can never exceed the server's PREFECT_SERVER_API_DEFAULT_LIMIT (the client pages).
 */
import { AppError } from '../../../shared/errors';
import type { PurgeFilter } from '../../../shared/domain/purge';
import type { ResolvedConnection } from '../connections/types';
import { PrefectApi } from '../targets/prefect-api';
import type { PurgeBackend } from './backends';
import type { BatchOptions, BatchResult, Deleter } from './deleter';
import { resolveDeployments, resolveQueueIds, type DeploymentName, type QueueRow } from './names';
import type { ResolvedPurgeFilter } from './predicate-pg';
import { selectAndSummarise, type Candidate } from './summarise';

interface ApiRun {
  id: string;
  name: string;
  deployment_id: string | null;
  state_type: string | null;
  state_name: string | null;
  run_count: number;
  auto_scheduled: boolean;
  next_scheduled_start_time: string | null;
  created: string;
  tags: string[];
  work_queue_id: string | null;
  work_queue_name: string | null;
}

const BULK_LIMIT = 50;

function runFilter(f: ResolvedPurgeFilter, ids?: string[]): Record<string, unknown> {
  const fr: Record<string, unknown> = {
    state: { type: { any_: ['SCHEDULED'] }, name: { any_: f.stateNames } },
    next_scheduled_start_time: { before_: f.cutoff },
  };
  if (ids) fr.id = { any_: ids };
  if (f.deploymentIds.length) fr.deployment_id = { any_: f.deploymentIds };
  if (f.tags.length) fr.tags = { all_: f.tags };
  return fr;
}

/** What the API filter cannot express, checked on each run. */
function matchesClientSide(r: ApiRun, f: ResolvedPurgeFilter, createdBefore?: string): boolean {
  if (r.state_type !== 'SCHEDULED' || !r.state_name || !(f.stateNames as string[]).includes(r.state_name)) return false;
  if (r.run_count !== 0) return false;
  if (!f.includeManual && !r.auto_scheduled) return false;
  if (!r.next_scheduled_start_time || Date.parse(r.next_scheduled_start_time) >= Date.parse(f.cutoff)) return false;
  if (f.workQueueIds.length && (!r.work_queue_id || !f.workQueueIds.includes(r.work_queue_id))) return false;
  if (createdBefore && Date.parse(r.created) > Date.parse(createdBefore)) return false;
  return true;
}

async function listRuns(api: PrefectApi, f: ResolvedPurgeFilter, signal?: AbortSignal, ids?: string[]): Promise<ApiRun[]> {
  const seen = new Map<string, ApiRun>();
  const body = { flow_runs: runFilter(f, ids), sort: 'NEXT_SCHEDULED_START_TIME_ASC' };
  for await (const page of api.paginate<ApiRun>('/flow_runs/filter', body, undefined, signal ? { signal } : {})) {
    for (const r of page) seen.set(r.id, r);
  }
  return [...seen.values()];
}

async function resolveNames(api: PrefectApi, filter: PurgeFilter, signal?: AbortSignal) {
  const opts = signal ? { signal } : {};
  const flows = new Map<string, string>();
  for await (const page of api.paginate<{ id: string; name: string }>('/flows/filter', {}, undefined, opts)) for (const f of page) flows.set(f.id, f.name);
  const deps: DeploymentName[] = [];
  for await (const page of api.paginate<{ id: string; name: string; flow_id: string }>('/deployments/filter', {}, undefined, opts)) {
    for (const d of page) deps.push({ id: d.id, name: d.name, fullName: `${flows.get(d.flow_id) ?? '?'}/${d.name}` });
  }
  const queues: QueueRow[] = [];
  if (filter.workPools.length || filter.workQueues.length) {
    for await (const page of api.paginate<{ id: string; name: string; work_pool_name: string | null }>('/work_queues/filter', {}, undefined, opts)) {
      for (const q of page) queues.push({ id: q.id, queue: q.name, pool: q.work_pool_name ?? '' });
    }
  }
  return {
    deploymentIds: resolveDeployments(filter.deployments, deps),
    workQueueIds: resolveQueueIds(filter.workPools, filter.workQueues, queues),
    names: new Map(deps.map((d) => [d.id, d.fullName])),
  };
}

export async function openApiBackend(conn: ResolvedConnection): Promise<PurgeBackend> {
  const api = new PrefectApi(conn);
  const version = await api.assertSupportedVersion();
  const hasBulk = await api.versionAtLeast('3.6.16');
  const notes = [
    hasBulk
      ? `API executor: POST /flow_runs/bulk_delete, at most 50 runs per call (${conn.db.kind === 'none' ? 'no database access on this connection' : 'chosen over this connection\'s database'}).`
      : `API executor: Prefect ${version.version} has no bulk delete, so runs are deleted one call at a time (slow).`,
    'Through the API, the rows touched in other tables cannot be counted; Prefect deletes a run\'s logs itself after the run.',
  ];
  return {
    executor: 'api',
    notes,
    // The API has no clock endpoint; the Date header of a cheap call is the server's time.
    serverNow: async (signal) => {
      const res = await fetch(`${api.baseUrl}/health`, signal ? { signal } : {}).catch(() => null);
      const date = res?.headers.get('date');
      return date ? new Date(date) : new Date();
    },
    async plan(filter, cutoff, signal) {
      const { deploymentIds, workQueueIds, names } = await resolveNames(api, filter, signal);
      const resolved: ResolvedPurgeFilter = { cutoff, stateNames: filter.stateNames, includeManual: filter.includeManual, deploymentIds, workQueueIds, tags: filter.tags, keepNewest: filter.keepNewest };
      const runs = (await listRuns(api, resolved, signal)).filter((r) => matchesClientSide(r, resolved));
      runs.sort((a, b) => (a.next_scheduled_start_time ?? '').localeCompare(b.next_scheduled_start_time ?? '') || a.id.localeCompare(b.id));
      const rank = new Map<string, number>();
      const all: Candidate[] = [...runs].reverse().map((r) => {
        const k = r.deployment_id ?? '';
        rank.set(k, (rank.get(k) ?? 0) + 1);
        return { id: r.id, deploymentId: r.deployment_id, name: r.name, stateName: r.state_name ?? '', scheduledStart: r.next_scheduled_start_time, autoScheduled: r.auto_scheduled, workQueue: r.work_queue_name, rankNewest: rank.get(k)! };
      }).reverse();
      const summary = selectAndSummarise(all, filter.keepNewest, names);
      return {
        resolved,
        serverNow: new Date().toISOString(),
        ...summary,
        impact: { flowRuns: summary.candidates.length, flowRunStates: null, taskRuns: null, taskRunStates: null, logs: null, artifacts: null, flowRunInputs: null },
        bytesEstimate: null,
      };
    },
    deleter: (resolved, createdBefore) => apiDeleter(api, resolved, createdBefore, hasBulk),
    close: async () => undefined,
  };
}

function apiDeleter(api: PrefectApi, f: ResolvedPurgeFilter, createdBefore: string, hasBulk: boolean): Deleter {
  const stillMatching = async (ids: string[], signal: AbortSignal) =>
    new Set((await listRuns(api, f, signal, ids)).filter((r) => matchesClientSide(r, f, createdBefore)).map((r) => r.id));
  return {
    kind: 'api',
    maxBatch: BULK_LIMIT,
    async deleteBatch(ids: string[], opts: BatchOptions): Promise<BatchResult> {
      // Re-read first: run_count and auto_scheduled are not filterable, so only runs that pass the
      // client-side check are sent, with the state predicate in the delete filter itself.
      const ok = [...(await stillMatching(ids, opts.signal))];
      if (!ok.length) return { deleted: [], logs: 0, artifacts: 0 };
      if (hasBulk) {
        const res = await api.request<{ deleted: string[] }>('POST', '/flow_runs/bulk_delete', { flow_runs: runFilter(f, ok), limit: BULK_LIMIT }, { signal: opts.signal });
        return { deleted: (res.deleted ?? []).map((id) => ({ id })), logs: 0, artifacts: 0 };
      }
      const deleted: { id: string }[] = [];
      for (const id of ok) {
        try {
          await api.request('DELETE', `/flow_runs/${id}`, undefined, { signal: opts.signal });
          deleted.push({ id });
        } catch (e) {
          if (e instanceof AppError && e.details?.status === 404) continue; // already gone
          throw e;
        }
      }
      return { deleted, logs: 0, artifacts: 0 };
    },
    stillMatching,
    async existing(ids, signal) {
      const found = new Set<string>();
      for await (const page of api.paginate<{ id: string }>('/flow_runs/filter', { flow_runs: { id: { any_: ids } } }, undefined, { signal })) for (const r of page) found.add(r.id);
      return found;
    },
    async recount(signal) {
      return (await listRuns(api, f, signal)).filter((r) => matchesClientSide(r, f)).length;
    },
    isTransient: () => false,
    close: async () => undefined,
  };
}
