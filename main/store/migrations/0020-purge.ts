import type { Database } from 'better-sqlite3';

/**
 * Purge plans and their frozen run ids. The ids are the plan: an execution deletes only these, each
 * re-checked at delete time. Per-run state makes a killed purge resumable with exact totals:
 * 0 pending, 1 in flight (a batch was sent), 2 deleted, 3 skipped (no longer stale), 4 busy (locked
 * by a worker until the end).
 */
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE purge_plan (
      id            TEXT PRIMARY KEY,
      connection_id TEXT,
      created_at    TEXT NOT NULL,
      server_now    TEXT NOT NULL,
      cutoff        TEXT NOT NULL,
      executor      TEXT NOT NULL CHECK (executor IN ('sql','api')),
      filter        TEXT NOT NULL,
      resolved      TEXT NOT NULL,
      plan          TEXT NOT NULL,
      status        TEXT NOT NULL DEFAULT 'planned',
      job_id        TEXT
    ) STRICT;

    CREATE TABLE purge_plan_run (
      plan_id  TEXT NOT NULL REFERENCES purge_plan(id) ON DELETE CASCADE,
      run_id   TEXT NOT NULL,
      state    INTEGER NOT NULL DEFAULT 0,
      attempts INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (plan_id, run_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX ix_purge_plan_run__state ON purge_plan_run (plan_id, state, attempts);
  `);
}
