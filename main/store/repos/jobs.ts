import type { Database } from 'better-sqlite3';
import type { JobStatus } from '../../../shared/domain/jobs';

export interface JobRow {
  id: string;
  kind: string;
  connection_id: string | null;
  status: JobStatus;
  phase: string;
  payload: string;
  checkpoint: string;
  done: number;
  total: number | null;
  error: string | null;
  result: string | null;
  started_at: string;
  updated_at: string;
  finished_at: string | null;
}

/**
 * The job journal: one row per long-running job, its payload (to resume), its checkpoint (how far it
 * got) and its outcome. A job found 'running' at start-up belonged to a process that died: it is
 * marked 'interrupted' so the feature that owns it can offer to resume from the checkpoint.
 */
export class JobsRepo {
  constructor(private readonly db: Database) {}

  insert(row: Omit<JobRow, 'error' | 'result' | 'finished_at'>): void {
    this.db
      .prepare(
        `INSERT INTO job (id, kind, connection_id, status, phase, payload, checkpoint, done, total, started_at, updated_at)
         VALUES (@id, @kind, @connection_id, @status, @phase, @payload, @checkpoint, @done, @total, @started_at, @updated_at)`,
      )
      .run(row);
  }

  progress(id: string, p: { status: JobStatus; phase: string; done: number; total: number | null; checkpoint?: unknown }): void {
    const now = new Date().toISOString();
    if (p.checkpoint === undefined) {
      this.db
        .prepare('UPDATE job SET status = ?, phase = ?, done = ?, total = ?, updated_at = ? WHERE id = ?')
        .run(p.status, p.phase, p.done, p.total, now, id);
    } else {
      this.db
        .prepare('UPDATE job SET status = ?, phase = ?, done = ?, total = ?, checkpoint = ?, updated_at = ? WHERE id = ?')
        .run(p.status, p.phase, p.done, p.total, JSON.stringify(p.checkpoint), now, id);
    }
  }

  finish(id: string, status: JobStatus, outcome: { error?: unknown; result?: unknown }): void {
    const now = new Date().toISOString();
    this.db
      .prepare('UPDATE job SET status = ?, error = ?, result = ?, updated_at = ?, finished_at = ? WHERE id = ?')
      .run(
        status,
        outcome.error === undefined ? null : JSON.stringify(outcome.error),
        outcome.result === undefined ? null : JSON.stringify(outcome.result),
        now,
        now,
        id,
      );
  }

  get(id: string): JobRow | undefined {
    return this.db.prepare('SELECT * FROM job WHERE id = ?').get(id) as JobRow | undefined;
  }

  listRecent(limit = 50): JobRow[] {
    return this.db.prepare('SELECT * FROM job ORDER BY started_at DESC LIMIT ?').all(limit) as JobRow[];
  }

  /** Jobs left 'running' or 'paused' by a process that is gone become 'interrupted'. */
  markInterrupted(activeIds: ReadonlySet<string>): number {
    const rows = this.db.prepare(`SELECT id FROM job WHERE status IN ('running','paused')`).all() as { id: string }[];
    let n = 0;
    for (const r of rows) {
      if (activeIds.has(r.id)) continue;
      this.db.prepare(`UPDATE job SET status = 'interrupted', updated_at = ? WHERE id = ?`).run(new Date().toISOString(), r.id);
      n++;
    }
    return n;
  }
}
