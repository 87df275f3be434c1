/**
 * The one path every request takes, whichever face it came through: parse the input with the
 * contract's zod schema, call the handler, wrap the outcome in the Result envelope. Errors become data
 * (code, message, hint); an unexpected error is logged with its stack and reported as INTERNAL.
 */
import { z } from 'zod';
import { requests, type Output, type ParsedInput, type RequestName } from '../../shared/contract';
import { AppError, toAppError, type AppErrorData } from '../../shared/errors';
import { err, ok, type Result } from '../../shared/result';
import { requestTimeoutMs } from '../../shared/timeouts';
import { createLogger } from '../core/log/logger';

const log = createLogger('dispatch');

/** What every handler gets besides its input: a signal that aborts on cancel or on the request's timeout. */
export interface RequestContext {
  signal: AbortSignal;
}

/** `ctx` is always given by dispatch; tests may call a handler without it. */
export type Handlers = { [N in RequestName]: (input: ParsedInput<N>, ctx?: RequestContext) => Promise<Output<N>> };

/** How a face hands a request over: the caller's own cancel, and an id `requests.cancel` can name. */
export interface DispatchOptions {
  signal?: AbortSignal;
  requestId?: string;
  /** Tests only: a shorter limit than the request's stated one. */
  timeoutMs?: number;
}

/** Requests in flight by id, so `requests.cancel` (from any face) can reach them. */
const inFlight = new Map<string, AbortController>();

/** Cancels a request in flight (the renderer's Cancel button); false when it already ended. */
export function cancelRequest(requestId: string): boolean {
  const c = inFlight.get(requestId);
  if (!c) return false;
  c.abort(new AppError('CANCELLED', 'Cancelled by the user.'));
  return true;
}

/** Output checking catches drift between handler and contract; on in tests and development. */
const CHECK_OUTPUT = process.env.NODE_ENV !== 'production';
const SLOW_MS = 2000;

export function isRequestName(name: string): name is RequestName {
  return Object.prototype.hasOwnProperty.call(requests, name);
}

export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

const MAX_MESSAGE = 500;

/** A message that echoes a 100,000-character input stays readable (issue #12). */
function clipped(e: AppErrorData): AppErrorData {
  return e.message.length > MAX_MESSAGE ? { ...e, message: `${e.message.slice(0, MAX_MESSAGE)}… (cut)` } : e;
}

export async function dispatch(handlers: Handlers, name: string, raw: unknown, opts: DispatchOptions = {}): Promise<Result<unknown>> {
  if (!isRequestName(name)) return err({ code: 'NOT_FOUND', message: `Unknown request "${name}".` });
  const spec = requests[name];
  const parsed = spec.input.safeParse(raw ?? {});
  if (!parsed.success) {
    return err(clipped({ code: 'VALIDATION', message: formatIssues(parsed.error), hint: 'Correct the highlighted fields and try again.' }));
  }
  const t0 = performance.now();
  // One stated timeout per request; the renderer shows the same number while it waits.
  const timeoutMs = opts.timeoutMs ?? requestTimeoutMs(name);
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new AppError('TIMEOUT', `No answer within ${timeoutMs / 1000} s, the limit for this request; Housekeeper cancelled it.`, { hint: 'The server may be hung or overloaded: the health strip at the top says which part. Try again once it answers.' })),
    timeoutMs,
  );
  timer.unref?.();
  const onOuterAbort = () => controller.abort(new AppError('CANCELLED', 'Cancelled by the user.'));
  if (opts.signal?.aborted) onOuterAbort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (opts.requestId) inFlight.set(opts.requestId, controller);
  try {
    const handler = handlers[name] as (input: unknown, ctx: RequestContext) => Promise<unknown>;
    // The handler passes the signal on to Postgres and fetch; the race answers at the deadline even
    // where a piece of work cannot be interrupted.
    const aborted = new Promise<never>((_, reject) => {
      const fail = () => reject(controller.signal.reason instanceof AppError ? controller.signal.reason : new AppError('CANCELLED', 'Cancelled.'));
      if (controller.signal.aborted) fail();
      else controller.signal.addEventListener('abort', fail, { once: true });
    });
    const work = handler(parsed.data, { signal: controller.signal });
    work.catch(() => undefined); // a late failure after the deadline is not unhandled
    const value = await Promise.race([work, aborted]);
    if (CHECK_OUTPUT) {
      const out = spec.output.safeParse(value);
      if (!out.success) {
        log.error(`${name} returned a value that does not match the contract: ${formatIssues(out.error)}`);
        return err({ code: 'INTERNAL', message: `Housekeeper returned an unexpected shape for ${name}.` });
      }
    }
    return ok(value);
  } catch (e) {
    // Work that failed because it was aborted reports why it was aborted (timeout or cancel).
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : null;
    const ae = reason instanceof AppError ? reason : toAppError(e);
    if (!(e instanceof AppError) && !controller.signal.aborted) log.error(`${name} failed`, e);
    return err(clipped(ae.toData()));
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onOuterAbort);
    if (opts.requestId) inFlight.delete(opts.requestId);
    const ms = performance.now() - t0;
    if (ms > SLOW_MS) log.info(`${name} took ${Math.round(ms)} ms`);
  }
}
