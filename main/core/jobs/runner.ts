/**
 * Long work runs as a job: an id, a journal row in the local store, throttled progress events
 * (done, total, rate, ETA), and cancel through an AbortSignal that the work passes on to Postgres
 * (pg_cancel_backend) and fetch. A job's `run` receives `{ signal, report }` and nothing else global.
 */
import crypto from 'node:crypto';
import { AppError, toAppError } from '../../../shared/errors';
import type { JobFinished, JobProgress, JobStatus } from '../../../shared/domain/jobs';
import type { JobsRepo } from '../../store/repos/jobs';
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

export interface JobContext {
  jobId: string;
  signal: AbortSignal;
  report(update: ProgressUpdate): void;
  /**
   * Call between units of work (e.g. delete batches): returns at once unless the job is paused, in
   * which case it waits until resumed (or throws when cancelled). Pausing never interrupts a unit.
   */
  pausePoint(): Promise<void>;
}

export interface JobSpec<P, R> {
  kind: string;
  connectionId: string | null;
  payload: P;
  /** Resume an existing journal row instead of creating one. */
  resumeJobId?: string;
  run(ctx: JobContext): Promise<R>;
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
}

const EMIT_EVERY_MS = 100;
/** Live jobs touch their journal row this often; a row silent for LIVENESS_MS belongs to a dead process. */
export const HEARTBEAT_MS = 5_000;
export const LIVENESS_MS = 30_000;
const RATE_WINDOW_MS = 10_000;

export class JobRunner {
  #active = new Map<string, Active>();
  #heartbeat: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly repo: JobsRepo,
    private readonly bus: EventBus,
  ) {
    const n = repo.markInterrupted(new Set(), new Date(Date.now() - LIVENESS_MS).toISOString());
    if (n > 0) log.warn(`${n} job(s) from an earlier session were interrupted; their journals are kept for resume`);
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

  start<P, R>(spec: JobSpec<P, R>): { jobId: string; finished: Promise<JobFinished> } {
    const now = new Date().toISOString();
    const jobId = spec.resumeJobId ?? crypto.randomUUID();
    if (spec.resumeJobId) {
      if (this.#active.has(jobId)) throw new AppError('CONFLICT', 'That job is already running.');
      this.repo.claim(jobId);
      this.repo.progress(jobId, { status: 'running', phase: 'resuming', done: this.repo.get(jobId)?.done ?? 0, total: this.repo.get(jobId)?.total ?? null });
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
      });
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
    };
    this.#active.set(jobId, active);
    this.#startHeartbeat();

    const ctx: JobContext = {
      jobId,
      signal: controller.signal,
      report: (u) => this.#report(active, u),
      pausePoint: async () => {
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
    };
    active.finished = this.#run(active, spec, ctx);
    this.bus.emit('jobs.progress', { ...active.progress });
    return { jobId, finished: active.finished };
  }

  cancel(jobId: string): boolean {
    const a = this.#active.get(jobId);
    if (!a) return false;
    a.controller.abort(new AppError('CANCELLED', 'Cancelled by the user.'));
    return true;
  }

  /** Pause at the job's next pause point; the current unit of work finishes first. */
  pause(jobId: string): boolean {
    const a = this.#active.get(jobId);
    if (!a || a.paused || a.progress.status !== 'running') return false;
    let resume!: () => void;
    const promise = new Promise<void>((r) => (resume = r));
    a.paused = { promise, resume };
    a.progress.status = 'paused';
    this.#emitNow(a);
    return true;
  }

  resume(jobId: string): boolean {
    const a = this.#active.get(jobId);
    if (!a || !a.paused) return false;
    const p = a.paused;
    a.paused = null;
    a.progress.status = 'running';
    p.resume();
    this.#emitNow(a);
    return true;
  }

  list(): JobProgress[] {
    return [...this.#active.values()].map((a) => ({ ...a.progress }));
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
    a.progress.status = status;
    a.progress.updatedAt = new Date().toISOString();
    this.repo.finish(a.progress.jobId, status, { error: error ?? undefined, result });
    this.#active.delete(a.progress.jobId);
    const finished: JobFinished = { ...a.progress, error, result };
    this.bus.emit('jobs.finished', finished);
    return finished;
  }
}
