/**
 * ============================== SECURITY-SENSITIVE ==============================
 * The local web mode's gatekeeping. `housekeeper serve` can delete runs on production servers, so a
 * request is served only if ALL hold:
 *   1. it arrived on the address we bound (127.0.0.1 by default),
 *   2. its Host header names that address (defeats DNS rebinding),
 *   3. an Origin header, when present, is our own origin (defeats cross-site requests),
 *   4. /rpc and /events carry the random per-session token (compared in constant time).
 * Static assets (the UI's HTML/JS/CSS) are public: they hold no data.
 * The token itself is never printed, logged or put on a command line (a browser started with a URL
 * shows it to every local user in `ps`, and keeps it in its history; issue #12, item 2). What `serve`
 * prints and opens is a one-time sign-in code in the URL fragment: the page exchanges it once at
 * POST /session for the token (kept in sessionStorage), and the code is dead from then on, or after
 * ten minutes unused.
 * Default deny. Change only with care.
 * ================================================================================
 */
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_HEADER = 'x-housekeeper-token';

export const WEB_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': WEB_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export function newToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}

const CODE_TTL_MS = 10 * 60_000;
const MAX_CODES = 16;

/** One-time sign-in codes: each redeemable once, within ten minutes, for the session token. */
export class SignInCodes {
  readonly #codes = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  mint(): string {
    const code = crypto.randomBytes(16).toString('base64url');
    this.#codes.set(code, this.now() + CODE_TTL_MS);
    // Oldest first out: a person pressing Enter many times never makes old codes pile up.
    while (this.#codes.size > MAX_CODES) this.#codes.delete(this.#codes.keys().next().value!);
    return code;
  }

  /** true exactly once per code minted, and only before it expires. */
  redeem(given: unknown): boolean {
    if (typeof given !== 'string' || given.length === 0 || given.length > 64) return false;
    const a = Buffer.from(given);
    let hit: string | null = null;
    for (const code of this.#codes.keys()) {
      const b = Buffer.from(code);
      if (a.length === b.length && crypto.timingSafeEqual(a, b)) hit = code;
    }
    if (hit === null) return false;
    const expires = this.#codes.get(hit)!;
    this.#codes.delete(hit);
    return expires > this.now();
  }
}

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]';
}

export interface GuardConfig {
  token: string;
  /** Host header values we accept, e.g. "127.0.0.1:4580", "localhost:4580". */
  allowedHosts: ReadonlySet<string>;
}

export function allowedHostsFor(bindHost: string, port: number): Set<string> {
  const hosts = new Set<string>([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  if (!isLoopback(bindHost) && bindHost !== '0.0.0.0' && bindHost !== '::') hosts.add(`${bindHost}:${port}`);
  return hosts;
}

export type GuardVerdict = { ok: true } | { ok: false; status: 401 | 403 | 421; reason: string };

export function checkHostAndOrigin(req: IncomingMessage, cfg: GuardConfig): GuardVerdict {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!cfg.allowedHosts.has(host)) return { ok: false, status: 421, reason: 'Unexpected Host header' };
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let originHost: string;
    try {
      const u = new URL(origin);
      if (u.protocol !== 'http:') return { ok: false, status: 403, reason: 'Cross-origin request refused' };
      originHost = u.host.toLowerCase();
    } catch {
      return { ok: false, status: 403, reason: 'Malformed Origin header' };
    }
    if (!cfg.allowedHosts.has(originHost)) return { ok: false, status: 403, reason: 'Cross-origin request refused' };
  } else if (origin === 'null') {
    return { ok: false, status: 403, reason: 'Opaque origin refused' };
  }
  return { ok: true };
}

export function checkToken(req: IncomingMessage, cfg: GuardConfig): GuardVerdict {
  const given = req.headers[TOKEN_HEADER];
  if (typeof given !== 'string' || given.length === 0) return { ok: false, status: 401, reason: 'Missing session token' };
  if (given.length > 256) return { ok: false, status: 401, reason: 'Invalid session token' };
  const a = Buffer.from(given);
  const b = Buffer.from(cfg.token);
  if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) return { ok: false, status: 401, reason: 'Invalid session token' };
  return { ok: true };
}
