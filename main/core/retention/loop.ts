/**
 * The phase loop shared by every retention executor. Per batch: the step runs one short server
 * transaction; just before its COMMIT the loop writes the export lines (fsync'ed) and journals the
 * pending batch (transaction id, counts, cursor after it); after the commit it writes the new
 * progress (cursor + totals) and clears the pending batch in ONE local transaction. A kill at any
 * point therefore resumes with exact totals: a pending batch found on resume is settled by asking
 * the server whether that transaction committed (txid_status on Postgres; whether its victims are
 * gone elsewhere), and its export lines are kept or cut to match.
 */
import { AppError } from '../../../shared/errors';
import { addTotals, RETENTION_PHASES, rowsDeleted, type RetentionPhase } from '../../../shared/domain/retention';
import type { ProgressUpdate } from '../jobs/runner';
import { createLogger } from '../log/logger';
import { BatchSizer, percentile } from '../purge/batch-size';
import type { JsonlSink } from '../purge/export-sink';
import type { RetentionProgress, RetentionRepo } from '../../store/repos/retention';
import { MAX_RETRY_ATTEMPTS } from './runs-pg';
import type { PreparedBatch, RetentionExecution, StepResult } from './types';

const log = createLogger('retention');
const MAX_TRANSIENT_RETRIES = 8;

export interface LoopOptions {
  planId: string;
  repo: RetentionRepo;
  exec: RetentionExecution;
  signal: AbortSignal;
  report: (u: ProgressUpdate) => void;
  pausePoint?: () => Promise<void>;
  sink?: JsonlSink;
  /** Rows the plan expects to delete in total (progress bar); null when unknown. */
  expectedRows: number | null;
  targetBatchMs?: number;
  initialBatch?: number;
  maxBatch?: number;
}

export interface LoopResult {
  progress: RetentionProgress;
  batchMs: number[];
}

function abortIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof AppError ? signal.reason : new AppError('CANCELLED', 'Cancelled by the user.');
}

/**
 * TEST HOOK (integration tests only, never set in production): HOUSEKEEPER_TEST_KILL_AT=
 * "retention:before-commit:N" or "retention:after-commit:N" SIGKILLs this process at that point of
 * its Nth batch, to prove that the journal settles exactly.
 */
function testKillPoint(point: 'before-commit' | 'after-commit', batchNo: number): void {
  const at = process.env.HOUSEKEEPER_TEST_KILL_AT;
  if (at && at === `retention:${point}:${batchNo}`) process.kill(process.pid, 'SIGKILL');
}

const phaseIndex = (p: RetentionPhase) => RETENTION_PHASES.indexOf(p);

export async function runPhases(o: LoopOptions): Promise<LoopResult> {
  const { planId, repo, exec, signal } = o;
  const batchMs: number[] = [];
  await settle(o);
  let progress = repo.progress(planId);
  const report = (message?: string) =>
    o.report({
      phase: progress.phase,
      done: rowsDeleted(progress.totals),
      total: o.expectedRows,
      message: message ?? `${progress.totals.runs.toLocaleString('en-US')} runs, ${rowsDeleted(progress.totals).toLocaleString('en-US')} rows deleted`,
      checkpoint: { phase: progress.phase, totals: progress.totals },
    });
  report();
  let batchNo = 0;
  for (const step of exec.steps) {
    if (phaseIndex(step.phase) < phaseIndex(progress.phase)) continue;
    if (progress.phase !== step.phase) {
      progress = { ...progress, phase: step.phase };
      repo.commit(planId, progress);
    }
    const max = Math.min(o.maxBatch ?? step.maxBatch, step.maxBatch);
    const initial = step.phase === 'runs' || step.phase === 'retry' ? (o.initialBatch ?? step.initialBatch) : step.initialBatch;
    const sizer = new BatchSizer(o.targetBatchMs ?? 200, Math.min(step.minBatch, max), max, Math.min(initial, max));
    let transient = 0;
    for (;;) {
      abortIfCancelled(signal);
      await o.pausePoint?.();
      batchNo++;
      const t0 = performance.now();
      let exported: { start: number; end: number } | null = null;
      let res: StepResult;
      try {
        res = await step.run(progress.cursors[step.phase], sizer.size, {
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
            testKillPoint('before-commit', batchNo);
          },
        });
      } catch (e) {
        if (!signal.aborted && exec.isTransient(e) && transient < MAX_TRANSIENT_RETRIES) {
          transient++;
          sizer.backOff();
          log.info(`retention batch failed transiently (${(e as Error).message}); retrying with ${sizer.size}`);
          await sleep(100 * 2 ** transient, signal);
          // A lock timeout rolled the batch back; a dropped connection may have lost a COMMIT's answer.
          await settle(o, true);
          progress = repo.progress(planId);
          continue;
        }
        throw e;
      }
      testKillPoint('after-commit', batchNo);
      transient = 0;
      const elapsed = performance.now() - t0;
      if (res.prepared) batchMs.push(elapsed);
      if (res.units) sizer.observe(res.units >= sizer.size ? sizer.size : res.units, elapsed);
      if (res.done) {
        if (step.phase === 'retry') progress = { ...progress, totals: { ...progress.totals, locked: repo.retryCount(planId) } };
        const next = exec.steps[exec.steps.indexOf(step) + 1]?.phase ?? 'verify';
        progress = { ...progress, phase: next, cursors: { ...progress.cursors, [step.phase]: res.cursorAfter } };
        repo.commit(planId, progress);
        report();
        break;
      }
      progress = { ...progress, cursors: { ...progress.cursors, [step.phase]: res.cursorAfter }, totals: addTotals(progress.totals, res.delta) };
      repo.commit(planId, progress, {
        ...(res.retry?.length ? { retryAdd: res.retry } : {}),
        ...(res.retryDone?.length ? { retryDone: res.retryDone } : {}),
        ...(res.retryBump?.length ? { retryBump: res.retryBump } : {}),
        exportBytes: o.sink ? o.sink.size() : null,
      });
      report();
    }
  }
  if (phaseIndex(progress.phase) < phaseIndex('verify')) {
    progress = { ...progress, phase: 'verify' };
    repo.commit(planId, progress);
  }
  return { progress, batchMs };
}

/** Settles a batch a killed or disconnected run left between the server's commit and the journal. */
async function settle(o: LoopOptions, retrying = false): Promise<void> {
  const { planId, repo, exec, signal } = o;
  for (let attempt = 0; ; attempt++) {
    abortIfCancelled(signal);
    try {
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
      return;
    } catch (e) {
      if (!exec.isTransient(e) || attempt >= MAX_TRANSIENT_RETRIES) throw e;
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

export function p99(batchMs: readonly number[]): number | null {
  const v = percentile(batchMs, 99);
  return v === null ? null : Math.round(v);
}
