/**
 * Everything `pg` (and Node's net/tls underneath it) can throw, turned into an AppError a person can act
 * on: the message names the problem, the hint names the fix. SQLSTATEs from
 * https://www.postgresql.org/docs/current/errcodes-appendix.html. Messages go through `redact` and are
 * built from the connection's host/port/database/user only, never from the password.
 */
import { AppError, type ErrorCode } from '../../../shared/errors';
import { redact } from '../log/redact';

export interface PgErrorContext {
  host: string;
  port: number;
  database: string;
  user: string;
  sslmode?: string;
  /** Set when our own AbortSignal fired: a 57014 is then the user's cancel, not a timeout. */
  cancelledByUser?: boolean;
  /** The statement_timeout in force, for the hint. */
  statementTimeoutMs?: number;
  lockTimeoutMs?: number;
  /** Whether a password was available (stored, PGPASSWORD or ~/.pgpass). */
  passwordSupplied?: boolean;
}

interface ErrLike {
  code?: unknown;
  message?: unknown;
  errors?: unknown;
  cause?: unknown;
  severity?: unknown;
  detail?: unknown;
  table?: unknown;
}

/** The Node/OpenSSL error code, looking inside AggregateError (Happy Eyeballs: localhost -> ::1 and 127.0.0.1). */
function sysCode(e: ErrLike): string | undefined {
  if (typeof e.code === 'string' && !/^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors as ErrLike[]) {
      const c = inner && sysCode(inner);
      if (c) return c;
    }
  }
  if (e.cause && typeof e.cause === 'object') return sysCode(e.cause as ErrLike);
  return undefined;
}

function sqlState(e: ErrLike): string | undefined {
  // DatabaseError from pg-protocol carries the 5-character SQLSTATE in `code` and has `severity`.
  return typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && e.severity !== undefined ? e.code : undefined;
}

function msgOf(e: ErrLike): string {
  const m = typeof e.message === 'string' ? e.message : String(e);
  if (m === '' && Array.isArray(e.errors) && e.errors[0]) return msgOf(e.errors[0] as ErrLike);
  return m;
}

function secs(ms: number | undefined): string {
  return ms === undefined ? 'the configured time' : `${ms / 1000} s`;
}

const TLS_CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

export function mapPgError(e: unknown, ctx: PgErrorContext): AppError {
  if (e instanceof AppError) return e;
  const err = (e && typeof e === 'object' ? e : { message: String(e) }) as ErrLike;
  const where = `${ctx.host}:${ctx.port}`;
  const target = `database "${ctx.database}" on ${where} as "${ctx.user}"`;
  const pgMsg = redact(msgOf(err));
  const make = (code: ErrorCode, message: string, hint?: string, extra: Record<string, unknown> = {}) =>
    new AppError(code, redact(message), {
      hint: hint === undefined ? undefined : redact(hint),
      details: { ...extra, ...(sqlState(err) ? { sqlstate: sqlState(err) } : {}), ...(sysCode(err) ? { errno: sysCode(err) } : {}) },
      cause: e,
    });

  const state = sqlState(err);
  if (state) {
    switch (state) {
      case '28P01':
        if (ctx.passwordSupplied === false) {
          return make('PG_CONNECT', `Postgres on ${where} asks for a password for "${ctx.user}", but none is stored for this connection and none was found in PGPASSWORD or ~/.pgpass.`, 'Enter the password, or put it in PGPASSWORD or ~/.pgpass (mode 0600).');
        }
        return make('PG_CONNECT', `Postgres rejected the password for user "${ctx.user}" on ${where}.`, 'Check the user name and the password stored for this connection (or PGPASSWORD / ~/.pgpass if none is stored). Postgres gives the same answer for a role that does not exist.');
      case '28000':
        if (/pg_hba\.conf/i.test(pgMsg)) {
          return make(
            'PG_CONNECT',
            `Postgres on ${where} does not allow "${ctx.user}" to connect to "${ctx.database}" from this machine (no pg_hba.conf entry).`,
            /no encryption/i.test(pgMsg)
              ? 'The server may only accept TLS connections: set sslmode to require. Otherwise ask the DBA to add a pg_hba.conf entry for this host, user and database.'
              : 'Ask the DBA to add a pg_hba.conf entry for this host, user and database (or try another sslmode).',
          );
        }
        if (/role .* does not exist/i.test(pgMsg)) {
          return make('PG_CONNECT', `The Postgres role "${ctx.user}" does not exist on ${where}.`, 'Check the user name (Prefect\'s connection URL shows the one the server uses).');
        }
        return make('PG_CONNECT', `Postgres refused the login of "${ctx.user}" on ${where}: ${pgMsg}`, 'Check the user name and the role\'s LOGIN right.');
      case '3D000':
        return make('PG_CONNECT', `The database "${ctx.database}" does not exist on ${where}.`, 'Check the database name: it is the last part of Prefect\'s connection URL (…/DATABASE).');
      case '42501':
        return make('PG_PERMISSION', `Permission denied for "${ctx.user}": ${pgMsg}`, 'Connect with a role that has the needed privilege (for inspection: pg_monitor and SELECT on Prefect\'s tables; for purging: DELETE).', { table: err.table });
      case '42P01':
        return make('PG_QUERY', `A table is missing in ${target}: ${pgMsg}`, 'Is this the Prefect database, and is it migrated to a supported Prefect 3 version?');
      case '57014':
        if (ctx.cancelledByUser) return make('CANCELLED', 'The query was cancelled.');
        if (/statement timeout/i.test(pgMsg)) {
          return make('PG_QUERY', `The query ran longer than the statement timeout (${secs(ctx.statementTimeoutMs)}) and was stopped by Postgres.`, 'Raise the statement timeout for this connection, or narrow the operation (smaller batches, fewer tables).');
        }
        return make('PG_QUERY', 'The query was cancelled by the server or an administrator (pg_cancel_backend).', 'Run it again; if it keeps happening, ask the DBA what cancels it.');
      case '55P03':
        return make('PG_QUERY', `Could not get a lock within the lock timeout (${secs(ctx.lockTimeoutMs)}): another session holds it (the Prefect server is probably busy with the same rows).`, 'Try again in a moment, or run during a quieter period.');
      case '40001':
        return make('PG_QUERY', 'The transaction conflicted with a concurrent one (serialization failure) and was rolled back.', 'Run it again; nothing was changed.');
      case '40P01':
        return make('PG_QUERY', 'The transaction was chosen as a deadlock victim and was rolled back.', 'Run it again; nothing was changed. Smaller batches make this less likely.');
      case '25006':
        return make('PG_QUERY', 'A write was attempted in a read-only transaction.', 'This is a bug in Housekeeper: please report it.');
      case '53300':
        return make('PG_CONNECT', `Postgres on ${where} has no free connection slots (too many clients).`, 'Close idle sessions or raise max_connections; the Prefect server\'s pool (SQLALCHEMY_POOL_SIZE + MAX_OVERFLOW) may be using them.');
      case '57P01':
      case '57P02':
        return make('PG_CONNECT', `The Postgres server on ${where} terminated the connection (it is shutting down or an administrator ended the session).`, 'Wait until the server is back and try again.');
      case '57P03':
        return make('PG_CONNECT', `The Postgres server on ${where} is not accepting connections yet (starting up, shutting down or in recovery).`, 'Wait a moment and try again.');
      case '08P01':
        return make('PG_CONNECT', `Protocol error talking to ${where}: ${pgMsg}`, 'Is this really a PostgreSQL server (and not PgBouncer rejecting a startup parameter)?');
      default:
        if (state.startsWith('08')) return make('PG_CONNECT', `Connection problem with ${where}: ${pgMsg}`, 'Check that the server is up and reachable.');
        if (state.startsWith('28')) return make('PG_CONNECT', `Postgres refused the login of "${ctx.user}" on ${where}: ${pgMsg}`, 'Check the user name and password.');
        if (state.startsWith('42')) return make('PG_QUERY', `Postgres rejected a query: ${pgMsg}`, 'If this is a Prefect database of a supported version, please report it.');
        return make('PG_QUERY', `Postgres error ${state}: ${pgMsg}`);
    }
  }

  const code = sysCode(err);
  switch (code) {
    case 'ECONNREFUSED':
      return make('PG_CONNECT', `Nothing is accepting Postgres connections on ${where} (connection refused).`, 'Check the host and port (Postgres listens on 5432 by default) and that the server is running and listens on this address (listen_addresses).');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return make('PG_CONNECT', `The host "${ctx.host}" could not be found (DNS).`, 'Check the host name for typos, or use an IP address.');
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return make('PG_CONNECT', `${where} did not answer (${code}).`, 'Check the host and port, a firewall or a VPN; the server may also be overloaded.');
    case 'ECONNRESET':
    case 'EPIPE':
      return make('PG_CONNECT', `The connection to ${where} was reset.`, 'The server may have restarted, or a proxy closed the connection. Try again; if it persists with TLS, try another sslmode.');
    case 'ENOENT':
      if (ctx.host.startsWith('/')) return make('PG_CONNECT', `No Postgres Unix socket in "${ctx.host}" for port ${ctx.port}.`, 'Check the socket directory and port, or connect over TCP (host 127.0.0.1).');
      break;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return make('PG_CONNECT', `The TLS certificate of ${where} is not valid for the host name "${ctx.host}".`, 'Connect with the host name the certificate was issued for, or use sslmode=verify-ca (checks the CA only).');
    case 'CERT_HAS_EXPIRED':
      return make('PG_CONNECT', `The TLS certificate of ${where} has expired.`, 'Ask the DBA to renew it; sslmode=require connects without verifying the certificate.');
    default:
      if (code && TLS_CERT_CODES.has(code)) {
        return make('PG_CONNECT', `The TLS certificate of ${where} is not trusted (${code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ? 'self-signed' : code}).`, 'Set the CA file of the server\'s certificate for this connection, or use sslmode=require (encrypts without verifying the certificate).');
      }
      if (code && /^ERR_SSL|^EPROTO$|^ERR_TLS/.test(code)) {
        return make('PG_CONNECT', `The TLS handshake with ${where} failed: ${pgMsg}`, 'Try another sslmode (disable, if the server does not use TLS) or check the CA file.');
      }
  }

  if (/does not support SSL connections/i.test(pgMsg)) {
    return make('PG_CONNECT', `The Postgres server on ${where} does not support TLS, but sslmode is "${ctx.sslmode ?? 'require'}".`, 'Set sslmode to prefer or disable for this connection, or enable ssl on the server.');
  }
  if (/client password must be a string|password must be a string|SASL.*password/i.test(pgMsg) || (/password authentication/i.test(pgMsg) && ctx.passwordSupplied === false)) {
    return make('PG_CONNECT', `Postgres on ${where} asks for a password for "${ctx.user}", but none is stored for this connection.`, 'Enter the password, or put it in PGPASSWORD or ~/.pgpass (mode 0600).');
  }
  if (/timeout expired|connection timeout|Connection terminated due to connection timeout/i.test(pgMsg)) {
    return make('PG_CONNECT', `Connecting to ${where} timed out.`, 'Check the host and port, a firewall or a VPN; the server may be overloaded.');
  }
  if (/Connection terminated unexpectedly|terminating connection|not queryable|^Connection terminated$/i.test(pgMsg)) {
    return make('PG_CONNECT', `The connection to ${where} was closed unexpectedly.`, 'The server may have restarted or hit an idle timeout. Try again.');
  }
  if (/self[- ]signed certificate|unable to verify|certificate/i.test(pgMsg)) {
    return make('PG_CONNECT', `The TLS certificate of ${where} is not trusted: ${pgMsg}`, 'Set the CA file of the server\'s certificate, or use sslmode=require.');
  }
  if (/CA file/i.test(pgMsg)) return make('PG_CONNECT', pgMsg);
  return make('PG_QUERY', `Postgres error on ${where}: ${pgMsg}`);
}
