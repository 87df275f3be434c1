/**
 * Long work runs as a job: an id, a journal row in the local store, throttled progress events
 * (done, total, rate, ETA), and cancel through an AbortSignal that the work passes on to Postgres
 * (pg_cancel_backend) and fetch. A job's `run` receives `{ signal, report }` and nothing else global.
 *
 * The runner is also what the jobs tray reads (issue #13 item 1): `views()` lists every job that has
 * not ended (here, in another Housekeeper process sharing the store, or interrupted by a dead one) and
 * the recently finished ones, of every kind. A kind registered with `define()` gives its jobs a title
 * and a page, and may resume a stopped job from its journal (a purge continues its plan), so the tray
 * stays generic: a new kind (retention, imports) appears there without the tray knowing about it.
 * A job given `audit` writes its audit entry when it starts and settles that same entry when it ends.
 */
import crypto from 'node:crypto';
import { AppError, toAppError } from '../../../shared/errors';
import type { JobFinished, JobProgress, JobStatus, JobView } from '../../../shared/domain/jobs';
import type { AuditRepo } from '../../store/repos/audit';
import type { JobRow, JobsRepo } from '../../store/repos/jobs';
import type { EventBus } from '../events';
import { createLogger } from '../log/logger';

const log = createLogger('jobs');

export interface ProgressUpdate {
  phase?: string;
  done?: number;
  total?: number | null;
  message?: string | null;
  /** Persisted to the journal immediately (not throttled): what a resume needs. */
  checkpoint?: unknown;
}

/** How an execution ended, in the words of its audit entry. */
export interface AuditSettlement {
  outcome: 'succeeded' | 'failed' | 'cancelled';
  summary: string;
  details?: Record<string, unknown>;
  durationMs?: number;
}

export interface JobContext {
  jobId: string;
  signal: AbortSignal;
  report(update: ProgressUpdate): void;
  /**
   * Call between units of work (e.g. delete batches): returns at once unless the job is paused, in
   * which case it waits until resumed (or throws when cancelled). Pausing never interrupts a unit.
   */
  pausePoint(): Promise<void>;
  /**
   * Settles this execution's audit entry (written when it started) with how it ended. Without a
   * start entry (a job without `audit`), records a new one.
   */
  audit(settlement: AuditSettlement & { action: string; connectionName: string | null }): void;
}

export interface JobSpec<P, R> {
  kind: string;
  connectionId: string | null;
  payload: P;
  /** Tray title and page; default from the kind's `describe`, else the kind and a generic page. */
  title?: string;
  link?: string[];
  /** Write the audit entry when the execution starts (outcome 'running'); `ctx.audit` settles it. */
  audit?: { action: string; connectionName: string | null; summary: string; details?: Record<string, unknown> };
  /** Resume an existing journal row instead of creating one. */
  resumeJobId?: string;
  run(ctx: JobContext): Promise<R>;
}

/** What a feature tells the runner about its jobs (see `define`). */
export interface JobKind {
  /** Title and page of a job of this kind, from its journal payload. */
  describe?(payload: unknown): { title?: string; link?: string[] };
  /** Whether `resume` makes sense for this stopped job now (e.g. its plan still has runs left). */
  canResume?(row: JobRow): boolean;
  /** Continues a stopped job from its journal; returns the id of the running job. */
  resume?(row: JobRow): Promise<{ jobId: string }>;
}

interface Active {
  controller: AbortController;
  /** Set while paused: resolved by resume(). */
  paused: { promise: Promise<void>; resume: () => void } | null;
  progress: JobProgress;
  samples: Array<{ t: number; done: number }>;
  lastEmit: number;
  pendingEmit: ReturnType<typeof setTimeout> | null;
  finished: Promise<JobFinished>;
  auditId: number | null;
  auditSettled: boolean;
}

const EMIT_EVERY_MS = 100;
/** Live jobs touch their journal row this often; a row silent for LIVENESS_MS belongs to a dead process. */
export const HEARTBEAT_MS = 5_000;
export const LIVENESS_MS = 30_000;
const RATE_WINDOW_MS = 10_000;
/** Finished jobs stay in the tray this long (the journal keeps them for good). */
export const RECENT_MS = 6 * 60 * 60 * 1000;
const STOPPED: readonly JobStatus[] = ['interrupted', 'failed', 'cancelled'];

function parseJson<T>(text: string | null, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export class JobRunner {
  #active = new Map<string, Active>();
  #kinds = new Map<string, JobKind>();
  #heartbeat: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly repo: JobsRepo,
    private readonly bus: EventBus,
    private readonly audit: AuditRepo | null = null,
  ) {
    const rows = this.#sweep();
    if (rows.length > 0) log.warn(`${rows.length} job(s) from an earlier session were interrupted; their journals are kept for resume`);
  }

  /** Registers what the runner needs to know about a kind of job (title, page, resume). */
  define(kind: string, spec: JobKind): void {
    this.#kinds.set(kind, spec);
  }

  /** Jobs left running or paused by a dead process become 'interrupted', and so does their audit entry. */
  #sweep(): JobRow[] {
    const rows = this.repo.markInterrupted(new Set(this.#active.keys()), new Date(Date.now() - LIVENESS_MS).toISOString());
    for (const r of rows) {
      if (r.audit_id !== null && this.audit?.outcomeOf(r.audit_id) === 'running') this.audit.update(r.audit_id, { outcome: 'interrupted' });
    }
    return rows;
  }

  /** Whether a job is being run by another Housekeeper process sharing this store. */
  runningElsewhere(jobId: string): boolean {
    return !this.#active.has(jobId) && this.repo.isLiveElsewhere(jobId, new Date(Date.now() - LIVENESS_MS).toISOString());
  }

  #startHeartbeat(): void {
    if (this.#heartbeat) return;
    this.#heartbeat = setInterval(() => {
      if (this.#active.size === 0) {
        clearInterval(this.#heartbeat!);
        this.#heartbeat = null;
        return;
      }
      this.repo.touch([...this.#active.keys()]);
    }, HEARTBEAT_MS);
    this.#heartbeat.unref?.();
  }

  #describe(kind: string, payload: unknown, jobId: string): { title: string; link: string[] } {
    let d: { title?: string; link?: string[] } = {};
    try {
      d = this.#kinds.get(kind)?.describe?.(payload) ?? {};
    } catch (e) {
      log.warn(`describing a ${kind} job failed`, e);
    }
    return { title: d.title ?? kind, link: d.link ?? ['jobs', jobId] };
  }

  start<P, R>(spec: JobSpec<P, R>): { jobId: string; finished: Promise<JobFinished> } {
    const now = new Date().toISOString();
    const jobId = spec.resumeJobId ?? crypto.randomUUID();
    const described = this.#describe(spec.kind, spec.payload, jobId);
    const title = spec.title ?? described.title;
    const link = spec.link ?? described.link;
    let auditId: number | null = null;
    if (spec.resumeJobId) {
      if (this.#active.has(jobId)) throw new AppError('CONFLICT', 'That job is already running.');
      const prior = this.repo.get(jobId);
      this.repo.claim(jobId);
      this.repo.reopen(jobId);
      this.repo.progress(jobId, { status: 'running', phase: 'resuming', done: prior?.done ?? 0, total: prior?.total ?? null });
      auditId = prior?.audit_id ?? null;
    } else {
      this.repo.insert({
        id: jobId,
        kind: spec.kind,
        connection_id: spec.connectionId,
        status: 'running',
        phase: 'starting',
        payload: JSON.stringify(spec.payload),
        checkpoint: '{}',
        done: 0,
        total: null,
        started_at: now,
        updated_at: now,
        title,
        link: JSON.stringify(link),
      });
    }
    if (spec.audit && this.audit) {
      const details = { jobId, ...spec.audit.details };
      if (auditId !== null && this.audit.outcomeOf(auditId) !== null) {
        this.audit.update(auditId, { outcome: 'running', summary: `Resumed: ${spec.audit.summary}`, details });
      } else {
        auditId = this.audit.record({ connectionId: spec.connectionId, connectionName: spec.audit.connectionName, action: spec.audit.action, outcome: 'running', summary: spec.audit.summary, details });
        this.repo.setAudit(jobId, auditId);
      }
    }
    const controller = new AbortController();
    const prior = spec.resumeJobId ? this.repo.get(jobId) : undefined;
    const active: Active = {
      controller,
      paused: null,
      progress: {
        jobId,
        kind: spec.kind,
        connectionId: spec.connectionId,
        title,
        link,
        status: 'running',
        phase: 'starting',
        done: prior?.done ?? 0,
        total: prior?.total ?? null,
        rate: null,
        etaSeconds: null,
        message: null,
        startedAt: prior?.started_at ?? now,
        updatedAt: now,
      },
      samples: [],
      lastEmit: 0,
      pendingEmit: null,
      finished: Promise.resolve(null as unknown as JobFinished),
      auditId,
      auditSettled: false,
    };
    this.#active.set(jobId, active);
    this.#startHeartbeat();

    const ctx: JobContext = {
      jobId,
      signal: controller.signal,
      report: (u) => this.#report(active, u),
      pausePoint: async () => {
        if (active.paused && active.progress.status === 'running') {
          // The unit of work that was running when pause was asked has finished: now it is paused.
          active.progress.status = 'paused';
          active.progress.pausing = false;
          this.#emitNow(active);
        }
        while (active.paused) {
          if (controller.signal.aborted) break;
          await Promise.race([
            active.paused.promise,
            new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve(), { once: true })),
          ]);
        }
        if (controller.signal.aborted) {
          const reason: unknown = controller.signal.reason;
          throw reason instanceof AppError ? reason : new AppError('CANCELLED', 'Cancelled by the user.');
        }
      },
      audit: (s) => this.#settleAudit(active, spec.connectionId, s),
    };
    active.finished = this.#run(active, spec, ctx);
    this.bus.emit('jobs.progress', { ...active.progress });
    return { jobId, finished: active.finished };
  }

  #settleAudit(a: Active, connectionId: string | null, s: AuditSettlement & { action: string; connectionName: string | null }): void {
    if (!this.audit) return;
    a.auditSettled = true;
    const details = { jobId: a.progress.jobId, ...s.details };
    if (a.auditId !== null) {
      this.audit.update(a.auditId, { outcome: s.outcome, summary: s.summary, details, ...(s.durationMs !== undefined ? { durationMs: s.durationMs } : {}) });
    } else {
      a.auditId = this.audit.record({ connectionId, connectionName: s.connectionName, action: s.action, outcome: s.outcome, summary: s.summary, details, durationMs: s.durationMs ?? null });
    }
  }

  /**
   * Cancels a job: a live one here through its signal; an interrupted one (nothing runs it) is marked
   * cancelled so it leaves the tray (its journal stays, and a purge can still be resumed later).
   */
  cancel(jobId: string): boolean {
    const a = this.#active.get(jobId);
    if (a) {
      a.controller.abort(new AppError('CANCELLED', 'Cancelled by the user.'));
      return true;
    }
    const row = this.repo.get(jobId);
    if (!row || row.status !== 'interrupted') return false;
    const error = new AppError('CANCELLED', 'Abandoned after it was interrupted; its journal is kept.').toData();
    this.repo.finish(jobId, 'cancelled', { error });
    if (row.audit_id !== null && this.audit) this.audit.update(row.audit_id, { outcome: 'cancelled' });
    const view = this.#view(this.repo.get(jobId)!);
    this.bus.emit('jobs.finished', { ...view, result: null });
    return true;
  }

  /**
   * Pause at the job's next pause point; the current unit of work finishes first. Until it has, the
   * job is 'running' with `pausing` set; it is 'paused' once it waits at the pause point.
   */
  pause(jobId: string): boolean {
    const a = this.#active.get(jobId);
    if (!a || a.paused || a.progress.status !== 'running') return false;
    let resume!: () => void;
    const promise = new Promise<void>((r) => (resume = r));
    a.paused = { promise, resume };
    a.progress.pausing = true;
    this.#emitNow(a);
    return true;
  }

  resume(jobId: string): boolean {
    const a = this.#active.get(jobId);
    if (!a || !a.paused) return false;
    const p = a.paused;
    a.paused = null;
    a.progress.status = 'running';
    a.progress.pausing = false;
    p.resume();
    this.#emitNow(a);
    return true;
  }

  /**
   * Resume from the tray: a paused job here continues at once; a stopped one (interrupted by a dead
   * process, failed, cancelled) continues from its journal when its kind knows how.
   */
  async resumeAny(jobId: string): Promise<{ resumed: boolean; jobId: string }> {
    if (this.#active.has(jobId)) return { resumed: this.resume(jobId), jobId };
    this.#sweep();
    const row = this.repo.get(jobId);
    if (!row) throw new AppError('NOT_FOUND', 'No such job in the journal.', { hint: 'It may belong to another Housekeeper store (HOUSEKEEPER_HOME).' });
    if (this.runningElsewhere(jobId)) {
      throw new AppError('CONFLICT', 'Another Housekeeper process (the window, `serve` or a CLI) is running this job.', { hint: 'Pause or resume it there; it continues here once that process has stopped.' });
    }
    const kind = this.#kinds.get(row.kind);
    if (!kind?.resume || !STOPPED.includes(row.status)) {
      throw new AppError('CONFLICT', `This ${row.kind} job is ${row.status} and cannot be continued.`, { hint: 'Start it again from its screen.' });
    }
    if (kind.canResume && !kind.canResume(row)) throw new AppError('CONFLICT', 'Nothing is left to do for this job.', { hint: 'Start a new one from its screen.' });
    const r = await kind.resume(row);
    return { resumed: true, jobId: r.jobId };
  }

  /** Jobs running in this process. */
  list(): JobProgress[] {
    return [...this.#active.values()].map((a) => ({ ...a.progress }));
  }

  /** What the jobs tray lists: open jobs of every process, and the ones finished recently. */
  views(now: number = Date.now()): JobView[] {
    this.#sweep();
    return this.repo.listForTray(new Date(now - RECENT_MS).toISOString()).map((r) => this.#view(r));
  }

  #view(r: JobRow): JobView {
    const live = this.#active.get(r.id);
    const described = r.title ? { title: r.title, link: parseJson<string[]>(r.link, ['jobs', r.id]) } : this.#describe(r.kind, parseJson<unknown>(r.payload, {}), r.id);
    const kind = this.#kinds.get(r.kind);
    let resumable = false;
    if (!live && STOPPED.includes(r.status) && kind?.resume) {
      try {
        resumable = kind.canResume ? kind.canResume(r) : true;
      } catch {
        resumable = false;
      }
    }
    const base: JobProgress = live
      ? { ...live.progress }
      : {
          jobId: r.id,
          kind: r.kind,
          connectionId: r.connection_id,
          title: described.title,
          link: described.link,
          status: r.status,
          phase: r.phase,
          done: r.done,
          total: r.total,
          rate: null,
          etaSeconds: null,
          message: null,
          startedAt: r.started_at,
          updatedAt: r.updated_at,
        };
    return { ...base, finishedAt: live ? null : r.finished_at, error: live ? null : parseJson(r.error, null), here: !!live, resumable };
  }

  async shutdown(): Promise<void> {
    const pending = [...this.#active.values()];
    for (const a of pending) a.controller.abort(new AppError('CANCELLED', 'Housekeeper is shutting down.'));
    await Promise.allSettled(pending.map((a) => a.finished));
  }

  #report(a: Active, u: ProgressUpdate): void {
    const p = a.progress;
    if (u.phase !== undefined) p.phase = u.phase;
    if (u.total !== undefined) p.total = u.total;
    if (u.message !== undefined) p.message = u.message;
    if (u.done !== undefined) {
      p.done = u.done;
      const t = Date.now();
      a.samples.push({ t, done: u.done });
      while (a.samples.length > 2 && t - a.samples[0]!.t > RATE_WINDOW_MS) a.samples.shift();
      const first = a.samples[0]!;
      const dt = (t - first.t) / 1000;
      p.rate = dt > 0.2 ? (u.done - first.done) / dt : p.rate;
      p.etaSeconds = p.rate && p.total !== null && p.rate > 0 ? Math.max(0, (p.total - p.done) / p.rate) : null;
    }
    p.updatedAt = new Date().toISOString();
    if (u.checkpoint !== undefined) {
      this.repo.progress(p.jobId, { status: p.status, phase: p.phase, done: p.done, total: p.total, checkpoint: u.checkpoint });
    }
    this.#scheduleEmit(a);
  }

  #scheduleEmit(a: Active): void {
    const since = Date.now() - a.lastEmit;
    if (since >= EMIT_EVERY_MS) {
      this.#emitNow(a);
    } else if (!a.pendingEmit) {
      a.pendingEmit = setTimeout(() => this.#emitNow(a), EMIT_EVERY_MS - since);
    }
  }

  #emitNow(a: Active): void {
    if (a.pendingEmit) clearTimeout(a.pendingEmit);
    a.pendingEmit = null;
    a.lastEmit = Date.now();
    const p = a.progress;
    if (p.status === 'running' || p.status === 'paused') this.repo.progress(p.jobId, { status: p.status, phase: p.phase, done: p.done, total: p.total });
    this.bus.emit('jobs.progress', { ...p });
  }

  async #run<P, R>(a: Active, spec: JobSpec<P, R>, ctx: JobContext): Promise<JobFinished> {
    let status: JobStatus = 'succeeded';
    let result: unknown = null;
    let error: ReturnType<AppError['toData']> | null = null;
    const t0 = Date.now();
    try {
      result = (await spec.run(ctx)) ?? null;
    } catch (e) {
      const ae = a.controller.signal.aborted && !(e instanceof AppError && e.code !== 'CANCELLED')
        ? new AppError('CANCELLED', 'Cancelled by the user.', { cause: e })
        : toAppError(e);
      status = ae.code === 'CANCELLED' ? 'cancelled' : 'failed';
      error = ae.toData();
      // Expected failures (AppError) are data for the user; only surprises deserve a stack in the log.
      if (status === 'failed') {
        if (e instanceof AppError) log.warn(`job ${spec.kind} ${a.progress.jobId} failed: ${ae.code} ${ae.message}`);
        else log.error(`job ${spec.kind} ${a.progress.jobId} failed`, e);
      }
    }
    if (a.pendingEmit) clearTimeout(a.pendingEmit);
    // A job whose work did not settle its own audit entry still ends it: nothing stays "running".
    if (spec.audit && !a.auditSettled) {
      this.#settleAudit(a, spec.connectionId, {
        action: spec.audit.action,
        connectionName: spec.audit.connectionName,
        outcome: status === 'succeeded' ? 'succeeded' : status === 'cancelled' ? 'cancelled' : 'failed',
        summary: `${spec.audit.summary}: ${status}${error ? ` (${error.message})` : ''}`,
        durationMs: Date.now() - t0,
      });
    }
    a.progress.status = status;
    a.progress.updatedAt = new Date().toISOString();
    // The last report may still be waiting on the emit throttle (cleared above): journal it, else the
    // tray reads back an earlier count ("5 of 10" on a finished vacuum) once it refreshes the list.
    this.repo.progress(a.progress.jobId, { status, phase: a.progress.phase, done: a.progress.done, total: a.progress.total });
    this.repo.finish(a.progress.jobId, status, { error: error ?? undefined, result });
    this.#active.delete(a.progress.jobId);
    const finished: JobFinished = { ...a.progress, error, result };
    this.bus.emit('jobs.finished', finished);
    return finished;
  }
}
