/**
 * The one path every request takes, whichever face it came through: parse the input with the
 * contract's zod schema, call the handler, wrap the outcome in the Result envelope. Errors become data
 * (code, message, hint); an unexpected error is logged with its stack and reported as INTERNAL.
 */
import { z } from 'zod';
import { requests, type Output, type ParsedInput, type RequestName } from '../../shared/contract';
import { AppError, toAppError, type AppErrorData } from '../../shared/errors';
import { err, ok, type Result } from '../../shared/result';
import { createLogger } from '../core/log/logger';

const log = createLogger('dispatch');

export type Handlers = { [N in RequestName]: (input: ParsedInput<N>) => Promise<Output<N>> };

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

export async function dispatch(handlers: Handlers, name: string, raw: unknown): Promise<Result<unknown>> {
  if (!isRequestName(name)) return err({ code: 'NOT_FOUND', message: `Unknown request "${name}".` });
  const spec = requests[name];
  const parsed = spec.input.safeParse(raw ?? {});
  if (!parsed.success) {
    return err(clipped({ code: 'VALIDATION', message: formatIssues(parsed.error), hint: 'Correct the highlighted fields and try again.' }));
  }
  const t0 = performance.now();
  try {
    const handler = handlers[name] as (input: unknown) => Promise<unknown>;
    const value = await handler(parsed.data);
    if (CHECK_OUTPUT) {
      const out = spec.output.safeParse(value);
      if (!out.success) {
        log.error(`${name} returned a value that does not match the contract: ${formatIssues(out.error)}`);
        return err({ code: 'INTERNAL', message: `Housekeeper returned an unexpected shape for ${name}.` });
      }
    }
    return ok(value);
  } catch (e) {
    const ae = toAppError(e);
    if (!(e instanceof AppError)) log.error(`${name} failed`, e);
    return err(clipped(ae.toData()));
  } finally {
    const ms = performance.now() - t0;
    if (ms > SLOW_MS) log.info(`${name} took ${Math.round(ms)} ms`);
  }
}
