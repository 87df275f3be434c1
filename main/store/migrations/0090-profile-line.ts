import type { Database } from 'better-sqlite3';

/**
 * The Prefect line a profile targets (issue #10 part 3): validation, presets and exports use that
 * line's settings catalog, because names, aliases, defaults and accepted formats changed across 3.x.
 * Profiles saved before this were checked against Prefect 3.9 only, so they keep targeting 3.9.
 */
export function up(db: Database): void {
  db.exec(`ALTER TABLE profile ADD COLUMN prefect_line TEXT NOT NULL DEFAULT '3.9' CHECK (prefect_line GLOB '3.[0-9]*')`);
}
