import type { Database } from 'better-sqlite3';

/**
 * Purge journal, exact after a kill (issue #11 items 4-6):
 * - deleted_logs / deleted_artifacts / batches: the plan's running totals, written in the same local
 *   transaction as the batch's run states, so ids and counts can never disagree after a crash;
 * - pending_batch: what a batch is about to commit (victim ids, their log and artifact counts, the
 *   export bytes written for them), journaled before the server commits, settled on resume by asking
 *   the server which victims are gone;
 * - export_file / export_bytes: a resumed purge keeps appending to the same export, cut back to what
 *   was committed;
 * - target: for a plan made on an ad hoc connection (--api/--db), the non-secret parts of that target
 *   (API URL, database URL without password, SQLite path) so resume can say what to pass again and
 *   refuse another server.
 */
export function up(db: Database): void {
  db.exec(`
    ALTER TABLE purge_plan ADD COLUMN deleted_logs INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE purge_plan ADD COLUMN deleted_artifacts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE purge_plan ADD COLUMN batches INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE purge_plan ADD COLUMN pending_batch TEXT;
    ALTER TABLE purge_plan ADD COLUMN export_file TEXT;
    ALTER TABLE purge_plan ADD COLUMN export_bytes INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE purge_plan ADD COLUMN target TEXT;
  `);
}
