import type { Database } from 'better-sqlite3';

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
  constructor(private readonly db: Database) {}

  savePlan(row: Omit<PurgePlanRow, 'status' | 'job_id'>, runIds: readonly string[]): void {
    const insertRun = this.db.prepare('INSERT INTO purge_plan_run (plan_id, run_id) VALUES (?, ?)');
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO purge_plan (id, connection_id, created_at, server_now, cutoff, executor, filter, resolved, plan)
           VALUES (@id, @connection_id, @created_at, @server_now, @cutoff, @executor, @filter, @resolved, @plan)`,
        )
        .run(row);
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
