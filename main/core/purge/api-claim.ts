/**
 * Claim before delete: how the API executor closes the window between "still stale?" and DELETE.
 *
 * Prefect's REST API has no conditional delete: `POST /flow_runs/bulk_delete` reads with its filter
 * and then deletes by id, and `DELETE /flow_runs/{id}` deletes whatever the run is by then. A worker
 * that moves the run to Pending in between loses it. So each run is first *claimed* with the very
 * transition a worker makes, proposed without `force`, so Prefect's orchestration rules decide:
 *
 * - PreventPendingTransitions (prefect/server/orchestration/core_policy.py, 3.0 to 3.9) aborts any
 *   proposal of PENDING named "Pending" on a run that is already PENDING, RUNNING, CANCELLING or
 *   CANCELLED. A run a worker has taken therefore refuses our claim, and once we hold a run a
 *   worker's own Pending proposal is refused ("cannot transition to a PENDING state"), so it moves on.
 *   The claim must be named exactly "Pending": 3.9 lets PENDING -> PENDING through when the new name
 *   differs and is not "Pending" (worker sub-states like "Submitting").
 * - CopyScheduledTime copies the scheduled time into the new Pending state only when the run was
 *   SCHEDULED. We propose none, so an accepted claim without a scheduled time came from another state
 *   (a run that a worker took and that already finished, which the rules let go back to Pending): we
 *   restore its previous state and do not delete it.
 * - The claim carries a message naming the plan, so a claim whose answer was lost (or a purge killed
 *   between claim and delete) is recognised as ours on the next attempt and finished.
 *
 * Only claimed runs are deleted, and the delete filter says PENDING "Pending" (bulk_delete), so a
 * claimed run that somebody forced elsewhere is left alone. Claims honour deployment concurrency limits the way a
 * worker's Pending does (SecureFlowConcurrencySlots takes a slot; deleting the run releases it), so the
 * executor claims no more runs of a limited deployment than it has free slots.
 */
import { AppError } from '../../../shared/errors';
import type { PrefectApi } from '../targets/prefect-api';

export const CLAIM_STATE_NAME = 'Pending';

export function claimMessage(planId: string): string {
  return `Housekeeper purge ${planId}: claimed for deletion (stale scheduled run); no worker will run it`;
}

export interface ApiState {
  id: string;
  type: string;
  name: string | null;
  message: string | null;
  timestamp?: string;
  data?: unknown;
  state_details?: Record<string, unknown> & { scheduled_time?: string | null };
}

interface OrchestrationResult {
  status: 'ACCEPT' | 'REJECT' | 'ABORT' | 'WAIT';
  state: ApiState | null;
  details?: { reason?: string };
}

export interface ClaimOutcome {
  /** Runs we now hold (PENDING, with our message, and proven to have come from SCHEDULED). */
  claimed: string[];
  /** Runs the rules refused to us (a worker holds them, or they changed): left as they are. */
  refused: string[];
  /** Runs whose claim was accepted from a non-stale state and that were put back. */
  restored: string[];
}

export function isOurClaim(state: { type?: string | null; name?: string | null; message?: string | null } | null | undefined, planId: string): boolean {
  return state?.type === 'PENDING' && state.name === CLAIM_STATE_NAME && state.message === claimMessage(planId);
}

/** An accepted claim that really came from a stale SCHEDULED state before the plan's cutoff. */
function fromStaleSchedule(state: ApiState | null, cutoff: string): boolean {
  const t = state?.state_details?.scheduled_time;
  return state?.type === 'PENDING' && state.name === CLAIM_STATE_NAME && typeof t === 'string' && Date.parse(t) < Date.parse(cutoff);
}

/**
 * `fn` over `items`, `limit` at a time. On an error no new item starts, and the error is thrown only
 * once every call already sent has answered: a batch is settled by asking the server what happened,
 * which must not race a DELETE still in flight.
 */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed: { error: unknown } | null = null;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!);
      } catch (e) {
        failed ??= { error: e };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed) throw (failed as { error: unknown }).error;
  return out;
}

export { mapLimit };

export interface ClaimOptions {
  planId: string;
  cutoff: string;
  /** Calls in flight (default 8). Per-run set_state rather than bulk_set_state: measured as fast or
   *  faster (the server interleaves them), and the same on every Prefect 3 line. */
  parallel?: number;
  isTransient: (e: unknown) => boolean;
}

/**
 * Proposes PENDING "Pending" (no force) on each run. A refused claim is an answer, not an error. A
 * claim that failed transiently (503 from a busy SQLite server, a dropped connection) is `deferred`:
 * the request is retried by the client first (a claim repeated after a lost answer is refused and
 * then recognised by its message); when every claim of the batch failed, the error is thrown so the
 * batch loop backs off.
 */
export async function claimRuns(api: PrefectApi, ids: readonly string[], o: ClaimOptions): Promise<ClaimOutcome & { deferred: string[] }> {
  const state = { type: 'PENDING', name: CLAIM_STATE_NAME, message: claimMessage(o.planId) };
  const results = new Map<string, OrchestrationResult | { error: unknown }>();
  if (!ids.length) return { claimed: [], refused: [], restored: [], deferred: [] };
  await mapLimit(ids, o.parallel ?? 8, async (id) => {
    try {
      results.set(id, await api.request<OrchestrationResult>('POST', `/flow_runs/${id}/set_state`, { state, force: false }, { idempotent: true }));
    } catch (e) {
      if (e instanceof AppError && e.code === 'CANCELLED') throw e;
      results.set(id, { error: e });
    }
  });
  const out = { claimed: [] as string[], refused: [] as string[], restored: [] as string[], deferred: [] as string[] };
  const toRestore: Array<{ id: string; claim: ApiState }> = [];
  let firstError: unknown = null;
  for (const id of ids) {
    const r = results.get(id)!;
    if ('error' in r) {
      if (!o.isTransient(r.error)) throw r.error;
      firstError ??= r.error;
      out.deferred.push(id);
    } else if (r.status !== 'ACCEPT') out.refused.push(id);
    else if (fromStaleSchedule(r.state, o.cutoff)) out.claimed.push(id);
    else toRestore.push({ id, claim: r.state! });
  }
  if (out.deferred.length === ids.length) throw firstError;
  await mapLimit(toRestore, 4, async ({ id, claim }) => {
    await restorePrevious(api, id, claim.id);
    out.restored.push(id);
  });
  return out;
}

/**
 * Puts a run we claimed by mistake back in the state it had just before our claim (force: the rules
 * would not let a finished run go back otherwise). The history keeps both transitions.
 */
export async function restorePrevious(api: PrefectApi, runId: string, claimStateId: string): Promise<void> {
  const states = await api.request<ApiState[]>('GET', '/flow_run_states/', undefined, { query: { flow_run_id: runId } });
  const sorted = [...states].sort((a, b) => Date.parse(a.timestamp ?? '') - Date.parse(b.timestamp ?? ''));
  const i = sorted.findIndex((s) => s.id === claimStateId);
  const prev = i > 0 ? sorted[i - 1] : undefined;
  if (!prev) return;
  const { flow_run_id: _f, task_run_id: _t, transition_id: _x, ...details } = prev.state_details ?? {};
  await api.request(
    'POST',
    `/flow_runs/${runId}/set_state`,
    { state: { type: prev.type, name: prev.name, message: prev.message, data: prev.data ?? null, state_details: details }, force: true },
    { idempotent: true },
  );
}
