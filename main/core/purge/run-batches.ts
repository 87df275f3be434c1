/**
 * The batch loop shared by every executor. It works through the plan's frozen ids, journals each
 * batch before sending it (in flight), again just before the server commits it (the pending batch:
 * victims, their log and artifact counts, their export lines), and after it (deleted / skipped / busy
 * with the counts, in one local transaction), so a killed app or a dropped connection resumes with
 * exact totals and never touches a run outside the plan or twice.
 */
import { AppError } from '../../../shared/errors';
import type { ProgressUpdate } from '../jobs/runner';
import { createLogger } from '../log/logger';
import { RUN_IN_FLIGHT, RUN_PENDING, RUN_SKIPPED, type PurgeRepo } from '../../store/repos/purge';
import { BatchSizer, percentile } from './batch-size';
import type { BatchResult, Deleter } from './deleter';
import type { JsonlSink } from './export-sink';

const log = createLogger('purge');

/** A planned run still matching but locked by a worker is retried this many times, then left alone. */
const MAX_ATTEMPTS = 3;
const MAX_TRANSIENT_RETRIES = 8;

export interface LoopResult {
  /** Totals of the plan across every run of it (resumes included), from the journal. */
  batches: number;
  deletedLogs: number;
  deletedArtifacts: number;
  /** Durations of the batches of this run. */
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
}

function abortIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof AppError ? signal.reason : new AppError('CANCELLED', 'Cancelled by the user.');
}

/**
 * TEST HOOK (integration tests only, never set in production): HOUSEKEEPER_TEST_KILL_AT=point:N
 * SIGKILLs this process at `point` of its Nth batch, to prove that the journal settles exactly.
 * Points: "before-commit" (victims journaled, server not yet committed), "after-commit" (server
 * committed, local journal not yet written).
 */
function testKillPoint(point: 'before-commit' | 'after-commit', batchNo: number): void {
  const at = process.env.HOUSEKEEPER_TEST_KILL_AT;
  if (at && at === `${point}:${batchNo}`) process.kill(process.pid, 'SIGKILL');
}

export async function runBatches(o: LoopOptions): Promise<LoopResult> {
  const { planId, repo, deleter, signal } = o;
  const batchMs: number[] = [];
  // Resume: settle what a killed run left between its journal and the server (see settleInFlight).
  await settleInFlight(o);
  // Counted once from the journal, then kept in step with each batch (a GROUP BY per batch adds up).
  let c = repo.counts(planId);
  const progress = () => {
    const t = repo.totals(planId);
    o.report({
      phase: 'deleting',
      done: c.deleted + c.skipped + c.busy,
      total: c.total,
      message: `${c.deleted} deleted, ${c.skipped} skipped`,
      checkpoint: { deleted: c.deleted, skipped: c.skipped, busy: c.busy, batches: t.batches, deletedLogs: t.logs, deletedArtifacts: t.artifacts },
    });
  };
  progress();

  const max = Math.min(o.maxBatch ?? deleter.maxBatch, deleter.maxBatch);
  const initial = o.initialBatch ?? (deleter.targetBatchMs ? max : 200);
  const sizer = new BatchSizer(o.targetBatchMs ?? deleter.targetBatchMs ?? 200, Math.min(10, initial), max, Math.min(initial, max));
  let transient = 0;
  let batchNo = 0;
  for (;;) {
    abortIfCancelled(signal);
    await o.pausePoint?.();
    const ids = repo.idsInState(planId, RUN_PENDING, sizer.size);
    if (ids.length === 0) break;
    repo.setState(planId, ids, RUN_IN_FLIGHT);
    batchNo++;
    const t0 = performance.now();
    let r: BatchResult;
    let exported: { start: number; end: number } | null = null;
    try {
      r = await deleter.deleteBatch(ids, {
        signal,
        wantExport: o.sink !== undefined,
        // Export and journal the victims with their counts before the server commits: a kill after the
        // commit leaves a pending batch that the next run settles by asking which victims are gone.
        beforeCommit: (b) => {
          exported = o.sink ? o.sink.write(b.victims) : null;
          repo.setPendingBatch(planId, {
            ids: b.victims.map((v) => v.id),
            logs: b.logs,
            artifacts: b.artifacts,
            exportStart: exported?.start ?? 0,
            exportEnd: exported?.end ?? 0,
          });
          testKillPoint('before-commit', batchNo);
        },
      });
    } catch (e) {
      if (!signal.aborted && deleter.isTransient(e) && transient < MAX_TRANSIENT_RETRIES) {
        transient++;
        sizer.backOff();
        log.info(`batch failed transiently (${(e as Error).message}); retrying with ${sizer.size} runs`);
        await sleep(100 * 2 ** transient, signal);
        // A lock timeout rolled the batch back; a dropped connection may have lost the answer to a
        // COMMIT that went through. Ask the server which of the batch's runs still exist.
        await settleInFlight(o, true);
        c = repo.counts(planId);
        continue;
      }
      throw e;
    }
    testKillPoint('after-commit', batchNo);
    const elapsed = performance.now() - t0;
    transient = 0;
    batchMs.push(elapsed);
    sizer.observe(ids.length, elapsed);

    const deleted = r.deleted.map((d) => d.id);
    const deletedSet = new Set(deleted);
    // Export lines of victims the server did not delete after all (API: a claim forced away) go.
    const range = exported as { start: number; end: number } | null;
    if (o.sink && range && deleted.length < (repo.pendingBatch(planId)?.ids.length ?? 0)) o.sink.keepOnly(range.start, range.end, deletedSet);
    const deferred = new Set(r.deferred ?? []);
    const rest = ids.filter((id) => !deletedSet.has(id) && !deferred.has(id));
    let skipped: string[] = [];
    let busy: string[] = [];
    let retry: string[] = [];
    if (rest.length) {
      const matching = await deleter.stillMatching(rest, signal);
      skipped = rest.filter((id) => !matching.has(id));
      const locked = rest.filter((id) => matching.has(id));
      const attempts = repo.attempts(planId, locked);
      busy = locked.filter((id) => (attempts.get(id) ?? 0) + 1 >= MAX_ATTEMPTS);
      retry = locked.filter((id) => (attempts.get(id) ?? 0) + 1 < MAX_ATTEMPTS);
    }
    // Ids, states, counts and the export size in one local transaction (issue #11 item 5).
    repo.commitBatch(planId, { deleted, skipped, busy, retry, deferred: [...deferred], logs: r.logs, artifacts: r.artifacts, exportBytes: o.sink ? o.sink.size() : null });
    c.deleted += deleted.length;
    c.skipped += skipped.length;
    c.busy += busy.length;
    c.pending -= deleted.length + skipped.length + busy.length;
    // Give the worker holding them a moment before the next try.
    if (retry.length) await new Promise((res) => setTimeout(res, 200));
    progress();
  }
  const t = repo.totals(planId);
  return { batches: t.batches, deletedLogs: t.logs, deletedArtifacts: t.artifacts, batchMs };
}

/**
 * Settles runs left in flight by a run that died or lost its connection:
 * - a pending batch (journaled just before the server's commit): the victims that are gone were
 *   deleted by it; its logs and artifacts count as what was there before minus what is left now (all
 *   of them when it committed, none when it rolled back, the part done when an API batch stopped
 *   half-way); its export lines are kept for the gone victims only;
 * - other in-flight runs never reached a commit: back to pending (gone ones were deleted by someone
 *   else and count as skipped, never as ours).
 * Without a pending batch, export lines past the committed size belong to a batch that never
 * committed and are cut.
 */
async function settleInFlight(o: LoopOptions, retrying = false): Promise<void> {
  const { planId, repo, deleter, signal } = o;
  for (let attempt = 0; ; attempt++) {
    abortIfCancelled(signal);
    try {
      const pb = repo.pendingBatch(planId);
      const inFlight = repo.idsInState(planId, RUN_IN_FLIGHT);
      const exportBytes = repo.getPlan(planId)?.export_bytes ?? 0;
      if (!pb) {
        if (o.sink) o.sink.truncate(Math.max(exportBytes, 0));
        if (!inFlight.length) return;
        const still = await deleter.existing(inFlight, signal);
        repo.setState(planId, inFlight.filter((id) => !still.has(id)), RUN_SKIPPED);
        repo.setState(planId, inFlight.filter((id) => still.has(id)), RUN_PENDING);
        log.info(`plan ${planId}: ${inFlight.length} in-flight runs had not reached a commit; ${inFlight.length - still.size} were gone already`);
        return;
      }
      const still = await deleter.existing(pb.ids, signal);
      const gone = pb.ids.filter((id) => !still.has(id));
      const left = gone.length || deleter.kind === 'api' ? await deleter.children(pb.ids, signal) : { logs: pb.logs, artifacts: pb.artifacts };
      const logs = pb.logs === null ? 0 : Math.max(0, pb.logs - (left.logs ?? 0));
      const artifacts = Math.max(0, pb.artifacts - left.artifacts);
      if (o.sink) {
        if (!gone.length) o.sink.truncate(pb.exportStart);
        else if (gone.length === pb.ids.length) o.sink.truncate(pb.exportEnd);
        else o.sink.keepOnly(pb.exportStart, pb.exportEnd, new Set(gone));
      }
      const goneSet = new Set(gone);
      repo.settlePending(planId, gone, inFlight.filter((id) => !goneSet.has(id)), logs, artifacts, o.sink ? o.sink.size() : null);
      log.info(`plan ${planId}: settled a batch ${retrying ? 'whose answer was lost' : 'left by a killed run'}: ${gone.length} of ${pb.ids.length} deleted, ${logs} logs, ${artifacts} artifacts`);
      // Other in-flight runs of that batch (not victims) go back to pending by settlePending.
      return;
    } catch (e) {
      if (!deleter.isTransient(e) || attempt >= MAX_TRANSIENT_RETRIES) throw e;
      await sleep(250 * 2 ** Math.min(attempt, 5), signal);
    }
  }
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

export function p99(result: LoopResult): number | null {
  const v = percentile(result.batchMs, 99);
  return v === null ? null : Math.round(v);
}
