/**
 * Finds Prefect setups on this machine for the first-run screen: the profiles in profiles.toml, a local
 * server on 127.0.0.1:4200, and the default SQLite database $PREFECT_HOME/prefect.db.
 *
 * Secrets never leave main: `discoverSetups` returns summaries (auth *kind*, a database URL without
 * password); adopting one calls `resolveDiscovered(key)`, which re-reads the source and builds the
 * draft with its secrets here. A key is accepted only if discovery would produce it now, so a renderer
 * cannot make us read arbitrary files.
 */
import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseApiUrl, sameApiUrl } from '../../../shared/domain/api-url';
import type { ApiAuthDraft, ConnectionDraft, DbDraft, DiscoveredSetup } from '../../../shared/domain/connection';
import { formatPostgresUrl, parseDatabaseUrl } from '../../../shared/domain/pg-url';
import { AppError } from '../../../shared/errors';
import { createLogger } from '../log/logger';
import { redact, registerSecret } from '../log/redact';
import { expandHome, prefectHome, readProfilesFile, setting, type ProfileEntry } from './prefect-profiles';

const log = createLogger('connections:discover');

export const DEFAULT_LOCAL_API_URL = 'http://127.0.0.1:4200/api';

export interface DiscoverOptions {
  env?: NodeJS.ProcessEnv;
  homedir?: string;
  /** Probe a local server (default true). */
  probeLocal?: boolean;
  localApiUrl?: string;
  /** Default 800 ms: the first-run screen must not wait on a closed port. */
  probeTimeoutMs?: number;
  fetch?: typeof fetch;
  /** Saved connections, to mark setups that are already added. */
  existing?: Array<{ apiUrl: string }>;
}

export interface DiscoveryResult {
  setups: DiscoveredSetup[];
  /** Why something was not offered (malformed profiles.toml, …). */
  notes: string[];
}

/** A discovered setup with the secrets it needs; internal to main. */
interface Candidate {
  setup: Omit<DiscoveredSetup, 'alreadyAdded'>;
  draft: ConnectionDraft;
}

function sqliteDbPath(rawPath: string, homedir: string): string {
  return path.resolve(expandHome(rawPath, homedir));
}

/** The database a profile describes: a URL, or Prefect's DRIVER/HOST/… components. */
function profileDb(values: Map<string, string>, env: NodeJS.ProcessEnv, homedir: string, notes: string[]): DbDraft {
  let url = setting(values, 'dbUrl');
  const driver = setting(values, 'dbDriver');
  if (!url && driver) {
    if (driver.startsWith('postgresql')) {
      const host = setting(values, 'dbHost');
      const user = setting(values, 'dbUser');
      const name = setting(values, 'dbName');
      if (!host || !user || !name) {
        notes.push('The database is configured by parts (PREFECT_SERVER_DATABASE_DRIVER/HOST/USER/NAME), but some are missing.');
        return { kind: 'none' };
      }
      const port = setting(values, 'dbPort') ?? '5432';
      url = `postgresql://${encodeURIComponent(user)}@${host.includes(':') ? `[${host}]` : host}:${port}/${encodeURIComponent(name)}`;
    } else if (driver.startsWith('sqlite')) {
      const name = setting(values, 'dbName');
      const home = setting(values, 'home');
      url = name ? `sqlite:///${name}` : `sqlite:///${path.join(home ? expandHome(home, homedir) : prefectHome({ env, homedir }), 'prefect.db')}`;
    }
  }
  if (!url) return { kind: 'none' };
  // Prefect substitutes ${PREFECT_SERVER_DATABASE_PASSWORD} (or the API alias) inside the URL.
  const profilePassword = setting(values, 'dbPassword') ?? env.PREFECT_SERVER_DATABASE_PASSWORD ?? env.PREFECT_API_DATABASE_PASSWORD ?? null;
  registerSecret(profilePassword);
  const parsed = parseDatabaseUrl(url);
  if (!parsed.ok) {
    notes.push(`The database URL in the profile is not usable: ${parsed.error.message}`);
    return { kind: 'none' };
  }
  const v = parsed.value;
  if (v.kind === 'sqlite') return { kind: 'sqlite', path: sqliteDbPath(v.path, homedir) };
  let password = v.password;
  if (password !== null && /^\$\{PREFECT_(SERVER|API)_DATABASE_PASSWORD\}$/.test(password)) password = profilePassword;
  else if (password === null) password = profilePassword;
  registerSecret(password);
  return { kind: 'postgres', ...v.fields, ...(password ? { password } : {}) };
}

function profileAuth(values: Map<string, string>, apiUrlCreds: string | null): ApiAuthDraft {
  // Prefect's client sends Basic when an auth string is set, even if an API key is set too.
  const authString = setting(values, 'authString') ?? apiUrlCreds;
  if (authString) {
    registerSecret(authString);
    return { kind: 'basic', authString };
  }
  const apiKey = setting(values, 'apiKey');
  if (apiKey) {
    registerSecret(apiKey);
    return { kind: 'apiKey', apiKey };
  }
  return { kind: 'none' };
}

/** Splits "user:pass@" out of an API URL (httpx would send it as Basic auth). */
function splitUrlCredentials(raw: string): { url: string; creds: string | null } {
  try {
    const u = new URL(raw);
    if (!u.username && !u.password) return { url: raw, creds: null };
    const creds = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
    u.username = '';
    u.password = '';
    return { url: u.toString().replace(/\/$/, ''), creds };
  } catch {
    return { url: raw, creds: null };
  }
}

function dbSummary(db: DbDraft): string | null {
  if (db.kind === 'postgres') return formatPostgresUrl(db, { maskPassword: db.password != null });
  if (db.kind === 'sqlite') return db.path;
  return null;
}

function profileCandidate(p: ProfileEntry, file: string, env: NodeJS.ProcessEnv, homedir: string): Candidate | { skipped: string } {
  const notes: string[] = [];
  const rawApi = setting(p.values, 'apiUrl');
  const db = profileDb(p.values, env, homedir, notes);
  if (!rawApi && db.kind === 'none') {
    const why = setting(p.values, 'ephemeral') ? 'it runs an ephemeral server' : 'it has no PREFECT_API_URL and no database settings';
    return { skipped: `Profile "${p.name}" was not offered: ${why}.` };
  }
  let apiUrl: string | null = null;
  let creds: string | null = null;
  if (rawApi) {
    const split = splitUrlCredentials(rawApi);
    creds = split.creds;
    if (creds) {
      registerSecret(creds);
      notes.push('The user and password in PREFECT_API_URL become the auth string.');
    }
    const parsed = parseApiUrl(split.url);
    apiUrl = parsed.ok ? parsed.value.url : redact(split.url);
    if (!parsed.ok) notes.push(`PREFECT_API_URL is not usable as it is: ${parsed.error.message}${parsed.error.hint ? ` ${parsed.error.hint}` : ''}`);
  } else {
    // A server-side profile: the server it configures listens on PREFECT_SERVER_API_HOST:PORT.
    const host = setting(p.values, 'serverHost') ?? '127.0.0.1';
    const port = setting(p.values, 'serverPort') ?? '4200';
    apiUrl = null;
    notes.push(`The profile sets no PREFECT_API_URL; a server started with it listens on http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/api.`);
  }
  const apiAuth = profileAuth(p.values, creds);
  const draftApiUrl = apiUrl ?? `http://${(setting(p.values, 'serverHost') ?? '127.0.0.1').replace('0.0.0.0', '127.0.0.1')}:${setting(p.values, 'serverPort') ?? '4200'}/api`;
  const shortFile = file.startsWith(`${homedir}${path.sep}`) ? `~${file.slice(homedir.length)}` : file;
  return {
    setup: {
      key: `profile:${encodeURIComponent(file)}:${encodeURIComponent(p.name)}`,
      source: 'profile',
      label: `Profile "${p.name}"${p.active ? ' (active)' : ''}`,
      description: `From ${shortFile}${apiUrl ? `: ${apiUrl}` : ''}`,
      suggestedName: p.name,
      apiUrl,
      apiAuth: apiAuth.kind,
      db: db.kind,
      dbSummary: dbSummary(db),
      notes,
    },
    draft: { name: p.name, apiUrl: draftApiUrl, apiAuth, db, readOnly: false },
  };
}

async function probe(url: string, timeoutMs: number, fetchImpl: typeof fetch): Promise<boolean> {
  try {
    const res = await fetchImpl(`${url}/health`, { signal: AbortSignal.timeout(timeoutMs), headers: { Accept: 'application/json' } });
    return res.ok && (await res.text()).trim() === 'true';
  } catch {
    return false;
  }
}

/** Everything discovery finds, with drafts. `probeLocal: false` gives the deterministic part only. */
async function collect(opts: DiscoverOptions): Promise<{ candidates: Candidate[]; notes: string[] }> {
  const env = opts.env ?? process.env;
  const homedir = opts.homedir ?? os.homedir();
  const notes: string[] = [];
  const candidates: Candidate[] = [];

  const file = await readProfilesFile({ env, homedir });
  if (file.status === 'invalid') {
    notes.push(`Profiles in ${file.path} were not read: ${file.reason}.`);
  } else if (file.status === 'ok') {
    notes.push(...file.notes);
    for (const p of file.profiles) {
      const c = profileCandidate(p, file.path, env, homedir);
      if ('skipped' in c) notes.push(c.skipped);
      else candidates.push(c);
    }
  }
  if (env.PREFECT_API_URL) notes.push('PREFECT_API_URL is set in the environment; it overrides the active profile for Prefect commands run from this shell.');

  const localUrl = opts.localApiUrl ?? DEFAULT_LOCAL_API_URL;
  const localRunning = opts.probeLocal === false ? false : await probe(localUrl, opts.probeTimeoutMs ?? 800, opts.fetch ?? globalThis.fetch.bind(globalThis));
  if (localRunning) {
    const profile = candidates.find((c) => c.setup.apiUrl !== null && sameApiUrl(c.setup.apiUrl, localUrl));
    if (profile) {
      profile.setup.notes.push('A Prefect server is answering at this URL now.');
    } else {
      const host = new URL(localUrl).host;
      candidates.push({
        setup: {
          key: `local-server:${localUrl}`,
          source: 'local-server',
          label: `Local Prefect server on ${host}`,
          description: `A Prefect server is answering at ${localUrl}.`,
          suggestedName: `Local server (${host})`,
          apiUrl: localUrl,
          apiAuth: 'none',
          db: 'none',
          dbSummary: null,
          notes: [],
        },
        draft: { name: `Local server (${host})`, apiUrl: localUrl, apiAuth: { kind: 'none' }, db: { kind: 'none' }, readOnly: false },
      });
    }
  }

  const dbFile = path.join(prefectHome({ env, homedir }), 'prefect.db');
  if (existsSync(dbFile) && statSync(dbFile).isFile()) {
    const covered = candidates.some((c) => c.draft.db.kind === 'sqlite' && path.resolve(c.draft.db.path) === dbFile);
    if (!covered) {
      const size = statSync(dbFile).size;
      const dbNotes = localRunning
        ? [`A server is answering at ${localUrl}; it is probably the one using this file.`]
        : ['No server is answering at the default address; start it with `prefect server start` to use the API checks and API-based features.'];
      candidates.push({
        setup: {
          key: `sqlite-file:${encodeURIComponent(dbFile)}`,
          source: 'sqlite-file',
          label: 'Local SQLite database',
          description: `${dbFile} (${(size / 1024 / 1024).toFixed(1)} MB), the default database of a local Prefect server.`,
          suggestedName: 'Local Prefect (SQLite)',
          apiUrl: localRunning ? localUrl : null,
          apiAuth: 'none',
          db: 'sqlite',
          dbSummary: dbFile,
          notes: dbNotes,
        },
        draft: { name: 'Local Prefect (SQLite)', apiUrl: localUrl, apiAuth: { kind: 'none' }, db: { kind: 'sqlite', path: dbFile }, readOnly: false },
      });
    }
  }
  return { candidates, notes };
}

export async function discover(opts: DiscoverOptions = {}): Promise<DiscoveryResult> {
  const { candidates, notes } = await collect(opts);
  for (const n of notes) log.info(n);
  return {
    setups: candidates.map((c) => ({
      ...c.setup,
      alreadyAdded: (opts.existing ?? []).some((e) => c.setup.apiUrl !== null && sameApiUrl(e.apiUrl, c.setup.apiUrl)),
    })),
    notes,
  };
}

/** The setups only (the notes are logged); see `discover` for both. */
export async function discoverSetups(opts: DiscoverOptions = {}): Promise<DiscoveredSetup[]> {
  return (await discover(opts)).setups;
}

/**
 * The draft (with secrets) for a key from `discoverSetups`, built by reading the source again. Only keys
 * that discovery produces now are accepted.
 */
export async function resolveDiscovered(key: string, opts: DiscoverOptions = {}): Promise<{ draft: ConnectionDraft }> {
  // The local server entry exists only while it answers; accept its key without probing again, since
  // the draft holds nothing but the (configured) URL.
  const localUrl = opts.localApiUrl ?? DEFAULT_LOCAL_API_URL;
  if (key === `local-server:${localUrl}`) {
    const host = new URL(localUrl).host;
    return { draft: { name: `Local server (${host})`, apiUrl: localUrl, apiAuth: { kind: 'none' }, db: { kind: 'none' }, readOnly: false } };
  }
  const { candidates } = await collect({ ...opts, probeLocal: false });
  const found = candidates.find((c) => c.setup.key === key);
  if (!found) {
    throw new AppError('NOT_FOUND', 'That setup is no longer there (the profile or file changed since it was found).', {
      hint: 'Look for setups again, or add the connection by hand.',
    });
  }
  return { draft: found.draft };
}
