/**
 * SECURITY: where a saved secret may be sent. A secret is stored together with the destination it was
 * entered for and is only ever sent there (issue #12, item 1): an API auth string or key to its API
 * origin (scheme, host, port; the path may change, e.g. another Cloud workspace), a database password
 * to the same host, port, database and user. Changing the destination requires entering the secret
 * again, as browsers do with saved passwords. Pure: used by the store migration, main and the form.
 */

/** "https://api.prefect.cloud", "http://127.0.0.1:4200"; null when the URL does not parse. */
export function apiDestination(apiUrl: string): string | null {
  try {
    const u = new URL(apiUrl.trim());
    return u.origin === 'null' ? null : u.origin.toLowerCase();
  } catch {
    return null;
  }
}

export interface PgDestinationFields {
  host: string;
  port: number;
  database: string;
  user: string;
}

/** "postgresql://prefect@db.internal:5432/prefect" (no password, ever). */
export function pgDestination(d: PgDestinationFields): string {
  return `postgresql://${encodeURIComponent(d.user.trim())}@${d.host.trim().toLowerCase()}:${d.port}/${encodeURIComponent(d.database.trim())}`;
}
