import os from 'node:os';
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
  /** "pid@host" of the process running it. */
  owner: string | null;
  /** What the job does, for the jobs tray; null on rows from before migration 0100. */
  title: string | null;
  /** JSON array of route segments of the job's page. */
  link: string | null;
  /** The audit entry its execution wrote when it started (updated at the end). */
  audit_id: number | null;
}

/** "pid@host" of this process. */
export const SELF = `${process.pid}@${os.hostname()}`;

/**
 * Is the owner of a job row alive? On this host the process table says so exactly; a job owned on
 * another host (a store on a shared drive) counts as alive while its heartbeat is fresh.
 */
export function ownerAlive(row: Pick<JobRow, 'owner' | 'updated_at'>, freshAfter: string): boolean {
  const m = /^(\d+)@(.*)$/.exec(row.owner ?? '');
  if (m && m[2] === os.hostname()) {
    if (Number(m[1]) === process.pid) return true;
    try {
      process.kill(Number(m[1]), 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  return row.updated_at >= freshAfter;
}

/**
 * The job journal: one row per long-running job, its payload (to resume), its checkpoint (how far it
 * got) and its outcome. A job found 'running' at start-up belonged to a process that died: it is
 * marked 'interrupted' so the feature that owns it can offer to resume from the checkpoint.
 */
export class JobsRepo {
  constructor(private readonly db: Database) {}

  insert(row: Omit<JobRow, 'error' | 'result' | 'finished_at' | 'owner' | 'title' | 'link' | 'audit_id'> & Partial<Pick<JobRow, 'title' | 'link' | 'audit_id'>>): void {
    this.db
      .prepare(
        `INSERT INTO job (id, kind, connection_id, status, phase, payload, checkpoint, done, total, started_at, updated_at, owner, title, link, audit_id)
         VALUES (@id, @kind, @connection_id, @status, @phase, @payload, @checkpoint, @done, @total, @started_at, @updated_at, @owner, @title, @link, @audit_id)`,
      )
      .run({ title: null, link: null, audit_id: null, ...row, owner: SELF });
  }

  /** The audit entry written when the job's execution started. */
  setAudit(id: string, auditId: number): void {
    this.db.prepare('UPDATE job SET audit_id = ? WHERE id = ?').run(auditId, id);
  }

  /** A resumed job starts over in the tray: no end time until it ends again. */
  reopen(id: string): void {
    this.db.prepare(`UPDATE job SET finished_at = NULL, error = NULL WHERE id = ?`).run(id);
  }

  /**
   * What the jobs tray lists: every job that has not ended (running, paused, interrupted), and the
   * ones that ended after `finishedAfter`, newest first.
   */
  listForTray(finishedAfter: string, limit = 30): JobRow[] {
    return this.db
      .prepare(
        `SELECT * FROM job
          WHERE status IN ('running','paused','interrupted') OR finished_at >= ?
          ORDER BY started_at DESC LIMIT ?`,
      )
      .all(finishedAfter, limit) as JobRow[];
  }

  /** A resumed job belongs to the process that resumed it. */
  claim(id: string): void {
    this.db.prepare('UPDATE job SET owner = ?, updated_at = ? WHERE id = ?').run(SELF, new Date().toISOString(), id);
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

  /** Heartbeat of a live job, so other processes do not take it for interrupted. */
  touch(ids: readonly string[]): void {
    const now = new Date().toISOString();
    const stmt = this.db.prepare('UPDATE job SET updated_at = ? WHERE id = ?');
    for (const id of ids) stmt.run(now, id);
  }

  /** Whether another process is running this job right now (its heartbeat is recent). */
  isLiveElsewhere(id: string, freshAfter: string): boolean {
    const row = this.get(id);
    return row !== undefined && (row.status === 'running' || row.status === 'paused') && row.owner !== SELF && ownerAlive(row, freshAfter);
  }

  get(id: string): JobRow | undefined {
    return this.db.prepare('SELECT * FROM job WHERE id = ?').get(id) as JobRow | undefined;
  }

  listRecent(limit = 50): JobRow[] {
    return this.db.prepare('SELECT * FROM job ORDER BY started_at DESC LIMIT ?').all(limit) as JobRow[];
  }

  /**
   * Jobs left 'running' or 'paused' by a process that is gone become 'interrupted'. Live processes
   * (the window, `serve` and the CLI share this store) touch their jobs every few seconds, so only
   * rows silent since `staleBefore` are taken for dead.
   */
  markInterrupted(activeIds: ReadonlySet<string>, staleBefore: string): JobRow[] {
    const rows = this.db.prepare(`SELECT * FROM job WHERE status IN ('running','paused')`).all() as JobRow[];
    const out: JobRow[] = [];
    for (const r of rows) {
      if (activeIds.has(r.id) || ownerAlive(r, staleBefore)) continue;
      this.db.prepare(`UPDATE job SET status = 'interrupted', updated_at = ? WHERE id = ?`).run(new Date().toISOString(), r.id);
      out.push({ ...r, status: 'interrupted' });
    }
    return out;
  }
}
