import type { Database } from 'better-sqlite3';

/**
 * Diagnose: every diagnosis (the full document, newest ones per connection; older rows keep only
 * their summary) and every guided session: the plan written before anything changes, the diagnosis
 * it started from, the job that ran it, the outcome and the diagnosis after. A session left
 * `running` by a killed app shows as interrupted (its steps' own journals say what happened).
 */
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE diagnosis (
      id            TEXT PRIMARY KEY,
      connection_id TEXT REFERENCES connection(id) ON DELETE CASCADE,
      created_at    TEXT NOT NULL,
      findings      INTEGER NOT NULL,
      top_severity  TEXT,
      doc           TEXT
    ) STRICT;
    CREATE INDEX ix_diagnosis__connection_created ON diagnosis (connection_id, created_at);

    CREATE TABLE diagnose_session (
      id            TEXT PRIMARY KEY,
      connection_id TEXT REFERENCES connection(id) ON DELETE CASCADE,
      created_at    TEXT NOT NULL,
      status        TEXT NOT NULL DEFAULT 'planned',
      plan          TEXT NOT NULL,
      before_doc    TEXT NOT NULL,
      after_doc     TEXT,
      outcome       TEXT,
      job_id        TEXT,
      finished_at   TEXT
    ) STRICT;
    CREATE INDEX ix_diagnose_session__connection ON diagnose_session (connection_id, created_at);
  `);
}
