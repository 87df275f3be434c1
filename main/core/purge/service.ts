/**
 * Purge, end to end: plan (dry run, frozen cutoff and ids) -> confirm (the count echoed back) ->
 * execute as a job in short re-checking batches -> verify (recount) -> audit. Read-only connections
 * refuse before anything runs. Every plan and every execution is in the audit log.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import { resolveCutoff } from '../../../shared/domain/cutoff';
import {
  PurgeFilterSchema,
  type PurgeExecutor,
  type PurgeFilterInput,
  type PurgeOutcome,
  type PurgePlan,
} from '../../../shared/domain/purge';
import type { Store } from '../../store';
import type { PurgePlanRow } from '../../store/repos/purge';
import type { ResolvedConnection } from '../connections/types';
import type { JobRunner } from '../jobs/runner';
import type { Deleter } from './deleter';
import { JsonlSink } from './export-sink';
import { openPurgeBackend, type PurgeBackend } from './backends';
import type { ResolvedPurgeFilter } from './predicate-pg';
import { p99, runBatches } from './run-batches';
import { adHocTarget, resumeCommand, sameTarget, type AdHocTarget } from './adhoc-target';

/** A plan older than this is refused: the backlog it describes has moved on. Re-plan (it is cheap). */
export const PLAN_MAX_AGE_MS = 60 * 60 * 1000;

export interface PlanRequest {
  conn: ResolvedConnection;
  filter: PurgeFilterInput;
  executor?: PurgeExecutor | 'auto';
  signal?: AbortSignal;
}

export interface ExecuteRequest {
  conn: ResolvedConnection;
  planId: string;
  confirmCount: number;
  exportFile?: string;
  resume?: boolean;
  /** Batch tuning (tests and benchmarks); defaults suit production. */
  tuning?: { initialBatch?: number; targetBatchMs?: number; maxBatch?: number };
}

export class PurgeService {
  constructor(
    private readonly store: Store,
    private readonly jobs: JobRunner,
  ) {}

  async plan(req: PlanRequest): Promise<PurgePlan> {
    const parsed = PurgeFilterSchema.safeParse(req.filter);
    if (!parsed.success) {
      throw new AppError('VALIDATION', parsed.error.issues.map((i) => `${i.path.join('.') || 'filter'}: ${i.message}`).join('; '));
    }
    const filter = parsed.data;
    const backend = await openPurgeBackend(req.conn, req.executor ?? 'auto');
    try {
      const now = await backend.serverNow(req.signal);
      const cut = resolveCutoff(filter.olderThan, now);
      if (!cut.ok) throw AppError.fromData(cut.error);
      const t0 = Date.now();
      const r = await backend.plan(filter, cut.value.cutoff, req.signal);
      const planId = crypto.randomUUID();
      const notes: string[] = [];
      if (r.candidates.length === 0) notes.push('Nothing matches: no stale scheduled runs for this filter and cutoff.');
      const late = r.byDeployment.reduce((n, g) => n + g.late, 0);
      if (late > 0) notes.push(`${late} of these runs are Late: a worker that comes back would start them all at once.`);
      if (r.byDeployment.some((g) => !g.exists)) notes.push('Some runs belong to deployments that no longer exist; nothing will ever run them.');
      if (r.kept > 0) notes.push(`${r.kept} matching runs are kept (the newest ${filter.keepNewest} of each deployment).`);
      if (!filter.includeManual) notes.push('Only runs created by schedules are included; manually created runs are left alone.');
      if (req.conn.readOnly) notes.push('This connection is read-only: the plan can be reviewed but not executed.');
      notes.push(...backend.notes);
      const plan: PurgePlan = {
        planId,
        connectionId: req.conn.id,
        connectionName: req.conn.name,
        createdAt: new Date().toISOString(),
        cutoff: cut.value.cutoff,
        cutoffGiven: cut.value.given,
        filter,
        executor: backend.executor,
        count: r.candidates.length,
        oldest: r.oldest,
        newest: r.newest,
        byDeployment: r.byDeployment,
        sample: r.sample,
        impact: r.impact,
        bytesEstimate: r.bytesEstimate,
        kept: r.kept,
        notes,
        readOnly: req.conn.readOnly,
      };
      this.store.purge.savePlan(
        {
          id: planId,
          connection_id: req.conn.id,
          created_at: plan.createdAt,
          server_now: r.serverNow,
          cutoff: plan.cutoff,
          executor: plan.executor,
          filter: JSON.stringify(filter),
          resolved: JSON.stringify(r.resolved),
          plan: JSON.stringify(plan),
          target: req.conn.id === null ? JSON.stringify(adHocTarget(req.conn)) : null,
        },
        r.candidates.map((c) => c.id),
      );
      this.store.audit.record({
        connectionId: req.conn.id,
        connectionName: req.conn.name,
        action: 'purge.plan',
        outcome: 'planned',
        summary: `Planned ${plan.count} stale scheduled runs (before ${plan.cutoff}) via ${plan.executor}`,
        details: { planId, filter, cutoff: plan.cutoff, count: plan.count, impact: plan.impact, byDeployment: plan.byDeployment.length },
        durationMs: Date.now() - t0,
      });
      return plan;
    } finally {
      await backend.close();
    }
  }

  getPlan(planId: string): { plan: PurgePlan; row: PurgePlanRow } {
    const row = this.store.purge.getPlan(planId);
    if (!row) throw new AppError('NOT_FOUND', 'That purge plan does not exist.', { hint: 'Make a new plan.' });
    return { plan: JSON.parse(row.plan) as PurgePlan, row };
  }

  /** Checks, then starts the job. Returns at once with the job id; the job's result is a PurgeOutcome. */
  async execute(req: ExecuteRequest): Promise<{ jobId: string; finished: Promise<unknown> }> {
    const { plan, row } = this.getPlan(req.planId);
    const refuse = (message: string, hint: string, code: 'FORBIDDEN' | 'CONFLICT' = 'FORBIDDEN') => {
      this.store.audit.record({
        connectionId: req.conn.id,
        connectionName: req.conn.name,
        action: 'purge.execute',
        outcome: 'refused',
        summary: message,
        details: { planId: req.planId },
      });
      return new AppError(code, message, { hint });
    };
    if (row.connection_id !== req.conn.id) throw refuse('This plan was made for another connection.', 'Make a new plan on this connection.', 'CONFLICT');
    const adHoc = row.target ? (JSON.parse(row.target) as AdHocTarget) : null;
    if (adHoc && !sameTarget(adHoc, adHocTarget(req.conn))) {
      throw refuse(`This plan was made on ${adHoc.apiUrl}${adHoc.db ? ` with ${adHoc.db}` : ''}, not on the server given now. Nothing was deleted.`, `Resume it with: ${resumeCommand(req.planId, adHoc)}`, 'CONFLICT');
    }
    if (req.conn.readOnly) throw refuse(`"${req.conn.name}" is a read-only connection: nothing was deleted.`, 'Turn off read-only in the connection settings if you mean to delete.');
    if (!req.resume) {
      if (req.confirmCount !== plan.count) {
        throw refuse(`Confirmation mismatch: the plan deletes ${plan.count} runs, but ${req.confirmCount} was confirmed. Nothing was deleted.`, `Type ${plan.count} to confirm.`);
      }
      if (row.status !== 'planned') throw refuse(`This plan was already ${row.status}.`, 'Make a new plan.', 'CONFLICT');
      if (Date.now() - Date.parse(plan.createdAt) > PLAN_MAX_AGE_MS) {
        throw refuse('This plan is more than an hour old and has gone stale.', 'Make a new plan; it takes seconds.', 'CONFLICT');
      }
    } else if (!['interrupted', 'running', 'cancelled', 'failed'].includes(row.status)) {
      throw refuse(`This plan is ${row.status}; there is nothing to resume.`, 'Make a new plan.', 'CONFLICT');
    }
    if (plan.count === 0) throw new AppError('VALIDATION', 'The plan is empty: there is nothing to delete.');
    if (row.job_id && this.jobs.list().some((j) => j.jobId === row.job_id)) {
      throw new AppError('CONFLICT', 'This plan is being executed right now.', { hint: 'Watch its progress, or cancel it first.' });
    }
    if (row.job_id && this.jobs.runningElsewhere(row.job_id)) {
      throw new AppError('CONFLICT', 'Another Housekeeper process (the window, `serve` or a CLI) is executing this plan right now.', {
        hint: 'Let it finish or cancel it there; resume only a purge that has stopped.',
      });
    }

    const resolved = JSON.parse(row.resolved) as ResolvedPurgeFilter;
    const backend = await openPurgeBackend(req.conn, plan.executor);
    // A resumed purge keeps appending to the export it started (CLI and screen alike).
    const exportFile = req.resume && row.export_file ? row.export_file : req.exportFile;
    if (req.resume && row.export_file && req.exportFile && path.resolve(req.exportFile) !== row.export_file) {
      await backend.close();
      throw new AppError('VALIDATION', `This purge exports to ${row.export_file}; a resume keeps adding to that file.`, { hint: 'Resume without --export (or with the same file).' });
    }
    let sink: JsonlSink | undefined;
    try {
      sink = exportFile ? new JsonlSink(exportFile) : undefined;
    } catch (e) {
      await backend.close();
      throw e;
    }
    if (sink && !(req.resume && row.export_file)) this.store.purge.setExport(req.planId, sink.file, sink.size());
    const deleter: Deleter = backend.deleter(resolved, row.server_now, req.planId);
    const priorJob = req.resume && row.job_id ? this.store.jobs.get(row.job_id) : undefined;

    const started = this.jobs.start({
      kind: 'purge',
      connectionId: req.conn.id,
      payload: { planId: req.planId, exportFile: sink?.file ?? null },
      ...(priorJob ? { resumeJobId: priorJob.id } : {}),
      // Written when deleting starts (issue #13: a purge killed mid-way is in the audit log), settled below.
      audit: {
        action: 'purge.execute',
        connectionName: req.conn.name,
        summary: `Deleting ${plan.count} planned runs (before ${plan.cutoff}) via ${plan.executor}`,
        details: { planId: req.planId },
      },
      run: async ({ signal, report, jobId, pausePoint, audit }): Promise<PurgeOutcome> => {
        const t0 = Date.now();
        this.store.purge.setStatus(req.planId, 'running', jobId);
        let outcome: PurgeOutcome | null = null;
        try {
          const loop = await runBatches({ planId: req.planId, repo: this.store.purge, deleter, signal, report, pausePoint, ...req.tuning, ...(sink ? { sink } : {}) });
          report({ phase: 'verifying' });
          const remaining = await deleter.recount(signal).catch(() => null);
          const c = this.store.purge.counts(req.planId);
          outcome = {
            planId: req.planId,
            jobId,
            planned: c.total,
            deleted: c.deleted,
            skipped: c.skipped,
            busy: c.busy,
            deletedLogs: loop.deletedLogs,
            deletedArtifacts: loop.deletedArtifacts,
            batches: loop.batches,
            p99BatchMs: p99(loop),
            batchMsTotal: Math.round(loop.batchMs.reduce((a, b) => a + b, 0)),
            durationMs: Date.now() - t0,
            remaining,
            exportedTo: sink?.file ?? null,
            executor: plan.executor,
          };
          this.store.purge.setStatus(req.planId, 'done');
          report({ phase: 'done', message: `${c.deleted} deleted, ${c.skipped} skipped, ${c.busy} busy` });
          audit({
            connectionName: req.conn.name,
            action: 'purge.execute',
            outcome: 'succeeded',
            summary: `Deleted ${c.deleted} of ${c.total} planned runs (${c.skipped} no longer stale, ${c.busy} busy), ${plan.executor === 'api' ? 'logs deleted by Prefect (not counted through the API)' : `${loop.deletedLogs} logs`}, ${loop.deletedArtifacts} artifacts`,
            details: { ...outcome },
            durationMs: outcome.durationMs,
          });
          return outcome;
        } catch (e) {
          const c = this.store.purge.counts(req.planId);
          const cancelled = e instanceof AppError && e.code === 'CANCELLED';
          this.store.purge.setStatus(req.planId, cancelled ? 'cancelled' : 'failed');
          audit({
            connectionName: req.conn.name,
            action: 'purge.execute',
            outcome: cancelled ? 'cancelled' : 'failed',
            summary: `${cancelled ? 'Cancelled' : 'Failed'} after deleting ${c.deleted} of ${c.total} planned runs${cancelled ? '' : `: ${(e as Error).message}`}; it can be resumed`,
            details: { planId: req.planId, deleted: c.deleted, skipped: c.skipped, pending: c.pending + c.inFlight },
            durationMs: Date.now() - t0,
          });
          throw e;
        } finally {
          sink?.close();
          await backend.close();
        }
      },
    });
    return { jobId: started.jobId, finished: started.finished };
  }
}

export type { PurgeBackend };
