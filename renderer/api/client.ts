/**
 * The renderer's only way to reach main. Typed from shared/contract.ts; errors come back as
 * ClientError with the contract's codes so screens can branch on them.
 */
import type { EventName, EventPayload, Input, Output, RequestName } from '../../shared/contract';
import type { AppErrorData, ErrorCode } from '../../shared/errors';
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

export async function call<N extends RequestName>(name: N, input: Input<N>): Promise<Output<N>> {
  const r = await getBridge().invoke(name, input);
  if (!r.ok) throw new ClientError(r.error);
  return r.value as Output<N>;
}

export function on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
  return getBridge().subscribe(event, listener as (p: unknown) => void);
}

export function face(): 'electron' | 'web' {
  return getBridge().face;
}
