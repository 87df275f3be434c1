/**
 * Saved connections: drafts in, views out. Validation happens here so the window, the web mode and
 * the CLI refuse bad input the same way, before anything is written. Secrets go to the secret table;
 * the view only says whether one is stored.
 */
import crypto from 'node:crypto';
import { AppError } from '../../../shared/errors';
import { parseApiUrl } from '../../../shared/domain/api-url';
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
    const apiUrl = validateApiUrl(draft.apiUrl);
    const existing = id ? this.row(id) : undefined;
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
      applySecret(this.secrets, row.id, SECRET_AUTH_STRING, a.kind === 'basic' ? a.authString : null);
      applySecret(this.secrets, row.id, SECRET_API_KEY, a.kind === 'apiKey' ? a.apiKey : null);
      applySecret(this.secrets, row.id, SECRET_DB_PASSWORD, draft.db.kind === 'postgres' ? draft.db.password : null);
      if (a.kind === 'basic') {
        const auth = this.secrets.get(row.id, SECRET_AUTH_STRING);
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
   * fields win and its absent secrets fall back to the stored ones.
   */
  resolve(id: string | undefined, draft?: ConnectionDraft): ResolvedConnection {
    const row = id ? this.row(id) : undefined;
    if (!draft) {
      if (!row) throw new AppError('VALIDATION', 'Nothing to resolve: give a saved connection or a draft.');
      return this.resolveRow(row);
    }
    const stored = (name: string) => (row ? this.secrets.get(row.id, name) : null);
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
            }
          : d.kind === 'sqlite'
            ? { kind: 'sqlite', path: d.path }
            : { kind: 'none' },
      readOnly: draft.readOnly,
    };
  }

  private resolveRow(row: ConnectionRow): ResolvedConnection {
    const cfg = JSON.parse(row.db_config) as Partial<PgConfig> & { path?: string };
    return {
      id: row.id,
      name: row.name,
      apiUrl: row.api_url,
      apiAuth:
        row.api_auth_kind === 'basic'
          ? { kind: 'basic', authString: this.secrets.get(row.id, SECRET_AUTH_STRING) }
          : row.api_auth_kind === 'apiKey'
            ? { kind: 'apiKey', apiKey: this.secrets.get(row.id, SECRET_API_KEY) }
            : { kind: 'none' },
      db:
        row.db_kind === 'postgres'
          ? {
              kind: 'postgres',
              host: cfg.host ?? '',
              port: cfg.port ?? 5432,
              database: cfg.database ?? '',
              user: cfg.user ?? '',
              password: this.secrets.get(row.id, SECRET_DB_PASSWORD),
              sslmode: cfg.sslmode ?? 'prefer',
              ...(cfg.caFile ? { caFile: cfg.caFile } : {}),
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
    return { host: d.host, port: d.port, database: d.database, user: d.user, sslmode: d.sslmode, ...(d.caFile ? { caFile: d.caFile } : {}) };
  }
  if (d.kind === 'sqlite') return { path: d.path };
  return {};
}

function applySecret(secrets: SecretsRepo, owner: string, name: string, value: string | null | undefined): void {
  if (value === undefined) return;
  if (value === null) secrets.delete(owner, name);
  else secrets.set(owner, name, value);
}
