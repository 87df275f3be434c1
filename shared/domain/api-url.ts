/**
 * Parse and validate a Prefect API URL as a person types or pastes it.
 *
 * Two kinds:
 * - Prefect Cloud: `https://api.prefect.cloud/api/accounts/<uuid>/workspaces/<uuid>` (the shape of
 *   `Workspace.api_url` in src/prefect/client/schemas/objects.py).
 * - self-hosted: `http(s)://host:port/api`, or another path when the server runs with
 *   PREFECT_SERVER_API_BASE_PATH / behind a reverse proxy that mounts it elsewhere.
 *
 * Pure (no I/O), so the renderer can validate as the user types and main re-validates the same way.
 */
import type { AppErrorData } from '../errors';
import type { Result } from '../result';
import type { ApiKind } from './connection';

export interface ParsedApiUrl {
  /** Normalised: no trailing slash, no credentials, no query or fragment. */
  url: string;
  kind: ApiKind;
  /** Cloud only. */
  accountId?: string;
  workspaceId?: string;
  /** Things worth telling the user that do not make the URL invalid. */
  notes: string[];
}

export const CLOUD_API_HOST = 'api.prefect.cloud';
const CLOUD_UI_HOST = 'app.prefect.cloud';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CLOUD_PATH_RE = /^\/api\/accounts\/([^/]+)\/workspaces\/([^/]+)$/;
// The Cloud UI's address (people paste it from the browser): /account/<id>/workspace/<id>/...
const CLOUD_UI_PATH_RE = /^\/account\/([0-9a-f-]{36})\/workspace\/([0-9a-f-]{36})(?:\/|$)/i;

function fail(message: string, hint?: string, details?: Record<string, unknown>): Result<never> {
  const error: AppErrorData = { code: 'VALIDATION', message };
  if (hint !== undefined) error.hint = hint;
  if (details !== undefined) error.details = details;
  return { ok: false, error };
}

function stripTrailingSlashes(p: string): string {
  return p.replace(/\/+$/, '');
}

export function parseApiUrl(input: string): Result<ParsedApiUrl> {
  const raw = input.trim();
  if (raw === '') {
    return fail('The Prefect API URL is empty.', 'Enter the API URL, e.g. http://127.0.0.1:4200/api.');
  }
  if (/\s/.test(raw)) {
    return fail('The Prefect API URL contains spaces.', 'Remove the spaces, e.g. http://127.0.0.1:4200/api.');
  }
  // "localhost:4200/api" parses as scheme "localhost:" in WHATWG URL, so insist on the scheme first.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    // Echo a guess only when the input cannot hold a password ("user:pass@host").
    return fail(
      'The Prefect API URL must start with http:// or https://.',
      raw.includes('@') ? 'For example http://127.0.0.1:4200/api.' : `Did you mean http://${raw.replace(/^\/+/, '')}?`,
    );
  }

  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    // The input may hold a password (user:pass@host), so it is not echoed back.
    return fail('The Prefect API URL is not a valid URL.', 'Check it for typos, e.g. http://127.0.0.1:4200/api.');
  }

  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    return fail(
      `The Prefect API URL must use http or https, not "${u.protocol.replace(/:$/, '')}".`,
      'For example http://127.0.0.1:4200/api or https://prefect.example.com/api.',
    );
  }
  if (u.username !== '' || u.password !== '') {
    return fail(
      'The Prefect API URL contains a user name or password.',
      'Remove "user:password@" from the URL and put "user:password" in the auth string field ' +
        '(Prefect\'s PREFECT_API_AUTH_STRING), so it is stored encrypted and never shown.',
    );
  }
  if (u.hostname === '') {
    return fail('The Prefect API URL has no host.', 'For example http://127.0.0.1:4200/api.');
  }
  if (u.search !== '' || u.hash !== '') {
    return fail(
      'The Prefect API URL must not contain a query string or fragment ("?…" or "#…").',
      `Use only the scheme, host, port and path, e.g. ${u.origin}/api.`,
    );
  }

  const path = stripTrailingSlashes(u.pathname);
  const host = u.hostname.toLowerCase();

  // Someone pasted the Cloud UI address from the browser: tell them the API URL it corresponds to.
  if (host === CLOUD_UI_HOST) {
    const m = CLOUD_UI_PATH_RE.exec(path);
    const hint = m
      ? `Use https://${CLOUD_API_HOST}/api/accounts/${m[1]}/workspaces/${m[2]}.`
      : `Use https://${CLOUD_API_HOST}/api/accounts/<account-id>/workspaces/<workspace-id> ` +
        '(shown by `prefect cloud workspace ls` or in the Cloud UI\'s address).';
    return fail('This is the Prefect Cloud web UI address, not the API URL.', hint);
  }

  if (host === CLOUD_API_HOST) {
    if (u.protocol !== 'https:') {
      return fail('Prefect Cloud is only reachable over https.', `Use https://${CLOUD_API_HOST}${path}.`);
    }
    const m = CLOUD_PATH_RE.exec(path);
    if (!m) {
      return fail(
        'A Prefect Cloud API URL must name an account and a workspace.',
        `Use https://${CLOUD_API_HOST}/api/accounts/<account-id>/workspaces/<workspace-id> ` +
          '(shown by `prefect cloud workspace ls`, or PREFECT_API_URL after `prefect cloud login`).',
      );
    }
    const accountId = m[1] ?? '';
    const workspaceId = m[2] ?? '';
    if (!UUID_RE.test(accountId)) {
      return fail(`The account id "${accountId}" in the Prefect Cloud URL is not a UUID.`, 'Copy the URL again from `prefect cloud workspace ls` or the Cloud UI.');
    }
    if (!UUID_RE.test(workspaceId)) {
      return fail(`The workspace id "${workspaceId}" in the Prefect Cloud URL is not a UUID.`, 'Copy the URL again from `prefect cloud workspace ls` or the Cloud UI.');
    }
    return {
      ok: true,
      value: {
        url: `https://${CLOUD_API_HOST}/api/accounts/${accountId.toLowerCase()}/workspaces/${workspaceId.toLowerCase()}`,
        kind: 'cloud',
        accountId: accountId.toLowerCase(),
        workspaceId: workspaceId.toLowerCase(),
        notes: [],
      },
    };
  }

  if (path === '') {
    // Prefect serves the UI at "/" and the API under "/api": http://host:4200 alone answers 404 for
    // every API call, which is the most common setup mistake.
    return fail('The Prefect API URL has no path; the API lives under /api.', `Add /api, e.g. ${u.origin}/api.`);
  }

  const notes: string[] = [];
  if (!/\/api$/.test(path)) {
    notes.push(
      `The path "${path}" does not end in /api. That is right only if the server runs with ` +
        'PREFECT_SERVER_API_BASE_PATH or behind a proxy that mounts the API there.',
    );
  }
  return { ok: true, value: { url: `${u.protocol}//${u.host}${path}`, kind: 'self-hosted', notes } };
}

/** Join a validated base URL and an API path ("/flow_runs/filter") without doubling slashes. */
export function joinApiPath(base: string, path: string): string {
  return `${stripTrailingSlashes(base)}/${path.replace(/^\/+/, '')}`;
}

/** Two API URLs name the same server (127.0.0.1 and localhost count as the same host). */
export function sameApiUrl(a: string, b: string): boolean {
  const pa = parseApiUrl(a);
  const pb = parseApiUrl(b);
  if (!pa.ok || !pb.ok) return a.trim() === b.trim();
  const norm = (s: string) => s.replace(/^(https?:\/\/)(localhost|127\.0\.0\.1|\[::1\])(?=[:/])/i, '$1127.0.0.1');
  return norm(pa.value.url) === norm(pb.value.url);
}
