/**
 * What purge and retention do alike around their batch loops (plan -> confirm -> batch -> verify ->
 * audit): the refusals before anything runs (each one audited), the plan's lease (lease.ts), the
 * export that a resume keeps appending to, and the job: registered in the tray, its audit entry
 * written when it starts and settled when it ends (succeeded, failed or cancelled, with what was
 * done so far), the plan's status kept in step, and every resource closed however it ends.
 */
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import type { AuditRepo } from '../../store/repos/audit';
import type { JobsRepo } from '../../store/repos/jobs';
import type { PlanLeaseRepo } from '../../store/repos/plan-lease';
import type { ResolvedConnection } from '../connections/types';
import type { JobContext, JobRunner } from '../jobs/runner';
import { adHocTarget, sameTarget, type AdHocTarget } from '../purge/adhoc-target';
import { JsonlSink } from './export-sink';
import { PlanLease } from './lease';

/** A plan is refused for a first execution after this long: re-plan (the counts confirmed must be fresh). */
export const PLAN_MAX_AGE_MS = 60 * 60 * 1000;
/** Statuses a plan can be resumed from. */
export const RESUMABLE = ['interrupted', 'running', 'cancelled', 'failed'] as const;

export type PlanNoun = 'purge' | 'retention';

/** The columns purge_plan and retention_plan share. */
export interface PlanRowBase {
  connection_id: string | null;
  target: string | null;
  status: string;
  job_id: string | null;
  export_file: string | null;
}

/** The wording that differs between the two features' refusals. */
export interface RefusalWords {
  alreadyHint: string;
  staleMessage: string;
  staleHint: string;
  resumeCommand(planId: string, target: AdHocTarget): string;
}

/** One execution of a plan: what every step below needs (built once by the feature's service). */
export interface PlanExecution {
  noun: PlanNoun;
  audit: AuditRepo;
  jobs: JobRunner;
  jobsRepo: JobsRepo;
  leases: PlanLeaseRepo;
  conn: ResolvedConnection;
  planId: string;
  row: PlanRowBase;
  resume: boolean;
}

export interface PlanCheck extends PlanExecution {
  /** The count the plan asks to be typed back, and what was typed. */
  confirm: { expected: number; given: number };
  createdAt: string;
  words: RefusalWords;
}

/** Every refusal before an execution starts; each is audited (action `<noun>.execute`, outcome refused). */
export function checkExecutable(c: PlanCheck): void {
  const { row, conn } = c;
  const refuse = (message: string, hint: string, code: 'FORBIDDEN' | 'CONFLICT' = 'FORBIDDEN') => {
    c.audit.record({ connectionId: conn.id, connectionName: conn.name, action: `${c.noun}.execute`, outcome: 'refused', summary: message, details: { planId: c.planId } });
    return new AppError(code, message, { hint });
  };
  if (row.connection_id !== conn.id) throw refuse('This plan was made for another connection.', 'Make a new plan on this connection.', 'CONFLICT');
  const adHoc = row.target ? (JSON.parse(row.target) as AdHocTarget) : null;
  if (adHoc && !sameTarget(adHoc, adHocTarget(conn))) {
    throw refuse(`This plan was made on ${adHoc.apiUrl}${adHoc.db ? ` with ${adHoc.db}` : ''}, not on the server given now. Nothing was deleted.`, `Resume it with: ${c.words.resumeCommand(c.planId, adHoc)}`, 'CONFLICT');
  }
  if (conn.readOnly) throw refuse(`"${conn.name}" is a read-only connection: nothing was deleted.`, 'Turn off read-only in the connection settings if you mean to delete.');
  if (!c.resume) {
    if (c.confirm.given !== c.confirm.expected) {
      throw refuse(`Confirmation mismatch: the plan deletes ${c.confirm.expected} runs, but ${c.confirm.given} was confirmed. Nothing was deleted.`, `Type ${c.confirm.expected} to confirm.`);
    }
    if (row.status !== 'planned') throw refuse(`This plan was already ${row.status}.`, c.words.alreadyHint, 'CONFLICT');
    if (Date.now() - Date.parse(c.createdAt) > PLAN_MAX_AGE_MS) throw refuse(c.words.staleMessage, c.words.staleHint, 'CONFLICT');
  } else if (!(RESUMABLE as readonly string[]).includes(row.status)) {
    throw refuse(`This plan is ${row.status}; there is nothing to resume.`, 'Make a new plan.', 'CONFLICT');
  }
}

/**
 * Claims the plan for this process: refused (CONFLICT, details.reason PLAN_IN_USE, audited) while it
 * runs here, in another process by its job's journal, or by its lease (lease.ts: the atomic check;
 * the other two give the same answer sooner and cover stores from before the lease).
 */
export function claimPlan(c: PlanExecution): PlanLease {
  try {
    if (c.row.job_id && c.jobs.list().some((j) => j.jobId === c.row.job_id)) {
      throw new AppError('CONFLICT', 'This plan is being executed right now.', { hint: 'Watch its progress, or cancel it first.', details: { reason: 'PLAN_IN_USE' } });
    }
    if (c.row.job_id && c.jobs.runningElsewhere(c.row.job_id)) {
      throw new AppError('CONFLICT', 'Another Housekeeper process (the window, `serve` or a CLI) is executing this plan right now.', {
        hint: `Let it finish or cancel it there; resume only a ${c.noun} that has stopped.`,
        details: { reason: 'PLAN_IN_USE' },
      });
    }
    return PlanLease.acquire(c.leases, c.planId, c.noun);
  } catch (e) {
    if (e instanceof AppError) {
      c.audit.record({ connectionId: c.conn.id, connectionName: c.conn.name, action: `${c.noun}.execute`, outcome: 'refused', summary: e.message, details: { planId: c.planId, ...e.details } });
    }
    throw e;
  }
}

/** The export file of this execution: a resume keeps adding to the file the plan started. */
export function exportFileFor(noun: PlanNoun, row: PlanRowBase, resume: boolean, asked: string | undefined): string | undefined {
  if (resume && row.export_file && asked && path.resolve(asked) !== row.export_file) {
    throw new AppError('VALIDATION', `This ${noun} exports to ${row.export_file}; a resume keeps adding to that file.`, { hint: 'Resume without --export (or with the same file).' });
  }
  return resume && row.export_file ? row.export_file : asked;
}

/** Opens the export sink; the plan records it unless a resume is appending to the one it has. */
export function openSink(file: string | undefined, resumingExport: boolean, setExport: (file: string, bytes: number) => void): JsonlSink | undefined {
  const sink = file ? new JsonlSink(file) : undefined;
  if (sink && !resumingExport) setExport(sink.file, sink.size());
  return sink;
}

export interface PlanJobSpec<O> extends PlanExecution {
  lease: PlanLease;
  payload: Record<string, unknown>;
  /** The audit entry written when deleting starts (issue #13: a run killed mid-way is in the audit log). */
  auditStart: { summary: string; details: Record<string, unknown> };
  setStatus(status: 'running' | 'done' | 'failed' | 'cancelled', jobId?: string): void;
  /** The work: the batch loop and the verification; its summary settles the audit entry. */
  work(ctx: JobContext, leaseCheck: () => void): Promise<{ outcome: O; summary: string; durationMs: number }>;
  /** What the audit entry says when the work stops early (what was done so far). */
  stopped(cancelled: boolean, e: unknown): { summary: string; details: Record<string, unknown> };
  /** Closes the sink, the connections. */
  cleanup(): Promise<void>;
}

/** Starts the job. The lease is released when it ends (or here, when it cannot start). */
export function startPlanJob<O>(s: PlanJobSpec<O>): { jobId: string; finished: Promise<unknown> } {
  // The plan's last job: its tray row and audit entry continue on resume.
  const priorJob = s.resume && s.row.job_id ? s.jobsRepo.get(s.row.job_id) : undefined;
  const action = `${s.noun}.execute`;
  try {
    const started = s.jobs.start({
      kind: s.noun,
      connectionId: s.conn.id,
      payload: s.payload,
      ...(priorJob ? { resumeJobId: priorJob.id } : {}),
      audit: { action, connectionName: s.conn.name, summary: s.auditStart.summary, details: s.auditStart.details },
      run: async (ctx): Promise<O> => {
        const t0 = Date.now();
        s.lease.setJob(ctx.jobId);
        s.setStatus('running', ctx.jobId);
        try {
          const r = await s.work(ctx, () => s.lease.check());
          s.setStatus('done');
          ctx.audit({ connectionName: s.conn.name, action, outcome: 'succeeded', summary: r.summary, details: { ...(r.outcome as Record<string, unknown>) }, durationMs: r.durationMs });
          return r.outcome;
        } catch (e) {
          const cancelled = e instanceof AppError && e.code === 'CANCELLED';
          const lostLease = e instanceof AppError && e.details?.reason === 'PLAN_IN_USE';
          // A process that lost the plan to another leaves the plan's status to the one running it.
          if (!lostLease) s.setStatus(cancelled ? 'cancelled' : 'failed');
          const st = s.stopped(cancelled, e);
          ctx.audit({ connectionName: s.conn.name, action, outcome: cancelled ? 'cancelled' : 'failed', summary: st.summary, details: st.details, durationMs: Date.now() - t0 });
          throw e;
        } finally {
          s.lease.release();
          await s.cleanup();
        }
      },
    });
    return { jobId: started.jobId, finished: started.finished };
  } catch (e) {
    s.lease.release();
    void s.cleanup();
    throw e;
  }
}
