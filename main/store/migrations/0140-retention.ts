import type { Database } from 'better-sqlite3';

/**
 * Retention plans and their journal (issue #14). A retention plan can cover millions of runs, so,
 * unlike a purge plan, it never lists them: it freezes a predicate (cutoff, states, deployments)
 * and a cursor walks Prefect's indexes. What is kept here stays small whatever the plan's size:
 * - retention_plan.progress: the phase, each phase's cursor and the running totals, replaced in one
 *   local transaction per batch (with pending_batch cleared), so ids, cursor and counts never
 *   disagree after a kill;
 * - retention_plan.pending_batch: one batch about to commit on the server (its transaction id on
 *   Postgres, its victims, its counts, the cursor after it, its export lines), settled on resume;
 * - retention_keep: the runs kept by --keep-newest (N per deployment);
 * - retention_retry: runs a batch found locked by someone else, retried at the end.
 */
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE retention_plan (
      id            TEXT PRIMARY KEY,
      connection_id TEXT,
      created_at    TEXT NOT NULL,
      server_now    TEXT NOT NULL,
      cutoff        TEXT NOT NULL,
      events_cutoff TEXT,
      executor      TEXT NOT NULL CHECK (executor IN ('sql','api')),
      filter        TEXT NOT NULL,
      resolved      TEXT NOT NULL,
      plan          TEXT NOT NULL,
      status        TEXT NOT NULL DEFAULT 'planned',
      job_id        TEXT,
      target        TEXT,
      progress      TEXT NOT NULL DEFAULT '{}',
      pending_batch TEXT,
      export_file   TEXT,
      export_bytes  INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE INDEX ix_retention_plan__connection ON retention_plan (connection_id, created_at);

    CREATE TABLE retention_keep (
      plan_id TEXT NOT NULL REFERENCES retention_plan(id) ON DELETE CASCADE,
      run_id  TEXT NOT NULL,
      PRIMARY KEY (plan_id, run_id)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE retention_retry (
      plan_id  TEXT NOT NULL REFERENCES retention_plan(id) ON DELETE CASCADE,
      run_id   TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (plan_id, run_id)
    ) STRICT, WITHOUT ROWID;
  `);
}
