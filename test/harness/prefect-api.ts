/**
 * A deliberately tiny fetch wrapper for the harness's own seeding and assertions.
 * It is NOT the app's Prefect client (main/core/targets has that, with retries, paging and error
 * mapping); keeping them separate means a bug in the app's client cannot hide itself by also
 * breaking the seed data the tests compare against.
 */
export interface HarnessApi {
  readonly apiUrl: string;
  get<T = unknown>(path: string): Promise<T>;
  post<T = unknown>(path: string, body?: unknown): Promise<T>;
  patch<T = unknown>(path: string, body?: unknown): Promise<T>;
  del<T = unknown>(path: string): Promise<T>;
  /** Raw request that never throws on status (for asserting 401s and the like). */
  raw(method: string, path: string, body?: unknown, opts?: { auth?: boolean; retryOnClose?: boolean }): Promise<Response>;
}

export class PrefectHttpError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${url} -> ${status}: ${body.slice(0, 2000)}`);
    this.name = 'PrefectHttpError';
  }
}

/** `authString` is Prefect's `user:password` (PREFECT_SERVER_API_AUTH_STRING), sent as HTTP Basic. */
export function prefectApi(apiUrl: string, authString?: string): HarnessApi {
  const base = apiUrl.replace(/\/+$/, '');
  const authHeader = authString ? `Basic ${Buffer.from(authString).toString('base64')}` : undefined;

  const raw = async (method: string, path: string, body?: unknown, opts: { auth?: boolean; retryOnClose?: boolean } = {}): Promise<Response> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (authHeader && opts.auth !== false) headers.authorization = authHeader;
    const send = () =>
      fetch(`${base}${path.startsWith('/') ? path : `/${path}`}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
    try {
      return await send();
    } catch (err) {
      // uvicorn closes idle keep-alive connections after 5 s and a request can race that close
      // ("other side closed"); a read is safe to send once more, and so is a write whose caller
      // says it is an upsert (the seeding helpers below; a CI run lost a work pool's POST this way).
      if ((method !== 'GET' && !opts.retryOnClose) || (err as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET') throw err;
      return send();
    }
  };

  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let res = await raw(method, path, body, { retryOnClose: true });
    // A busy SQLite-backed server answers 503 ("database is locked") now and then, as Prefect's own
    // client knows (it retries 502/503 too); every seeding call here is an upsert, so retry. A read
    // is also retried after a 500: an overloaded server times out on its database pool that way.
    const retryable = (s: number) => s === 503 || s === 502 || (method === 'GET' && s === 500);
    for (let attempt = 1; retryable(res.status) && attempt <= 5; attempt++) {
      await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
      res = await raw(method, path, body, { retryOnClose: true });
    }
    const text = await res.text();
    if (!res.ok) throw new PrefectHttpError(method, `${base}${path}`, res.status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  };

  return {
    apiUrl: base,
    get: (p) => call('GET', p),
    post: (p, b) => call('POST', p, b ?? {}),
    patch: (p, b) => call('PATCH', p, b ?? {}),
    del: (p) => call('DELETE', p),
    raw,
  };
}
