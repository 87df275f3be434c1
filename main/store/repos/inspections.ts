import type { Database } from 'better-sqlite3';
import type { HistoryPoint, InspectReport, InspectionSummary, InspectSource } from '../../../shared/domain/inspect';

/** Full reports kept per connection; older inspections keep only their chart point. */
export const KEEP_FULL_REPORTS = 30;

interface InspectionRow {
  id: string;
  connection_id: string | null;
  connection_name: string;
  created_at: string;
  source: InspectSource;
  duration_ms: number;
  point: string;
  report: string | null;
}

/** Saved inspections (migration 0040). */
export class InspectionsRepo {
  constructor(private readonly db: Database) {}

  save(report: InspectReport, point: HistoryPoint): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO inspection (id, connection_id, connection_name, created_at, source, duration_ms, point, report)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(report.id, report.connectionId, report.connectionName, report.createdAt, report.source, Math.round(report.durationMs), JSON.stringify(point), JSON.stringify(report));
      this.db
        .prepare(
          `UPDATE inspection SET report = NULL
            WHERE connection_id IS ? AND report IS NOT NULL
              AND id NOT IN (SELECT id FROM inspection WHERE connection_id IS ? ORDER BY created_at DESC LIMIT ?)`,
        )
        .run(report.connectionId, report.connectionId, KEEP_FULL_REPORTS);
    })();
  }

  get(id: string): InspectReport | undefined {
    const r = this.db.prepare('SELECT report FROM inspection WHERE id = ?').get(id) as { report: string | null } | undefined;
    return r?.report ? (JSON.parse(r.report) as InspectReport) : undefined;
  }

  exists(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM inspection WHERE id = ?').get(id) !== undefined;
  }

  latest(connectionId: string | null): InspectReport | undefined {
    const r = this.db
      .prepare('SELECT report FROM inspection WHERE connection_id IS ? AND report IS NOT NULL ORDER BY created_at DESC LIMIT 1')
      .get(connectionId) as { report: string } | undefined;
    return r ? (JSON.parse(r.report) as InspectReport) : undefined;
  }

  /** Chart points, oldest first (the newest `limit`). */
  history(connectionId: string | null, limit = 365): HistoryPoint[] {
    const rows = this.db
      .prepare('SELECT point FROM inspection WHERE connection_id IS ? ORDER BY created_at DESC LIMIT ?')
      .all(connectionId, limit) as { point: string }[];
    return rows.map((r) => JSON.parse(r.point) as HistoryPoint).reverse();
  }

  list(connectionId: string | null, limit = 50): InspectionSummary[] {
    const rows = this.db
      .prepare('SELECT id, connection_id, created_at, source, duration_ms FROM inspection WHERE connection_id IS ? ORDER BY created_at DESC LIMIT ?')
      .all(connectionId, limit) as Pick<InspectionRow, 'id' | 'connection_id' | 'created_at' | 'source' | 'duration_ms'>[];
    return rows.map((r) => ({ id: r.id, connectionId: r.connection_id, createdAt: r.created_at, source: r.source, durationMs: r.duration_ms }));
  }

  /** Updates a stored report in place (exact measurements are added to the report they belong to). */
  replaceReport(report: InspectReport): void {
    this.db.prepare('UPDATE inspection SET report = ? WHERE id = ?').run(JSON.stringify(report), report.id);
  }
}
