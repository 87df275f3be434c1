/**
 * The Add/Edit form's state and its translation to a contract draft. Pure, so the rules about
 * secrets are in one place: a typed secret sets it, "remove" sends null (clears), a blank field
 * sends nothing (main keeps what is stored).
 */
import type { ConnectionDraftInput, ConnectionView, SslMode } from '../../../shared/domain/connection';
import { apiDestination, pgDestination } from '../../../shared/domain/destination';
import type { ClientError } from '../../api/client';

export type AuthKind = 'none' | 'basic' | 'apiKey';
export type DbKind = 'none' | 'postgres' | 'sqlite';

export interface PgFields {
  host: string;
  port: string;
  database: string;
  user: string;
  password: string;
  clearPassword: boolean;
  sslmode: SslMode;
  caFile: string;
  /** Send the password when the server asks for it in clear text without TLS (off by default). */
  allowCleartextPassword: boolean;
}

export interface FormState {
  name: string;
  apiUrl: string;
  authKind: AuthKind;
  authString: string;
  apiKey: string;
  clearAuthSecret: boolean;
  dbKind: DbKind;
  pg: PgFields;
  sqlitePath: string;
  readOnly: boolean;
}

// Typed as SslMode[] so a wrong value fails to compile; kept here (not imported from the zod
// module) so the renderer bundle does not pull in zod.
export const SSL_MODE_OPTIONS: ReadonlyArray<{ value: SslMode; label: string; help: string }> = [
  { value: 'disable', label: 'disable', help: 'No TLS.' },
  { value: 'prefer', label: 'prefer (default)', help: 'TLS if the server offers it; the certificate is not checked.' },
  { value: 'require', label: 'require', help: 'Always TLS; the certificate is not checked.' },
  { value: 'verify-ca', label: 'verify-ca', help: 'Always TLS; the certificate must be signed by the CA below.' },
  { value: 'verify-full', label: 'verify-full', help: 'Always TLS; CA and host name are checked.' },
];

export function emptyForm(): FormState {
  return {
    name: '',
    apiUrl: '',
    authKind: 'none',
    authString: '',
    apiKey: '',
    clearAuthSecret: false,
    dbKind: 'none',
    pg: emptyPg(),
    sqlitePath: '',
    readOnly: false,
  };
}

function emptyPg(): PgFields {
  return { host: '', port: '5432', database: '', user: '', password: '', clearPassword: false, sslmode: 'prefer', caFile: '', allowCleartextPassword: false };
}

export function formFromView(c: ConnectionView): FormState {
  const f = emptyForm();
  f.name = c.name;
  f.apiUrl = c.apiUrl;
  f.authKind = c.apiAuth.kind;
  f.readOnly = c.readOnly;
  f.dbKind = c.db.kind;
  if (c.db.kind === 'postgres') {
    f.pg = {
      ...emptyPg(),
      host: c.db.host,
      port: String(c.db.port),
      database: c.db.database,
      user: c.db.user,
      sslmode: c.db.sslmode,
      caFile: c.db.caFile ?? '',
      allowCleartextPassword: c.db.allowCleartextPassword,
    };
  } else if (c.db.kind === 'sqlite') {
    f.sqlitePath = c.db.path;
  }
  return f;
}

/** Is a secret of this kind already stored for the saved connection (so blank means "keep")? */
export function storedAuthSecret(saved: ConnectionView | undefined, kind: AuthKind): boolean {
  if (!saved || saved.apiAuth.kind !== kind) return false;
  return saved.apiAuth.kind !== 'none' && saved.apiAuth.hasSecret;
}

export function storedDbPassword(saved: ConnectionView | undefined): boolean {
  return saved?.db.kind === 'postgres' && saved.db.hasPassword;
}

/**
 * SECURITY: a saved secret is only sent to the destination it was saved for (main refuses with
 * SECRET_REQUIRED otherwise; shared/domain/destination.ts). The form says so before the user presses
 * Test or Save: when the API origin, or the database host, port, database or user, differs from the
 * saved one, the saved secret no longer counts and must be typed again, as browsers do.
 */
export function apiMoved(saved: ConnectionView | undefined, f: FormState): boolean {
  if (!saved) return false;
  const now = apiDestination(f.apiUrl);
  return now !== null && now !== apiDestination(saved.apiUrl);
}

export function dbMoved(saved: ConnectionView | undefined, f: FormState): boolean {
  if (saved?.db.kind !== 'postgres' || f.dbKind !== 'postgres') return false;
  const port = Number(f.pg.port.trim() || '5432');
  return pgDestination({ host: f.pg.host, port, database: f.pg.database, user: f.pg.user }) !== pgDestination(saved.db);
}

function secret(value: string, clear: boolean): string | null | undefined {
  if (value !== '') return value;
  return clear ? null : undefined;
}

export type FieldErrors = Partial<Record<FieldKey, string>>;
export type FieldKey =
  | 'name'
  | 'apiUrl'
  | 'authString'
  | 'apiKey'
  | 'pgHost'
  | 'pgPort'
  | 'pgDatabase'
  | 'pgUser'
  | 'pgPassword'
  | 'pgCaFile'
  | 'sqlitePath';

/** Checks the browser can make without asking main; main validates everything again. */
export function localErrors(f: FormState): FieldErrors {
  const errors: FieldErrors = {};
  if (f.dbKind === 'postgres') {
    const port = f.pg.port.trim();
    if (port !== '' && !(/^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
      errors.pgPort = 'The port is a number from 1 to 65535 (Postgres listens on 5432 by default).';
    }
  }
  return errors;
}

export function toDraft(f: FormState): ConnectionDraftInput {
  const apiAuth: ConnectionDraftInput['apiAuth'] =
    f.authKind === 'basic'
      ? withSecret({ kind: 'basic' as const }, 'authString', secret(f.authString, f.clearAuthSecret))
      : f.authKind === 'apiKey'
        ? withSecret({ kind: 'apiKey' as const }, 'apiKey', secret(f.apiKey.trim(), f.clearAuthSecret))
        : { kind: 'none' };

  let db: ConnectionDraftInput['db'];
  if (f.dbKind === 'postgres') {
    const port = f.pg.port.trim();
    db = withSecret(
      {
        kind: 'postgres' as const,
        host: f.pg.host.trim(),
        ...(port ? { port: Number(port) } : {}),
        database: f.pg.database.trim(),
        user: f.pg.user.trim(),
        sslmode: f.pg.sslmode,
        ...(f.pg.caFile.trim() ? { caFile: f.pg.caFile.trim() } : {}),
        ...(f.pg.allowCleartextPassword ? { allowCleartextPassword: true } : {}),
      },
      'password',
      secret(f.pg.password, f.pg.clearPassword),
    );
  } else if (f.dbKind === 'sqlite') {
    db = { kind: 'sqlite', path: f.sqlitePath.trim() };
  } else {
    db = { kind: 'none' };
  }

  return { name: f.name.trim(), apiUrl: f.apiUrl.trim(), apiAuth, db, readOnly: f.readOnly };
}

function withSecret<T extends object, K extends string>(base: T, key: K, value: string | null | undefined): T & Partial<Record<K, string | null>> {
  return value === undefined ? base : { ...base, [key]: value };
}

/**
 * Maps an error from main to the field it is about, so it can be shown next to that field.
 * VALIDATION from the contract arrives as "draft.db.host: message; draft.name: message"
 * (main/transport/dispatch.ts formatIssues); the service's own errors are recognised by subject.
 */
export function fieldErrorsFrom(error: ClientError | null): FieldErrors {
  const out: FieldErrors = {};
  if (!error) return out;
  if (error.code === 'CONFLICT' && /named/i.test(error.message)) out.name = error.message;
  if (error.code === 'SECRET_REQUIRED') {
    // The secret main will not send to the new destination: ask for it at its field.
    // Short at the field; the full reason is in the notice beside the form.
    for (const f of (error.details?.fields as string[] | undefined) ?? []) {
      const key = PATHS[f];
      if (key) out[key] = 'Enter it again for the new address.';
    }
    return out;
  }
  if (error.code !== 'VALIDATION') return out;
  for (const part of error.message.split('; ')) {
    const m = /^(?:draft\.)?([\w.]+): (.+)$/.exec(part);
    if (m) {
      const key = PATHS[m[1] ?? ''];
      if (key) out[key] = m[2];
      continue;
    }
    if (/API URL|Prefect Cloud/i.test(part)) out.apiUrl = part;
    else if (/auth string/i.test(part)) out.authString = part;
  }
  return out;
}

const PATHS: Record<string, FieldKey> = {
  name: 'name',
  apiUrl: 'apiUrl',
  'apiAuth.authString': 'authString',
  'apiAuth.apiKey': 'apiKey',
  'db.host': 'pgHost',
  'db.port': 'pgPort',
  'db.database': 'pgDatabase',
  'db.user': 'pgUser',
  'db.password': 'pgPassword',
  'db.caFile': 'pgCaFile',
  'db.path': 'sqlitePath',
};
