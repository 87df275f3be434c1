/**
 * Plans made on an ad hoc connection (`--api URL --db ...`, nothing saved) remember the non-secret
 * parts of that target, so `purge resume PLAN_ID` can print the exact command to run again and refuse
 * to resume against another server. Never stored or printed: passwords, API keys, auth strings.
 */
import { formatPostgresUrl } from '../../../shared/domain/pg-url';
import type { ResolvedConnection } from '../connections/types';

export interface AdHocTarget {
  apiUrl: string;
  /** Postgres URL without the password, or the SQLite file; null without database access. */
  db: string | null;
  /** Which secret the resume needs again, by where it comes from (never the secret itself). */
  apiAuth: 'none' | 'basic' | 'apiKey';
  dbPassword: boolean;
}

export function adHocTarget(conn: ResolvedConnection): AdHocTarget {
  const db = conn.db;
  return {
    apiUrl: conn.apiUrl.replace(/\/+$/, ''),
    db: db.kind === 'postgres' ? formatPostgresUrl(db) : db.kind === 'sqlite' ? db.path : null,
    apiAuth: conn.apiAuth.kind,
    dbPassword: db.kind === 'postgres' && db.password !== null,
  };
}

/** Same server and database (secrets aside)? */
export function sameTarget(a: AdHocTarget, b: AdHocTarget): boolean {
  return a.apiUrl === b.apiUrl && a.db === b.db;
}

const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The full resume command for an ad hoc plan, with what to provide for the secrets. */
export function resumeCommand(planId: string, t: AdHocTarget): string {
  const parts = ['housekeeper', 'purge', 'resume', planId, '--api', quote(t.apiUrl)];
  if (t.db) parts.push('--db', quote(t.db));
  const needs: string[] = [];
  if (t.apiAuth === 'basic') needs.push('the API auth string in HOUSEKEEPER_API_AUTH_STRING (or --api-auth)');
  if (t.apiAuth === 'apiKey') needs.push('the API key in HOUSEKEEPER_API_KEY (or --api-key)');
  if (t.dbPassword) needs.push('the database password in PGPASSWORD or ~/.pgpass');
  return parts.join(' ') + (needs.length ? ` (with ${needs.join(' and ')})` : '');
}
