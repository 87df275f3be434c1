import os from 'node:os';
import type { Database } from 'better-sqlite3';
import type { AuditEntry, AuditOutcome } from '../../../shared/domain/audit';
import { redact, redactValue } from '../../core/log/redact';

interface AuditRow {
  id: number;
  at: string;
  connection_id: string | null;
  connection_name: string | null;
  action: string;
  outcome: AuditOutcome;
  summary: string;
  details: string;
  duration_ms: number | null;
  user: string;
  host: string;
}

export interface AuditRecord {
  connectionId: string | null;
  connectionName: string | null;
  action: string;
  outcome: AuditOutcome;
  summary: string;
  details?: Record<string, unknown>;
  durationMs?: number | null;
}

function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

/** The audit trail of plans and destructive actions. Details are redacted before they are written. */
export class AuditRepo {
  constructor(private readonly db: Database) {}

  record(r: AuditRecord): number {
    const info = this.db
      .prepare(
        `INSERT INTO audit_log (at, connection_id, connection_name, action, outcome, summary, details, duration_ms, user, host)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        new Date().toISOString(),
        r.connectionId,
        r.connectionName,
        r.action,
        r.outcome,
        redact(r.summary),
        JSON.stringify(redactValue(r.details ?? {})),
        r.durationMs ?? null,
        currentUser(),
        os.hostname(),
      );
    return Number(info.lastInsertRowid);
  }

  /**
   * An execution's entry is written when it starts (outcome 'running') and updated here when it ends,
   * so a crash mid-way still leaves a trace. Fields not given keep their value.
   */
  update(id: number, r: Partial<Pick<AuditRecord, 'outcome' | 'summary' | 'details' | 'durationMs'>>): void {
    const row = this.db.prepare('SELECT * FROM audit_log WHERE id = ?').get(id) as AuditRow | undefined;
    if (!row) return;
    this.db
      .prepare('UPDATE audit_log SET outcome = ?, summary = ?, details = ?, duration_ms = ? WHERE id = ?')
      .run(
        r.outcome ?? row.outcome,
        r.summary === undefined ? row.summary : redact(r.summary),
        r.details === undefined ? row.details : JSON.stringify(redactValue(r.details)),
        r.durationMs === undefined ? row.duration_ms : r.durationMs,
        id,
      );
  }

  outcomeOf(id: number): AuditOutcome | null {
    const row = this.db.prepare('SELECT outcome FROM audit_log WHERE id = ?').get(id) as { outcome: AuditOutcome } | undefined;
    return row?.outcome ?? null;
  }

  list(opts: { connectionId?: string; limit: number }): AuditEntry[] {
    const rows = (
      opts.connectionId
        ? this.db.prepare('SELECT * FROM audit_log WHERE connection_id = ? ORDER BY id DESC LIMIT ?').all(opts.connectionId, opts.limit)
        : this.db.prepare('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?').all(opts.limit)
    ) as AuditRow[];
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      connectionId: r.connection_id,
      connectionName: r.connection_name,
      action: r.action,
      outcome: r.outcome,
      summary: r.summary,
      details: JSON.parse(r.details) as Record<string, unknown>,
      durationMs: r.duration_ms,
      user: r.user,
      host: r.host,
    }));
  }
}
