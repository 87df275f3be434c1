/**
 * Reading Prefect's profiles.toml the way Prefect's settings loader does
 * (src/prefect/settings/sources.py `_get_profiles_path`, settings/profiles.py):
 * - location: PREFECT_PROFILES_PATH env -> $PREFECT_HOME/profiles.toml when PREFECT_HOME is set ->
 *   ~/.prefect/profiles.toml. (Prefect also looks at ./.env, ./prefect.toml and ./pyproject.toml in the
 *   *server's* working directory, which we cannot know, so we do not.)
 * - format: `active = "name"` and `[profiles.<name>]` tables whose keys are setting env-var names,
 *   canonical or legacy alias, matched case-insensitively; the canonical name wins.
 * - the active profile: PREFECT_PROFILE env, else the file's `active`.
 *
 * Secrets read here (auth string, API key, database password) stay in main: discover.ts turns a profile
 * into a public summary and, on adoption only, into a draft.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';

/**
 * Aliases per setting, canonical first, as Prefect's settings model declares them (the
 * `supported_environment_variables` of its JSON schema; docs/prefect.md §11).
 */
export const SETTING_NAMES = {
  apiUrl: ['PREFECT_API_URL'],
  authString: ['PREFECT_API_AUTH_STRING'],
  apiKey: ['PREFECT_API_KEY'],
  home: ['PREFECT_HOME'],
  dbUrl: ['PREFECT_SERVER_DATABASE_CONNECTION_URL', 'PREFECT_API_DATABASE_CONNECTION_URL'],
  dbDriver: ['PREFECT_SERVER_DATABASE_DRIVER', 'PREFECT_API_DATABASE_DRIVER'],
  dbHost: ['PREFECT_SERVER_DATABASE_HOST', 'PREFECT_API_DATABASE_HOST'],
  dbPort: ['PREFECT_SERVER_DATABASE_PORT', 'PREFECT_API_DATABASE_PORT'],
  dbUser: ['PREFECT_SERVER_DATABASE_USER', 'PREFECT_API_DATABASE_USER'],
  dbName: ['PREFECT_SERVER_DATABASE_NAME', 'PREFECT_API_DATABASE_NAME'],
  dbPassword: ['PREFECT_SERVER_DATABASE_PASSWORD', 'PREFECT_API_DATABASE_PASSWORD'],
  serverHost: ['PREFECT_SERVER_API_HOST'],
  serverPort: ['PREFECT_SERVER_API_PORT'],
  ephemeral: ['PREFECT_SERVER_EPHEMERAL_ENABLED'],
} as const;

export type SettingKey = keyof typeof SETTING_NAMES;

export interface LocateOptions {
  env?: NodeJS.ProcessEnv;
  homedir?: string;
}

export function expandHome(p: string, homedir: string): string {
  return p === '~' ? homedir : p.startsWith('~/') ? path.join(homedir, p.slice(2)) : p;
}

/** PREFECT_HOME as Prefect resolves it (default ~/.prefect). */
export function prefectHome(opts: LocateOptions = {}): string {
  const env = opts.env ?? process.env;
  const home = opts.homedir ?? os.homedir();
  return env.PREFECT_HOME ? path.resolve(expandHome(env.PREFECT_HOME, home)) : path.join(home, '.prefect');
}

export function profilesPath(opts: LocateOptions = {}): string {
  const env = opts.env ?? process.env;
  const home = opts.homedir ?? os.homedir();
  if (env.PREFECT_PROFILES_PATH) return path.resolve(expandHome(env.PREFECT_PROFILES_PATH, home));
  return path.join(prefectHome(opts), 'profiles.toml');
}

export interface ProfileEntry {
  name: string;
  active: boolean;
  /** Upper-cased keys -> string values. */
  values: Map<string, string>;
}

export type ProfilesFile =
  | { status: 'missing'; path: string }
  | { status: 'invalid'; path: string; reason: string }
  | { status: 'ok'; path: string; active: string | null; profiles: ProfileEntry[]; notes: string[] };

function stringify(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return null;
}

export async function readProfilesFile(opts: LocateOptions = {}): Promise<ProfilesFile> {
  const file = profilesPath(opts);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { status: 'missing', path: file };
    return { status: 'invalid', path: file, reason: `it cannot be read (${code ?? 'error'})` };
  }
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    // smol-toml's message names line and column, never secret values beyond a short excerpt; keep only the first line.
    const first = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
    return { status: 'invalid', path: file, reason: `it is not valid TOML (${first})` };
  }
  const notes: string[] = [];
  const env = opts.env ?? process.env;
  const fileActive = typeof doc.active === 'string' ? doc.active : null;
  const active = env.PREFECT_PROFILE || fileActive;
  const table = doc.profiles;
  if (table === undefined) return { status: 'ok', path: file, active, profiles: [], notes: ['The file has no [profiles.*] tables.'] };
  if (!table || typeof table !== 'object' || Array.isArray(table)) {
    return { status: 'invalid', path: file, reason: '"profiles" is not a table of profiles' };
  }
  const profiles: ProfileEntry[] = [];
  for (const [name, body] of Object.entries(table as Record<string, unknown>)) {
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      notes.push(`Profile "${name}" is not a table; skipped.`);
      continue;
    }
    const values = new Map<string, string>();
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      const s = stringify(v);
      if (s !== null) values.set(k.toUpperCase(), s);
    }
    profiles.push({ name, active: name === active, values });
  }
  if (active && !profiles.some((p) => p.active)) notes.push(`The active profile "${active}" is not in the file (Prefect then uses its built-in default).`);
  return { status: 'ok', path: file, active, profiles, notes };
}

/** First non-empty value among a setting's names (canonical first). */
export function setting(values: Map<string, string>, key: SettingKey): string | null {
  for (const name of SETTING_NAMES[key]) {
    const v = values.get(name);
    if (v !== undefined && v.trim() !== '') return v.trim();
  }
  return null;
}
