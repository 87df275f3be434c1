/**
 * Saved connections: drafts in, views out. Validation happens here so the window, the web mode and
 * the CLI refuse bad input the same way, before anything is written. Secrets go to the secret table;
 * the view only says whether one is stored.
 *
 * SECURITY: a stored secret is only ever sent to the destination it was saved with (API origin;
 * database host, port, database and user; shared/domain/destination.ts). A draft that keeps a stored
 * secret but changes its destination, tested or saved, is refused with SECRET_REQUIRED and nothing is
 * sent or written: the secret must be entered again (issue #12, item 1).
 */
import crypto from 'node:crypto';
import { AppError } from '../../../shared/errors';
import { parseApiUrl } from '../../../shared/domain/api-url';
import { ConnectionNameSchema } from '../../../shared/domain/connection';
import { apiDestination, pgDestination } from '../../../shared/domain/destination';
import type {
  ApiAuthView,
  ConnectionDraft,
  ConnectionView,
  DbView,
  SslMode,
} from '../../../shared/domain/connection';
import type { ConnectionRow, ConnectionsRepo } from '../../store/repos/connections';
import type { SecretsRepo } from '../../store/repos/secrets';
import type { ResolvedConnection } from './types';

export const SECRET_AUTH_STRING = 'api.authString';
export const SECRET_API_KEY = 'api.apiKey';
export const SECRET_DB_PASSWORD = 'db.password';

interface PgConfig {
  host: string;
  port: number;
  database: string;
  user: string;
  sslmode: SslMode;
  caFile?: string;
  allowCleartextPassword?: boolean;
}

/** The form field each secret belongs to (the UI asks for it again there). */
const FIELD: Record<string, string> = {
  [SECRET_AUTH_STRING]: 'apiAuth.authString',
  [SECRET_API_KEY]: 'apiAuth.apiKey',
  [SECRET_DB_PASSWORD]: 'db.password',
};
const LABEL: Record<string, string> = {
  [SECRET_AUTH_STRING]: 'auth string',
  [SECRET_API_KEY]: 'API key',
  [SECRET_DB_PASSWORD]: 'database password',
};

function secretRequired(name: string, savedFor: string, wanted: string): AppError {
  return new AppError('SECRET_REQUIRED', `The saved ${LABEL[name]} belongs to ${savedFor}; this connection now points at ${wanted}. Enter the ${LABEL[name]} again to use it there.`, {
    hint:
      name === SECRET_DB_PASSWORD
        ? 'A saved secret is only sent to the server it was saved for, as browsers do with saved passwords. To use PGPASSWORD or ~/.pgpass instead, remove the saved password.'
        : 'A saved secret is only sent to the server it was saved for, as browsers do with saved passwords.',
    details: { fields: [FIELD[name]], savedFor, wanted },
  });
}

/** Where each of a draft's secrets would be sent. */
function destinationsOf(draft: ConnectionDraft): Record<string, string | null> {
  const api = apiDestination(draft.apiUrl);
  const d = draft.db;
  return {
    [SECRET_AUTH_STRING]: api,
    [SECRET_API_KEY]: api,
    [SECRET_DB_PASSWORD]: d.kind === 'postgres' ? pgDestination(d) : null,
  };
}

export class ConnectionsService {
  constructor(
    private readonly repo: ConnectionsRepo,
    private readonly secrets: SecretsRepo,
  ) {}

  list(): { connections: ConnectionView[]; lastUsedId: string | null } {
    return { connections: this.repo.list().map((r) => this.toView(r)), lastUsedId: this.repo.lastUsedId() };
  }

  get(id: string): ConnectionView {
    return this.toView(this.row(id));
  }

  /** Find by id or by name (the CLI's --connection NAME). */
  find(idOrName: string): ConnectionView {
    const row = this.repo.get(idOrName) ?? this.repo.getByName(idOrName);
    if (!row) {
      throw new AppError('NOT_FOUND', `No saved connection named "${idOrName}".`, {
        hint: 'List them with `housekeeper connections list`, or add one with `housekeeper connections add`.',
      });
    }
    return this.toView(row);
  }

  save(id: string | undefined, draft: ConnectionDraft): ConnectionView {
    // Names also arrive from discovered setups (profiles.toml), not only through the contract.
    const name = ConnectionNameSchema.safeParse(draft.name);
    if (!name.success) throw new AppError('VALIDATION', `name: ${name.error.issues[0]?.message ?? 'not a valid name'}`, { hint: 'Give the connection a short plain name, e.g. prod.' });
    draft = { ...draft, name: name.data };
    const apiUrl = validateApiUrl(draft.apiUrl);
    const existing = id ? this.row(id) : undefined;
    const dest = destinationsOf({ ...draft, apiUrl });
    // Kept secrets (absent in the draft) must still be going where they were saved for.
    if (existing) {
      const a = draft.apiAuth;
      if (a.kind === 'basic' && a.authString === undefined) this.keptFor(existing, SECRET_AUTH_STRING, dest[SECRET_AUTH_STRING]!);
      if (a.kind === 'apiKey' && a.apiKey === undefined) this.keptFor(existing, SECRET_API_KEY, dest[SECRET_API_KEY]!);
      if (draft.db.kind === 'postgres' && draft.db.password === undefined) this.keptFor(existing, SECRET_DB_PASSWORD, dest[SECRET_DB_PASSWORD]!);
    }
    const clash = this.repo.getByName(draft.name);
    if (clash && clash.id !== existing?.id) {
      throw new AppError('CONFLICT', `A connection named "${draft.name}" already exists.`, {
        hint: 'Choose another name, or edit the existing connection.',
      });
    }
    const now = new Date().toISOString();
    const row: ConnectionRow = {
      id: existing?.id ?? crypto.randomUUID(),
      name: draft.name,
      api_url: apiUrl,
      api_auth_kind: draft.apiAuth.kind,
      api_auth_user: null,
      db_kind: draft.db.kind,
      db_config: JSON.stringify(dbConfigOf(draft)),
      read_only: draft.readOnly ? 1 : 0,
      created_at: existing?.created_at ?? now,
      updated_at: now,
      last_used_at: existing?.last_used_at ?? null,
    };
    // Secrets: a string sets, null clears, absent keeps. Switching kind drops the old kind's secret.
    this.repo.transaction(() => {
      if (existing) this.repo.update(row);
      else this.repo.insert(row);
      const a = draft.apiAuth;
      applySecret(this.secrets, row.id, SECRET_AUTH_STRING, a.kind === 'basic' ? a.authString : null, dest[SECRET_AUTH_STRING]!);
      applySecret(this.secrets, row.id, SECRET_API_KEY, a.kind === 'apiKey' ? a.apiKey : null, dest[SECRET_API_KEY]!);
      applySecret(this.secrets, row.id, SECRET_DB_PASSWORD, draft.db.kind === 'postgres' ? draft.db.password : null, dest[SECRET_DB_PASSWORD]!);
      if (a.kind === 'basic') {
        const auth = this.secrets.get(row.id, SECRET_AUTH_STRING, { destination: dest[SECRET_AUTH_STRING]! });
        if (auth !== null && !auth.includes(':')) {
          throw new AppError('VALIDATION', 'The auth string must look like "user:password" (Prefect\'s PREFECT_API_AUTH_STRING).', {
            hint: 'Enter it as user:password.',
          });
        }
        this.repo.update({ ...row, api_auth_user: auth === null ? null : auth.slice(0, auth.indexOf(':')) });
      }
      // The first connection ever saved (UI, CLI or the demo) is the one Housekeeper opens on.
      if (!existing && this.repo.lastUsedId() === null) this.repo.touch(row.id, now);
    });
    return this.get(row.id);
  }

  remove(id: string): void {
    this.row(id);
    this.repo.transaction(() => {
      this.secrets.deleteOwner(id);
      this.repo.remove(id);
    });
  }

  use(id: string): string {
    this.row(id);
    this.repo.touch(id, new Date().toISOString());
    return id;
  }

  /**
   * The connection with its secrets, for the targets. With a draft (an edit being tested), the draft's
   * fields win and its absent secrets fall back to the stored ones, only for the destination they
   * were saved for (SECRET_REQUIRED otherwise, before anything is sent).
   */
  resolve(id: string | undefined, draft?: ConnectionDraft): ResolvedConnection {
    const row = id ? this.row(id) : undefined;
    if (!draft) {
      if (!row) throw new AppError('VALIDATION', 'Nothing to resolve: give a saved connection or a draft.');
      return this.resolveRow(row);
    }
    const dest = destinationsOf(draft);
    const stored = (name: string) => (row ? this.keptFor(row, name, dest[name] ?? '') : null);
    const pick = (v: string | null | undefined, name: string) => (v === undefined ? stored(name) : v);
    const a = draft.apiAuth;
    const d = draft.db;
    return {
      id: row?.id ?? null,
      name: draft.name,
      apiUrl: draft.apiUrl.trim().replace(/\/+$/, ''),
      apiAuth:
        a.kind === 'basic'
          ? { kind: 'basic', authString: pick(a.authString, SECRET_AUTH_STRING) }
          : a.kind === 'apiKey'
            ? { kind: 'apiKey', apiKey: pick(a.apiKey, SECRET_API_KEY) }
            : { kind: 'none' },
      db:
        d.kind === 'postgres'
          ? {
              kind: 'postgres',
              host: d.host,
              port: d.port,
              database: d.database,
              user: d.user,
              password: pick(d.password, SECRET_DB_PASSWORD),
              sslmode: d.sslmode,
              ...(d.caFile ? { caFile: d.caFile } : {}),
              ...(d.allowCleartextPassword ? { allowCleartextPassword: true } : {}),
            }
          : d.kind === 'sqlite'
            ? { kind: 'sqlite', path: d.path }
            : { kind: 'none' },
      readOnly: draft.readOnly,
    };
  }

  /**
   * A stored secret for `destination`, or null when none is stored. Refuses (SECRET_REQUIRED) when it
   * was saved for another destination. Secrets stored before migration 0080 recorded none were bound
   * by it to their connection's destination then; a null left means "this row's own destination".
   */
  private keptFor(row: ConnectionRow, name: string, destination: string): string | null {
    const savedFor = this.secrets.destinationOf(row.id, name);
    // No secret stored, or a draft whose URL does not even parse (nothing will be sent anywhere).
    if (savedFor === undefined || destination === '') return null;
    const bound = savedFor ?? destinationsOf(this.draftOfRow(row))[name] ?? null;
    if (bound !== destination) throw secretRequired(name, bound ?? 'another server', destination);
    return this.secrets.get(row.id, name, { destination });
  }

  /** A saved row as a draft (no secrets), to compute its destinations. */
  private draftOfRow(row: ConnectionRow): ConnectionDraft {
    const cfg = JSON.parse(row.db_config) as Partial<PgConfig> & { path?: string };
    return {
      name: row.name,
      apiUrl: row.api_url,
      apiAuth: { kind: 'none' },
      db: row.db_kind === 'postgres' ? { kind: 'postgres', host: cfg.host ?? '', port: cfg.port ?? 5432, database: cfg.database ?? '', user: cfg.user ?? '', sslmode: cfg.sslmode ?? 'prefer' } : { kind: 'none' },
      readOnly: row.read_only === 1,
    };
  }

  private resolveRow(row: ConnectionRow): ResolvedConnection {
    const cfg = JSON.parse(row.db_config) as Partial<PgConfig> & { path?: string };
    const dest = destinationsOf(this.draftOfRow(row));
    const secret = (name: string) => this.keptFor(row, name, dest[name] ?? '');
    return {
      id: row.id,
      name: row.name,
      apiUrl: row.api_url,
      apiAuth:
        row.api_auth_kind === 'basic'
          ? { kind: 'basic', authString: secret(SECRET_AUTH_STRING) }
          : row.api_auth_kind === 'apiKey'
            ? { kind: 'apiKey', apiKey: secret(SECRET_API_KEY) }
            : { kind: 'none' },
      db:
        row.db_kind === 'postgres'
          ? {
              kind: 'postgres',
              host: cfg.host ?? '',
              port: cfg.port ?? 5432,
              database: cfg.database ?? '',
              user: cfg.user ?? '',
              password: secret(SECRET_DB_PASSWORD),
              sslmode: cfg.sslmode ?? 'prefer',
              ...(cfg.caFile ? { caFile: cfg.caFile } : {}),
              ...(cfg.allowCleartextPassword ? { allowCleartextPassword: true } : {}),
            }
          : row.db_kind === 'sqlite'
            ? { kind: 'sqlite', path: cfg.path ?? '' }
            : { kind: 'none' },
      readOnly: row.read_only === 1,
    };
  }

  private row(id: string): ConnectionRow {
    const row = this.repo.get(id);
    if (!row) throw new AppError('NOT_FOUND', 'That connection no longer exists.', { hint: 'Reload the list of connections.' });
    return row;
  }

  private toView(r: ConnectionRow): ConnectionView {
    const cfg = JSON.parse(r.db_config) as Partial<PgConfig> & { path?: string };
    const apiAuth: ApiAuthView =
      r.api_auth_kind === 'basic'
        ? { kind: 'basic', user: r.api_auth_user, hasSecret: this.secrets.has(r.id, SECRET_AUTH_STRING) }
        : r.api_auth_kind === 'apiKey'
          ? { kind: 'apiKey', hasSecret: this.secrets.has(r.id, SECRET_API_KEY) }
          : { kind: 'none' };
    const db: DbView =
      r.db_kind === 'postgres'
        ? {
            kind: 'postgres',
            host: cfg.host ?? '',
            port: cfg.port ?? 5432,
            database: cfg.database ?? '',
            user: cfg.user ?? '',
            sslmode: cfg.sslmode ?? 'prefer',
            ...(cfg.caFile ? { caFile: cfg.caFile } : {}),
            hasPassword: this.secrets.has(r.id, SECRET_DB_PASSWORD),
            allowCleartextPassword: cfg.allowCleartextPassword === true,
          }
        : r.db_kind === 'sqlite'
          ? { kind: 'sqlite', path: cfg.path ?? '' }
          : { kind: 'none' };
    const parsed = parseApiUrl(r.api_url);
    return {
      id: r.id,
      name: r.name,
      apiUrl: r.api_url,
      apiKind: parsed.ok ? parsed.value.kind : 'self-hosted',
      apiAuth,
      db,
      readOnly: r.read_only === 1,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      lastUsedAt: r.last_used_at,
    };
  }
}

function validateApiUrl(url: string): string {
  const parsed = parseApiUrl(url);
  if (!parsed.ok) throw AppError.fromData(parsed.error);
  return parsed.value.url;
}

function dbConfigOf(draft: ConnectionDraft): Record<string, unknown> {
  const d = draft.db;
  if (d.kind === 'postgres') {
    return {
      host: d.host,
      port: d.port,
      database: d.database,
      user: d.user,
      sslmode: d.sslmode,
      ...(d.caFile ? { caFile: d.caFile } : {}),
      ...(d.allowCleartextPassword ? { allowCleartextPassword: true } : {}),
    };
  }
  if (d.kind === 'sqlite') return { path: d.path };
  return {};
}

function applySecret(secrets: SecretsRepo, owner: string, name: string, value: string | null | undefined, destination: string | null): void {
  if (value === undefined) return;
  if (value === null) secrets.delete(owner, name);
  else secrets.set(owner, name, value, destination);
}
