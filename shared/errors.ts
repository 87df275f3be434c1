/**
 * Errors cross every boundary (IPC, HTTP, CLI --json) as data: a closed set of codes a program can
 * branch on, and a message a person can act on. The message names the problem; `hint` names the fix.
 */
import { z } from 'zod';

export const ERROR_CODES = [
  'VALIDATION',
  'FORBIDDEN',
  'NOT_FOUND',
  'PG_CONNECT',
  'PG_PERMISSION',
  'PG_QUERY',
  'SQLITE',
  'PREFECT_HTTP',
  'PREFECT_VERSION',
  'CANCELLED',
  /** A request passed its stated timeout (shared/timeouts.ts) and was cancelled. */
  'TIMEOUT',
  'CONFLICT',
  /** A saved secret cannot be used for this destination: it must be entered again (issue #12). */
  'SECRET_REQUIRED',
  'STORE',
  'INTERNAL',
] as const;

export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const AppErrorDataSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  hint: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type AppErrorData = z.infer<typeof AppErrorDataSchema>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, opts: { hint?: string; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.hint = opts.hint;
    this.details = opts.details;
  }

  toData(): AppErrorData {
    const data: AppErrorData = { code: this.code, message: this.message };
    if (this.hint !== undefined) data.hint = this.hint;
    if (this.details !== undefined) data.details = this.details;
    return data;
  }

  static fromData(data: AppErrorData): AppError {
    return new AppError(data.code, data.message, { hint: data.hint, details: data.details });
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** Anything thrown becomes an AppError; unknown errors become INTERNAL without leaking internals. */
export function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new AppError('INTERNAL', message || 'Unexpected error', { cause: e });
}

/** One line for a person: message, then the fix. */
export function describeError(e: AppErrorData): string {
  return e.hint ? `${e.message} ${e.hint}` : e.message;
}
