import { z } from 'zod';
import { AppErrorDataSchema } from '../errors';

export const JobStatusSchema = z.enum(['running', 'paused', 'succeeded', 'failed', 'cancelled', 'interrupted']);
export type JobStatus = z.infer<typeof JobStatusSchema>;

export const JobProgressSchema = z.object({
  jobId: z.string(),
  kind: z.string(),
  connectionId: z.string().nullable(),
  status: JobStatusSchema,
  phase: z.string(),
  done: z.number(),
  total: z.number().nullable(),
  /** Items per second over the recent window. */
  rate: z.number().nullable(),
  etaSeconds: z.number().nullable(),
  message: z.string().nullable(),
  startedAt: z.string(),
  updatedAt: z.string(),
});
export type JobProgress = z.infer<typeof JobProgressSchema>;

export const JobFinishedSchema = JobProgressSchema.extend({
  error: AppErrorDataSchema.nullable(),
  result: z.unknown().nullable(),
});
export type JobFinished = z.infer<typeof JobFinishedSchema>;
