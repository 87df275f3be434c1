import type { Database } from 'better-sqlite3';

export interface ProfileRow {
  id: string;
  name: string;
  head_rev: number;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  /** The Prefect line the profile targets, e.g. "3.4" (migration 0090). */
  prefect_line: string;
}

export interface RevisionRow {
  profile_id: string;
  rev: number;
  created_at: string;
  source: string;
  message: string;
  /** JSON object of the non-secret values, name -> string. */
  values_json: string;
  /** JSON array of the names whose values are secrets (stored in the secret table). */
  secret_names: string;
}

/** The owner id under which a revision's secret values are stored in the secret table. */
export function revisionSecretOwner(profileId: string, rev: number): string {
  return `profile-rev:${profileId}:${rev}`;
}

/** Profiles and their append-only revisions. */
export class ProfilesRepo {
  constructor(private readonly db: Database) {}

  list(includeDeleted = false): ProfileRow[] {
    const where = includeDeleted ? '' : 'WHERE deleted_at IS NULL';
    return this.db.prepare(`SELECT * FROM profile ${where} ORDER BY name COLLATE NOCASE, created_at`).all() as ProfileRow[];
  }

  get(id: string): ProfileRow | undefined {
    return this.db.prepare('SELECT * FROM profile WHERE id = ?').get(id) as ProfileRow | undefined;
  }

  /** A live profile by name (case-insensitive). */
  getByName(name: string): ProfileRow | undefined {
    return this.db.prepare('SELECT * FROM profile WHERE name = ? COLLATE NOCASE AND deleted_at IS NULL').get(name) as ProfileRow | undefined;
  }

  /** Deleted profiles with this name, newest first (for undelete by name). */
  deletedByName(name: string): ProfileRow[] {
    return this.db
      .prepare('SELECT * FROM profile WHERE name = ? COLLATE NOCASE AND deleted_at IS NOT NULL ORDER BY deleted_at DESC')
      .all(name) as ProfileRow[];
  }

  insert(row: ProfileRow): void {
    this.db
      .prepare(
        'INSERT INTO profile (id, name, head_rev, created_at, updated_at, deleted_at, prefect_line) VALUES (@id, @name, @head_rev, @created_at, @updated_at, @deleted_at, @prefect_line)',
      )
      .run(row);
  }

  setLine(id: string, line: string, at: string): void {
    this.db.prepare('UPDATE profile SET prefect_line = ?, updated_at = ? WHERE id = ?').run(line, at, id);
  }

  setHead(id: string, rev: number, at: string): void {
    this.db.prepare('UPDATE profile SET head_rev = ?, updated_at = ? WHERE id = ?').run(rev, at, id);
  }

  rename(id: string, name: string, at: string): void {
    this.db.prepare('UPDATE profile SET name = ?, updated_at = ? WHERE id = ?').run(name, at, id);
  }

  setDeleted(id: string, at: string | null): void {
    this.db.prepare('UPDATE profile SET deleted_at = ? WHERE id = ?').run(at, id);
  }

  insertRevision(row: RevisionRow): void {
    this.db
      .prepare(
        `INSERT INTO profile_revision (profile_id, rev, created_at, source, message, values_json, secret_names)
         VALUES (@profile_id, @rev, @created_at, @source, @message, @values_json, @secret_names)`,
      )
      .run(row);
  }

  /**
   * Move values of a revision between its plain JSON and its secret names (a setting that became a
   * secret, e.g. custom headers: issue #12 item 7). The values stay the same; only where they are kept.
   */
  moveRevisionStorage(profileId: string, rev: number, valuesJson: string, secretNames: string): void {
    this.db.prepare('UPDATE profile_revision SET values_json = ?, secret_names = ? WHERE profile_id = ? AND rev = ?').run(valuesJson, secretNames, profileId, rev);
  }

  revision(profileId: string, rev: number): RevisionRow | undefined {
    return this.db.prepare('SELECT * FROM profile_revision WHERE profile_id = ? AND rev = ?').get(profileId, rev) as RevisionRow | undefined;
  }

  revisions(profileId: string): RevisionRow[] {
    return this.db.prepare('SELECT * FROM profile_revision WHERE profile_id = ? ORDER BY rev DESC').all(profileId) as RevisionRow[];
  }

  /**
   * Copy one encrypted secret from a revision to another as ciphertext, without decrypting: a
   * secret saved by the desktop window (OS keychain) survives an edit made from the CLI, which
   * cannot read it. Same table and row shape as SecretsRepo.
   */
  copySecret(fromOwner: string, toOwner: string, name: string, toName = name): boolean {
    const r = this.db
      .prepare(
        `INSERT OR REPLACE INTO secret (owner_id, name, scheme, ciphertext, updated_at)
         SELECT ?, ?, scheme, ciphertext, updated_at FROM secret WHERE owner_id = ? AND name = ?`,
      )
      .run(toOwner, toName, fromOwner, name);
    return r.changes > 0;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
