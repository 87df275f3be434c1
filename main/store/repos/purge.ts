import type { Database } from 'better-sqlite3';
import { PlanLeaseRepo } from './plan-lease';

export const RUN_PENDING = 0;
export const RUN_IN_FLIGHT = 1;
export const RUN_DELETED = 2;
export const RUN_SKIPPED = 3;
export const RUN_BUSY = 4;

export interface PurgePlanRow {
  id: string;
  connection_id: string | null;
  created_at: string;
  server_now: string;
  cutoff: string;
  executor: 'sql' | 'api';
  filter: string;
  resolved: string;
  plan: string;
  status: string;
  job_id: string | null;
  /** Running totals, written with the batch's run states in one local transaction (0070). */
  deleted_logs: number;
  deleted_artifacts: number;
  batches: number;
  /** JSON PendingBatch: what the batch in flight is about to commit; null between batches. */
  pending_batch: string | null;
  export_file: string | null;
  /** Bytes of the export that belong to committed batches. */
  export_bytes: number;
  /** JSON AdHocTarget for plans made on an ad hoc connection (no secrets); null for saved ones. */
  target: string | null;
}

/** A batch the server may have committed before we could journal it (settled on resume). */
export interface PendingBatch {
  /** The runs the batch deletes (claimed, for the API executor). */
  ids: string[];
  /** Their logs and artifacts counted before the delete (logs null: not countable via the API). */
  logs: number | null;
  artifacts: number;
  /** The export lines written for them: [exportStart, exportEnd) of the export file. */
  exportStart: number;
  exportEnd: number;
}

export interface BatchCommit {
  deleted: readonly string[];
  skipped: readonly string[];
  busy: readonly string[];
  /** Back to pending, with one more attempt counted (a worker held them). */
  retry: readonly string[];
  /** Back to pending without counting an attempt (not tried this time). */
  deferred?: readonly string[];
  logs: number;
  artifacts: number;
  /** Export bytes that now belong to committed batches (null: no export). */
  exportBytes: number | null;
}

export interface PurgeTotals {
  logs: number;
  artifacts: number;
  batches: number;
}

export interface RunCounts {
  pending: number;
  inFlight: number;
  deleted: number;
  skipped: number;
  busy: number;
  total: number;
}

/** Purge plans and the journal of their runs (see migration 0020). */
export class PurgeRepo {
  /** Which process runs a plan now (migration 0150; main/core/batches/lease.ts). */
  readonly leases: PlanLeaseRepo;

  constructor(private readonly db: Database) {
    this.leases = new PlanLeaseRepo(db, 'purge');
  }

  savePlan(row: Omit<PurgePlanRow, 'status' | 'job_id' | 'deleted_logs' | 'deleted_artifacts' | 'batches' | 'pending_batch' | 'export_file' | 'export_bytes' | 'target'> & { target?: string | null }, runIds: readonly string[]): void {
    const insertRun = this.db.prepare('INSERT INTO purge_plan_run (plan_id, run_id) VALUES (?, ?)');
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO purge_plan (id, connection_id, created_at, server_now, cutoff, executor, filter, resolved, plan, target)
           VALUES (@id, @connection_id, @created_at, @server_now, @cutoff, @executor, @filter, @resolved, @plan, @target)`,
        )
        .run({ ...row, target: row.target ?? null });
      for (const id of runIds) insertRun.run(row.id, id);
    })();
  }

  getPlan(id: string): PurgePlanRow | undefined {
    return this.db.prepare('SELECT * FROM purge_plan WHERE id = ?').get(id) as PurgePlanRow | undefined;
  }

  latestPlans(connectionId: string | null, limit = 20): PurgePlanRow[] {
    return this.db
      .prepare('SELECT * FROM purge_plan WHERE connection_id IS ? ORDER BY created_at DESC LIMIT ?')
      .all(connectionId, limit) as PurgePlanRow[];
  }

  setStatus(id: string, status: string, jobId?: string): void {
    if (jobId === undefined) this.db.prepare('UPDATE purge_plan SET status = ? WHERE id = ?').run(status, id);
    else this.db.prepare('UPDATE purge_plan SET status = ?, job_id = ? WHERE id = ?').run(status, jobId, id);
  }

  /** Fewest attempts first, so runs a worker held locked are retried after the others. */
  idsInState(planId: string, state: number, limit = 1_000_000): string[] {
    return (
      this.db
        .prepare('SELECT run_id FROM purge_plan_run WHERE plan_id = ? AND state = ? ORDER BY attempts LIMIT ?')
        .pluck()
        .all(planId, state, limit) as string[]
    );
  }

  /** Set-based (json_each): a 5,000-run batch is one statement, not 5,000, so journaling stays cheap. */
  setState(planId: string, ids: readonly string[], state: number, bumpAttempts = false): void {
    if (ids.length === 0) return;
    this.db
      .prepare(
        `UPDATE purge_plan_run SET state = ?${bumpAttempts ? ', attempts = attempts + 1' : ''}
          WHERE plan_id = ? AND run_id IN (SELECT value FROM json_each(?))`,
      )
      .run(state, planId, JSON.stringify(ids));
  }

  totals(planId: string): PurgeTotals {
    const r = this.db.prepare('SELECT deleted_logs, deleted_artifacts, batches FROM purge_plan WHERE id = ?').get(planId) as
      | { deleted_logs: number; deleted_artifacts: number; batches: number }
      | undefined;
    return { logs: r?.deleted_logs ?? 0, artifacts: r?.deleted_artifacts ?? 0, batches: r?.batches ?? 0 };
  }

  pendingBatch(planId: string): PendingBatch | null {
    const text = this.db.prepare('SELECT pending_batch FROM purge_plan WHERE id = ?').pluck().get(planId) as string | null | undefined;
    return text ? (JSON.parse(text) as PendingBatch) : null;
  }

  /** Journaled before the server commits (inside the delete transaction, or before the API calls). */
  setPendingBatch(planId: string, batch: PendingBatch | null): void {
    this.db.prepare('UPDATE purge_plan SET pending_batch = ? WHERE id = ?').run(batch ? JSON.stringify(batch) : null, planId);
  }

  /**
   * A batch's outcome in ONE local transaction: run states, log and artifact totals, the batch count,
   * the committed export size, and the pending batch cleared. A kill lands before or after all of it.
   */
  commitBatch(planId: string, c: BatchCommit): void {
    this.db.transaction(() => {
      this.setState(planId, c.deleted, RUN_DELETED);
      this.setState(planId, c.skipped, RUN_SKIPPED);
      this.setState(planId, c.busy, RUN_BUSY, true);
      this.setState(planId, c.retry, RUN_PENDING, true);
      this.setState(planId, c.deferred ?? [], RUN_PENDING);
      this.db
        .prepare(
          `UPDATE purge_plan SET deleted_logs = deleted_logs + ?, deleted_artifacts = deleted_artifacts + ?, batches = batches + 1,
                  pending_batch = NULL, export_bytes = coalesce(?, export_bytes) WHERE id = ?`,
        )
        .run(c.logs, c.artifacts, c.exportBytes, planId);
    })();
  }

  /** Settles a pending batch found on resume: what the server did commit, in one transaction. */
  settlePending(planId: string, gone: readonly string[], stillThere: readonly string[], logs: number, artifacts: number, exportBytes: number | null): void {
    this.db.transaction(() => {
      this.setState(planId, gone, RUN_DELETED);
      this.setState(planId, stillThere, RUN_PENDING);
      this.db
        .prepare(
          `UPDATE purge_plan SET deleted_logs = deleted_logs + ?, deleted_artifacts = deleted_artifacts + ?,
                  batches = batches + ?, pending_batch = NULL, export_bytes = coalesce(?, export_bytes) WHERE id = ?`,
        )
        .run(logs, artifacts, gone.length ? 1 : 0, exportBytes, planId);
    })();
  }

  /** The export file of this plan's execution; a resumed execution keeps appending to it. */
  setExport(planId: string, file: string, bytes: number): void {
    this.db.prepare('UPDATE purge_plan SET export_file = ?, export_bytes = ? WHERE id = ?').run(file, bytes, planId);
  }

  attempts(planId: string, ids: readonly string[]): Map<string, number> {
    const stmt = this.db.prepare('SELECT attempts FROM purge_plan_run WHERE plan_id = ? AND run_id = ?');
    return new Map(ids.map((id) => [id, (stmt.get(planId, id) as { attempts: number } | undefined)?.attempts ?? 0]));
  }

  counts(planId: string): RunCounts {
    const rows = this.db
      .prepare('SELECT state, count(*) AS n FROM purge_plan_run WHERE plan_id = ? GROUP BY state')
      .all(planId) as { state: number; n: number }[];
    const by = new Map(rows.map((r) => [r.state, r.n]));
    const c = {
      pending: by.get(RUN_PENDING) ?? 0,
      inFlight: by.get(RUN_IN_FLIGHT) ?? 0,
      deleted: by.get(RUN_DELETED) ?? 0,
      skipped: by.get(RUN_SKIPPED) ?? 0,
      busy: by.get(RUN_BUSY) ?? 0,
    };
    return { ...c, total: c.pending + c.inFlight + c.deleted + c.skipped + c.busy };
  }
}
