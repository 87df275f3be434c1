/**
 * libpq's sslmode, translated to node-postgres `ssl` options.
 *
 * | sslmode     | TLS                | certificate check                 | fallback to plain          |
 * | ----------- | ------------------ | --------------------------------- | -------------------------- |
 * | disable     | no                 | -                                 | -                          |
 * | prefer      | tried first        | none                              | yes, like libpq (see below)|
 * | require     | yes                | none (CA only if a CA file is set, as libpq does) | no         |
 * | verify-ca   | yes                | chain against the CA file         | no                         |
 * | verify-full | yes                | chain + host name                 | no                         |
 *
 * `prefer` fallback: the pool is first created with TLS; if the server answers that it does not support
 * TLS, or rejects the TLS login through pg_hba.conf (a `hostnossl`-only server), the pool is rebuilt
 * without TLS (postgres.ts). libpq does the same two retries.
 *
 * Without a CA file, verify-ca/verify-full use ~/.postgresql/root.crt if it exists (libpq's default),
 * else Node's bundled CAs (public CAs, as managed Postgres services use).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import type { SslMode } from '../../../shared/domain/connection';
import { AppError } from '../../../shared/errors';

export type PgSsl = false | ConnectionOptions;

async function readCa(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new AppError('PG_CONNECT', `Cannot read the CA file "${file}"${code === 'ENOENT' ? ': it does not exist' : code === 'EACCES' ? ': permission denied' : ''}.`, {
      hint: 'Check the CA file path of this connection (a PEM file with the server\'s CA certificate).',
      cause: e,
    });
  }
}

export async function sslOptions(mode: SslMode, caFile: string | undefined, homedir: string = os.homedir()): Promise<PgSsl> {
  if (mode === 'disable') return false;
  const defaultCa = path.join(homedir, '.postgresql', 'root.crt');
  const file = caFile ?? (mode.startsWith('verify') && existsSync(defaultCa) ? defaultCa : undefined);
  const ca = file ? await readCa(file) : undefined;
  switch (mode) {
    case 'prefer':
      return { rejectUnauthorized: false };
    case 'require':
      // libpq: "require" with a root certificate present behaves like verify-ca.
      return ca ? { ca, rejectUnauthorized: true, checkServerIdentity: () => undefined } : { rejectUnauthorized: false };
    case 'verify-ca':
      return { ...(ca ? { ca } : {}), rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { ...(ca ? { ca } : {}), rejectUnauthorized: true };
  }
}

/** Errors after which `prefer` retries without TLS. */
export function isPreferFallbackError(e: unknown): boolean {
  const msg = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown } | null)?.code;
  if (/does not support SSL connections/i.test(msg)) return true;
  if (code === '28000' && /pg_hba\.conf/i.test(msg)) return true;
  // A TLS handshake failure (e.g. an old server or protocol mismatch) also falls back in libpq.
  return typeof code === 'string' && /^ERR_SSL|^EPROTO$/.test(code);
}
