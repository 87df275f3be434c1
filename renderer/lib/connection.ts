/** How a saved connection is described in one line, wherever it appears. */
import type { ApiAuthView, ConnectionView, DbView } from '../../shared/domain/connection';

export function dbKindLabel(db: DbView['kind']): string {
  return db === 'postgres' ? 'Postgres' : db === 'sqlite' ? 'SQLite' : 'API only';
}

/** "Postgres prefect@127.0.0.1:5432/prefect", "SQLite /var/lib/prefect.db", "API only". */
export function dbSummary(db: DbView): string {
  switch (db.kind) {
    case 'postgres':
      return `Postgres ${db.user}@${hostPort(db.host, db.port)}/${db.database}`;
    case 'sqlite':
      return `SQLite ${db.path}`;
    case 'none':
      return 'API only';
  }
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function authSummary(auth: ApiAuthView): string {
  switch (auth.kind) {
    case 'none':
      return 'no auth';
    case 'basic':
      return auth.hasSecret ? `basic auth${auth.user ? ` as ${auth.user}` : ''}` : 'basic auth (no password saved)';
    case 'apiKey':
      return auth.hasSecret ? 'API key' : 'API key (not saved)';
  }
}

export function apiKindLabel(c: Pick<ConnectionView, 'apiKind'>): string {
  return c.apiKind === 'cloud' ? 'Cloud' : 'Self-hosted';
}
