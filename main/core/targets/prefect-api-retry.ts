/**
 * Retry policy of the Prefect REST client, kept apart from the client so it can be tested without I/O.
 *
 * - 5xx and network errors are retried only for idempotent requests: GET/HEAD, and the read-only POSTs
 *   Prefect uses for queries (…/filter, …/count, …/paginate). A POST that creates or deletes could
 *   have taken effect before the connection dropped, so it is never replayed.
 * - 429 is retried for every request (the server refused it, so nothing happened), after the
 *   Retry-After delay (seconds or an HTTP date), bounded so a misbehaving proxy cannot park us forever.
 */
import { AppError } from '../../../shared/errors';

const IDEMPOTENT_POST_RE = /\/(filter|count|paginate)$/;

export function isIdempotent(method: string, path: string): boolean {
  const m = method.toUpperCase();
  if (m === 'GET' || m === 'HEAD' || m === 'OPTIONS') return true;
  return m === 'POST' && IDEMPOTENT_POST_RE.test(path.split('?')[0] ?? '');
}

export function isMutating(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}

/** Retry-After: delta-seconds or an HTTP date. Returns milliseconds, or null when absent/unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  if (Number.isNaN(t)) return null;
  return Math.max(0, t - now);
}

/** Exponential backoff with "equal jitter": half fixed, half random, so retries spread but still grow. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(exp / 2 + random() * (exp / 2));
}

/** Waits `ms`, or rejects with CANCELLED as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AppError('CANCELLED', 'The request was cancelled.'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new AppError('CANCELLED', 'The request was cancelled.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);
