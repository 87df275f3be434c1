import type { Database } from 'better-sqlite3';

/** Connections, their encrypted secrets, the audit log, the job journal and small settings. */
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE connection (
      id            TEXT PRIMARY KEY,
      name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
      api_url       TEXT NOT NULL,
      api_auth_kind TEXT NOT NULL CHECK (api_auth_kind IN ('none','basic','apiKey')),
      api_auth_user TEXT,
      db_kind       TEXT NOT NULL CHECK (db_kind IN ('none','postgres','sqlite')),
      db_config     TEXT NOT NULL DEFAULT '{}',
      read_only     INTEGER NOT NULL DEFAULT 0 CHECK (read_only IN (0,1)),
      created_at    TEXT NOT NULL,
      updated_at    TEXT NOT NULL,
      last_used_at  TEXT
    ) STRICT;

    CREATE TABLE secret (
      owner_id   TEXT NOT NULL,
      name       TEXT NOT NULL,
      scheme     TEXT NOT NULL,
      ciphertext BLOB NOT NULL,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (owner_id, name)
    ) STRICT;

    CREATE TABLE audit_log (
      id            INTEGER PRIMARY KEY AUTOINCREMENT,
      at            TEXT NOT NULL,
      connection_id TEXT,
      connection_name TEXT,
      action        TEXT NOT NULL,
      outcome       TEXT NOT NULL,
      summary       TEXT NOT NULL,
      details       TEXT NOT NULL DEFAULT '{}',
      duration_ms   INTEGER,
      user          TEXT NOT NULL,
      host          TEXT NOT NULL
    ) STRICT;
    CREATE INDEX ix_audit_log__connection_at ON audit_log (connection_id, at);

    CREATE TABLE job (
      id            TEXT PRIMARY KEY,
      kind          TEXT NOT NULL,
      connection_id TEXT,
      status        TEXT NOT NULL,
      phase         TEXT NOT NULL DEFAULT '',
      payload       TEXT NOT NULL DEFAULT '{}',
      checkpoint    TEXT NOT NULL DEFAULT '{}',
      done          INTEGER NOT NULL DEFAULT 0,
      total         INTEGER,
      error         TEXT,
      result        TEXT,
      started_at    TEXT NOT NULL,
      updated_at    TEXT NOT NULL,
      finished_at   TEXT,
      owner         TEXT
    ) STRICT;
    CREATE INDEX ix_job__status ON job (status);

    CREATE TABLE app_setting (
      key   TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) STRICT;
  `);
}
