import type { Database } from 'better-sqlite3';
import type { StoredSchedule } from '../../../shared/domain/schedules';

export interface ScheduleChangeRow {
  id: string;
  connection_id: string | null;
  kind: 'recreate' | 'pause' | 'resume' | 'restore' | 'reset';
  created_at: string;
  plan: string;
  status: string;
  job_id: string | null;
  applied_at: string | null;
  outcome: string | null;
}

/** One deployment of a change: what it was, and what the change writes. */
export interface OriginalItem {
  deploymentId: string;
  deploymentName: string;
  paused: boolean;
  schedules: StoredSchedule[];
  target: { paused: boolean; schedules: StoredSchedule[] };
  state: string;
  error: string | null;
}

interface OriginalRow {
  change_id: string;
  deployment_id: string;
  deployment_name: string;
  paused: number;
  schedules: string;
  target: string;
  state: string;
  error: string | null;
}

const toItem = (r: OriginalRow): OriginalItem => ({
  deploymentId: r.deployment_id,
  deploymentName: r.deployment_name,
  paused: r.paused === 1,
  schedules: JSON.parse(r.schedules) as StoredSchedule[],
  target: JSON.parse(r.target) as OriginalItem['target'],
  state: r.state,
  error: r.error,
});

/** Schedule change plans and the originals they keep (migration 0050). */
export class SchedulesRepo {
  constructor(private readonly db: Database) {}

  save(row: Omit<ScheduleChangeRow, 'status' | 'job_id' | 'applied_at' | 'outcome'>, items: ReadonlyArray<Omit<OriginalItem, 'state' | 'error'>>): void {
    const ins = this.db.prepare(
      `INSERT INTO schedule_original (change_id, deployment_id, deployment_name, paused, schedules, target) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO schedule_change (id, connection_id, kind, created_at, plan) VALUES (@id, @connection_id, @kind, @created_at, @plan)')
        .run(row);
      for (const it of items) ins.run(row.id, it.deploymentId, it.deploymentName, it.paused ? 1 : 0, JSON.stringify(it.schedules), JSON.stringify(it.target));
    })();
  }

  get(id: string): ScheduleChangeRow | undefined {
    return this.db.prepare('SELECT * FROM schedule_change WHERE id = ?').get(id) as ScheduleChangeRow | undefined;
  }

  items(id: string): OriginalItem[] {
    return (this.db.prepare('SELECT * FROM schedule_original WHERE change_id = ? ORDER BY deployment_name').all(id) as OriginalRow[]).map(toItem);
  }

  list(connectionId: string | null, limit: number): ScheduleChangeRow[] {
    return this.db.prepare('SELECT * FROM schedule_change WHERE connection_id IS ? ORDER BY created_at DESC LIMIT ?').all(connectionId, limit) as ScheduleChangeRow[];
  }

  setStatus(id: string, status: string, extra: { jobId?: string; appliedAt?: string; outcome?: unknown } = {}): void {
    this.db
      .prepare(
        `UPDATE schedule_change SET status = ?, job_id = COALESCE(?, job_id), applied_at = COALESCE(?, applied_at), outcome = COALESCE(?, outcome) WHERE id = ?`,
      )
      .run(status, extra.jobId ?? null, extra.appliedAt ?? null, extra.outcome === undefined ? null : JSON.stringify(extra.outcome), id);
  }

  setItemState(id: string, deploymentId: string, state: string, error: string | null = null): void {
    this.db.prepare('UPDATE schedule_original SET state = ?, error = ? WHERE change_id = ? AND deployment_id = ?').run(state, error, id, deploymentId);
  }
}
