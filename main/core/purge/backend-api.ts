/**
 * Purge through the Prefect REST API, for Prefect Cloud or when there is no database access.
 *
 * Traps handled (docs/prefect.md §7.2, §7.3):
 * - FlowRunFilter cannot filter run_count or auto_scheduled: both are checked client-side on every
 *   run before it is put in a batch, and again just before each batch.
 * - any_ and not_any_ must never be combined inside state.type/state.name (the server silently ignores
 *   one): only any_ is used.
 * - next_scheduled_start_time.before_ is inclusive; the plan's cutoff is strict, so runs at exactly the
 *   cutoff are dropped client-side.
 * - Neither POST /flow_runs/bulk_delete nor DELETE /flow_runs/{id} re-checks a run at delete time, so
 *   every run is claimed first with a Pending transition Prefect's rules refuse once a worker holds
 *   the run, and only claimed runs are deleted (api-claim.ts). Their artifacts are deleted first, one
 *   DELETE /artifacts/{id} each, which lets Prefect repoint its keyed-artifact "latest" rows itself.
 * - The page size can never exceed the server's PREFECT_SERVER_API_DEFAULT_LIMIT (the client pages).
 */
import { AppError } from '../../../shared/errors';
import type { PurgeFilter } from '../../../shared/domain/purge';
import type { ResolvedConnection } from '../connections/types';
import { apiCapabilities } from '../targets/capabilities';
import { PrefectApi } from '../targets/prefect-api';
import type { PurgeBackend } from './backends';
import type { BatchOptions, BatchResult, Deleter } from './deleter';
import { resolveDeployments, resolveQueueIds, type DeploymentName, type QueueRow } from './names';
import type { ResolvedPurgeFilter } from './predicate-pg';
import { selectAndSummarise, type Candidate } from './summarise';
import { claimRuns, isOurClaim, mapLimit, CLAIM_STATE_NAME, type ApiState } from './api-claim';
import { apiServerNow } from '../targets/server-clock';

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
  state?: ApiState | null;
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

/** The artifacts of these runs with their keys (POST /artifacts/filter, paged by the server's limit). */
async function listArtifacts(api: PrefectApi, runIds: readonly string[]): Promise<Array<{ id: string; key: string | null }>> {
  const limit = await api.pageLimit();
  const out: Array<{ id: string; key: string | null }> = [];
  for (let offset = 0; ; offset += limit) {
    const page = await api.request<Array<{ id: string; key?: string | null }>>('POST', '/artifacts/filter', { artifacts: { flow_run_id: { any_: runIds } }, sort: 'ID_DESC', limit, offset });
    out.push(...page.map((a) => ({ id: a.id, key: a.key ?? null })));
    if (page.length < limit) return out;
  }
}

/** Deletes these artifacts, lane by lane (a 404 is one already gone); returns how many this call deleted. */
export async function deleteArtifacts(api: PrefectApi, found: ReadonlyArray<{ id: string; key: string | null }>): Promise<number> {
  let n = 0;
  await mapLimit(artifactLanes(found), 8, async (lane) => {
    for (const id of lane) {
      try {
        await api.request('DELETE', `/artifacts/${id}`, undefined, { idempotent: true });
        n++;
      } catch (e) {
        if (!(e instanceof AppError && e.details?.status === 404)) throw e;
      }
    }
  });
  return n;
}

/**
 * Work lanes for the artifact deletes: each unkeyed artifact alone, and all artifacts of one key in
 * one lane, deleted one after another. Prefect's delete_artifact (prefect/server/models/artifacts.py)
 * reads "is this the latest of its key?" and "which is next?" without a lock, so two deletes of the
 * same key at once can leave artifact_collection pointing at a deleted or an older artifact (seen in
 * test/integration/purge-artifacts.test.ts with 8 in flight).
 */
export function artifactLanes(artifacts: ReadonlyArray<{ id: string; key: string | null }>): string[][] {
  const byKey = new Map<string, string[]>();
  const lanes: string[][] = [];
  for (const a of artifacts) {
    if (a.key === null) lanes.push([a.id]);
    else {
      const lane = byKey.get(a.key);
      if (lane) lane.push(a.id);
      else {
        const l = [a.id];
        byKey.set(a.key, l);
        lanes.push(l);
      }
    }
  }
  return lanes;
}

/** Artifacts of these runs, through /artifacts/count (one call per 200 ids). */
async function countArtifacts(api: PrefectApi, ids: readonly string[], signal?: AbortSignal): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += 200) {
    n += Number(await api.request<number>('POST', '/artifacts/count', { artifacts: { flow_run_id: { any_: ids.slice(i, i + 200) } } }, signal ? { signal } : {}));
  }
  return n;
}

export async function openApiBackend(conn: ResolvedConnection): Promise<PurgeBackend> {
  const api = new PrefectApi(conn);
  const version = await api.assertSupportedVersion();
  const hasBulk = (await apiCapabilities(api)).endpoints.flowRunsBulkDelete;
  const why = conn.db.kind === 'none' ? 'no database access on this connection' : "chosen over this connection's database";
  const notes = [
    hasBulk
      ? `API executor (${why}): each run is first claimed with a Pending transition (refused by Prefect once a worker holds the run), then deleted with POST /flow_runs/bulk_delete, 50 per call; claimed runs only.`
      : `API executor (${why}): each run is first claimed with a Pending transition (refused by Prefect once a worker holds the run), then deleted with one DELETE /flow_runs/{id} per run (Prefect ${version.version} has no bulk delete; slower); claimed runs only.`,
    "Their artifacts are deleted through the API first; their logs are deleted by Prefect itself after each run (not counted through the API).",
    'Claims emit Prefect\'s usual flow-run Pending events; a run of a deployment with a concurrency limit is claimed only while a slot is free.',
  ];
  return {
    executor: 'api',
    notes,
    // The API has no clock endpoint: the Date header, read as targets/server-clock.ts says.
    serverNow: async (signal) => new Date(await apiServerNow(api.baseUrl, signal)),
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
      const artifacts = await countArtifacts(api, summary.candidates.map((c) => c.id), signal);
      return {
        resolved,
        serverNow: new Date().toISOString(),
        ...summary,
        impact: { flowRuns: summary.candidates.length, flowRunStates: null, taskRuns: null, taskRunStates: null, logs: null, artifacts, flowRunInputs: null },
        bytesEstimate: null,
      };
    },
    deleter: (resolved, createdBefore, planId) => apiDeleter(api, resolved, createdBefore, planId, hasBulk),
    close: async () => undefined,
  };
}

interface DeploymentLimit {
  id: string;
  concurrency_limit: number | null;
  global_concurrency_limit: { limit: number; active_slots: number } | null;
}

/** Free concurrency slots per limited deployment among `runs` (absent: no limit). */
async function freeSlots(api: PrefectApi, runs: readonly ApiRun[], signal: AbortSignal): Promise<Map<string, number>> {
  const depIds = [...new Set(runs.map((r) => r.deployment_id).filter((x): x is string => !!x))];
  const out = new Map<string, number>();
  if (!depIds.length) return out;
  const deps = await api.request<DeploymentLimit[]>('POST', '/deployments/filter', { deployments: { id: { any_: depIds } }, limit: depIds.length }, { signal });
  for (const d of deps) {
    const g = d.global_concurrency_limit;
    if (g) out.set(d.id, Math.max(0, g.limit - g.active_slots));
    else if (d.concurrency_limit !== null && d.concurrency_limit !== undefined) out.set(d.id, 0); // limit without its slot record: do not claim
  }
  return out;
}

function apiDeleter(api: PrefectApi, f: ResolvedPurgeFilter, createdBefore: string, planId: string, hasBulk: boolean): Deleter {
  const byIds = async (ids: readonly string[], signal?: AbortSignal): Promise<ApiRun[]> => {
    const out: ApiRun[] = [];
    for await (const page of api.paginate<ApiRun>('/flow_runs/filter', { flow_runs: { id: { any_: ids } } }, undefined, signal ? { signal } : {})) out.push(...page);
    return out;
  };
  const ours = (r: ApiRun) => isOurClaim(r.state, planId);
  /** Still ours to delete: our claim, never ran, created by a schedule unless asked. */
  const holds = (r: ApiRun) => ours(r) && r.run_count === 0 && (f.includeManual || r.auto_scheduled);
  const stillMatching = async (ids: string[], signal: AbortSignal) =>
    new Set((await byIds(ids, signal)).filter((r) => matchesClientSide(r, f, createdBefore) || ours(r)).map((r) => r.id));

  /**
   * Deletes runs this plan holds: their artifacts first (a run deleted before its artifacts would
   * orphan them for good; a claimed run that keeps its artifacts for a moment is still ours to finish),
   * then the runs, with the claim in the filter (VERSION-DEPENDENT: bulk_delete). Retried by the
   * client on 5xx/lost answers; what is gone afterwards was deleted by us, since nobody else deletes
   * a run we hold (a lost answer must not turn a deletion into a "skip").
   */
  const deleteHeld = async (heldIds: string[], found: Awaited<ReturnType<typeof listArtifacts>>): Promise<{ gone: Set<string>; artifacts: number }> => {
    const artifacts = await deleteArtifacts(api, found);
    const gone = new Set<string>();
    if (hasBulk) {
      const res = await api.request<{ deleted: string[] }>(
        'POST',
        '/flow_runs/bulk_delete',
        { flow_runs: { id: { any_: heldIds }, state: { type: { any_: ['PENDING'] }, name: { any_: [CLAIM_STATE_NAME] } } }, limit: BULK_LIMIT },
        { idempotent: true },
      );
      for (const id of res.deleted ?? []) gone.add(id);
    } else {
      await mapLimit(heldIds, 8, async (id) => {
        try {
          await api.request('DELETE', `/flow_runs/${id}`, undefined, { idempotent: true });
          gone.add(id);
        } catch (e) {
          if (!(e instanceof AppError && e.details?.status === 404)) throw e;
        }
      });
    }
    const unsure = heldIds.filter((id) => !gone.has(id));
    if (unsure.length) {
      const still = new Set((await byIds(unsure)).map((r) => r.id));
      for (const id of unsure) if (!still.has(id)) gone.add(id);
    }
    return { gone, artifacts };
  };

  return {
    kind: 'api',
    maxBatch: BULK_LIMIT,
    // A batch is a few dozen API calls; no lock is held between them, so keep batches full.
    targetBatchMs: 60_000,
    async deleteBatch(ids: string[], opts: BatchOptions): Promise<BatchResult> {
      const { signal } = opts;
      // 1. Re-read: still stale (client-side checks), or already claimed by this plan (a claim whose
      //    answer was lost, or a purge killed between claim and delete).
      const runs = await byIds(ids, signal);
      const mine = runs.filter(ours);
      const stale = runs.filter((r) => !ours(r) && matchesClientSide(r, f, createdBefore));
      // Deployment concurrency limits: claim no more runs of a limited deployment than it has free
      // slots (a claim takes one, as a worker's Pending does; deleting the run releases it). The rest
      // wait for a later batch; a deployment whose slots stay full leaves them busy.
      const slots = await freeSlots(api, stale, signal);
      const hadSlots = new Set([...slots].filter(([, n]) => n > 0).map(([id]) => id));
      const deferred: string[] = [];
      const toClaim = stale.filter((r) => {
        const free = r.deployment_id ? slots.get(r.deployment_id) : undefined;
        if (free === undefined) return true;
        if (free <= 0) {
          if (hadSlots.has(r.deployment_id!)) deferred.push(r.id);
          return false;
        }
        slots.set(r.deployment_id!, free - 1);
        return true;
      });
      if (signal.aborted) throw new AppError('CANCELLED', 'Cancelled by the user.');
      // From the first claim on, the batch runs to its end (a cancel takes effect after it): a claim
      // left standing would keep the run Pending until the plan is resumed.
      const claim = await claimRuns(api, toClaim.map((r) => r.id), { planId, cutoff: f.cutoff, isTransient: isTransientApiError });
      deferred.push(...claim.deferred);
      const claimedIds = [...mine.map((r) => r.id), ...claim.claimed];
      if (!claimedIds.length) return { deleted: [], logs: 0, artifacts: 0, deferred };

      // 2. Verify what we hold: still our claim, never ran, created by a schedule unless asked.
      //    A run we held that is gone by now was deleted by us: nobody else deletes a run we hold, and
      //    an earlier DELETE of ours whose answer was lost can land after the settle found the run
      //    still there (a SQLite server queues writes behind its lock). It is journaled and counted as
      //    deleted, with the export line from step 1's read, so it is never reported "skipped".
      const reread = await byIds(claimedIds);
      const present = new Set(reread.map((r) => r.id));
      const seen = new Map(runs.map((r) => [r.id, r]));
      const goneWhileHeld = claimedIds.filter((id) => !present.has(id) && seen.has(id)).map((id) => seen.get(id)!);
      const held = reread.filter(holds);
      if (!held.length && !goneWhileHeld.length) return { deleted: [], logs: 0, artifacts: 0, deferred };
      const heldIds = held.map((r) => r.id);

      // 3-4. Their artifacts, then the runs (deleteHeld).
      const found = await listArtifacts(api, heldIds);
      opts.beforeCommit?.({ victims: [...held, ...goneWhileHeld].map((r) => ({ id: r.id, ...(opts.wantExport ? { export: { flow_run: withoutState(r) } } : {}) })), logs: null, artifacts: found.length });
      const { gone, artifacts } = await deleteHeld(heldIds, found);
      return { deleted: [...heldIds.filter((id) => gone.has(id)), ...goneWhileHeld.map((r) => r.id)].map((id) => ({ id })), logs: 0, artifacts, deferred };
    },
    async existingAfterFinishing(ids, signal) {
      const present = await byIds(ids, signal);
      const still = new Set(present.map((r) => r.id));
      const held = present.filter(holds).map((r) => r.id);
      if (!held.length) return still;
      const { gone } = await deleteHeld(held, await listArtifacts(api, held));
      for (const id of gone) still.delete(id);
      return still;
    },
    stillMatching,
    async existing(ids, signal) {
      return new Set((await byIds(ids, signal)).map((r) => r.id));
    },
    async children(ids, signal) {
      return { logs: null, artifacts: await countArtifacts(api, ids, signal) };
    },
    async recount(signal) {
      return (await listRuns(api, f, signal)).filter((r) => matchesClientSide(r, f)).length;
    },
    isTransient: isTransientApiError,
    close: async () => undefined,
  };
}

const TRANSIENT_ERRNO = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * A 5xx (a SQLite-backed server answers 500 when its database is locked), a timeout or a dropped
 * connection: the batch is retried after settling it, which is safe because claims carry the plan's
 * message and the pending batch is journaled before any delete.
 */
export function isTransientApiError(e: unknown): boolean {
  if (!(e instanceof AppError) || e.code !== 'PREFECT_HTTP') return false;
  const d = e.details ?? {};
  if (typeof d.status === 'number') return d.status >= 500;
  if (typeof d.timeoutMs === 'number') return true;
  return typeof d.errno === 'string' && TRANSIENT_ERRNO.has(d.errno);
}

function withoutState(r: ApiRun): Omit<ApiRun, 'state'> {
  const { state: _s, ...rest } = r;
  return rest;
}
