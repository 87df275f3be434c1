import type { Database } from 'better-sqlite3';

/**
 * Schedule changes and the originals they replaced. A plan row is written before anything changes
 * on the server; each deployment's original schedules (exactly as Prefect stored them: ids, schedule
 * JSON, active, parameters, slug) and its paused flag are kept with it, so a failed apply can be
 * rolled back and any change restored later, even after Housekeeper was closed. `state` is the
 * per-deployment journal of an apply: pending, paused, changed, done, rolled-back, needs-restore.
 */
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE schedule_change (
      id            TEXT PRIMARY KEY,
      connection_id TEXT,
      kind          TEXT NOT NULL CHECK (kind IN ('recreate','pause','resume','restore','reset')),
      created_at    TEXT NOT NULL,
      plan          TEXT NOT NULL,
      status        TEXT NOT NULL DEFAULT 'planned',
      job_id        TEXT,
      applied_at    TEXT,
      outcome       TEXT
    ) STRICT;
    CREATE INDEX ix_schedule_change__connection ON schedule_change (connection_id, created_at);

    CREATE TABLE schedule_original (
      change_id       TEXT NOT NULL REFERENCES schedule_change(id) ON DELETE CASCADE,
      deployment_id   TEXT NOT NULL,
      deployment_name TEXT NOT NULL,
      paused          INTEGER NOT NULL,
      schedules       TEXT NOT NULL,
      target          TEXT NOT NULL,
      state           TEXT NOT NULL DEFAULT 'pending',
      error           TEXT,
      PRIMARY KEY (change_id, deployment_id)
    ) STRICT, WITHOUT ROWID;
  `);
}
