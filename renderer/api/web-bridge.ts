/**
 * Local web mode transport. The token arrives once in the URL fragment (#token=...), which browsers
 * never send to a server or put in logs; we keep it in sessionStorage and strip it from the address
 * bar. Requests: POST /rpc/<name> with the token header. Events: a streamed response from
 * GET /events (fetch, not EventSource, so the token travels in a header, not in a URL).
 */
import type { Result } from '../../shared/result';
import type { EventName } from '../../shared/contract';
import type { Bridge } from './bridge';

const TOKEN_KEY = 'housekeeper.token';
export const TOKEN_HEADER = 'x-housekeeper-token';
/** Names a request so `requests.cancel` can reach it (main/transport/http.ts). */
export const REQUEST_ID_HEADER = 'x-housekeeper-request-id';

function readToken(): string {
  const m = /(?:^|[#&])token=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (m?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, m[1]);
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return m[1];
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export function webBridge(): Bridge {
  const token = readToken();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  let streaming = false;

  const startStream = async () => {
    if (streaming) return;
    streaming = true;
    for (;;) {
      try {
        const res = await fetch('/events', { headers: { [TOKEN_HEADER]: token } });
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
      try {
        const res = await fetch(`/rpc/${name}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token, ...(meta ? { [REQUEST_ID_HEADER]: meta.requestId } : {}) },
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
