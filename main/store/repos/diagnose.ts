import type { Database } from 'better-sqlite3';
import type { Diagnosis, DiagnosisSummary, Session, SessionOutcome, SessionPlan, SessionSummary } from '../../../shared/domain/diagnose';

/** Full diagnoses kept per connection; older rows keep only their summary. */
export const KEEP_FULL_DIAGNOSES = 20;

interface SessionRow {
  id: string;
  connection_id: string | null;
  created_at: string;
  status: Session['status'];
  plan: string;
  before_doc: string;
  after_doc: string | null;
  outcome: string | null;
  job_id: string | null;
  finished_at: string | null;
}

/** Diagnoses and guided sessions (migration 0130). */
export class DiagnoseRepo {
  constructor(private readonly db: Database) {}

  saveDiagnosis(d: Diagnosis): void {
    const top = d.findings[0]?.severity ?? null;
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO diagnosis (id, connection_id, created_at, findings, top_severity, doc) VALUES (?, ?, ?, ?, ?, ?)')
        .run(d.id, d.connectionId, d.createdAt, d.findings.length, top, JSON.stringify(d));
      this.db
        .prepare(
          `UPDATE diagnosis SET doc = NULL WHERE connection_id IS ? AND doc IS NOT NULL
              AND id NOT IN (SELECT id FROM diagnosis WHERE connection_id IS ? ORDER BY created_at DESC LIMIT ?)`,
        )
        .run(d.connectionId, d.connectionId, KEEP_FULL_DIAGNOSES);
    })();
  }

  diagnosis(id: string): Diagnosis | undefined {
    const r = this.db.prepare('SELECT doc FROM diagnosis WHERE id = ?').get(id) as { doc: string | null } | undefined;
    return r?.doc ? (JSON.parse(r.doc) as Diagnosis) : undefined;
  }

  latestDiagnosis(connectionId: string | null): Diagnosis | undefined {
    const r = this.db.prepare('SELECT doc FROM diagnosis WHERE connection_id IS ? AND doc IS NOT NULL ORDER BY created_at DESC LIMIT 1').get(connectionId) as { doc: string } | undefined;
    return r ? (JSON.parse(r.doc) as Diagnosis) : undefined;
  }

  diagnoses(connectionId: string | null, limit: number): DiagnosisSummary[] {
    const rows = this.db
      .prepare('SELECT id, connection_id, created_at, findings, top_severity FROM diagnosis WHERE connection_id IS ? ORDER BY created_at DESC LIMIT ?')
      .all(connectionId, limit) as Array<{ id: string; connection_id: string | null; created_at: string; findings: number; top_severity: DiagnosisSummary['top'] }>;
    return rows.map((r) => ({ id: r.id, connectionId: r.connection_id, createdAt: r.created_at, findings: r.findings, top: r.top_severity }));
  }

  saveSession(plan: SessionPlan, before: Diagnosis): void {
    this.db
      .prepare('INSERT INTO diagnose_session (id, connection_id, created_at, plan, before_doc) VALUES (?, ?, ?, ?, ?)')
      .run(plan.sessionId, plan.connectionId, plan.createdAt, JSON.stringify(plan), JSON.stringify(before));
  }

  setSessionStatus(id: string, status: Session['status'], extra: { jobId?: string; outcome?: SessionOutcome; after?: Diagnosis } = {}): void {
    const done = status !== 'planned' && status !== 'running';
    this.db
      .prepare(
        `UPDATE diagnose_session SET status = ?, job_id = COALESCE(?, job_id), outcome = COALESCE(?, outcome), after_doc = COALESCE(?, after_doc),
                finished_at = CASE WHEN ? THEN ? ELSE finished_at END WHERE id = ?`,
      )
      .run(status, extra.jobId ?? null, extra.outcome ? JSON.stringify(extra.outcome) : null, extra.after ? JSON.stringify(extra.after) : null, done ? 1 : 0, new Date().toISOString(), id);
  }

  session(id: string): Session | undefined {
    const r = this.db.prepare('SELECT * FROM diagnose_session WHERE id = ?').get(id) as SessionRow | undefined;
    return r ? toSession(r) : undefined;
  }

  sessionRow(id: string): { status: Session['status']; jobId: string | null; connectionId: string | null } | undefined {
    const r = this.db.prepare('SELECT status, job_id, connection_id FROM diagnose_session WHERE id = ?').get(id) as { status: Session['status']; job_id: string | null; connection_id: string | null } | undefined;
    return r ? { status: r.status, jobId: r.job_id, connectionId: r.connection_id } : undefined;
  }

  sessions(connectionId: string | null, limit: number): SessionSummary[] {
    const rows = this.db.prepare('SELECT * FROM diagnose_session WHERE connection_id IS ? ORDER BY created_at DESC LIMIT ?').all(connectionId, limit) as SessionRow[];
    return rows.map((r) => {
      const plan = JSON.parse(r.plan) as SessionPlan;
      const outcome = r.outcome ? (JSON.parse(r.outcome) as SessionOutcome) : null;
      return { sessionId: r.id, connectionId: r.connection_id, createdAt: r.created_at, status: r.status, findings: plan.findings.length, message: outcome?.message ?? null };
    });
  }
}

function toSession(r: SessionRow): Session {
  return {
    plan: JSON.parse(r.plan) as SessionPlan,
    status: r.status,
    jobId: r.job_id,
    before: JSON.parse(r.before_doc) as Diagnosis,
    after: r.after_doc ? (JSON.parse(r.after_doc) as Diagnosis) : null,
    outcome: r.outcome ? (JSON.parse(r.outcome) as SessionOutcome) : null,
  };
}
