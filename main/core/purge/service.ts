/**
 * Purge, end to end: plan (dry run, frozen cutoff and ids) -> confirm (the count echoed back) ->
 * execute as a job in short re-checking batches -> verify (recount) -> audit. Read-only connections
 * refuse before anything runs. Every plan and every execution is in the audit log.
 */
import crypto from 'node:crypto';
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
import type { JsonlSink } from '../batches/export-sink';
import { checkExecutable, claimPlan, exportFileFor, openSink, startPlanJob, type PlanExecution } from '../batches/plan-job';
import type { Deleter } from './deleter';
import { openPurgeBackend, type PurgeBackend } from './backends';
import type { ResolvedPurgeFilter } from './predicate-pg';
import { p99, runBatches } from './run-batches';
import { adHocTarget, resumeCommand } from './adhoc-target';

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
    const resume = !!req.resume;
    const px: PlanExecution = { noun: 'purge', audit: this.store.audit, jobs: this.jobs, jobsRepo: this.store.jobs, leases: this.store.purge.leases, conn: req.conn, planId: req.planId, row, resume };
    checkExecutable({
      ...px,
      confirm: { expected: plan.count, given: req.confirmCount },
      createdAt: plan.createdAt,
      words: { alreadyHint: 'Make a new plan.', staleMessage: 'This plan is more than an hour old and has gone stale.', staleHint: 'Make a new plan; it takes seconds.', resumeCommand },
    });
    if (plan.count === 0) throw new AppError('VALIDATION', 'The plan is empty: there is nothing to delete.');
    // From here this process owns the plan until the job ends; a second one is refused (lease.ts).
    const lease = claimPlan(px);
    let backend: PurgeBackend | undefined;
    let sink: JsonlSink | undefined;
    try {
      // A resumed purge keeps appending to the export it started (CLI and screen alike).
      const exportFile = exportFileFor('purge', row, resume, req.exportFile);
      backend = await openPurgeBackend(req.conn, plan.executor);
      sink = openSink(exportFile, resume && !!row.export_file, (f, bytes) => this.store.purge.setExport(req.planId, f, bytes));
    } catch (e) {
      lease.release();
      await backend?.close();
      throw e;
    }
    const opened = backend;
    const resolved = JSON.parse(row.resolved) as ResolvedPurgeFilter;
    const deleter: Deleter = opened.deleter(resolved, row.server_now, req.planId);
    return startPlanJob<PurgeOutcome>({
      ...px,
      lease,
      payload: { planId: req.planId, exportFile: sink?.file ?? null },
      auditStart: { summary: `Deleting ${plan.count} planned runs (before ${plan.cutoff}) via ${plan.executor}`, details: { planId: req.planId } },
      setStatus: (status, jobId) => this.store.purge.setStatus(req.planId, status, jobId),
      work: async ({ signal, report, jobId, pausePoint }, leaseCheck) => {
        const t0 = Date.now();
        const loop = await runBatches({ planId: req.planId, repo: this.store.purge, deleter, signal, report, pausePoint, leaseCheck, ...req.tuning, ...(sink ? { sink } : {}) });
        report({ phase: 'verifying' });
        const remaining = await deleter.recount(signal).catch(() => null);
        const c = this.store.purge.counts(req.planId);
        const outcome: PurgeOutcome = {
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
        report({ phase: 'done', message: `${c.deleted} deleted, ${c.skipped} skipped, ${c.busy} busy` });
        const summary = `Deleted ${c.deleted} of ${c.total} planned runs (${c.skipped} no longer stale, ${c.busy} busy), ${plan.executor === 'api' ? 'logs deleted by Prefect (not counted through the API)' : `${loop.deletedLogs} logs`}, ${loop.deletedArtifacts} artifacts`;
        return { outcome, summary, durationMs: outcome.durationMs };
      },
      stopped: (cancelled, e) => {
        const c = this.store.purge.counts(req.planId);
        return {
          summary: `${cancelled ? 'Cancelled' : 'Failed'} after deleting ${c.deleted} of ${c.total} planned runs${cancelled ? '' : `: ${(e as Error).message}`}; it can be resumed`,
          details: { planId: req.planId, deleted: c.deleted, skipped: c.skipped, pending: c.pending + c.inFlight },
        };
      },
      cleanup: async () => {
        sink?.close();
        await opened.close();
      },
    });
  }
}

export type { PurgeBackend };
