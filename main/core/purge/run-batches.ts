/**
 * The batch loop shared by every executor. It works through the plan's frozen ids, journals each
 * batch before sending it (in flight) and after (deleted / skipped / busy), so a killed app or a
 * dropped connection resumes with exact totals and never touches a run outside the plan or twice.
 */
import { AppError } from '../../../shared/errors';
import type { ProgressUpdate } from '../jobs/runner';
import { createLogger } from '../log/logger';
import { RUN_BUSY, RUN_DELETED, RUN_IN_FLIGHT, RUN_PENDING, RUN_SKIPPED, type PurgeRepo } from '../../store/repos/purge';
import { BatchSizer, percentile } from './batch-size';
import type { Deleter } from './deleter';
import type { JsonlSink } from './export-sink';

const log = createLogger('purge');

/** A planned run still matching but locked by a worker is retried this many times, then left alone. */
const MAX_ATTEMPTS = 3;
const MAX_TRANSIENT_RETRIES = 8;

export interface LoopResult {
  batches: number;
  deletedLogs: number;
  deletedArtifacts: number;
  batchMs: number[];
}

export interface LoopOptions {
  planId: string;
  repo: PurgeRepo;
  deleter: Deleter;
  signal: AbortSignal;
  report: (u: ProgressUpdate) => void;
  /** Waits while the job is paused (between batches only). */
  pausePoint?: () => Promise<void>;
  sink?: JsonlSink;
  targetBatchMs?: number;
  /** First batch size (default 200); the sizer adapts from there. */
  initialBatch?: number;
  /** Upper bound for the adaptive size (default: the executor's maximum). */
  maxBatch?: number;
  /** Carried over from an earlier, interrupted run of the same plan. */
  prior?: Partial<LoopResult>;
}

function abortIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof AppError ? signal.reason : new AppError('CANCELLED', 'Cancelled by the user.');
}

export async function runBatches(o: LoopOptions): Promise<LoopResult> {
  const { planId, repo, deleter, signal } = o;
  const result: LoopResult = {
    batches: o.prior?.batches ?? 0,
    deletedLogs: o.prior?.deletedLogs ?? 0,
    deletedArtifacts: o.prior?.deletedArtifacts ?? 0,
    batchMs: [],
  };
  // Counted once from the journal, then kept in step with each batch (a GROUP BY per batch adds up).
  let c = repo.counts(planId);
  const progress = () => {
    o.report({
      phase: 'deleting',
      done: c.deleted + c.skipped + c.busy,
      total: c.total,
      message: `${c.deleted} deleted, ${c.skipped} skipped`,
      checkpoint: { deleted: c.deleted, skipped: c.skipped, busy: c.busy, batches: result.batches, deletedLogs: result.deletedLogs, deletedArtifacts: result.deletedArtifacts },
    });
  };

  // Resume: a batch that was in flight when we died either committed (its runs are gone) or not.
  const inFlight = repo.idsInState(planId, RUN_IN_FLIGHT);
  if (inFlight.length) {
    const still = await deleter.existing(inFlight, signal);
    repo.setState(planId, inFlight.filter((id) => !still.has(id)), RUN_DELETED);
    repo.setState(planId, inFlight.filter((id) => still.has(id)), RUN_PENDING);
    log.info(`resumed plan ${planId}: ${inFlight.length - still.size} of ${inFlight.length} in-flight runs had been deleted`);
    c = repo.counts(planId);
  }
  progress();

  const max = Math.min(o.maxBatch ?? deleter.maxBatch, deleter.maxBatch);
  const sizer = new BatchSizer(o.targetBatchMs ?? 200, Math.min(10, o.initialBatch ?? 10), max, Math.min(o.initialBatch ?? 200, max));
  let transient = 0;
  for (;;) {
    abortIfCancelled(signal);
    await o.pausePoint?.();
    const ids = repo.idsInState(planId, RUN_PENDING, sizer.size);
    if (ids.length === 0) break;
    repo.setState(planId, ids, RUN_IN_FLIGHT);
    const t0 = performance.now();
    let deleted: string[];
    try {
      const r = await deleter.deleteBatch(ids, {
        signal,
        wantExport: o.sink !== undefined,
        ...(o.sink ? { beforeCommit: (runs) => o.sink!.write(runs) } : {}),
      });
      deleted = r.deleted.map((d) => d.id);
      result.deletedLogs += r.logs;
      result.deletedArtifacts += r.artifacts;
    } catch (e) {
      if (!signal.aborted && deleter.isTransient(e) && transient < MAX_TRANSIENT_RETRIES) {
        transient++;
        sizer.backOff();
        log.info(`batch failed transiently (${(e as Error).message}); retrying with ${sizer.size} runs`);
        await sleep(100 * 2 ** transient, signal);
        // A lock timeout rolled the batch back; a dropped connection may have lost the answer to a
        // COMMIT that went through. Ask the server which of the batch's runs still exist.
        const gone = await reconcileInFlight(ids, deleter, repo, planId, signal);
        c.deleted += gone;
        c.pending -= gone;
        continue;
      }
      throw e;
    }
    const elapsed = performance.now() - t0;
    transient = 0;
    result.batches++;
    result.batchMs.push(elapsed);
    sizer.observe(ids.length, elapsed);

    const deletedSet = new Set(deleted);
    const rest = ids.filter((id) => !deletedSet.has(id));
    repo.setState(planId, deleted, RUN_DELETED);
    c.deleted += deleted.length;
    c.pending -= deleted.length;
    if (rest.length) {
      const matching = await deleter.stillMatching(rest, signal);
      const skipped = rest.filter((id) => !matching.has(id));
      repo.setState(planId, skipped, RUN_SKIPPED);
      c.skipped += skipped.length;
      c.pending -= skipped.length;
      const locked = rest.filter((id) => matching.has(id));
      if (locked.length) {
        const attempts = repo.attempts(planId, locked);
        const busy = locked.filter((id) => (attempts.get(id) ?? 0) + 1 >= MAX_ATTEMPTS);
        repo.setState(planId, busy, RUN_BUSY, true);
        c.busy += busy.length;
        c.pending -= busy.length;
        repo.setState(planId, locked.filter((id) => (attempts.get(id) ?? 0) + 1 < MAX_ATTEMPTS), RUN_PENDING, true);
        // Give the worker holding them a moment before the next try.
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    progress();
  }
  return result;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}

/**
 * Settles a batch whose outcome is unknown: runs that no longer exist were deleted by it, the others
 * go back to pending. Retries while the server is unreachable (it may be restarting).
 */
async function reconcileInFlight(ids: string[], deleter: Deleter, repo: PurgeRepo, planId: string, signal: AbortSignal): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    abortIfCancelled(signal);
    try {
      const still = await deleter.existing(ids, signal);
      const gone = ids.filter((id) => !still.has(id));
      repo.setState(planId, gone, RUN_DELETED);
      repo.setState(planId, ids.filter((id) => still.has(id)), RUN_PENDING);
      return gone.length;
    } catch (e) {
      if (!deleter.isTransient(e) || attempt >= MAX_TRANSIENT_RETRIES) throw e;
      await sleep(250 * 2 ** Math.min(attempt, 5), signal);
    }
  }
}

export function p99(result: LoopResult): number | null {
  const v = percentile(result.batchMs, 99);
  return v === null ? null : Math.round(v);
}
