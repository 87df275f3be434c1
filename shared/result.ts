import { z } from 'zod';
import { AppErrorDataSchema, type AppErrorData } from './errors';

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppErrorData };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const err = (error: AppErrorData): Result<never> => ({ ok: false, error });

export const ResultEnvelopeSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: AppErrorDataSchema }),
]);
