import type { Database } from 'better-sqlite3';
import { apiDestination, pgDestination } from '../../../shared/domain/destination';

/**
 * Each secret remembers the destination it was saved for (issue #12, item 1): the API origin for
 * api.authString / api.apiKey, user@host:port/database for db.password. Existing secrets are bound
 * to their connection's destination as it is now; secrets of other owners (profiles) have none.
 */
export function up(db: Database): void {
  db.exec('ALTER TABLE secret ADD COLUMN destination TEXT');
  const rows = db.prepare('SELECT id, api_url, db_kind, db_config FROM connection').all() as Array<{ id: string; api_url: string; db_kind: string; db_config: string }>;
  const bind = db.prepare('UPDATE secret SET destination = ? WHERE owner_id = ? AND name = ?');
  for (const r of rows) {
    const api = apiDestination(r.api_url);
    if (api) {
      bind.run(api, r.id, 'api.authString');
      bind.run(api, r.id, 'api.apiKey');
    }
    if (r.db_kind === 'postgres') {
      const c = JSON.parse(r.db_config) as { host?: string; port?: number; database?: string; user?: string };
      bind.run(pgDestination({ host: c.host ?? '', port: c.port ?? 5432, database: c.database ?? '', user: c.user ?? '' }), r.id, 'db.password');
    }
  }
}
