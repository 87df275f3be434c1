import type { Database } from 'better-sqlite3';

/**
 * Plan leases (issue #14, cross-process guard): one row while an execution of a purge or retention
 * plan runs, so two Housekeeper processes sharing this store (the window, `serve`, CLIs) can never
 * run the same plan at once. Taken in an IMMEDIATE transaction (one writer at a time across
 * processes), refreshed by a heartbeat, deleted when the execution ends; a row whose holder died
 * (its process is gone, or its heartbeat is stale) is taken over (main/core/batches/lease.ts).
 */
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE plan_lease (
      kind         TEXT NOT NULL,
      plan_id      TEXT NOT NULL,
      token        TEXT NOT NULL,
      pid          INTEGER NOT NULL,
      host         TEXT NOT NULL,
      job_id       TEXT,
      acquired_at  INTEGER NOT NULL,
      heartbeat_at INTEGER NOT NULL,
      PRIMARY KEY (kind, plan_id)
    ) STRICT, WITHOUT ROWID;
  `);
}
