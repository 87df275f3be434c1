import type { Database } from 'better-sqlite3';
import { PlanLeaseRepo } from './plan-lease';
import { ZERO_TOTALS, type RetentionPhase, type RetentionTotals } from '../../../shared/domain/retention';

export interface RetentionPlanRow {
  id: string;
  connection_id: string | null;
  created_at: string;
  server_now: string;
  cutoff: string;
  events_cutoff: string | null;
  executor: 'sql' | 'api';
  filter: string;
  resolved: string;
  plan: string;
  status: string;
  job_id: string | null;
  /** JSON AdHocTarget for plans made on an ad hoc connection; null for saved connections. */
  target: string | null;
  progress: string;
  pending_batch: string | null;
  export_file: string | null;
  export_bytes: number;
}

/** Where an execution stands: the phase, each phase's cursor (its own shape) and the running totals. */
export interface RetentionProgress {
  phase: RetentionPhase;
  cursors: Partial<Record<RetentionPhase, unknown>>;
  totals: RetentionTotals;
}

/** A batch that may have committed on the server before the local journal heard back. */
export interface RetentionPendingBatch {
  phase: RetentionPhase;
  /** Postgres: txid_current() of the batch's transaction (txid_status tells whether it committed). */
  xid: string | null;
  /** What the batch deletes, for an existence check where there is no transaction id (SQLite, API). */
  victims: string[];
  /** What the batch adds to the totals and where the cursor goes once it is committed. */
  delta: Partial<RetentionTotals>;
  cursorAfter: unknown;
  /** Runs this batch found locked, to retry at the end. */
  retry: string[];
  /** Retry-phase runs this batch settles. */
  retryDone?: string[];
  exportStart: number;
  exportEnd: number;
}

export function initialProgress(first: RetentionPhase = 'runs'): RetentionProgress {
  return { phase: first, cursors: {}, totals: { ...ZERO_TOTALS } };
}

/** Retention plans and their journal (migration 0140). Everything here stays small whatever the plan's size. */
export class RetentionRepo {
  /** Which process runs a plan now (migration 0150; main/core/batches/lease.ts). */
  readonly leases: PlanLeaseRepo;

  constructor(private readonly db: Database) {
    this.leases = new PlanLeaseRepo(db, 'retention');
  }

  savePlan(row: Omit<RetentionPlanRow, 'status' | 'job_id' | 'progress' | 'pending_batch' | 'export_file' | 'export_bytes'>, keepIds: readonly string[], progress: RetentionProgress): void {
    const keep = this.db.prepare('INSERT OR IGNORE INTO retention_keep (plan_id, run_id) VALUES (?, ?)');
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO retention_plan (id, connection_id, created_at, server_now, cutoff, events_cutoff, executor, filter, resolved, plan, target, progress)
           VALUES (@id, @connection_id, @created_at, @server_now, @cutoff, @events_cutoff, @executor, @filter, @resolved, @plan, @target, @progress)`,
        )
        .run({ ...row, progress: JSON.stringify(progress) });
      for (const id of keepIds) keep.run(row.id, id);
    })();
  }

  getPlan(id: string): RetentionPlanRow | undefined {
    return this.db.prepare('SELECT * FROM retention_plan WHERE id = ?').get(id) as RetentionPlanRow | undefined;
  }

  latestPlans(connectionId: string | null, limit = 20): RetentionPlanRow[] {
    return this.db.prepare('SELECT * FROM retention_plan WHERE connection_id IS ? ORDER BY created_at DESC LIMIT ?').all(connectionId, limit) as RetentionPlanRow[];
  }

  setStatus(id: string, status: string, jobId?: string): void {
    if (jobId === undefined) this.db.prepare('UPDATE retention_plan SET status = ? WHERE id = ?').run(status, id);
    else this.db.prepare('UPDATE retention_plan SET status = ?, job_id = ? WHERE id = ?').run(status, jobId, id);
  }

  progress(id: string): RetentionProgress {
    const text = this.db.prepare('SELECT progress FROM retention_plan WHERE id = ?').pluck().get(id) as string | undefined;
    const p = text ? (JSON.parse(text) as Partial<RetentionProgress>) : {};
    return { phase: p.phase ?? 'runs', cursors: p.cursors ?? {}, totals: { ...ZERO_TOTALS, ...(p.totals ?? {}) } };
  }

  keepIds(planId: string): string[] {
    return this.db.prepare('SELECT run_id FROM retention_keep WHERE plan_id = ?').pluck().all(planId) as string[];
  }

  pendingBatch(planId: string): RetentionPendingBatch | null {
    const text = this.db.prepare('SELECT pending_batch FROM retention_plan WHERE id = ?').pluck().get(planId) as string | null | undefined;
    return text ? (JSON.parse(text) as RetentionPendingBatch) : null;
  }

  /** Written inside the server's transaction, just before its COMMIT. */
  setPendingBatch(planId: string, batch: RetentionPendingBatch | null): void {
    this.db.prepare('UPDATE retention_plan SET pending_batch = ? WHERE id = ?').run(batch ? JSON.stringify(batch) : null, planId);
  }

  /**
   * A batch's outcome in ONE local transaction: the new progress (cursor and totals), the runs to
   * retry, the committed export size, and the pending batch cleared. A kill lands before or after all of it.
   */
  commit(planId: string, progress: RetentionProgress, c: { retryAdd?: readonly string[]; retryDone?: readonly string[]; retryBump?: readonly string[]; exportBytes?: number | null } = {}): void {
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE retention_plan SET progress = ?, pending_batch = NULL, export_bytes = coalesce(?, export_bytes) WHERE id = ?')
        .run(JSON.stringify(progress), c.exportBytes ?? null, planId);
      if (c.retryAdd?.length) {
        this.db
          .prepare(`INSERT INTO retention_retry (plan_id, run_id) SELECT ?, value FROM json_each(?) WHERE true ON CONFLICT DO NOTHING`)
          .run(planId, JSON.stringify(c.retryAdd));
      }
      if (c.retryDone?.length) {
        this.db.prepare('DELETE FROM retention_retry WHERE plan_id = ? AND run_id IN (SELECT value FROM json_each(?))').run(planId, JSON.stringify(c.retryDone));
      }
      if (c.retryBump?.length) {
        this.db
          .prepare('UPDATE retention_retry SET attempts = attempts + 1 WHERE plan_id = ? AND run_id IN (SELECT value FROM json_each(?))')
          .run(planId, JSON.stringify(c.retryBump));
      }
    })();
  }

  /** Runs to retry, fewest attempts first. */
  retryIds(planId: string, limit: number, maxAttempts: number): Array<{ id: string; attempts: number }> {
    return (
      this.db
        .prepare('SELECT run_id AS id, attempts FROM retention_retry WHERE plan_id = ? AND attempts < ? ORDER BY attempts, run_id LIMIT ?')
        .all(planId, maxAttempts, limit) as Array<{ id: string; attempts: number }>
    );
  }

  retryCount(planId: string): number {
    return this.db.prepare('SELECT count(*) FROM retention_retry WHERE plan_id = ?').pluck().get(planId) as number;
  }

  setExport(planId: string, file: string, bytes: number): void {
    this.db.prepare('UPDATE retention_plan SET export_file = ?, export_bytes = ? WHERE id = ?').run(file, bytes, planId);
  }
}
