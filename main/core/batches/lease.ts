/**
 * The cross-process guard of a plan's execution (issue #14): whoever runs a purge or retention plan
 * holds its lease in the local store (migration 0150). Taking it is atomic across every Housekeeper
 * process sharing the store (the window, `serve`, any number of CLIs), so of two resumes of the same
 * plan exactly one runs and the other is refused (CONFLICT, details.reason PLAN_IN_USE) before it
 * changes anything. The job tray's liveness check (jobs/runner.ts) reads first and acts later; two
 * processes starting together could both pass it, the lease cannot.
 *
 * A holder refreshes its heartbeat every HEARTBEAT_MS and releases the lease when it ends. A killed
 * process cannot release it, so a lease is taken over when its holder is dead:
 * - on this machine, at once, when its process no longer exists (kill -9, a crash, a power cut);
 * - anywhere (a store on a shared folder, a reused pid), once its heartbeat is older than STALE_MS.
 * The engine re-checks the lease before every batch (engine.ts): a holder that was frozen for longer
 * than STALE_MS and taken over stops before its next batch instead of running beside the new one.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { AppError } from '../../../shared/errors';
import type { PlanLeaseRepo, PlanLeaseRow } from '../../store/repos/plan-lease';

export const LEASE_HEARTBEAT_MS = 5_000;
export const LEASE_STALE_MS = 30_000;

/** Whether a process with this pid exists on this machine (EPERM: it exists, owned by someone else). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Pure rule: may a new execution take over a lease held by `holder`? */
export function mayTakeOver(holder: Pick<PlanLeaseRow, 'pid' | 'host' | 'heartbeat_at'>, now: number, here: { host: string; alive: (pid: number) => boolean }, staleMs = LEASE_STALE_MS): boolean {
  if (now - holder.heartbeat_at > staleMs) return true;
  return holder.host === here.host && !here.alive(holder.pid);
}

/** The refusal a second execution gets, worded for a person and coded for a program. */
export function planInUse(noun: 'purge' | 'retention', holder: Pick<PlanLeaseRow, 'pid' | 'host' | 'job_id' | 'acquired_at' | 'heartbeat_at'>): AppError {
  return new AppError('CONFLICT', `Another Housekeeper process (pid ${holder.pid} on ${holder.host}) is executing this ${noun} plan right now. Nothing was changed.`, {
    hint: `Let it finish, or cancel it there; resume only a ${noun} that has stopped (a process that died is taken over at once on this machine, after ${LEASE_STALE_MS / 1000} s elsewhere).`,
    details: { reason: 'PLAN_IN_USE', pid: holder.pid, host: holder.host, jobId: holder.job_id, since: new Date(holder.acquired_at).toISOString() },
  });
}

export class PlanLease {
  readonly token = crypto.randomUUID();
  #timer: ReturnType<typeof setInterval> | null = null;
  #lost = false;
  #released = false;

  private constructor(
    private readonly repo: PlanLeaseRepo,
    private readonly planId: string,
    private readonly noun: 'purge' | 'retention',
  ) {}

  /** Takes the plan's lease for this process, or throws planInUse. Starts the heartbeat. */
  static acquire(repo: PlanLeaseRepo, planId: string, noun: 'purge' | 'retention', now = Date.now()): PlanLease {
    const lease = new PlanLease(repo, planId, noun);
    const here = { host: os.hostname(), alive: processAlive };
    const r = repo.acquire(planId, { token: lease.token, pid: process.pid, host: here.host, jobId: null, now }, (h) => mayTakeOver(h, now, here));
    if (!r.ok) throw planInUse(noun, r.holder);
    lease.#timer = setInterval(() => lease.beat(), LEASE_HEARTBEAT_MS);
    lease.#timer.unref?.();
    return lease;
  }

  setJob(jobId: string): void {
    this.repo.setJob(this.planId, this.token, jobId);
  }

  /** One heartbeat; a lease found taken over is lost for good (the next check throws). */
  beat(now = Date.now()): void {
    if (this.#released || this.#lost) return;
    try {
      if (!this.repo.heartbeat(this.planId, this.token, now)) this.#lost = true;
    } catch {
      // A busy store skips a beat; STALE_MS allows several.
    }
  }

  /** Throws when another process took this plan over (called before every batch). */
  check(): void {
    if (!this.#lost && !this.repo.holds(this.planId, this.token)) this.#lost = true;
    if (!this.#lost) return;
    const holder = this.repo.get(this.planId);
    const who = holder ? `Another Housekeeper process (pid ${holder.pid} on ${holder.host})` : 'Another Housekeeper process';
    throw new AppError('CONFLICT', `${who} took this ${this.noun} plan over; this one stopped before its next batch. What it deleted stays counted.`, {
      hint: `This process was silent for more than ${LEASE_STALE_MS / 1000} s; let the other one finish.`,
      details: { reason: 'PLAN_IN_USE', ...(holder ? { pid: holder.pid, host: holder.host, jobId: holder.job_id } : {}) },
    });
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    if (this.#timer) clearInterval(this.#timer);
    try {
      this.repo.release(this.planId, this.token);
    } catch {
      // A lease left behind is taken over: this process is about to be gone.
    }
  }
}
