/**
 * The batch loop shared by every executor. It works through the plan's frozen ids, journals each
 * batch before sending it (in flight), again just before the server commits it (the pending batch:
 * victims, their log and artifact counts, their export lines), and after it (deleted / skipped / busy
 * with the counts, in one local transaction), so a killed app or a dropped connection resumes with
 * exact totals and never touches a run outside the plan or twice.
 */
import type { ProgressUpdate } from '../jobs/runner';
import { createLogger } from '../log/logger';
import { RUN_IN_FLIGHT, RUN_PENDING, RUN_SKIPPED, type PurgeRepo } from '../../store/repos/purge';
import { BatchEngine, NOTHING_LEFT, p99 as p99Of, phaseSizer } from '../batches/engine';
import type { JsonlSink } from '../batches/export-sink';
import type { BatchResult, Deleter } from './deleter';

const log = createLogger('purge');

/** A planned run still matching but locked by a worker is retried this many times, then left alone. */
const MAX_ATTEMPTS = 3;

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
  /** Throws when another process has taken this plan over (main/core/batches/lease.ts). */
  leaseCheck?: () => void;
  sink?: JsonlSink;
  targetBatchMs?: number;
  /** First batch size (default 200); the sizer adapts from there. */
  initialBatch?: number;
  /** Upper bound for the adaptive size (default: the executor's maximum). */
  maxBatch?: number;
}

export async function runBatches(o: LoopOptions): Promise<LoopResult> {
  const { planId, repo, deleter, signal } = o;
  const batchMs: number[] = [];
  const engine = new BatchEngine({
    signal,
    ...(o.pausePoint ? { pausePoint: o.pausePoint } : {}),
    ...(o.leaseCheck ? { leaseCheck: o.leaseCheck } : {}),
    isTransient: (e) => deleter.isTransient(e),
    settle: (retrying) => settleInFlight(o, retrying),
    killTag: '',
    log,
  });
  // Resume: settle what a killed run left between its journal and the server (see settleInFlight).
  await engine.settle();
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
  const sizer = phaseSizer(o.targetBatchMs ?? deleter.targetBatchMs ?? 200, Math.min(10, initial), initial, max);
  await engine.run<{ ids: string[]; r: BatchResult; exported: { start: number; end: number } | null }>({
    sizer,
    attempt: async (size) => {
      const ids = repo.idsInState(planId, RUN_PENDING, size);
      if (ids.length === 0) return NOTHING_LEFT;
      repo.setState(planId, ids, RUN_IN_FLIGHT);
      let exported: { start: number; end: number } | null = null;
      const r = await deleter.deleteBatch(ids, {
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
          engine.killPoint('before-commit');
        },
      });
      return { ids, r, exported };
    },
    retried: () => {
      c = repo.counts(planId);
    },
    committed: async ({ ids, r, exported }, elapsed) => {
      batchMs.push(elapsed);
      sizer.observe(ids.length, elapsed);
      const deleted = r.deleted.map((d) => d.id);
      const deletedSet = new Set(deleted);
      // Export lines of victims the server did not delete after all (API: a claim forced away) go.
      if (o.sink && exported && deleted.length < (repo.pendingBatch(planId)?.ids.length ?? 0)) o.sink.keepOnly(exported.start, exported.end, deletedSet);
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
      return true;
    },
  });
  const t = repo.totals(planId);
  return { batches: t.batches, deletedLogs: t.logs, deletedArtifacts: t.artifacts, batchMs };
}

/**
 * Settles runs left in flight by a run that died or lost its connection:
 * - a pending batch (journaled just before the server's commit): the victims that are gone were
 *   deleted by it (the API executor first finishes the victims that still hold its claim); its logs
 *   and artifacts count as what was there before minus what is left now (all of them when it
 *   committed, none when it rolled back, the part done when an API batch stopped half-way); its
 *   export lines are kept for the gone victims only;
 * - other in-flight runs never reached a commit: back to pending (gone ones were deleted by someone
 *   else and count as skipped, never as ours).
 * Without a pending batch, export lines past the committed size belong to a batch that never
 * committed and are cut.
 */
async function settleInFlight(o: LoopOptions, retrying: boolean): Promise<void> {
  const { planId, repo, deleter, signal } = o;
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
  const still = deleter.existingAfterFinishing ? await deleter.existingAfterFinishing(pb.ids, signal) : await deleter.existing(pb.ids, signal);
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
  // Other in-flight runs of that batch (not victims) go back to pending by settlePending.
  repo.settlePending(planId, gone, inFlight.filter((id) => !goneSet.has(id)), logs, artifacts, o.sink ? o.sink.size() : null);
  log.info(`plan ${planId}: settled a batch ${retrying ? 'whose answer was lost' : 'left by a killed run'}: ${gone.length} of ${pb.ids.length} deleted, ${logs} logs, ${artifacts} artifacts`);
}

export function p99(result: LoopResult): number | null {
  return p99Of(result.batchMs);
}
