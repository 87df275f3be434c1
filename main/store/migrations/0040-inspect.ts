import type { Database } from 'better-sqlite3';

/**
 * Inspection history. Every inspection is one row: `point` is the small summary the growth charts
 * draw (kept for good), `report` the full report for reopening and exporting (only the newest ones
 * per connection keep it; older rows are pruned to the point, so years of daily inspections stay a
 * few megabytes). Removing a connection removes its history with it.
 */
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE inspection (
      id              TEXT PRIMARY KEY,
      connection_id   TEXT REFERENCES connection(id) ON DELETE CASCADE,
      connection_name TEXT NOT NULL,
      created_at      TEXT NOT NULL,
      source          TEXT NOT NULL CHECK (source IN ('postgres', 'sqlite', 'api')),
      duration_ms     INTEGER NOT NULL,
      point           TEXT NOT NULL,
      report          TEXT
    ) STRICT;
    CREATE INDEX ix_inspection__connection_created ON inspection (connection_id, created_at);
  `);
}
