import type { Database } from 'better-sqlite3';

/** Who runs a plan right now (migration 0150). Times are epoch milliseconds. */
export interface PlanLeaseRow {
  kind: string;
  plan_id: string;
  token: string;
  pid: number;
  host: string;
  job_id: string | null;
  acquired_at: number;
  heartbeat_at: number;
}

export interface LeaseClaim {
  token: string;
  pid: number;
  host: string;
  jobId: string | null;
  now: number;
}

/** The leases of one kind of plan ('purge', 'retention'). The rules of takeover are the caller's (lease.ts). */
export class PlanLeaseRepo {
  constructor(
    private readonly db: Database,
    private readonly kind: string,
  ) {}

  get(planId: string): PlanLeaseRow | undefined {
    return this.db.prepare('SELECT * FROM plan_lease WHERE kind = ? AND plan_id = ?').get(this.kind, planId) as PlanLeaseRow | undefined;
  }

  /**
   * Takes the lease unless a holder that `mayTakeOver` spares has it; returns that holder when refused.
   * IMMEDIATE: the read and the write are one step for every process sharing the store.
   */
  acquire(planId: string, claim: LeaseClaim, mayTakeOver: (holder: PlanLeaseRow) => boolean): { ok: true } | { ok: false; holder: PlanLeaseRow } {
    const tx = this.db.transaction((): { ok: true } | { ok: false; holder: PlanLeaseRow } => {
      const holder = this.get(planId);
      if (holder && holder.token !== claim.token && !mayTakeOver(holder)) return { ok: false, holder };
      this.db
        .prepare(
          `INSERT INTO plan_lease (kind, plan_id, token, pid, host, job_id, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (kind, plan_id) DO UPDATE SET token = excluded.token, pid = excluded.pid, host = excluded.host,
             job_id = excluded.job_id, acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`,
        )
        .run(this.kind, planId, claim.token, claim.pid, claim.host, claim.jobId, claim.now, claim.now);
      return { ok: true };
    });
    return tx.immediate();
  }

  /** Refreshes the holder's heartbeat; false when the lease is no longer this token's (taken over). */
  heartbeat(planId: string, token: string, now: number): boolean {
    return this.db.prepare('UPDATE plan_lease SET heartbeat_at = ? WHERE kind = ? AND plan_id = ? AND token = ?').run(now, this.kind, planId, token).changes === 1;
  }

  setJob(planId: string, token: string, jobId: string): void {
    this.db.prepare('UPDATE plan_lease SET job_id = ? WHERE kind = ? AND plan_id = ? AND token = ?').run(jobId, this.kind, planId, token);
  }

  holds(planId: string, token: string): boolean {
    return this.db.prepare('SELECT 1 FROM plan_lease WHERE kind = ? AND plan_id = ? AND token = ?').pluck().get(this.kind, planId, token) === 1;
  }

  release(planId: string, token: string): void {
    this.db.prepare('DELETE FROM plan_lease WHERE kind = ? AND plan_id = ? AND token = ?').run(this.kind, planId, token);
  }
}
