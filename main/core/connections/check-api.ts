/**
 * The API half of a connection test: url -> reachable -> health -> version -> auth. Each step passes
 * what it learnt to the next, so a failure is reported once, where it happens, and the dependents say
 * why they were skipped.
 */
import { parseApiUrl, type ParsedApiUrl } from '../../../shared/domain/api-url';
import type { Degradation } from '../../../shared/domain/compat';
import type { Check } from '../../../shared/domain/connection';
import { AppError } from '../../../shared/errors';
import type { ResolvedConnection } from './types';
import { apiCapabilities, degradations } from '../targets/capabilities';
import { unauthorizedHint } from '../targets/prefect-api-errors';
import { PrefectApi, assertSupported, type ServerVersion } from '../targets/prefect-api';
import { failFrom, runCheck, skip, type CheckOutcome } from './check-runner';

export interface ApiCheckResult {
  checks: Check[];
  parsed: ParsedApiUrl | null;
  api: PrefectApi | null;
  version: ServerVersion | null;
  /** An authenticated call succeeded: later checks may use the API. */
  authOk: boolean;
  /** What this release does differently (targets/capabilities.ts); empty for the newest. */
  degraded: Degradation[];
}

/** Short timeouts and no retries: a connection test should answer in seconds, not minutes. */
const TEST_TIMEOUT_MS = 8_000;

function statusOf(e: unknown): number | undefined {
  const s = e instanceof AppError ? e.details?.status : undefined;
  return typeof s === 'number' ? s : undefined;
}

export async function runApiChecks(
  conn: ResolvedConnection,
  opts: { signal?: AbortSignal; fetch?: typeof fetch } = {},
): Promise<ApiCheckResult> {
  const { signal } = opts;
  const req = { signal, retries: 0, timeoutMs: TEST_TIMEOUT_MS };
  const checks: Check[] = [];
  const out: ApiCheckResult = { checks, parsed: null, api: null, version: null, authOk: false, degraded: [] };

  // api.url
  checks.push(
    await runCheck('api.url', () => {
      const r = parseApiUrl(conn.apiUrl);
      if (!r.ok) return { status: 'fail', detail: r.error.message, ...(r.error.hint ? { hint: r.error.hint } : {}) };
      out.parsed = r.value;
      const kind = r.value.kind === 'cloud' ? 'Prefect Cloud workspace' : 'Self-hosted Prefect server';
      return r.value.notes.length > 0
        ? { status: 'warn', detail: `${kind}: ${r.value.url}. ${r.value.notes.join(' ')}` }
        : { status: 'ok', detail: `${kind}: ${r.value.url}` };
    }, signal),
  );
  if (!out.parsed) {
    for (const id of ['api.reachable', 'api.health', 'api.version', 'api.auth'] as const) {
      checks.push(await runCheck(id, () => skip('Skipped: the API URL is not valid.')));
    }
    return out;
  }
  const api = new PrefectApi(conn, { fetch: opts.fetch });
  out.api = api;
  const cloud = out.parsed.kind === 'cloud';

  // api.reachable: any HTTP answer to /health proves the host and port; what it says is api.health's job.
  let healthValue: unknown;
  let healthError: unknown = null;
  let reachable = false;
  checks.push(
    await runCheck('api.reachable', async () => {
      const started = performance.now();
      try {
        healthValue = await api.request('GET', '/health', undefined, req);
      } catch (e) {
        if (statusOf(e) === undefined) throw e;
        healthError = e;
      }
      reachable = true;
      const ms = Math.round(performance.now() - started);
      return { status: 'ok', detail: `${new URL(api.baseUrl).host} answered in ${ms} ms.` };
    }, signal),
  );
  if (!reachable) {
    for (const id of ['api.health', 'api.version', 'api.auth'] as const) {
      checks.push(await runCheck(id, () => skip('Skipped: the API is not reachable.')));
    }
    return out;
  }

  // api.health: /health must be `true`, and /ready says whether the server reaches its database.
  let healthy = false;
  checks.push(
    await runCheck('api.health', async (): Promise<CheckOutcome> => {
      if (healthError) {
        // Cloud's workspace API may not expose /health; that says nothing about the workspace.
        if (cloud) return { status: 'warn', detail: 'Prefect Cloud did not answer /health; continuing with the other checks.' };
        return failFrom(healthError);
      }
      if (healthValue !== true) {
        return { status: 'fail', detail: `GET /health answered ${JSON.stringify(healthValue)?.slice(0, 80)} instead of true: this does not look like a Prefect API.`, hint: 'Check the API URL (usually http://host:4200/api).' };
      }
      healthy = true;
      const ready = await api.ready(req).catch((e: unknown) => (cloud ? { ready: true, message: 'n/a' } : Promise.reject(e)));
      if (!ready.ready) {
        return { status: 'fail', detail: 'The API is up, but the server cannot reach its database (/ready answered 503).', hint: 'Check the database the Prefect server uses (PREFECT_SERVER_DATABASE_CONNECTION_URL) and the server\'s log.' };
      }
      return { status: 'ok', detail: 'The server is healthy and reaches its database.' };
    }, signal),
  );
  if (!healthy && !cloud) {
    for (const id of ['api.version', 'api.auth'] as const) {
      checks.push(await runCheck(id, () => skip('Skipped: the API is not healthy.')));
    }
    return out;
  }

  // api.version: /admin/version needs credentials on a server with an auth string, so a 401 here is
  // reported by api.auth, not twice.
  let versionNeedsAuth = false;
  checks.push(
    await runCheck('api.version', async (): Promise<CheckOutcome> => {
      try {
        const v = await api.serverVersion(req);
        out.version = v;
        assertSupported(v.version);
        return { status: 'ok', detail: `Prefect ${v.version}${v.apiVersion ? ` (API ${v.apiVersion})` : ''}.` };
      } catch (e) {
        if (statusOf(e) === 401) {
          versionNeedsAuth = true;
          return skip('The server tells its version only to authenticated clients (see Authentication).');
        }
        if (cloud && (statusOf(e) === 404 || statusOf(e) === 403)) return { status: 'warn', detail: 'Prefect Cloud does not report a server version.' };
        throw e;
      }
    }, signal),
  );

  // api.auth: an authenticated read that every server has (a POST, so it also proves CSRF handling).
  checks.push(
    await runCheck('api.auth', async (): Promise<CheckOutcome> => {
      const hasSecret = (conn.apiAuth.kind === 'basic' && !!conn.apiAuth.authString) || (conn.apiAuth.kind === 'apiKey' && !!conn.apiAuth.apiKey);
      if (cloud && !(conn.apiAuth.kind === 'apiKey' && hasSecret)) {
        return { status: 'fail', detail: 'Prefect Cloud requires an API key, and none is set.', hint: unauthorizedHint({ authKind: conn.apiAuth.kind, hasSecret, cloud }) };
      }
      try {
        await api.countFlowRuns({}, req);
      } catch (e) {
        if (statusOf(e) === 401) {
          return {
            status: 'fail',
            detail: hasSecret ? 'The server rejected the credentials (401 Unauthorized).' : 'The server requires authentication, and no auth string is set.',
            hint: unauthorizedHint({ authKind: conn.apiAuth.kind, hasSecret, cloud }),
          };
        }
        throw e;
      }
      out.authOk = true;
      if (versionNeedsAuth && !out.version) {
        // Now that credentials work, fill in the version for the report.
        out.version = await api.serverVersion(req).catch(() => null);
        if (out.version) {
          const i = checks.findIndex((c) => c.id === 'api.version');
          let outcome: CheckOutcome;
          try {
            assertSupported(out.version.version);
            outcome = { status: 'ok', detail: `Prefect ${out.version.version}${out.version.apiVersion ? ` (API ${out.version.apiVersion})` : ''}.` };
          } catch (e) {
            outcome = failFrom(e);
          }
          const prev = checks[i];
          if (prev) checks[i] = { ...prev, status: outcome.status, detail: outcome.detail, ...(outcome.hint ? { hint: outcome.hint } : {}) };
        }
      }
      if (cloud) return { status: 'ok', detail: 'The API key was accepted.' };
      if (!hasSecret) return { status: 'ok', detail: 'The server does not require authentication.' };
      // Credentials work; say whether they were needed at all.
      const open = await api
        .request('GET', '/admin/version', undefined, { ...req, anonymous: true })
        .then(() => true)
        .catch(() => false);
      return open
        ? { status: 'ok', detail: 'The credentials were accepted (note: this server does not require authentication at all).' }
        : { status: 'ok', detail: 'The credentials were accepted.' };
    }, signal),
  );
  if (out.authOk) await addCapabilities(out, req);
  return out;
}

/**
 * An older release works, with detours: say which on the version check (a warning, not a failure)
 * and in the report. A probe that fails changes nothing: the check already said what it could.
 */
async function addCapabilities(out: ApiCheckResult, req: { signal?: AbortSignal }): Promise<void> {
  if (!out.api) return;
  try {
    out.degraded = degradations(await apiCapabilities(out.api, req.signal));
  } catch {
    return;
  }
  const i = out.checks.findIndex((c) => c.id === 'api.version');
  const prev = out.checks[i];
  if (!prev || prev.status !== 'ok' || out.degraded.length === 0) return;
  out.checks[i] = {
    ...prev,
    status: 'warn',
    detail: `${prev.detail} Older than the newest Prefect, so ${out.degraded.length === 1 ? 'one feature takes' : `${out.degraded.length} features take`} another path: ${out.degraded.map((d) => d.reason).join(' ')}`,
  };
}
