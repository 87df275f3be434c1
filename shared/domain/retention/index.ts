/**
 * Retention: delete finished flow runs older than a period, with everything that belongs to them,
 * and old events, on purpose and online. The rules follow Prefect's own database vacuum
 * (prefect/server/services/db_vacuum.py, 3.6.19+): terminal top-level runs whose end_time is older
 * than the period; subflows go when they match too (Prefect's delete turns a deleted parent's
 * subflows into top-level runs, which its next pass then takes); logs and artifacts by flow_run_id,
 * with the artifact_collection "latest" pointers repaired (models/artifacts.py delete_artifact);
 * events and event_resources by `occurred`.
 */
import { z } from 'zod';
import { PrefectVacuumViewSchema } from './prefect-vacuum';

export * from './prefect-vacuum';

export const TERMINAL_STATE_TYPES = ['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED'] as const;
export const TerminalStateTypeSchema = z.enum(TERMINAL_STATE_TYPES);
export type TerminalStateType = z.infer<typeof TerminalStateTypeSchema>;

/** Prefect refuses a db_vacuum retention_period of an hour or less (settings/models/server/services.py). */
export const MIN_RETENTION_MS = 60 * 60 * 1000;

export const RetentionFilterSchema = z.object({
  /** Finished runs whose end_time is older than this (90d, P90D, or a time); frozen at plan time. */
  olderThan: z.string().trim().min(1).default('90d'),
  stateTypes: z.array(TerminalStateTypeSchema).min(1, 'Pick at least one finished state').default([...TERMINAL_STATE_TYPES]),
  /** Deployment names ("flow/deployment"), unique deployment names, or ids. Empty: every run. */
  deployments: z.array(z.string().trim().min(1)).default([]),
  /** Keep the newest N matching runs of each deployment (runs without a deployment are one group). */
  keepNewest: z.number().int().min(0).max(10_000).default(0),
  /** Also delete events and event_resources older than `eventsOlderThan` (default: the same period). */
  events: z.boolean().default(true),
  eventsOlderThan: z.string().trim().min(1).optional(),
  /** Also delete logs and artifacts whose flow run no longer exists (Prefect's "orphans" vacuum). */
  orphans: z.boolean().default(false),
});
export type RetentionFilter = z.infer<typeof RetentionFilterSchema>;
export type RetentionFilterInput = z.input<typeof RetentionFilterSchema>;

/** A row count in a plan: exact, or estimated with its 99 % margin (±rows). */
export const CountSchema = z.object({
  value: z.number(),
  exact: z.boolean(),
  margin: z.number().nullable(),
  /** How it was counted, when not exact ("sampled 2,000 runs", "planner statistics"). */
  how: z.string().nullable(),
});
export type Count = z.infer<typeof CountSchema>;

/** Rows each table loses. null: not part of this plan, or not countable (API). */
export const RetentionImpactSchema = z.object({
  flowRuns: CountSchema,
  /** Subflow runs that go with their parents (not included in flowRuns, which counts top-level runs). */
  subflowRuns: CountSchema.nullable(),
  flowRunStates: CountSchema.nullable(),
  taskRuns: CountSchema.nullable(),
  taskRunStates: CountSchema.nullable(),
  flowRunLogs: CountSchema.nullable(),
  taskRunLogs: CountSchema.nullable(),
  artifacts: CountSchema.nullable(),
  /** artifact_collection rows whose "latest" is one of those artifacts: repointed or removed. */
  artifactCollections: CountSchema.nullable(),
  flowRunInputs: CountSchema.nullable(),
  orphanLogs: CountSchema.nullable(),
  orphanArtifacts: CountSchema.nullable(),
  events: CountSchema.nullable(),
  eventResources: CountSchema.nullable(),
});
export type RetentionImpact = z.infer<typeof RetentionImpactSchema>;

export const RetentionExecutorSchema = z.enum(['sql', 'api']);
export type RetentionExecutor = z.infer<typeof RetentionExecutorSchema>;

export const IndexNoteSchema = z.object({
  table: z.string(),
  index: z.string(),
  present: z.boolean(),
  /** What Housekeeper does with or without it. */
  note: z.string(),
});
export type IndexNote = z.infer<typeof IndexNoteSchema>;

export const RetentionSampleRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  deployment: z.string(),
  stateType: z.string(),
  endTime: z.string().nullable(),
});
export type RetentionSampleRow = z.infer<typeof RetentionSampleRowSchema>;

export const RetentionPlanSchema = z.object({
  planId: z.string(),
  connectionId: z.string().nullable(),
  connectionName: z.string(),
  createdAt: z.string(),
  /** Frozen: runs that ended before it are in the plan. */
  cutoff: z.string(),
  cutoffGiven: z.string(),
  /** Frozen: events that occurred before it (null: events not part of this plan). */
  eventsCutoff: z.string().nullable(),
  filter: RetentionFilterSchema,
  executor: RetentionExecutorSchema,
  backend: z.enum(['postgres', 'sqlite', 'api']),
  /** The number to type to confirm (the run count, or its estimate). */
  confirmCount: z.number(),
  oldestEnd: z.string().nullable(),
  newestEnd: z.string().nullable(),
  byState: z.array(z.object({ stateType: z.string(), count: z.number() })),
  sample: z.array(RetentionSampleRowSchema),
  impact: RetentionImpactSchema,
  /** Rough bytes the deleted rows occupy (reusable after VACUUM; files shrink only after a rewrite). */
  bytesEstimate: z.number().nullable(),
  /** Matching runs kept by keepNewest. */
  kept: z.number(),
  prefect: PrefectVacuumViewSchema,
  indexes: z.array(IndexNoteSchema),
  /** Where this plan deletes more than Prefect's db_vacuum would. */
  beyondPrefect: z.array(z.string()),
  notes: z.array(z.string()),
  readOnly: z.boolean(),
});
export type RetentionPlan = z.infer<typeof RetentionPlanSchema>;

export const RetentionTotalsSchema = z.object({
  runs: z.number(),
  subflows: z.number(),
  flowRunStates: z.number(),
  taskRuns: z.number(),
  taskRunStates: z.number(),
  logs: z.number(),
  artifacts: z.number(),
  collectionsRepointed: z.number(),
  collectionsRemoved: z.number(),
  flowRunInputs: z.number(),
  orphanLogs: z.number(),
  orphanArtifacts: z.number(),
  events: z.number(),
  eventResources: z.number(),
  /** Planned runs that no longer matched when their batch came (changed meanwhile). */
  skipped: z.number(),
  /** Runs locked by someone else through every retry, left alone. */
  locked: z.number(),
  batches: z.number(),
});
export type RetentionTotals = z.infer<typeof RetentionTotalsSchema>;

export const ZERO_TOTALS: RetentionTotals = {
  runs: 0,
  subflows: 0,
  flowRunStates: 0,
  taskRuns: 0,
  taskRunStates: 0,
  logs: 0,
  artifacts: 0,
  collectionsRepointed: 0,
  collectionsRemoved: 0,
  flowRunInputs: 0,
  orphanLogs: 0,
  orphanArtifacts: 0,
  events: 0,
  eventResources: 0,
  skipped: 0,
  locked: 0,
  batches: 0,
};

export function addTotals(a: RetentionTotals, b: Partial<RetentionTotals>): RetentionTotals {
  const out = { ...a };
  for (const k of Object.keys(b) as (keyof RetentionTotals)[]) out[k] = (out[k] ?? 0) + (b[k] ?? 0);
  return out;
}

export const RETENTION_PHASES = ['runs', 'retry', 'orphan-logs', 'orphan-artifacts', 'event-resources', 'events', 'verify', 'done'] as const;
export const RetentionPhaseSchema = z.enum(RETENTION_PHASES);
export type RetentionPhase = z.infer<typeof RetentionPhaseSchema>;

export const RetentionOutcomeSchema = z.object({
  planId: z.string(),
  jobId: z.string(),
  totals: RetentionTotalsSchema,
  durationMs: z.number(),
  p99BatchMs: z.number().nullable(),
  /** Recount after the run: matching runs and events left (null: not countable). */
  remaining: z.object({ runs: z.number().nullable(), events: z.number().nullable() }),
  exportedTo: z.string().nullable(),
  executor: RetentionExecutorSchema,
});
export type RetentionOutcome = z.infer<typeof RetentionOutcomeSchema>;

/** Total rows deleted, every table together (the job's progress counter). */
export function rowsDeleted(t: RetentionTotals): number {
  return (
    t.runs + t.subflows + t.flowRunStates + t.taskRuns + t.taskRunStates + t.logs + t.artifacts + t.flowRunInputs +
    t.orphanLogs + t.orphanArtifacts + t.events + t.eventResources
  );
}
