/**
 * ============================== SECURITY-SENSITIVE ==============================
 * Refuse PostgreSQL's cleartext password authentication (pg_hba `password`, or a server pretending to
 * be PostgreSQL) on a connection without TLS, unless the connection opted in: the password would cross
 * the network readable by anyone on the path (issue #12, item 1). MD5 and SCRAM never send the password
 * itself and are unaffected. node-postgres answers AuthenticationCleartextPassword in
 * Client#_handleAuthCleartextPassword (pg/lib/client.js); the guarded client checks first that the
 * socket is TLS and, if it is not, fails the connect without sending anything.
 * ================================================================================
 */
import tls from 'node:tls';
import pg from 'pg';
import { AppError } from '../../../shared/errors';

interface PgClientInternals {
  connection: { stream: unknown; emit(event: 'error', e: Error): boolean };
  host: string;
  port: number;
  user: string;
}

export function cleartextRefused(where: string): AppError {
  return new AppError('PG_CONNECT', `The server at ${where} asked for the password in clear text, on a connection without TLS. Housekeeper did not send it.`, {
    hint:
      'Use TLS (sslmode require or verify-full), or have the server use scram-sha-256 in pg_hba.conf. If this network is trusted, ' +
      'allow cleartext passwords for this connection (the switch in its database settings, or --allow-cleartext-password).',
    details: { reason: 'cleartext-password' },
  });
}

class GuardedClient extends pg.Client {}
const plain = (pg.Client.prototype as unknown as { _handleAuthCleartextPassword: (msg: unknown) => void })._handleAuthCleartextPassword;
(GuardedClient.prototype as unknown as { _handleAuthCleartextPassword: (msg: unknown) => void })._handleAuthCleartextPassword = function (this: PgClientInternals, msg: unknown) {
  if (this.connection.stream instanceof tls.TLSSocket) return plain.call(this, msg);
  // Fails the pending connect() with this error; the socket is closed by the pool/client on error.
  this.connection.emit('error', cleartextRefused(`${this.host}:${this.port}`));
  (this.connection.stream as { destroy?: () => void }).destroy?.();
};

/** The pg Client class for a connection: the guarded one unless it allows cleartext passwords. */
export function pgClientClass(allowCleartextPassword: boolean | undefined): typeof pg.Client {
  return allowCleartextPassword ? pg.Client : GuardedClient;
}
