import type { SslMode } from '../../../shared/domain/connection';

/**
 * A connection with its secrets decrypted, as the targets need it. Lives only in main, only for the
 * duration of one operation; never serialised, logged or sent to the renderer.
 */
export interface ResolvedConnection {
  id: string | null;
  name: string;
  apiUrl: string;
  apiAuth:
    | { kind: 'none' }
    | { kind: 'basic'; authString: string | null }
    | { kind: 'apiKey'; apiKey: string | null };
  db:
    | { kind: 'none' }
    | {
        kind: 'postgres';
        host: string;
        port: number;
        database: string;
        user: string;
        /** null: none stored; node-postgres then falls back to PGPASSWORD / ~/.pgpass. */
        password: string | null;
        sslmode: SslMode;
        caFile?: string;
        /** Send the password when the server asks for it in clear text without TLS (off: refused). */
        allowCleartextPassword?: boolean;
      }
    | { kind: 'sqlite'; path: string };
  readOnly: boolean;
}
