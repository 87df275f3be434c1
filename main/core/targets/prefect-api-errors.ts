/**
 * What can go wrong talking to a Prefect API, as AppErrors with a message that names the problem and a
 * hint that names the fix. Observed on Prefect 3.9.1:
 * - unknown routes (also http://host:4200/health, i.e. a URL without /api) answer 404 `{"detail":"Not Found"}`;
 *   a missing object answers 404 with a specific detail ("Flow run not found");
 * - auth failures answer 401 `{"exception_message":"Unauthorized"}`; /health and /ready are exempt;
 * - the UI (and anything behind a proxy's catch-all) answers HTML.
 */
import { AppError, type ErrorCode } from '../../../shared/errors';
import { redact } from '../log/redact';

export type AuthKind = 'none' | 'basic' | 'apiKey';

export interface HttpContext {
  method: string;
  path: string;
  /** The API base URL (no secrets in it: parseApiUrl refuses credentials). */
  baseUrl: string;
  authKind: AuthKind;
  /** Whether a secret for that kind is actually configured. */
  hasSecret: boolean;
  cloud: boolean;
}

const MAX_DETAIL = 300;

/** A short, redacted human summary of a Prefect/FastAPI error body. */
export function summariseBody(text: string): string {
  let out = text.trim();
  try {
    const j = JSON.parse(text) as unknown;
    if (typeof j === 'string') out = j;
    else if (j && typeof j === 'object') {
      const o = j as Record<string, unknown>;
      const detail = o.detail ?? o.exception_detail ?? o.exception_message ?? o.message;
      if (typeof detail === 'string') out = detail;
      else if (Array.isArray(detail)) {
        // FastAPI/pydantic validation errors: [{loc: [...], msg: "..."}]
        out = detail
          .map((d) => {
            const e = d as { loc?: unknown[]; msg?: string };
            const loc = Array.isArray(e.loc) ? e.loc.filter((x) => x !== 'body').join('.') : '';
            return loc ? `${loc}: ${e.msg ?? ''}` : (e.msg ?? JSON.stringify(d));
          })
          .join('; ');
        if (typeof o.exception_message === 'string' && out === '') out = o.exception_message;
      } else if (detail !== undefined) out = JSON.stringify(detail);
    }
  } catch {
    /* not JSON: keep the text */
  }
  out = out.replace(/\s+/g, ' ');
  return redact(out.length > MAX_DETAIL ? `${out.slice(0, MAX_DETAIL)}…` : out);
}

export function looksLikeHtml(contentType: string | null, text: string): boolean {
  return (contentType ?? '').includes('text/html') || /^\s*<(!doctype|html|head|body)/i.test(text);
}

function originOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).origin;
  } catch {
    return baseUrl;
  }
}

function err(code: ErrorCode, message: string, hint: string | undefined, details: Record<string, unknown>, cause?: unknown): AppError {
  return new AppError(code, redact(message), { hint: hint === undefined ? undefined : redact(hint), details, cause });
}

export function unauthorizedHint(ctx: Pick<HttpContext, 'authKind' | 'hasSecret' | 'cloud'>): string {
  if (ctx.cloud) {
    return ctx.authKind === 'apiKey' && ctx.hasSecret
      ? 'Check the API key (PREFECT_API_KEY): it may be wrong, expired, or without access to this workspace.'
      : 'Prefect Cloud needs an API key: create one in the Cloud UI (or use PREFECT_API_KEY from `prefect config view`) and set it on the connection.';
  }
  if (ctx.authKind === 'none' || !ctx.hasSecret) {
    return 'This server requires authentication: set the auth string ("user:password", the value of the server\'s PREFECT_SERVER_API_AUTH_STRING; clients use it as PREFECT_API_AUTH_STRING).';
  }
  if (ctx.authKind === 'apiKey') {
    return 'Self-hosted servers use basic auth, not API keys: set the auth string ("user:password", PREFECT_API_AUTH_STRING) instead.';
  }
  return 'Check the auth string: it must equal the server\'s PREFECT_SERVER_API_AUTH_STRING exactly ("user:password").';
}

/** An HTTP response that is not a success, after retries. */
export function httpError(status: number, text: string, contentType: string | null, ctx: HttpContext): AppError {
  const details = { status, method: ctx.method, path: ctx.path };
  const what = `${ctx.method} ${ctx.path}`;
  const summary = summariseBody(text);
  if (looksLikeHtml(contentType, text)) return htmlError(ctx, status);

  switch (status) {
    case 401:
      return err('PREFECT_HTTP', `The Prefect server rejected the credentials (401 Unauthorized) for ${what}.`, unauthorizedHint(ctx), details);
    case 403:
      return err(
        'PREFECT_HTTP',
        `The Prefect server refused ${what} (403 Forbidden): ${summary}`,
        ctx.cloud ? 'The API key\'s user or service account lacks permission for this in the workspace.' : 'A proxy in front of the server, or its CSRF protection, refused the request.',
        details,
      );
    case 404:
    case 405:
      // FastAPI's own "route not found": the path does not exist on this server at all.
      if (status === 405 || summary === 'Not Found' || summary === 'Method Not Allowed' || summary === '') {
        return err(
          'PREFECT_HTTP',
          `The server at ${ctx.baseUrl} has no ${what} endpoint (${status}).`,
          /\/api$/.test(ctx.baseUrl)
            ? 'Check the API URL (host, port and base path); if it is right, the endpoint may need a newer Prefect server.'
            : `Is /api in the URL? Prefect serves its API under /api, e.g. ${originOf(ctx.baseUrl)}/api.`,
          details,
        );
      }
      return err('NOT_FOUND', `Not found: ${summary}`, undefined, details);
    case 409:
      return err('CONFLICT', `The Prefect server reported a conflict for ${what}: ${summary}`, undefined, details);
    case 422:
      return err(
        'PREFECT_HTTP',
        `The Prefect server rejected ${what} as invalid (422): ${summary}`,
        'This usually means the server is a different Prefect version than expected; please report it with the server version.',
        details,
      );
    case 429:
      return err('PREFECT_HTTP', `The Prefect server kept answering "too many requests" (429) for ${what}.`, 'Wait a minute and try again, or lower the request rate.', details);
    default:
      if (status >= 500) {
        return err(
          'PREFECT_HTTP',
          `The Prefect server failed on ${what} (${status}): ${summary || 'no details'}`,
          status === 503 && ctx.path === '/ready'
            ? 'The server cannot reach its database: check the database and the server\'s PREFECT_SERVER_DATABASE_CONNECTION_URL.'
            : status === 502 || status === 504
              ? 'A proxy in front of the Prefect server could not reach it, or it timed out: check that the server is running.'
              : 'Check the Prefect server\'s log for the traceback.',
          details,
        );
      }
      return err('PREFECT_HTTP', `Unexpected answer from the Prefect server for ${what} (${status}): ${summary}`, undefined, details);
  }
}

export function htmlError(ctx: HttpContext, status: number): AppError {
  return err(
    'PREFECT_HTTP',
    `${ctx.baseUrl} answered ${ctx.method} ${ctx.path} with an HTML page instead of JSON: the URL points at a web page (the Prefect UI, a proxy or its login page), not the Prefect API.`,
    `Use the API URL: usually the UI's address followed by /api, e.g. ${originOf(ctx.baseUrl)}/api.`,
    { status, method: ctx.method, path: ctx.path },
  );
}

interface ErrLike {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
  name?: unknown;
}

/** The innermost system/TLS error code of a fetch failure (undici wraps it in `cause`). */
export function networkCode(e: unknown): string | undefined {
  const seen = new Set<unknown>();
  const walk = (x: unknown): string | undefined => {
    if (!x || typeof x !== 'object' || seen.has(x)) return undefined;
    seen.add(x);
    const o = x as ErrLike;
    const inner = walk(o.cause) ?? (Array.isArray(o.errors) ? o.errors.map(walk).find(Boolean) : undefined);
    if (inner) return inner;
    return typeof o.code === 'string' ? o.code : undefined;
  };
  return walk(e);
}

export function networkError(e: unknown, ctx: HttpContext): AppError {
  const code = networkCode(e);
  const u = new URL(ctx.baseUrl);
  const where = u.host;
  const details = { method: ctx.method, path: ctx.path, errno: code };
  const msg = e instanceof Error ? String((e.cause as ErrLike | undefined)?.message ?? e.message) : String(e);
  switch (code) {
    case 'ECONNREFUSED':
      return err('PREFECT_HTTP', `Nothing is listening at ${where} (connection refused).`, 'Is the Prefect server running? Check the host and port in the API URL (`prefect server start` listens on 127.0.0.1:4200 by default).', details, e);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return err('PREFECT_HTTP', `The host "${u.hostname}" could not be found (DNS).`, 'Check the host name in the API URL for typos.', details, e);
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return err('PREFECT_HTTP', `${where} did not answer (${code}).`, 'Check the host and port, a firewall or a VPN.', details, e);
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'EPIPE':
      return err('PREFECT_HTTP', `The connection to ${where} was closed unexpectedly.`, u.protocol === 'http:' ? 'If the server uses TLS, use https:// in the API URL.' : 'Check that the server (or its proxy) is healthy.', details, e);
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
    case 'EPROTO':
      return err('PREFECT_HTTP', `TLS failed with ${where}: the server does not seem to speak https.`, `Use http:// instead: http://${where}${u.pathname}.`, details, e);
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return err('PREFECT_HTTP', `The TLS certificate of ${where} is not trusted (${code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ? 'self-signed' : code}).`, 'Add its CA to the system store, or start Housekeeper with NODE_EXTRA_CA_CERTS=/path/to/ca.pem.', details, e);
    case 'CERT_HAS_EXPIRED':
      return err('PREFECT_HTTP', `The TLS certificate of ${where} has expired.`, 'Renew the server\'s certificate.', details, e);
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return err('PREFECT_HTTP', `The TLS certificate of ${where} is not valid for "${u.hostname}".`, 'Use the host name the certificate was issued for.', details, e);
    default:
      if (msg === 'bad port') {
        // fetch refuses a list of "bad ports" (1, 22, 25, 5060, 6000, …) for safety: https://fetch.spec.whatwg.org/#port-blocking
        return err('PREFECT_HTTP', `Port ${u.port} cannot be used for HTTP (it is blocked by the fetch standard).`, 'Check the port in the API URL (Prefect listens on 4200 by default).', details, e);
      }
      return err('PREFECT_HTTP', `Could not reach the Prefect server at ${where}: ${msg}`, 'Check the API URL and that the server is running.', details, e);
  }
}

export function timeoutError(ctx: HttpContext, timeoutMs: number): AppError {
  return err(
    'PREFECT_HTTP',
    `The Prefect server did not answer ${ctx.method} ${ctx.path} within ${Math.round(timeoutMs / 100) / 10} s.`,
    'The server may be overloaded (large tables make some endpoints slow) or unreachable; try again, or raise the request timeout.',
    { method: ctx.method, path: ctx.path, timeoutMs },
  );
}
