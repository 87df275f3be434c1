/**
 * A typed Prefect REST client on global fetch: auth (Basic for self-hosted PREFECT_API_AUTH_STRING,
 * Bearer for Cloud API keys), CSRF tokens when the server demands them, a timeout per request combined
 * with the caller's AbortSignal, bounded retries (prefect-api-retry.ts), offset pagination within the
 * server's page limit, and server version detection so later features can adapt.
 *
 * Secrets: the auth string, its base64 form and the API key are registered with the redactor on
 * construction; headers are never logged.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { joinApiPath, parseApiUrl } from '../../../shared/domain/api-url';
import { AppError } from '../../../shared/errors';
import type { ResolvedConnection } from '../connections/types';
import { createLogger } from '../log/logger';
import { registerSecret } from '../log/redact';
import { normalizeAdminSettings } from './admin-settings';
import { CsrfTokens, isCsrfRejection, type CsrfToken } from './prefect-api-csrf';
import { htmlError, httpError, looksLikeHtml, networkCode, networkError, timeoutError, type HttpContext } from './prefect-api-errors';
import { backoffDelay, isIdempotent, isMutating, parseRetryAfter, RETRYABLE_STATUS, sleep } from './prefect-api-retry';
import {
  AdminSettingsSchema,
  CsrfTokenSchema,
  DeploymentSchema,
  FlowSchema,
  type AdminSettings,
  type Deployment,
  type FilterBody,
  type Flow,
  type FlowRunCountBody,
} from './prefect-api-types';
import { MIN_PREFECT_VERSION, versionAtLeast } from './prefect-version';

export type PrefectApiConnection = Pick<ResolvedConnection, 'apiUrl' | 'apiAuth'>;

export interface PrefectApiOptions {
  /** Per request. Default 30 s. A request that times out is not retried: the caller waits this long at most. */
  timeoutMs?: number;
  /** Retries after 5xx / network errors, idempotent requests only. Default 3. */
  maxRetries?: number;
  /** Retries after 429, any request. Default 5. */
  max429Retries?: number;
  /** First backoff step; doubles per attempt. Default 250 ms. */
  retryBaseMs?: number;
  /** Cap of one backoff step. Default 8 s. */
  retryMaxMs?: number;
  /** A Retry-After longer than this fails the request instead of waiting. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Stable id for CSRF tokens; default one random id per client. */
  csrfClientId?: string;
  /** Injected in unit tests. */
  fetch?: typeof fetch;
  random?: () => number;
  /** Injected in unit tests to observe backoff and Retry-After waits without waiting. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  userAgent?: string;
}

export interface RequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Override the idempotency rule (prefect-api-retry.ts `isIdempotent`). */
  idempotent?: boolean;
  /** Override maxRetries for this call (0: fail fast, e.g. in connection tests). */
  retries?: number;
  query?: Record<string, string | number | boolean | undefined>;
  /** Send without credentials (to learn whether the server requires them). */
  anonymous?: boolean;
}

export interface ServerVersion {
  /** Prefect package version from GET /admin/version, e.g. "3.9.1". */
  version: string;
  /** Server API version from GET /version, e.g. "0.8.4"; null when unavailable. */
  apiVersion: string | null;
}

const log = createLogger('targets:prefect-api');
const DEFAULT_PAGE_LIMIT = 200;

export class PrefectApi {
  readonly baseUrl: string;
  readonly cloud: boolean;
  /** Which server as whom, hashed (a cache key for per-server facts; holds no readable secret). */
  readonly identity: string;
  private readonly authHeader: string | null;
  private readonly authKind: 'none' | 'basic' | 'apiKey';
  private readonly opts: Required<Omit<PrefectApiOptions, 'csrfClientId' | 'fetch'>>;
  private readonly fetchImpl: typeof fetch;
  private readonly csrf: CsrfTokens;
  private versionCache: Promise<ServerVersion> | null = null;
  private pageLimitCache: Promise<number> | null = null;

  constructor(conn: PrefectApiConnection, opts: PrefectApiOptions = {}) {
    const parsed = parseApiUrl(conn.apiUrl);
    if (!parsed.ok) throw AppError.fromData(parsed.error);
    this.baseUrl = parsed.value.url;
    this.cloud = parsed.value.kind === 'cloud';
    this.authKind = conn.apiAuth.kind;
    this.authHeader = authorizationHeader(conn.apiAuth);
    this.identity = createHash('sha256').update(`${this.baseUrl}\n${this.authHeader ?? ''}`).digest('hex');
    this.opts = {
      timeoutMs: opts.timeoutMs ?? 30_000,
      maxRetries: opts.maxRetries ?? 3,
      max429Retries: opts.max429Retries ?? 5,
      retryBaseMs: opts.retryBaseMs ?? 250,
      retryMaxMs: opts.retryMaxMs ?? 8_000,
      maxRetryAfterMs: opts.maxRetryAfterMs ?? 60_000,
      random: opts.random ?? Math.random,
      sleep: opts.sleep ?? sleep,
      userAgent: opts.userAgent ?? 'housekeeper',
    };
    this.fetchImpl = opts.fetch ?? globalThis.fetch.bind(globalThis);
    this.csrf = new CsrfTokens(opts.csrfClientId ?? `housekeeper-${randomUUID()}`, (id, signal) => this.fetchCsrfToken(id, signal));
  }

  private ctx(method: string, path: string): HttpContext {
    return { method, path, baseUrl: this.baseUrl, authKind: this.authKind, hasSecret: this.authHeader !== null, cloud: this.cloud };
  }

  private url(path: string, query?: RequestOptions['query']): string {
    const u = joinApiPath(this.baseUrl, path);
    if (!query) return u;
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
    const s = qs.toString();
    return s ? `${u}?${s}` : u;
  }

  /**
   * One API call. `body` is sent as JSON for non-GET methods. Returns the parsed JSON (undefined for
   * an empty body, e.g. 204), validated with `schema` when given.
   */
  async request<T = unknown>(method: string, path: string, body?: unknown, opts: RequestOptions & { schema?: z.ZodType<T> } = {}): Promise<T> {
    const m = method.toUpperCase();
    const ctx = this.ctx(m, path);
    const idempotent = opts.idempotent ?? isIdempotent(m, path);
    const maxRetries = opts.retries ?? this.opts.maxRetries;
    const timeoutMs = opts.timeoutMs ?? this.opts.timeoutMs;
    const payload = body === undefined || m === 'GET' || m === 'HEAD' ? undefined : JSON.stringify(body);
    let attempt = 0;
    let rateLimited = 0;
    let csrfRetried = false;

    for (;;) {
      if (opts.signal?.aborted) throw cancelled();
      const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': this.opts.userAgent };
      if (payload !== undefined) headers['Content-Type'] = 'application/json';
      if (this.authHeader && !opts.anonymous) headers.Authorization = this.authHeader;
      if (isMutating(m)) Object.assign(headers, await this.csrf.headers(opts.signal));

      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
      const started = Date.now();
      let status: number;
      let text: string;
      let res: Response;
      try {
        res = await this.fetchImpl(this.url(path, opts.query), { method: m, headers, body: payload, signal });
        status = res.status;
        text = await res.text();
      } catch (e) {
        if (opts.signal?.aborted) throw cancelled();
        const error = timeout.aborted ? timeoutError(ctx, timeoutMs) : networkError(e, ctx);
        log.debug(`${m} ${path} failed after ${Date.now() - started} ms: ${error.message}`);
        if (idempotent && attempt < maxRetries && isRetryableNetwork(e, timeout.aborted)) {
          await this.opts.sleep(backoffDelay(attempt++, this.opts.retryBaseMs, this.opts.retryMaxMs, this.opts.random), opts.signal);
          continue;
        }
        throw error;
      }
      log.debug(`${m} ${path} -> ${status} in ${Date.now() - started} ms`);

      if (status === 429 && rateLimited < this.opts.max429Retries) {
        const wait = parseRetryAfter(res.headers.get('retry-after')) ?? backoffDelay(rateLimited, this.opts.retryBaseMs, this.opts.retryMaxMs, this.opts.random);
        if (wait > this.opts.maxRetryAfterMs) {
          throw new AppError('PREFECT_HTTP', `The Prefect server is rate-limiting requests and asks to wait ${Math.ceil(wait / 1000)} s.`, {
            hint: 'Try again later.',
            details: { status, method: m, path, retryAfterMs: wait },
          });
        }
        rateLimited++;
        await this.opts.sleep(wait, opts.signal);
        continue;
      }
      if (isMutating(m) && !csrfRetried && isCsrfRejection(status, text)) {
        csrfRetried = true;
        // Prefect's CSRF middleware runs before auth, so bad credentials first show up as a 403 here
        // and then as a 401 from /csrf-token: report that 401 against the request the caller made.
        await this.csrf.refresh(opts.signal).catch((e: unknown) => {
          if (e instanceof AppError && e.details?.status === 401) throw httpError(401, '', 'application/json', ctx);
          throw e;
        });
        if (this.csrf.active) continue;
      }
      if (RETRYABLE_STATUS.has(status) && idempotent && attempt < maxRetries) {
        await this.opts.sleep(backoffDelay(attempt++, this.opts.retryBaseMs, this.opts.retryMaxMs, this.opts.random), opts.signal);
        continue;
      }
      if (status < 200 || status >= 300) throw httpError(status, text, res.headers.get('content-type'), ctx);
      return this.parse<T>(text, res.headers.get('content-type'), ctx, status, opts.schema);
    }
  }

  private parse<T>(text: string, contentType: string | null, ctx: HttpContext, status: number, schema?: z.ZodType<T>): T {
    if (text.trim() === '') return undefined as T;
    if (looksLikeHtml(contentType, text)) throw htmlError(ctx, status);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new AppError('PREFECT_HTTP', `${ctx.baseUrl} answered ${ctx.method} ${ctx.path} with something that is not JSON.`, {
        hint: 'Check that the API URL points at a Prefect server (usually http://host:4200/api).',
        details: { status, method: ctx.method, path: ctx.path },
        cause: e,
      });
    }
    if (!schema) return json as T;
    const r = schema.safeParse(json);
    if (!r.success) {
      throw new AppError('PREFECT_HTTP', `The answer to ${ctx.method} ${ctx.path} does not look like Prefect's: ${r.error.issues[0]?.path.join('.') ?? ''} ${r.error.issues[0]?.message ?? ''}`.trim(), {
        hint: 'Check that the API URL points at a Prefect 3 server.',
        details: { status, method: ctx.method, path: ctx.path },
      });
    }
    return r.data;
  }

  private async fetchCsrfToken(clientId: string, signal?: AbortSignal): Promise<CsrfToken | null> {
    try {
      const t = await this.request('GET', '/csrf-token', undefined, { signal, query: { client: clientId }, schema: CsrfTokenSchema });
      registerSecret(t.token);
      const exp = Date.parse(t.expiration);
      return { token: t.token, expiresAt: Number.isNaN(exp) ? Date.now() + 30 * 60_000 : exp };
    } catch (e) {
      // 422 "CSRF protection is disabled." (or 404 on servers without the endpoint): stop asking.
      if (e instanceof AppError && (e.details?.status === 422 || e.details?.status === 404)) return null;
      throw e;
    }
  }

  // --- typed endpoints -------------------------------------------------------------------------

  /** GET /health: `true` when the web server is up (no auth needed on self-hosted servers). */
  async health(opts: RequestOptions = {}): Promise<boolean> {
    return (await this.request<unknown>('GET', '/health', undefined, opts)) === true;
  }

  /** GET /ready: whether the server can reach its database (503 when not). */
  async ready(opts: RequestOptions = {}): Promise<{ ready: boolean; message: string }> {
    try {
      const r = await this.request<{ message?: string }>('GET', '/ready', undefined, { ...opts, retries: 0 });
      return { ready: true, message: r?.message ?? 'OK' };
    } catch (e) {
      if (e instanceof AppError && e.details?.status === 503) return { ready: false, message: e.message };
      throw e;
    }
  }

  /** GET /admin/version: the Prefect package version, e.g. "3.9.1". */
  async adminVersion(opts: RequestOptions = {}): Promise<string> {
    const v = await this.request<unknown>('GET', '/admin/version', undefined, opts);
    if (typeof v !== 'string') throw new AppError('PREFECT_HTTP', 'GET /admin/version did not return a version string.', { hint: 'Check that the API URL points at a Prefect server.' });
    return v;
  }

  /** GET /version: the server API version, e.g. "0.8.4". */
  async apiVersion(opts: RequestOptions = {}): Promise<string> {
    const v = await this.request<unknown>('GET', '/version', undefined, opts);
    if (typeof v !== 'string') throw new AppError('PREFECT_HTTP', 'GET /version did not return a version string.');
    return v;
  }

  /**
   * GET /admin/settings: effective server settings (secrets arrive masked as "**********"), in the
   * newest layout whatever the server's 3.x line (admin-settings.ts: settings that moved are also
   * found at their newest place).
   */
  async adminSettings(opts: RequestOptions = {}): Promise<AdminSettings> {
    return normalizeAdminSettings(await this.request('GET', '/admin/settings', undefined, { ...opts, schema: AdminSettingsSchema }));
  }

  /** Package and API version, fetched once per client. */
  serverVersion(opts: RequestOptions = {}): Promise<ServerVersion> {
    this.versionCache ??= (async () => {
      const version = await this.adminVersion(opts);
      const apiVersion = await this.apiVersion(opts).catch(() => null);
      return { version, apiVersion };
    })().catch((e: unknown) => {
      this.versionCache = null;
      throw e;
    });
    return this.versionCache;
  }

  /**
   * @deprecated Features ask capabilities.ts (`apiCapabilities(api)`) what the server can do; a
   * version number says nothing about a patched server and hides why a path was chosen.
   */
  async versionAtLeast(minimum: string, opts: RequestOptions = {}): Promise<boolean> {
    return versionAtLeast((await this.serverVersion(opts)).version, minimum);
  }

  /** Throws PREFECT_VERSION for servers older than Prefect 3.0. */
  async assertSupportedVersion(opts: RequestOptions = {}): Promise<ServerVersion> {
    const v = await this.serverVersion(opts);
    assertSupported(v.version);
    return v;
  }

  /**
   * The largest `limit` the server accepts (server.api.default_limit, PREFECT_SERVER_API_DEFAULT_LIMIT;
   * a larger limit is a 422). Falls back to Prefect's default 200 when /admin/settings is unavailable.
   */
  pageLimit(opts: RequestOptions = {}): Promise<number> {
    this.pageLimitCache ??= this.adminSettings(opts).then(
      (s) => s.server?.api?.default_limit ?? DEFAULT_PAGE_LIMIT,
      (e: unknown) => {
        if (e instanceof AppError && e.code === 'CANCELLED') {
          this.pageLimitCache = null;
          throw e;
        }
        return DEFAULT_PAGE_LIMIT;
      },
    );
    return this.pageLimitCache;
  }

  /**
   * Offset/limit paging of a POST …/filter endpoint, one page per iteration. Offset paging over a
   * table that changes meanwhile can skip or repeat rows: use a stable sort, and for deletions
   * re-query from offset 0 instead of advancing.
   */
  async *paginate<T = unknown>(path: string, body: FilterBody = {}, pageSize?: number, opts: RequestOptions & { schema?: z.ZodType<T>; maxItems?: number } = {}): AsyncGenerator<T[]> {
    const limit = Math.max(1, Math.min(pageSize ?? Number.MAX_SAFE_INTEGER, await this.pageLimit(opts)));
    let offset = body.offset ?? 0;
    let seen = 0;
    for (;;) {
      const page = await this.request<unknown[]>('POST', path, { ...body, limit, offset }, { ...opts, schema: undefined });
      if (!Array.isArray(page)) throw new AppError('PREFECT_HTTP', `POST ${path} did not return a list.`);
      const items = opts.schema ? page.map((x) => this.parse(JSON.stringify(x), 'application/json', this.ctx('POST', path), 200, opts.schema)) : (page as T[]);
      const room = opts.maxItems === undefined ? items.length : Math.max(0, opts.maxItems - seen);
      if (items.length > 0 && room > 0) yield items.slice(0, room);
      seen += Math.min(items.length, room);
      if (items.length < limit || (opts.maxItems !== undefined && seen >= opts.maxItems)) return;
      offset += limit;
    }
  }

  /** POST /flow_runs/count: a bare integer. */
  async countFlowRuns(filter: FlowRunCountBody = {}, opts: RequestOptions = {}): Promise<number> {
    const n = await this.request<unknown>('POST', '/flow_runs/count', filter, opts);
    if (typeof n !== 'number') throw new AppError('PREFECT_HTTP', 'POST /flow_runs/count did not return a number.', { hint: 'Check that the API URL points at a Prefect server.' });
    return n;
  }

  filterDeployments(body: FilterBody = {}, opts: RequestOptions = {}): Promise<Deployment[]> {
    return this.request('POST', '/deployments/filter', body, { ...opts, schema: DeploymentSchema.array() });
  }

  filterFlows(body: FilterBody = {}, opts: RequestOptions = {}): Promise<Flow[]> {
    return this.request('POST', '/flows/filter', body, { ...opts, schema: FlowSchema.array() });
  }
}

/** `Authorization` value for the connection, registering every form of the secret with the redactor. */
export function authorizationHeader(auth: PrefectApiConnection['apiAuth']): string | null {
  if (auth.kind === 'basic' && auth.authString) {
    registerSecret(auth.authString);
    registerSecret(auth.authString.slice(auth.authString.indexOf(':') + 1));
    // Prefect compares the decoded value with the whole "user:password" string (server.py token_validation).
    const b64 = Buffer.from(auth.authString, 'utf8').toString('base64');
    registerSecret(b64);
    return `Basic ${b64}`;
  }
  if (auth.kind === 'apiKey' && auth.apiKey) {
    registerSecret(auth.apiKey);
    return `Bearer ${auth.apiKey}`;
  }
  return null;
}

export function assertSupported(version: string): void {
  if (!versionAtLeast(version, MIN_PREFECT_VERSION)) {
    throw new AppError('PREFECT_VERSION', `This Prefect server runs version ${version}; Housekeeper supports Prefect ${MIN_PREFECT_VERSION} and later.`, {
      hint: 'Upgrade the Prefect server to 3.x (its database is migrated on start), or use an older tool for Prefect 2.',
      details: { version },
    });
  }
}

function isRetryableNetwork(e: unknown, timedOut: boolean): boolean {
  // A request that timed out is not sent again: a hung server does not answer the retry either, and
  // the caller was promised one timeout (issue #13: 90 s of spinner, then "did not answer within 30 s").
  if (timedOut) return false;
  const code = networkCode(e);
  // DNS failures and TLS/certificate problems do not heal by retrying.
  return code === undefined || ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code);
}

function cancelled(): AppError {
  return new AppError('CANCELLED', 'The request was cancelled.');
}
