import type { Database } from 'better-sqlite3';

/** A connection as stored; secrets live in the secret table, keyed by connection id. */
export interface ConnectionRow {
  id: string;
  name: string;
  api_url: string;
  api_auth_kind: 'none' | 'basic' | 'apiKey';
  api_auth_user: string | null;
  db_kind: 'none' | 'postgres' | 'sqlite';
  /** JSON: postgres {host,port,database,user,sslmode,caFile?} | sqlite {path} | {} */
  db_config: string;
  read_only: 0 | 1;
  created_at: string;
  updated_at: string;
  last_used_at: string | null;
}

export class ConnectionsRepo {
  constructor(private readonly db: Database) {}

  list(): ConnectionRow[] {
    return this.db.prepare('SELECT * FROM connection ORDER BY name COLLATE NOCASE').all() as ConnectionRow[];
  }

  get(id: string): ConnectionRow | undefined {
    return this.db.prepare('SELECT * FROM connection WHERE id = ?').get(id) as ConnectionRow | undefined;
  }

  getByName(name: string): ConnectionRow | undefined {
    return this.db.prepare('SELECT * FROM connection WHERE name = ? COLLATE NOCASE').get(name) as ConnectionRow | undefined;
  }

  insert(row: ConnectionRow): void {
    this.db
      .prepare(
        `INSERT INTO connection (id, name, api_url, api_auth_kind, api_auth_user, db_kind, db_config, read_only, created_at, updated_at, last_used_at)
         VALUES (@id, @name, @api_url, @api_auth_kind, @api_auth_user, @db_kind, @db_config, @read_only, @created_at, @updated_at, @last_used_at)`,
      )
      .run(row);
  }

  update(row: ConnectionRow): void {
    this.db
      .prepare(
        `UPDATE connection SET name = @name, api_url = @api_url, api_auth_kind = @api_auth_kind, api_auth_user = @api_auth_user,
           db_kind = @db_kind, db_config = @db_config, read_only = @read_only, updated_at = @updated_at
         WHERE id = @id`,
      )
      .run(row);
  }

  remove(id: string): boolean {
    return this.db.prepare('DELETE FROM connection WHERE id = ?').run(id).changes > 0;
  }

  touch(id: string, at: string): void {
    this.db.prepare('UPDATE connection SET last_used_at = ? WHERE id = ?').run(at, id);
  }

  lastUsedId(): string | null {
    const row = this.db
      .prepare('SELECT id FROM connection WHERE last_used_at IS NOT NULL ORDER BY last_used_at DESC LIMIT 1')
      .get() as { id: string } | undefined;
    return row?.id ?? null;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
