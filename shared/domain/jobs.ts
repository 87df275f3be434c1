import { z } from 'zod';
import { AppErrorDataSchema } from '../errors';

export const JobStatusSchema = z.enum(['running', 'paused', 'succeeded', 'failed', 'cancelled', 'interrupted']);
export type JobStatus = z.infer<typeof JobStatusSchema>;

export const JobProgressSchema = z.object({
  jobId: z.string(),
  kind: z.string(),
  connectionId: z.string().nullable(),
  /** What the job does, in words an operator reads in the jobs tray ("Purge 2,017 stale runs on prod"). */
  title: z.string(),
  /** The route of the job's own page (hash segments, e.g. ['purge', 'run', planId]). */
  link: z.array(z.string()),
  status: JobStatusSchema,
  phase: z.string(),
  done: z.number(),
  total: z.number().nullable(),
  /** Items per second over the recent window. */
  rate: z.number().nullable(),
  etaSeconds: z.number().nullable(),
  message: z.string().nullable(),
  /**
   * Pause was asked for and the current unit of work (a batch) is still finishing; the status turns
   * 'paused' only once nothing runs, so "paused" always means no transaction is open.
   */
  pausing: z.boolean().optional(),
  startedAt: z.string(),
  updatedAt: z.string(),
});
export type JobProgress = z.infer<typeof JobProgressSchema>;

export const JobFinishedSchema = JobProgressSchema.extend({
  error: AppErrorDataSchema.nullable(),
  result: z.unknown().nullable(),
});
export type JobFinished = z.infer<typeof JobFinishedSchema>;

/**
 * A job as the jobs tray lists it: live ones from this process, and the journal's view of the rest
 * (run by another Housekeeper process, interrupted by a dead one, or recently finished).
 */
export const JobViewSchema = JobProgressSchema.extend({
  finishedAt: z.string().nullable(),
  error: AppErrorDataSchema.nullable(),
  /** Run by this process: pause, resume and cancel reach it. False: the window, `serve` or a CLI elsewhere. */
  here: z.boolean(),
  /** Stopped before its end (interrupted, failed, cancelled) and resumable from its journal. */
  resumable: z.boolean(),
});
export type JobView = z.infer<typeof JobViewSchema>;

/** Statuses of a job that has not ended: the tray keeps these until they do. */
export const OPEN_STATUSES: readonly JobStatus[] = ['running', 'paused', 'interrupted'];
