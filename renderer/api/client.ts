/**
 * The renderer's only way to reach main. Typed from shared/contract.ts; errors come back as
 * ClientError with the contract's codes so screens can branch on them. Every call has its one stated
 * timeout (shared/timeouts.ts, which main enforces) and can be cancelled: the caller's signal stops
 * the wait at once and tells main (`requests.cancel`), which cancels the work behind it.
 */
import type { EventName, EventPayload, Input, Output, RequestName } from '../../shared/contract';
import type { AppErrorData, ErrorCode } from '../../shared/errors';
import { requestTimeoutMs } from '../../shared/timeouts';
import { electronBridge, type Bridge } from './bridge';
import { webBridge } from './web-bridge';

export class ClientError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  constructor(data: AppErrorData) {
    super(data.message);
    this.code = data.code;
    this.hint = data.hint;
    this.details = data.details;
  }
}

let bridge: Bridge | null = null;
function getBridge(): Bridge {
  if (!bridge) bridge = window.housekeeper ? electronBridge(window.housekeeper) : webBridge();
  return bridge;
}

/** Main answers by the stated timeout; this much later the window stops waiting by itself (main is gone). */
const CLIENT_GRACE_MS = 5_000;
let seq = 0;

export interface CallOptions {
  /** Aborting stops waiting at once and cancels the request in main. */
  signal?: AbortSignal;
}

export async function call<N extends RequestName>(name: N, input: Input<N>, opts: CallOptions = {}): Promise<Output<N>> {
  const bridge = getBridge();
  const requestId = `${Date.now().toString(36)}-${(++seq).toString(36)}`;
  const limitMs = requestTimeoutMs(name);
  const local = new AbortController();
  let why: 'cancel' | 'timeout' | null = null;
  const stop = (reason: 'cancel' | 'timeout') => {
    if (why) return;
    why = reason;
    local.abort();
    if (reason === 'cancel') void bridge.invoke('requests.cancel', { requestId }).catch(() => undefined);
  };
  const timer = setTimeout(() => stop('timeout'), limitMs + CLIENT_GRACE_MS);
  const onAbort = () => stop('cancel');
  try {
    const stopped = new Promise<never>((_, reject) =>
      local.signal.addEventListener('abort', () =>
        reject(
          why === 'cancel'
            ? new ClientError({ code: 'CANCELLED', message: 'Cancelled. Housekeeper stopped the request.' })
            : new ClientError({ code: 'TIMEOUT', message: `Housekeeper did not answer within ${Math.round(limitMs / 1000)} s.`, hint: 'Is the window or `housekeeper serve` still running? Reload to reconnect.' }),
        ),
      ),
    );
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const r = await Promise.race([bridge.invoke(name, input, { requestId, signal: local.signal }), stopped]);
    if (!r.ok) throw new ClientError(r.error);
    return r.value as Output<N>;
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

export function on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
  return getBridge().subscribe(event, listener as (p: unknown) => void);
}

export function face(): 'electron' | 'web' {
  return getBridge().face;
}
