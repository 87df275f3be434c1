/**
 * CSRF tokens for Prefect servers started with PREFECT_SERVER_API_CSRF_PROTECTION_ENABLED=true.
 *
 * Such a server answers every POST/PUT/PATCH/DELETE without `Prefect-Csrf-Token` and
 * `Prefect-Csrf-Client` headers with 403 "Missing CSRF token." (src/prefect/server/api/middleware.py
 * `CsrfMiddleware`); even read-only POST …/filter needs them. A token is bound to a client id and
 * expires (default 1 h, `server.api.csrf_token_expiration`). Like the Python client
 * (src/prefect/client/base.py `_add_csrf_headers`) we fetch one with `GET /csrf-token?client=<id>`,
 * refresh it shortly before it expires, and stop trying when the server says protection is off (422).
 *
 * We fetch lazily, on the first 403, so servers without CSRF protection (the default) cost nothing.
 */

export interface CsrfToken {
  token: string;
  expiresAt: number;
}

/** Fetches a token for `clientId`; returns null when the server has CSRF protection disabled. */
export type CsrfFetcher = (clientId: string, signal?: AbortSignal) => Promise<CsrfToken | null>;

const REFRESH_MARGIN_MS = 60_000;

export function isCsrfRejection(status: number, body: string): boolean {
  return status === 403 && /csrf|client identifier/i.test(body);
}

export class CsrfTokens {
  readonly clientId: string;
  private current: CsrfToken | null = null;
  private disabled = false;
  private inFlight: Promise<void> | null = null;

  constructor(
    clientId: string,
    private readonly fetcher: CsrfFetcher,
    private readonly now: () => number = Date.now,
  ) {
    this.clientId = clientId;
  }

  /** Whether requests should carry CSRF headers (a token was needed once). */
  get active(): boolean {
    return this.current !== null && !this.disabled;
  }

  /** Fetches a new token (concurrent callers share one request). */
  async refresh(signal?: AbortSignal): Promise<void> {
    this.inFlight ??= this.fetcher(this.clientId, signal)
      .then((t) => {
        if (t === null) this.disabled = true;
        this.current = t;
      })
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }

  /** Headers for a mutating request: refreshed first when the token is about to expire. */
  async headers(signal?: AbortSignal): Promise<Record<string, string>> {
    if (!this.active) return {};
    if (this.current && this.current.expiresAt - this.now() < REFRESH_MARGIN_MS) await this.refresh(signal);
    if (!this.current) return {};
    return { 'Prefect-Csrf-Token': this.current.token, 'Prefect-Csrf-Client': this.clientId };
  }
}
