import type { Database } from 'better-sqlite3';

/**
 * Profiles and their revisions. Every save is a new revision row and rows are never updated, so any
 * earlier state can be shown, diffed and restored (restore writes a new revision). Secret values are
 * not here: they live encrypted in `secret` under owner `profile-rev:<profile id>:<rev>`; a revision
 * lists only their names. Deleting a profile only marks it, so the name is free again (the partial
 * unique index) but nothing typed is lost.
 */
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE profile (
      id         TEXT PRIMARY KEY,
      name       TEXT NOT NULL COLLATE NOCASE,
      head_rev   INTEGER NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      deleted_at TEXT
    ) STRICT;
    CREATE UNIQUE INDEX ux_profile__live_name ON profile (name COLLATE NOCASE) WHERE deleted_at IS NULL;

    CREATE TABLE profile_revision (
      profile_id   TEXT NOT NULL REFERENCES profile(id),
      rev          INTEGER NOT NULL,
      created_at   TEXT NOT NULL,
      source       TEXT NOT NULL,
      message      TEXT NOT NULL DEFAULT '',
      values_json  TEXT NOT NULL,
      secret_names TEXT NOT NULL DEFAULT '[]',
      PRIMARY KEY (profile_id, rev)
    ) STRICT;
  `);
}
