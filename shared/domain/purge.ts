/**
 * Purge: delete stale scheduled runs exactly as Prefect defines them (models/deployments.py
 * `_delete_scheduled_runs`): state type SCHEDULED, state name Scheduled or Late (never
 * AwaitingRetry, AwaitingConcurrencySlot or Resuming, which belong to runs that already started),
 * run_count = 0, and a scheduled start older than a cutoff. Created by a schedule unless asked.
 */
import { z } from 'zod';
import { cutoffSyntaxError } from './cutoff';

export const PURGEABLE_STATE_NAMES = ['Scheduled', 'Late'] as const;
export const PurgeStateNameSchema = z.enum(PURGEABLE_STATE_NAMES);
export type PurgeStateName = z.infer<typeof PurgeStateNameSchema>;

export const PurgeFilterSchema = z.object({
  /** A duration ago (30m, 2h, PT30M) or an absolute time; resolved and frozen at plan time. */
  olderThan: z
    .string()
    .trim()
    .min(1)
    .superRefine((v, ctx) => {
      const why = cutoffSyntaxError(v);
      if (why) ctx.addIssue({ code: 'custom', message: why });
    })
    .default('30m'),
  /** Deployment names ("flow/deployment", or a unique deployment name) or ids. Empty: all. */
  deployments: z.array(z.string().trim().min(1)).default([]),
  workPools: z.array(z.string().trim().min(1)).default([]),
  workQueues: z.array(z.string().trim().min(1)).default([]),
  /** Runs must carry all of these tags. */
  tags: z.array(z.string().trim().min(1)).default([]),
  stateNames: z.array(PurgeStateNameSchema).min(1, 'Pick at least one state: Scheduled or Late').default(['Scheduled', 'Late']),
  /** By default only runs the scheduler created (auto_scheduled); manual runs only when asked. */
  includeManual: z.boolean().default(false),
  /** Keep the newest N matching runs of each deployment. */
  keepNewest: z.number().int().min(0).max(100_000).default(0),
});
export type PurgeFilter = z.infer<typeof PurgeFilterSchema>;
export type PurgeFilterInput = z.input<typeof PurgeFilterSchema>;

/** Rows the delete touches per table. null: not countable through the Prefect API (no database access). */
export const PurgeImpactSchema = z.object({
  flowRuns: z.number(),
  flowRunStates: z.number().nullable(),
  taskRuns: z.number().nullable(),
  taskRunStates: z.number().nullable(),
  logs: z.number().nullable(),
  artifacts: z.number().nullable(),
  flowRunInputs: z.number().nullable(),
});
export type PurgeImpact = z.infer<typeof PurgeImpactSchema>;

export const PurgeDeploymentGroupSchema = z.object({
  deploymentId: z.string().nullable(),
  /** "flow/deployment", or a note when the deployment no longer exists. */
  name: z.string(),
  exists: z.boolean(),
  count: z.number(),
  late: z.number(),
  oldest: z.string().nullable(),
  newest: z.string().nullable(),
});
export type PurgeDeploymentGroup = z.infer<typeof PurgeDeploymentGroupSchema>;

export const PurgeSampleRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  deployment: z.string(),
  stateName: z.string(),
  scheduledStart: z.string().nullable(),
  autoScheduled: z.boolean(),
  workQueue: z.string().nullable(),
});
export type PurgeSampleRow = z.infer<typeof PurgeSampleRowSchema>;

export const PurgeExecutorSchema = z.enum(['sql', 'api']);
export type PurgeExecutor = z.infer<typeof PurgeExecutorSchema>;

export const PurgePlanSchema = z.object({
  planId: z.string(),
  connectionId: z.string().nullable(),
  connectionName: z.string(),
  createdAt: z.string(),
  /** The frozen cutoff: only runs scheduled before it are in the plan. */
  cutoff: z.string(),
  cutoffGiven: z.string(),
  filter: PurgeFilterSchema,
  executor: PurgeExecutorSchema,
  count: z.number(),
  oldest: z.string().nullable(),
  newest: z.string().nullable(),
  byDeployment: z.array(PurgeDeploymentGroupSchema),
  sample: z.array(PurgeSampleRowSchema),
  impact: PurgeImpactSchema,
  /** Estimated bytes the delete frees for reuse (heap + index + TOAST share); null when unknown. */
  bytesEstimate: z.number().nullable(),
  /** Runs matching the filter but kept by keepNewest. */
  kept: z.number(),
  notes: z.array(z.string()),
  readOnly: z.boolean(),
});
export type PurgePlan = z.infer<typeof PurgePlanSchema>;

export const PurgeOutcomeSchema = z.object({
  planId: z.string(),
  jobId: z.string(),
  planned: z.number(),
  deleted: z.number(),
  /** Planned runs that no longer matched at delete time (picked up by a worker, already gone...). */
  skipped: z.number(),
  /** Planned runs a worker held locked until the end; left alone. */
  busy: z.number(),
  deletedLogs: z.number(),
  deletedArtifacts: z.number(),
  batches: z.number(),
  p99BatchMs: z.number().nullable(),
  /** Time spent inside delete batches; the rest of durationMs is planning-free bookkeeping and the recount. */
  batchMsTotal: z.number(),
  durationMs: z.number(),
  /** Recount after the delete: runs that still match the plan's filter and cutoff. */
  remaining: z.number().nullable(),
  exportedTo: z.string().nullable(),
});
export type PurgeOutcome = z.infer<typeof PurgeOutcomeSchema>;
