/**
 * Local web mode transport. `housekeeper serve` opens the page with a one-time sign-in code in the URL
 * fragment (#code=...; fragments are never sent to a server). The page trades it once at POST /session
 * for the session token, keeps the token in sessionStorage (this tab only) and strips the code from
 * the address bar; the code is dead from then on, so the link left in the browser's arguments or
 * history opens nothing. Scripts that hold the token itself may pass #token=... instead.
 * Requests: POST /rpc/<name> with the token header. Events: a streamed response from GET /events
 * (fetch, not EventSource, so the token travels in a header, not in a URL).
 */
import type { Result } from '../../shared/result';
import type { AppErrorData } from '../../shared/errors';
import type { EventName } from '../../shared/contract';
import type { Bridge } from './bridge';

const TOKEN_KEY = 'housekeeper.token';
export const TOKEN_HEADER = 'x-housekeeper-token';
/** Names a request so `requests.cancel` can reach it (main/transport/http.ts). */
export const REQUEST_ID_HEADER = 'x-housekeeper-request-id';

type Session = { ok: true; token: string } | { ok: false; error: AppErrorData };

async function exchange(code: string): Promise<Session> {
  try {
    const res = await fetch('/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
    const body = (await res.json()) as Result<{ token: string }>;
    if (!body.ok) return { ok: false, error: body.error };
    sessionStorage.setItem(TOKEN_KEY, body.value.token);
    return { ok: true, token: body.value.token };
  } catch (e) {
    return { ok: false, error: { code: 'INTERNAL', message: 'Housekeeper is not answering.', hint: 'Is `housekeeper serve` still running?', details: { cause: String(e) } } };
  }
}

/** Takes the code (or token) out of the URL at once, before the hash router reads it. */
function startSession(): Promise<Session> {
  const hash = window.location.hash;
  const code = /(?:^|[#&])code=([A-Za-z0-9_-]+)/.exec(hash)?.[1];
  const token = /(?:^|[#&])token=([A-Za-z0-9_-]+)/.exec(hash)?.[1];
  if (code || token) history.replaceState(null, '', window.location.pathname + window.location.search);
  if (token) {
    sessionStorage.setItem(TOKEN_KEY, token);
    return Promise.resolve({ ok: true, token });
  }
  const stored = sessionStorage.getItem(TOKEN_KEY);
  if (code) {
    // A reload of a used link in a tab that already has a session keeps that session.
    return exchange(code).then((s) => (s.ok || !stored ? s : { ok: true, token: stored }));
  }
  if (stored) return Promise.resolve({ ok: true, token: stored });
  return Promise.resolve({
    ok: false,
    error: {
      code: 'FORBIDDEN',
      message: 'This page has no session.',
      hint: 'Open the sign-in link `housekeeper serve` printed, or press Enter in its terminal for a new one.',
    },
  });
}

export function webBridge(): Bridge {
  const session = startSession();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  let streaming = false;

  const startStream = async () => {
    if (streaming) return;
    streaming = true;
    const s = await session;
    if (!s.ok) return;
    for (;;) {
      try {
        const res = await fetch('/events', { headers: { [TOKEN_HEADER]: s.token } });
        if (!res.ok || !res.body) throw new Error(`events ${res.status}`);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (!line) continue;
            const msg = JSON.parse(line) as { event: string; payload: unknown };
            listeners.get(msg.event)?.forEach((l) => l(msg.payload));
          }
        }
      } catch {
        // The server went away or restarted: retry after a pause so the UI recovers by itself.
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  };

  return {
    face: 'web',
    async invoke(name, input, meta) {
      const s = await session;
      if (!s.ok) return { ok: false, error: s.error };
      try {
        const res = await fetch(`/rpc/${name}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [TOKEN_HEADER]: s.token, ...(meta ? { [REQUEST_ID_HEADER]: meta.requestId } : {}) },
          body: JSON.stringify(input ?? {}),
          ...(meta?.signal ? { signal: meta.signal } : {}),
        });
        return (await res.json()) as Result<unknown>;
      } catch (e) {
        if (meta?.signal?.aborted) return { ok: false, error: { code: 'CANCELLED', message: 'Cancelled.' } };
        return {
          ok: false,
          error: {
            code: 'INTERNAL',
            message: 'Housekeeper is not answering.',
            hint: 'Is `housekeeper serve` still running? Restart it and reload this page.',
            details: { cause: String(e) },
          },
        };
      }
    },
    subscribe(event: EventName, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      void startStream();
      return () => set.delete(listener);
    },
  };
}
