/**
 * Database URLs in the forms Prefect users have: Prefect's own SQLAlchemy URLs
 * (`postgresql+asyncpg://…`, `sqlite+aiosqlite:///…`) copied from PREFECT_SERVER_DATABASE_CONNECTION_URL,
 * and libpq URIs (`postgres://`, `postgresql://`, `?sslmode=`) copied from psql or a hosting panel.
 *
 * The grammar follows SQLAlchemy's `make_url` (sqlalchemy/engine/url.py `_parse_url`), because that is
 * what the Prefect server itself parses: user, password and database are percent-decoded, the password
 * ends at the FIRST "@" (so an unencoded "@" in a password breaks Prefect too, and we say so), IPv6 hosts
 * are bracketed. libpq's query parameters (host, port, user, password, dbname, sslmode, sslrootcert) are
 * understood on top, plus asyncpg's `ssl=`.
 *
 * Pure (no I/O): "~" and relative SQLite paths are returned as written; main resolves them.
 */
import type { AppErrorData } from '../errors';
import type { Result } from '../result';
import { SSL_MODES, type PostgresDraft, type SslMode } from './connection';

export type PostgresFields = Omit<PostgresDraft, 'kind' | 'password'>;

export interface ParsedPostgresUrl {
  kind: 'postgres';
  fields: PostgresFields;
  /** Decoded password, null when the URL has none. Keep it out of logs and the renderer. */
  password: string | null;
  /** The SQLAlchemy driver suffix, e.g. "asyncpg" in postgresql+asyncpg, or null. */
  driver: string | null;
  notes: string[];
}

export interface ParsedSqliteUrl {
  kind: 'sqlite';
  /** As written in the URL (may be relative, or start with "~"); never ":memory:". */
  path: string;
  notes: string[];
}

export type ParsedDatabaseUrl = ParsedPostgresUrl | ParsedSqliteUrl;

const PG_SCHEME_RE = /^(postgres|postgresql)(?:\+([a-z0-9_]+))?$/i;
const SQLITE_SCHEME_RE = /^sqlite(?:\+([a-z0-9_]+))?$/i;
// sqlalchemy/engine/url.py _parse_url, verbatim in spirit.
const SA_URL_RE =
  /^(?<name>[\w+]+):\/\/(?:(?<username>[^:/]*)(?::(?<password>[^@]*))?@)?(?:(?:\[(?<ipv6host>[^/?]+)\]|(?<ipv4host>[^/:?]+))?(?::(?<port>[^/?]*))?)?(?:\/(?<database>[^?]*))?(?:\?(?<query>.*))?$/s;

const ENCODE_HINT = 'Percent-encode special characters in the user name and password (@ as %40, : as %3A, / as %2F, # as %23, ? as %3F).';
const EXAMPLE = 'postgresql://USER:PASSWORD@HOST:5432/DATABASE';

function fail(message: string, hint?: string): Result<never> {
  const error: AppErrorData = { code: 'VALIDATION', message };
  if (hint !== undefined) error.hint = hint;
  return { ok: false, error };
}

function decode(part: string, what: string): Result<string> {
  try {
    return { ok: true, value: decodeURIComponent(part) };
  } catch {
    return fail(`The ${what} in the database URL has a malformed percent-encoding ("%" not followed by two hex digits).`, ENCODE_HINT);
  }
}

function schemeOf(raw: string): string | null {
  const m = /^([a-z][a-z0-9+._-]*):\/\//i.exec(raw);
  return m ? (m[1] ?? null) : null;
}

/** A Postgres URL, a SQLite URL, or (for CLI `--db`) a bare SQLite file path. */
export function parseDatabaseUrl(input: string): Result<ParsedDatabaseUrl> {
  const raw = input.trim();
  if (raw === '') return fail('The database URL is empty.', `For example ${EXAMPLE} or sqlite:////home/me/.prefect/prefect.db.`);
  const scheme = schemeOf(raw);
  if (scheme === null) {
    // No scheme: a file path to a SQLite database ("/x/prefect.db", "./prefect.db", "~/.prefect/prefect.db").
    if (/^(\/|\.{1,2}\/|~\/|[a-zA-Z]:[\\/])/.test(raw) || /\.(db|sqlite3?)$/i.test(raw)) {
      return { ok: true, value: { kind: 'sqlite', path: raw, notes: [] } };
    }
    return fail(
      'The database URL must start with postgresql:// (or postgres://, postgresql+asyncpg://) or sqlite:///.',
      `For example ${EXAMPLE}, or the path of a SQLite file.`,
    );
  }
  if (SQLITE_SCHEME_RE.test(scheme)) return parseSqliteUrl(raw);
  if (PG_SCHEME_RE.test(scheme)) return parsePostgresUrl(raw);
  if (/^(mysql|mariadb|mssql|oracle)/i.test(scheme)) {
    return fail(`Prefect servers use PostgreSQL or SQLite; "${scheme}" is not supported.`, `Use ${EXAMPLE}.`);
  }
  return fail(`Unknown database URL scheme "${scheme}".`, `Use ${EXAMPLE} or sqlite:////path/to/prefect.db.`);
}

/**
 * `sqlite+aiosqlite:////abs/path.db` (4 slashes: absolute, as Prefect writes its default) or
 * `sqlite:///relative.db` (3 slashes: relative to the Prefect server's working directory).
 */
export function parseSqliteUrl(input: string): Result<ParsedSqliteUrl> {
  const raw = input.trim();
  const m = /^(sqlite(?:\+[a-z0-9_]+)?):\/\/(.*)$/is.exec(raw);
  if (!m) return fail('Not a SQLite URL.', 'For example sqlite:////home/me/.prefect/prefect.db.');
  let rest = m[2] ?? '';
  const q = rest.indexOf('?');
  const notes: string[] = [];
  if (q >= 0) {
    notes.push('The query string of the SQLite URL was ignored.');
    rest = rest.slice(0, q);
  }
  if (!rest.startsWith('/')) {
    return fail(
      rest === '' ? 'The SQLite URL names no file (sqlite:// alone is an in-memory database).' : 'A SQLite URL has three or four slashes after "sqlite:" and no host.',
      'Use sqlite:////absolute/path/prefect.db (four slashes for an absolute path).',
    );
  }
  const decoded = decode(rest.slice(1), 'file path');
  if (!decoded.ok) return decoded;
  const path = decoded.value;
  if (path === '' || path === ':memory:' || path.startsWith('file::memory:')) {
    return fail('The SQLite URL names an in-memory database, which has nothing to inspect.', 'Use the path of the Prefect database file, e.g. sqlite:////home/me/.prefect/prefect.db.');
  }
  if (!path.startsWith('/') && !/^[a-zA-Z]:[\\/]/.test(path) && !path.startsWith('~')) {
    notes.push(`"${path}" is relative: Prefect resolves it against the server's working directory; Housekeeper resolves it against its own.`);
  }
  return { ok: true, value: { kind: 'sqlite', path, notes } };
}

function sslFromQuery(params: URLSearchParams, notes: string[]): Result<SslMode | null> {
  // libpq's sslmode wins over asyncpg's ssl when both are given.
  const mode = params.get('sslmode') ?? params.get('ssl');
  if (mode === null) return { ok: true, value: null };
  const v = mode.trim().toLowerCase();
  if ((SSL_MODES as readonly string[]).includes(v)) return { ok: true, value: v as SslMode };
  // libpq "allow" tries plain first, then TLS; "prefer" is the closest behaviour we offer.
  if (v === 'allow') {
    notes.push('sslmode=allow is treated as prefer (TLS first, then plain).');
    return { ok: true, value: 'prefer' };
  }
  // asyncpg / SQLAlchemy spellings: ssl=true|false.
  if (['true', '1', 'yes', 'on'].includes(v)) return { ok: true, value: 'require' };
  if (['false', '0', 'no', 'off'].includes(v)) return { ok: true, value: 'disable' };
  return fail(`Unknown sslmode "${mode}" in the database URL.`, `Use one of ${SSL_MODES.join(', ')}.`);
}

const IGNORED_QUERY_KEYS = new Set(['connect_timeout', 'application_name', 'options', 'prepared_statement_cache_size', 'statement_cache_size', 'target_session_attrs', 'command_timeout', 'timeout', 'server_settings']);

export function parsePostgresUrl(input: string): Result<ParsedPostgresUrl> {
  const raw = input.trim();
  const m = SA_URL_RE.exec(raw);
  const g = m?.groups;
  if (!g) return fail('The database URL is malformed.', `Expected ${EXAMPLE}. ${ENCODE_HINT}`);
  const sm = PG_SCHEME_RE.exec(g.name ?? '');
  if (!sm) return fail(`"${g.name ?? ''}" is not a PostgreSQL URL scheme.`, `Use ${EXAMPLE}.`);
  const notes: string[] = [];
  const driver = sm[2]?.toLowerCase() ?? null;

  const params = new URLSearchParams(g.query ?? '');

  let user: string | null = null;
  if (g.username !== undefined && g.username !== '') {
    const d = decode(g.username, 'user name');
    if (!d.ok) return d;
    user = d.value;
  }
  let password: string | null = null;
  if (g.password !== undefined && g.password !== '') {
    const d = decode(g.password, 'password');
    if (!d.ok) return d;
    password = d.value;
  }

  // A host containing "@" means an unencoded "@" in the password (the password ends at the first "@").
  const hostRaw = g.ipv6host ?? g.ipv4host ?? '';
  if (hostRaw.includes('@')) {
    return fail('The database URL has more than one "@": the password probably contains an unencoded "@".', ENCODE_HINT);
  }
  let host: string | null = null;
  if (hostRaw !== '') {
    const d = decode(hostRaw, 'host');
    if (!d.ok) return d;
    host = d.value;
  }
  if (host !== null && host.includes(',')) {
    return fail('The database URL lists several hosts; Housekeeper connects to one.', 'Keep only the primary host, e.g. postgresql://USER@primary:5432/DATABASE.');
  }

  let port: number | null = null;
  const portRaw = g.port;
  if (portRaw !== undefined && portRaw !== '') {
    if (portRaw.includes(',')) {
      return fail('The database URL lists several hosts; Housekeeper connects to one.', 'Keep only the primary host, e.g. postgresql://USER@primary:5432/DATABASE.');
    }
    if (!/^\d+$/.test(portRaw) || Number(portRaw) < 1 || Number(portRaw) > 65535) {
      return fail(`The port "${portRaw}" in the database URL is not a number between 1 and 65535.`, `For example ${EXAMPLE}. ${ENCODE_HINT}`);
    }
    port = Number(portRaw);
  }

  let database: string | null = null;
  if (g.database !== undefined && g.database !== '') {
    const d = decode(g.database, 'database name');
    if (!d.ok) return d;
    database = d.value;
  }

  // libpq accepts the parts as query parameters too (postgresql:///db?host=/var/run/postgresql).
  host ??= params.get('host');
  user ??= params.get('user');
  password ??= params.get('password');
  database ??= params.get('dbname');
  const portParam = params.get('port');
  if (port === null && portParam !== null) {
    if (!/^\d+$/.test(portParam) || Number(portParam) < 1 || Number(portParam) > 65535) {
      return fail(`The port "${portParam}" in the database URL is not a number between 1 and 65535.`);
    }
    port = Number(portParam);
  }

  const ssl = sslFromQuery(params, notes);
  if (!ssl.ok) return ssl;
  const caFile = params.get('sslrootcert') ?? undefined;
  if (params.has('sslcert') || params.has('sslkey')) {
    notes.push('Client certificates (sslcert/sslkey) are not supported; they were ignored.');
  }
  for (const key of params.keys()) {
    if (IGNORED_QUERY_KEYS.has(key)) notes.push(`The URL parameter "${key}" was ignored.`);
  }

  if (host === null || host === '') {
    // libpq would use the local Unix socket; asyncpg tries the socket, then localhost.
    host = 'localhost';
    notes.push('The URL names no host; using localhost.');
  }
  if (user === null || user === '') {
    return fail('The database URL names no user.', `Add it before the host: ${EXAMPLE}.`);
  }
  if (database === null || database === '') {
    // Both libpq and asyncpg default the database name to the user name.
    database = user;
    notes.push(`The URL names no database; using "${user}" (the user name), as Postgres clients do.`);
  }

  const fields: PostgresFields = { host, port: port ?? 5432, database, user, sslmode: ssl.value ?? 'prefer' };
  if (caFile !== undefined && caFile !== '') fields.caFile = caFile;
  return { ok: true, value: { kind: 'postgres', fields, password, driver, notes } };
}

function encodeHost(host: string): string {
  if (host.includes(':') && !host.startsWith('[')) return `[${host}]`; // IPv6
  if (host.startsWith('/')) return encodeURIComponent(host); // Unix socket directory
  return host;
}

/**
 * A libpq URL for display and copying, never with the password: `postgresql://user@host:5432/db`.
 * `maskPassword` shows "user:***@" to say that a password is stored.
 */
export function formatPostgresUrl(fields: PostgresFields, opts: { maskPassword?: boolean } = {}): string {
  const user = encodeURIComponent(fields.user) + (opts.maskPassword ? ':***' : '');
  const query = new URLSearchParams();
  if (fields.sslmode !== 'prefer') query.set('sslmode', fields.sslmode);
  if (fields.caFile) query.set('sslrootcert', fields.caFile);
  const qs = query.toString();
  return `postgresql://${user}@${encodeHost(fields.host)}:${fields.port}/${encodeURIComponent(fields.database)}${qs ? `?${qs}` : ''}`;
}
