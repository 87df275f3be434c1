/**
 * The transport under the renderer's API client. In the Electron window the preload exposes
 * `window.housekeeper` (one method per contract request); in local web mode (`housekeeper serve`)
 * requests go over HTTP to 127.0.0.1 with the session token. Both return the same Result envelope.
 */
import type { Result } from '../../shared/result';
import type { EventName, RequestName } from '../../shared/contract';

/** Per call: an id main can cancel by (`requests.cancel`), and the caller's abort (web: the fetch stops). */
export interface InvokeMeta {
  requestId: string;
  signal?: AbortSignal;
}

export interface Bridge {
  invoke(name: RequestName, input: unknown, meta?: InvokeMeta): Promise<Result<unknown>>;
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
  readonly face: 'electron' | 'web';
}

export interface PreloadApi {
  invoke: Record<string, (input: unknown, meta?: { requestId?: string }) => Promise<Result<unknown>>>;
  on: (event: string, listener: (payload: unknown) => void) => () => void;
}

declare global {
  interface Window {
    housekeeper?: PreloadApi;
  }
}

export function electronBridge(api: PreloadApi): Bridge {
  return {
    face: 'electron',
    invoke: (name, input, meta) => {
      const fn = api.invoke[name];
      if (!fn) return Promise.resolve({ ok: false, error: { code: 'INTERNAL', message: `Unknown request ${name}` } });
      return fn(input, meta ? { requestId: meta.requestId } : undefined);
    },
    subscribe: (event, listener) => api.on(event, listener),
  };
}
