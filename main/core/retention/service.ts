/**
 * Retention, end to end: plan (dry run: the cutoffs, states, deployments and kept runs frozen, every
 * table counted) -> confirm (the run count typed back) -> execute as a job of phases in short
 * re-checking batches (loop.ts) -> verify (recount) -> audit (an entry when it starts and one when it
 * ends). Read-only connections refuse before anything runs.
 */
import crypto from 'node:crypto';
import { AppError } from '../../../shared/errors';
import { resolveCutoff } from '../../../shared/domain/cutoff';
import {
  MIN_RETENTION_MS,
  RetentionFilterSchema,
  rowsDeleted,
  type RetentionExecutor,
  type RetentionFilterInput,
  type RetentionOutcome,
  type RetentionPlan,
  type RetentionTotals,
} from '../../../shared/domain/retention';
import type { Store } from '../../store';
import { initialProgress, type RetentionPlanRow } from '../../store/repos/retention';
import type { ResolvedConnection } from '../connections/types';
import type { JobRunner } from '../jobs/runner';
import { adHocTarget, resumeCommand as purgeResumeCommand, type AdHocTarget } from '../purge/adhoc-target';
import type { JsonlSink } from '../batches/export-sink';
import { p99 } from '../batches/engine';
import { checkExecutable, claimPlan, exportFileFor, openSink, startPlanJob, type PlanExecution } from '../batches/plan-job';
import { openRetentionBackend } from './backends';
import { runPhases } from './loop';
import { composeNotes } from './notes';
import { prefectVacuumInfo } from './prefect-info';
import type { ResolvedRetention, RetentionBackend, RetentionExecution } from './types';
import { createLogger } from '../log/logger';

const log = createLogger('retention');

export interface RetentionPlanRequest {
  conn: ResolvedConnection;
  filter: RetentionFilterInput;
  executor?: RetentionExecutor | 'auto';
  signal?: AbortSignal;
}

export interface RetentionExecuteRequest {
  conn: ResolvedConnection;
  planId: string;
  confirmCount: number;
  exportFile?: string;
  resume?: boolean;
  tuning?: { initialBatch?: number; targetBatchMs?: number; maxBatch?: number; pauseMs?: number };
}

/** The command that resumes a plan made ad hoc (its --api/--db, no secrets). */
export function retentionResumeCommand(planId: string, t: AdHocTarget | null): string {
  // adhoc-target.ts words it for purge; the flags and the secrets it asks for are the same.
  return t ? purgeResumeCommand(planId, t).replace(/^housekeeper purge resume/, 'housekeeper retention resume') : `housekeeper retention resume ${planId}`;
}

function cutoffOf(text: string, now: Date, what: string): { cutoff: string; given: string; agoMs: number } {
  const r = resolveCutoff(text, now);
  if (!r.ok) throw AppError.fromData({ ...r.error, message: `${what}: ${r.error.message}` });
  const agoMs = now.getTime() - Date.parse(r.value.cutoff);
  if (agoMs < MIN_RETENTION_MS) {
    throw new AppError('VALIDATION', `${what} "${text}" is less than an hour: runs and events that recent may still be written to.`, {
      hint: "Use at least 1h (Prefect's own vacuum refuses a retention of an hour or less); 90d is Prefect's default.",
    });
  }
  return { cutoff: r.value.cutoff, given: r.value.given, agoMs };
}

export class RetentionService {
  constructor(
    private readonly store: Store,
    private readonly jobs: JobRunner,
  ) {}

  async plan(req: RetentionPlanRequest): Promise<RetentionPlan> {
    const parsed = RetentionFilterSchema.safeParse(req.filter);
    if (!parsed.success) {
      throw new AppError('VALIDATION', parsed.error.issues.map((i) => `${i.path.join('.') || 'filter'}: ${i.message}`).join('; '));
    }
    const filter = parsed.data;
    const backend = await openRetentionBackend(req.conn, req.executor ?? 'auto');
    try {
      const now = await backend.serverNow(req.signal);
      const runsCut = cutoffOf(filter.olderThan, now, 'Retention period');
      const wantEvents = filter.events && backend.kind !== 'api';
      const eventsCut = wantEvents ? cutoffOf(filter.eventsOlderThan ?? filter.olderThan, now, 'Events retention') : null;
      const t0 = Date.now();
      const [r, prefect] = await Promise.all([
        backend.plan(
          {
            cutoff: runsCut.cutoff,
            eventsCutoff: eventsCut?.cutoff ?? null,
            stateTypes: filter.stateTypes,
            deployments: filter.deployments,
            keepNewest: filter.keepNewest,
            orphans: filter.orphans && backend.kind !== 'api',
          },
          req.signal,
        ),
        prefectVacuumInfo(req.conn, { retentionSeconds: runsCut.agoMs / 1000, eventsRetentionSeconds: eventsCut ? eventsCut.agoMs / 1000 : null }, req.signal),
      ]);
      const planId = crypto.randomUUID();
      const { notes, beyondPrefect } = composeNotes({ filter, backend, r, prefect, readOnly: req.conn.readOnly, eventsWanted: filter.events });
      const plan: RetentionPlan = {
        planId,
        connectionId: req.conn.id,
        connectionName: req.conn.name,
        createdAt: new Date().toISOString(),
        cutoff: runsCut.cutoff,
        cutoffGiven: runsCut.given,
        eventsCutoff: eventsCut?.cutoff ?? null,
        filter,
        executor: backend.executor,
        backend: backend.kind,
        confirmCount: r.runs.value,
        oldestEnd: r.oldestEnd,
        newestEnd: r.newestEnd,
        byState: r.byState,
        sample: r.sample,
        impact: r.impact,
        bytesEstimate: r.bytesEstimate,
        kept: r.kept,
        prefect,
        indexes: r.indexNotes,
        beyondPrefect,
        notes,
        readOnly: req.conn.readOnly,
      };
      this.store.retention.savePlan(
        {
          id: planId,
          connection_id: req.conn.id,
          created_at: plan.createdAt,
          server_now: now.toISOString(),
          cutoff: plan.cutoff,
          events_cutoff: plan.eventsCutoff,
          executor: plan.executor,
          filter: JSON.stringify(filter),
          resolved: JSON.stringify(r.resolved),
          plan: JSON.stringify(plan),
          target: req.conn.id === null ? JSON.stringify(adHocTarget(req.conn)) : null,
        },
        r.keepIds,
        initialProgress(),
      );
      this.store.audit.record({
        connectionId: req.conn.id,
        connectionName: req.conn.name,
        action: 'retention.plan',
        outcome: 'planned',
        summary: `Planned retention: ${r.runs.exact ? '' : '≈'}${r.runs.value} finished runs that ended before ${plan.cutoff}${plan.eventsCutoff ? `, events before ${plan.eventsCutoff}` : ''} via ${plan.executor}`,
        details: { planId, filter, cutoff: plan.cutoff, eventsCutoff: plan.eventsCutoff, impact: plan.impact, kept: plan.kept },
        durationMs: Date.now() - t0,
      });
      log.info(`retention ${planId}: planned in ${Date.now() - t0} ms`);
      return plan;
    } finally {
      await backend.close();
    }
  }

  getPlan(planId: string): { plan: RetentionPlan; row: RetentionPlanRow } {
    const row = this.store.retention.getPlan(planId);
    if (!row) throw new AppError('NOT_FOUND', 'That retention plan does not exist.', { hint: 'Make a new plan: housekeeper retention --older-than 90d --dry-run' });
    return { plan: JSON.parse(row.plan) as RetentionPlan, row };
  }

  /** Checks, then starts the job. Returns at once; the job's result is a RetentionOutcome. */
  async execute(req: RetentionExecuteRequest): Promise<{ jobId: string; finished: Promise<unknown> }> {
    const { plan, row } = this.getPlan(req.planId);
    const resume = !!req.resume;
    const px: PlanExecution = { noun: 'retention', audit: this.store.audit, jobs: this.jobs, jobsRepo: this.store.jobs, leases: this.store.retention.leases, conn: req.conn, planId: req.planId, row, resume };
    checkExecutable({
      ...px,
      confirm: { expected: plan.confirmCount, given: req.confirmCount },
      createdAt: plan.createdAt,
      words: {
        alreadyHint: 'Make a new plan, or resume this one if it stopped.',
        staleMessage: 'This plan is more than an hour old.',
        staleHint: 'Make a new plan; the counts you confirm should be fresh.',
        resumeCommand: retentionResumeCommand,
      },
    });
    const totalPlanned = plan.confirmCount + (plan.impact.events?.value ?? 0) + (plan.impact.eventResources?.value ?? 0) + (plan.impact.orphanLogs?.value ?? 0) + (plan.impact.orphanArtifacts?.value ?? 0);
    if (totalPlanned === 0 && !resume) throw new AppError('VALIDATION', 'The plan is empty: there is nothing to delete.', { hint: 'Try a shorter period, or other states.' });
    const resolved = JSON.parse(row.resolved) as ResolvedRetention;
    const keep = this.store.retention.keepIds(req.planId);
    // From here this process owns the plan until the job ends; a second one is refused (lease.ts).
    const lease = claimPlan(px);
    let backend: RetentionBackend | undefined;
    let exec: RetentionExecution | undefined;
    let sink: JsonlSink | undefined;
    try {
      const exportFile = exportFileFor('retention', row, resume, req.exportFile);
      backend = await openRetentionBackend(req.conn, plan.executor);
      exec = await backend.execution(resolved, keep);
      sink = openSink(exportFile, resume && !!row.export_file, (f, bytes) => this.store.retention.setExport(req.planId, f, bytes));
    } catch (e) {
      lease.release();
      await exec?.close();
      await backend?.close();
      throw e;
    }
    const opened = backend;
    const run = exec;
    const expectedRows = estimateRows(plan);
    const counted = (t: RetentionTotals) =>
      `${t.runs} runs (+${t.subflows} subflows), ${t.flowRunStates} states, ${t.taskRuns} task runs, ${plan.executor === 'api' ? 'logs by Prefect' : `${t.logs} logs`}, ${t.artifacts} artifacts${t.events || t.eventResources ? `, ${t.events} events, ${t.eventResources} event resources` : ''}`;
    return startPlanJob<RetentionOutcome>({
      ...px,
      lease,
      payload: { planId: req.planId, exportFile: sink?.file ?? null, title: `Retention: runs older than ${plan.cutoffGiven} on ${plan.connectionName}` },
      // The audit log says a destructive run began before its first batch, whatever happens next.
      auditStart: {
        summary: `Deleting ${plan.impact.flowRuns.exact ? '' : '≈'}${plan.confirmCount} finished runs that ended before ${plan.cutoff}${plan.eventsCutoff ? ` and events before ${plan.eventsCutoff}` : ''}`,
        details: { planId: req.planId, resume, exportFile: sink?.file ?? null },
      },
      setStatus: (status, jobId) => this.store.retention.setStatus(req.planId, status, jobId),
      work: async ({ signal, report, jobId, pausePoint }, leaseCheck) => {
        const t0 = Date.now();
        const loop = await runPhases({ planId: req.planId, repo: this.store.retention, exec: run, signal, report, pausePoint, leaseCheck, expectedRows, ...req.tuning, ...(sink ? { sink } : {}) });
        report({ phase: 'verifying', message: 'Counting what still matches' });
        const tRecount = Date.now();
        const remaining = await run.recount(signal).catch(() => ({ runs: null, events: null }));
        log.info(`retention ${req.planId}: recount took ${Date.now() - tRecount} ms`);
        const progress = { ...loop.progress, phase: 'done' as const };
        this.store.retention.commit(req.planId, progress);
        const t = progress.totals;
        const outcome: RetentionOutcome = {
          planId: req.planId,
          jobId,
          totals: t,
          durationMs: Date.now() - t0,
          p99BatchMs: p99(loop.batchMs),
          remaining,
          exportedTo: sink?.file ?? null,
          executor: plan.executor,
        };
        report({ phase: 'done', done: rowsDeleted(t), message: `${t.runs} runs and ${rowsDeleted(t)} rows deleted` });
        return { outcome, summary: `Deleted ${counted(t)}${t.locked ? `; ${t.locked} runs stayed locked and were left alone` : ''}`, durationMs: outcome.durationMs };
      },
      stopped: (cancelled, e) => {
        const t = this.store.retention.progress(req.planId).totals;
        return {
          summary: `${cancelled ? 'Cancelled' : 'Failed'} after deleting ${t.runs} runs and ${rowsDeleted(t)} rows${cancelled ? '' : `: ${(e as Error).message}`}; it can be resumed`,
          details: { planId: req.planId, totals: t },
        };
      },
      cleanup: async () => {
        sink?.close();
        await run.close();
        await opened.close();
      },
    });
  }
}

/** Rows the plan expects to delete (progress bar; estimates included). */
export function estimateRows(plan: RetentionPlan): number | null {
  const i = plan.impact;
  // Through the API only runs and artifacts are counted as they go (the rest cascades inside Prefect).
  if (plan.executor === 'api') return i.flowRuns.value + (i.artifacts?.value ?? 0) || null;
  const parts = [i.flowRuns, i.subflowRuns, i.flowRunStates, i.taskRuns, i.taskRunStates, i.flowRunLogs, i.taskRunLogs, i.artifacts, i.flowRunInputs, i.orphanLogs, i.orphanArtifacts, i.events, i.eventResources];
  const n = parts.reduce((s, c) => s + (c?.value ?? 0), 0);
  return n > 0 ? n : null;
}
