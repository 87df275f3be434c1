/**
 * What an older Prefect server cannot do the way the newest one does, said once and typed, so every
 * feature reports it the same way: in its JSON (`degraded`), in the CLI and in the UI (as a note).
 * The capability probe lives in main/core/targets/capabilities.ts; this is only the shape.
 */
import { z } from 'zod';

/** Every way Housekeeper works around an older server. Each id has one reason text (main side). */
export const DEGRADED_FEATURES = [
  /** Prefect < 3.2.2 does not record which schedule made a run: held runs are matched to schedules by their times. */
  'schedules.run-attribution',
  /** FlowRunFilter.created_by (3.6.13): runs are filtered by schedule client-side, from a listing. */
  'schedules.created-by-filter',
  /** Schedule slug and parameter overrides exist from Prefect 3.2. */
  'schedules.slug-parameters',
  /** Before 3.3.4 any change to a deployment or schedule also deletes its never-started past-due runs. */
  'schedules.update-deletes-backlog',
  /** Before 3.6.19 the scheduler selects whole deployments, not single schedules. */
  'schedules.scheduler-selection',
  /** 3.1.13 to 3.6.6 ignore the scheduler's loop_seconds: its main loop runs every 60 s. */
  'schedules.scheduler-loop',
  /** POST /flow_runs/bulk_delete (3.6.16): the API purge deletes one run per call. */
  'purge.bulk-delete',
  /** Runs of deleted schedules cannot be counted through the API (needs created_by). */
  'inspect.schedule-gone',
] as const;
export type DegradedFeature = (typeof DEGRADED_FEATURES)[number];

export const DegradationSchema = z.object({
  feature: z.enum(DEGRADED_FEATURES),
  /** One sentence for a person: what is different and why (which Prefect release changed it). */
  reason: z.string(),
});
export type Degradation = z.infer<typeof DegradationSchema>;
