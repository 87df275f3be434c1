/**
 * The phase loop shared by every retention executor. Per batch: the step runs one short server
 * transaction; just before its COMMIT the loop writes the export lines (fsync'ed) and journals the
 * pending batch (transaction id, counts, cursor after it); after the commit it writes the new
 * progress (cursor + totals) and clears the pending batch in ONE local transaction. A kill at any
 * point therefore resumes with exact totals: a pending batch found on resume is settled by asking
 * the server whether that transaction committed (txid_status on Postgres; whether its victims are
 * gone elsewhere), and its export lines are kept or cut to match.
 */
import { addTotals, RETENTION_PHASES, rowsDeleted, type RetentionPhase } from '../../../shared/domain/retention';
import type { ProgressUpdate } from '../jobs/runner';
import { createLogger } from '../log/logger';
import { abortIfCancelled, BatchEngine, p99 as p99Of, phaseSizer, sleep } from '../batches/engine';
import type { JsonlSink } from '../batches/export-sink';
import type { RetentionProgress, RetentionRepo } from '../../store/repos/retention';
import { MAX_RETRY_ATTEMPTS } from './runs-pg';
import type { PreparedBatch, RetentionExecution, StepResult } from './types';

const log = createLogger('retention');

export interface LoopOptions {
  planId: string;
  repo: RetentionRepo;
  exec: RetentionExecution;
  signal: AbortSignal;
  report: (u: ProgressUpdate) => void;
  pausePoint?: () => Promise<void>;
  /** Throws when another process has taken this plan over (main/core/batches/lease.ts). */
  leaseCheck?: () => void;
  sink?: JsonlSink;
  /** Rows the plan expects to delete in total (progress bar); null when unknown. */
  expectedRows: number | null;
  targetBatchMs?: number;
  /**
   * A rest before every batch after the first (--batch-pause-ms, default none): the server's other
   * work has the database to itself meanwhile, and the run takes longer. Cancel cuts it short.
   */
  pauseMs?: number;
  initialBatch?: number;
  maxBatch?: number;
}

export interface LoopResult {
  progress: RetentionProgress;
  batchMs: number[];
}

/**
 * The default batch budget (--batch-target-ms). Measured (docs/bench-retention.md, "Round trips per
 * batch"): once a batch is two statements, 1 s batches were no faster than 200 ms ones (45.3 vs
 * 45.0 s for 75,912 runs) while the API's p99 under them was 2.65x idle instead of 1.34x: a long batch
 * keeps a core busy in one piece and the API's calls wait behind it. The Retention screen says "about
 * 200 ms each" (renderer/features/retention/RetentionConfirm.tsx): keep the two together.
 */
export const DEFAULT_BATCH_TARGET_MS = 200;

const phaseIndex = (p: RetentionPhase) => RETENTION_PHASES.indexOf(p);

export async function runPhases(o: LoopOptions): Promise<LoopResult> {
  const { planId, repo, exec, signal } = o;
  const batchMs: number[] = [];
  // HOUSEKEEPER_TEST_KILL_AT="retention:before-commit:N", or "retention/<phase>:after-commit:N" (engine.ts).
  let batchesStarted = 0;
  const pausePoint = async (): Promise<void> => {
    if (o.pauseMs && batchesStarted++ > 0) {
      await sleep(o.pauseMs, signal);
      abortIfCancelled(signal); // a cancel during the rest stops here, before the next batch
    }
    await o.pausePoint?.();
  };
  const engine = new BatchEngine({
    signal,
    pausePoint,
    ...(o.leaseCheck ? { leaseCheck: o.leaseCheck } : {}),
    isTransient: (e) => exec.isTransient(e),
    settle: (retrying) => settle(o, retrying),
    killTag: 'retention',
    log,
  });
  await engine.settle();
  let progress = repo.progress(planId);
  const report = (message?: string) =>
    o.report({
      phase: progress.phase,
      done: rowsDeleted(progress.totals),
      // The plan's row count is partly estimated (logs, events): once more rows than that were
      // deleted, the bar shows what was done rather than "549,947 of 549,866".
      total: o.expectedRows === null ? null : Math.max(o.expectedRows, rowsDeleted(progress.totals)),
      message: message ?? `${progress.totals.runs.toLocaleString('en-US')} runs, ${rowsDeleted(progress.totals).toLocaleString('en-US')} rows deleted`,
      checkpoint: { phase: progress.phase, totals: progress.totals },
    });
  report();
  for (const step of exec.steps) {
    if (phaseIndex(step.phase) < phaseIndex(progress.phase)) continue;
    if (progress.phase !== step.phase) {
      progress = { ...progress, phase: step.phase };
      repo.commit(planId, progress);
    }
    const max = Math.min(o.maxBatch ?? step.maxBatch, step.maxBatch);
    const initial = step.phase === 'runs' || step.phase === 'retry' ? (o.initialBatch ?? step.initialBatch) : step.initialBatch;
    const sizer = phaseSizer(o.targetBatchMs ?? DEFAULT_BATCH_TARGET_MS, step.minBatch, initial, max);
    // Where a run's time goes, phase by phase (HOUSEKEEPER_LOG=info): the benchmark reads these.
    const phaseStart = Date.now();
    const rowsBefore = rowsDeleted(progress.totals);
    const batchesBefore = batchMs.length;
    await engine.run<StepResult>({
      name: step.phase,
      sizer,
      attempt: (size) => {
        let exported: { start: number; end: number } | null = null;
        return step.run(progress.cursors[step.phase], size, {
          signal,
          wantExport: o.sink !== undefined && (step.phase === 'runs' || step.phase === 'retry'),
          retryIds: (n) => repo.retryIds(planId, n, MAX_RETRY_ATTEMPTS),
          beforeCommit: (b: PreparedBatch) => {
            exported = o.sink && b.exportLines?.length ? o.sink.write(b.exportLines.map((line) => ({ id: '', export: line }))) : null;
            const size = o.sink ? o.sink.size() : 0;
            repo.setPendingBatch(planId, {
              phase: step.phase,
              xid: b.xid,
              victims: b.victims,
              delta: b.delta,
              cursorAfter: b.cursorAfter,
              retry: b.retry,
              ...(b.retryDone ? { retryDone: b.retryDone } : {}),
              exportStart: exported?.start ?? size,
              exportEnd: exported?.end ?? size,
            });
            engine.killPoint('before-commit');
          },
        });
      },
      retried: () => {
        progress = repo.progress(planId);
      },
      committed: (res, elapsed) => {
        if (res.prepared) batchMs.push(elapsed);
        if (res.units) sizer.observe(res.units >= sizer.size ? sizer.size : res.units, elapsed);
        if (res.done) {
          if (step.phase === 'retry') progress = { ...progress, totals: { ...progress.totals, locked: repo.retryCount(planId) } };
          const next = exec.steps[exec.steps.indexOf(step) + 1]?.phase ?? 'verify';
          progress = { ...progress, phase: next, cursors: { ...progress.cursors, [step.phase]: res.cursorAfter } };
          repo.commit(planId, progress);
          report();
          log.info(`retention ${planId}: phase ${step.phase} took ${Date.now() - phaseStart} ms, ${batchMs.length - batchesBefore} batches, ${rowsDeleted(progress.totals) - rowsBefore} rows`);
          return false;
        }
        progress = { ...progress, cursors: { ...progress.cursors, [step.phase]: res.cursorAfter }, totals: addTotals(progress.totals, res.delta) };
        repo.commit(planId, progress, {
          ...(res.retry?.length ? { retryAdd: res.retry } : {}),
          ...(res.retryDone?.length ? { retryDone: res.retryDone } : {}),
          ...(res.retryBump?.length ? { retryBump: res.retryBump } : {}),
          exportBytes: o.sink ? o.sink.size() : null,
        });
        report();
        return true;
      },
    });
  }
  if (phaseIndex(progress.phase) < phaseIndex('verify')) {
    progress = { ...progress, phase: 'verify' };
    repo.commit(planId, progress);
  }
  return { progress, batchMs };
}

/** Settles a batch a killed or disconnected run left between the server's commit and the journal. */
async function settle(o: LoopOptions, retrying: boolean): Promise<void> {
  const { planId, repo, exec, signal } = o;
  const pb = repo.pendingBatch(planId);
  if (!pb) {
    o.sink?.truncate(repo.getPlan(planId)?.export_bytes ?? 0);
    return;
  }
  let committed: boolean;
  let delta = pb.delta;
  if (exec.resolvePending) {
    const r = await exec.resolvePending(pb, signal);
    committed = r !== null;
    if (r) {
      delta = r.delta;
      // Keep the export lines of the runs that are gone only.
      if (o.sink && pb.exportEnd > pb.exportStart) o.sink.keepOnly(pb.exportStart, pb.exportEnd, new Set(r.gone));
    }
  } else {
    committed = await exec.committed(pb, signal);
  }
  let progress = repo.progress(planId);
  if (committed) {
    if (!exec.resolvePending) o.sink?.truncate(pb.exportEnd);
    progress = { ...progress, cursors: { ...progress.cursors, [pb.phase]: pb.cursorAfter }, totals: addTotals(progress.totals, delta) };
    repo.commit(planId, progress, { retryAdd: pb.retry, ...(pb.retryDone ? { retryDone: pb.retryDone } : {}), exportBytes: o.sink ? o.sink.size() : null });
  } else {
    o.sink?.truncate(pb.exportStart);
    repo.setPendingBatch(planId, null);
  }
  log.info(`retention ${planId}: settled a ${pb.phase} batch ${retrying ? 'whose answer was lost' : 'left by a stopped run'}: ${committed ? 'it committed' : 'it did not commit'}`);
}

export function p99(batchMs: readonly number[]): number | null {
  return p99Of(batchMs);
}
