/**
 * The health strip (issue #13 item 5): is the Prefect API answering, is the database, and when did
 * each last answer. Shown on every screen, so an admin never reads a stale "Prefect 3.9.1" while the
 * API is down or hung.
 */
import { z } from 'zod';

/** ok: answered in time; slow: answered, but late; down: no answer (refused, hung past the timeout);
 * auth: answered "who are you" (wrong password or key); error: answered something unusable; none: not configured. */
export const HealthStatusSchema = z.enum(['ok', 'slow', 'down', 'auth', 'error', 'none']);
export type HealthStatus = z.infer<typeof HealthStatusSchema>;

export const HealthPartSchema = z.object({
  status: HealthStatusSchema,
  /** "Prefect 3.9.1", "PostgreSQL 15.8", "SQLite 3.45.1"; null when not answering. */
  label: z.string().nullable(),
  latencyMs: z.number().nullable(),
  /** What went wrong, in words (null when ok). */
  message: z.string().nullable(),
  /** The last time this part answered well, in this Housekeeper process. */
  lastOkAt: z.string().nullable(),
});
export type HealthPart = z.infer<typeof HealthPartSchema>;

export const HealthSchema = z.object({
  connectionId: z.string(),
  checkedAt: z.string(),
  /** The timeout each part was given (the strip states it). */
  timeoutMs: z.number(),
  api: HealthPartSchema,
  database: HealthPartSchema,
});
export type Health = z.infer<typeof HealthSchema>;

/** How long one part may take before it counts as down (hung), and when an answer counts as slow. */
export const HEALTH_TIMEOUT_MS = 5_000;
export const HEALTH_SLOW_MS = 2_000;
