import type { Database } from 'better-sqlite3';

/**
 * The jobs tray (issue #13 item 1): every job row says what it does and where its page is, so the
 * tray can list jobs of every kind after a reload or from another process, and carries the id of the
 * audit entry its execution wrote when it started (updated when it ends, or resumes).
 */
export function up(db: Database): void {
  db.exec(`
    ALTER TABLE job ADD COLUMN title TEXT;
    ALTER TABLE job ADD COLUMN link TEXT;
    ALTER TABLE job ADD COLUMN audit_id INTEGER;
    CREATE INDEX ix_job__started_at ON job (started_at);
  `);
}
