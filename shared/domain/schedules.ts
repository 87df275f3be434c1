/**
 * Schedules as they cross the contract: the list (schedules beside the runs the server holds, load
 * and flags), the scheduler simulation, change plans (recreate from now, pause, resume, restore, the
 * backlog reset) and their outcomes. Times are ISO 8601 with the schedule's offset.
 */
import { z } from 'zod';
import { DegradationSchema } from './compat';
import { PurgePlanSchema } from './purge';

export const ScheduleKindSchema = z.enum(['interval', 'cron', 'rrule']);
export type ScheduleKindName = z.infer<typeof ScheduleKindSchema>;

export const FlagSeveritySchema = z.enum(['info', 'warn', 'danger']);
export type FlagSeverity = z.infer<typeof FlagSeveritySchema>;

export const FLAG_CODES = [
  'anchor-far-past',
  'dtstart-far-past',
  'rrule-no-dtstart',
  'sub-minute',
  'over-kept',
  'off-lattice',
  'left-behind',
  'orphaned-runs',
  'paused-backlog',
  'late-backlog',
  'multi-schedule',
  'inactive',
  'unpredictable',
] as const;
export const FlagCodeSchema = z.enum(FLAG_CODES);
export type FlagCode = z.infer<typeof FlagCodeSchema>;

export const ScheduleFlagSchema = z.object({ code: FlagCodeSchema, severity: FlagSeveritySchema, message: z.string() });
export type ScheduleFlag = z.infer<typeof ScheduleFlagSchema>;

export const SchedulerSettingsSchema = z.object({
  enabled: z.boolean(),
  loopSeconds: z.number().positive(),
  deploymentBatchSize: z.number().int().min(1),
  maxRuns: z.number().int().min(0),
  minRuns: z.number().int().min(0),
  maxScheduledTime: z.number().min(0),
  minScheduledTime: z.number().min(0),
  insertBatchSize: z.number().int().min(1),
  recentDeploymentsLoopSeconds: z.number().positive(),
});

export const SettingsSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('live') }).strict(),
  z.object({ kind: z.literal('profile'), profile: z.string().trim().min(1) }).strict(),
  z.object({ kind: z.literal('defaults') }).strict(),
]);
export type SettingsSource = z.infer<typeof SettingsSourceSchema>;

export const SettingsViewSchema = z.object({
  settings: SchedulerSettingsSchema,
  /** "live server", "profile prod", "Prefect defaults"... */
  source: z.string(),
  /** Keys the source set (the rest are Prefect's defaults). */
  given: z.array(z.string()),
  notes: z.array(z.string()),
});
export type SettingsView = z.infer<typeof SettingsViewSchema>;

/** A stored schedule, exactly as Prefect keeps it (what restore writes back). */
export const StoredScheduleSchema = z.object({
  id: z.string(),
  schedule: z.record(z.string(), z.unknown()),
  active: z.boolean(),
  parameters: z.record(z.string(), z.unknown()),
  slug: z.string().nullable(),
  maxScheduledRuns: z.number().nullable(),
});
export type StoredSchedule = z.infer<typeof StoredScheduleSchema>;

export const HeldRunsSchema = z.object({
  /** Future SCHEDULED runs this schedule created (what the scheduler counts). */
  future: z.number(),
  /** The first few of them. */
  next: z.array(z.string()),
  /** Held future runs that are not on this schedule's lattice. */
  offLattice: z.number(),
  /** The latest one (how far ahead the scheduler has filled). */
  last: z.string().nullable(),
});

export const ScheduleRowSchema = z.object({
  id: z.string(),
  kind: ScheduleKindSchema.nullable(),
  description: z.string(),
  timezone: z.string().nullable(),
  /** Interval anchor or rrule DTSTART (wall time in the schedule's zone); null for cron. */
  anchor: z.string().nullable(),
  active: z.boolean(),
  slug: z.string().nullable(),
  parameters: z.record(z.string(), z.unknown()),
  stored: StoredScheduleSchema,
  /** Computed here, from the stored schedule. */
  nextRuns: z.array(z.string()),
  held: HeldRunsSchema,
  runsPerHour: z.number().nullable(),
  /** Runs one scheduler pass keeps for it with the settings shown (K). */
  kept: z.number().nullable(),
  keptHorizonSeconds: z.number().nullable(),
  flags: z.array(ScheduleFlagSchema),
});
export type ScheduleRow = z.infer<typeof ScheduleRowSchema>;

export const DeploymentRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  flowName: z.string(),
  fullName: z.string(),
  paused: z.boolean(),
  updated: z.string().nullable(),
  schedules: z.array(ScheduleRowSchema),
  /** Never-started SCHEDULED runs due before now (Late or about to be). */
  pastDue: z.number(),
  /** Future SCHEDULED runs of any origin. */
  future: z.number(),
  /** Scheduled runs whose schedule no longer exists. */
  leftBehind: z.number(),
  runsPerHour: z.number(),
  flags: z.array(ScheduleFlagSchema),
});
export type DeploymentRow = z.infer<typeof DeploymentRowSchema>;

export const ScheduleListSchema = z.object({
  connectionId: z.string().nullable(),
  connectionName: z.string(),
  serverVersion: z.string(),
  serverNow: z.string(),
  settings: SettingsViewSchema,
  deployments: z.array(DeploymentRowSchema),
  totals: z.object({
    deployments: z.number(),
    schedules: z.number(),
    activeSchedules: z.number(),
    runsPerHour: z.number(),
    heldFuture: z.number(),
    pastDue: z.number(),
    leftBehind: z.number(),
    /** Scheduled runs of deployments that no longer exist. */
    orphaned: z.number(),
  }),
  flags: z.array(ScheduleFlagSchema),
  notes: z.array(z.string()),
  /** What this server cannot do as the newest does, and the path taken instead (also in notes). */
  degraded: z.array(DegradationSchema).optional(),
  readOnly: z.boolean(),
});
export type ScheduleList = z.infer<typeof ScheduleListSchema>;

// --- simulation ---------------------------------------------------------------------------------

export const SimScheduleSchema = z.object({
  deploymentId: z.string(),
  deployment: z.string(),
  scheduleId: z.string(),
  label: z.string(),
  active: z.boolean(),
  paused: z.boolean(),
  /** Runs right after a pass at the start of the window (K). */
  kept: z.number(),
  limitedBy: z.string(),
  /** Seconds from now to the last kept run. */
  horizonSeconds: z.number().nullable(),
  heldMin: z.number(),
  heldMax: z.number(),
  insertsPerLoopAvg: z.number(),
  insertsPerLoopMax: z.number(),
  /** Share of loops that select this schedule's deployment. */
  selectedShare: z.number(),
  runsPerHour: z.number(),
  error: z.string().nullable(),
});
export type SimSchedule = z.infer<typeof SimScheduleSchema>;

export const SimTotalsSchema = z.object({
  loops: z.number(),
  held: z.number(),
  insertsPerLoopAvg: z.number(),
  insertsPerLoopMax: z.number(),
  insertsPerDay: z.number(),
  deploymentsPerLoopAvg: z.number(),
  deploymentsPerLoopMax: z.number(),
  /** Deployment pages (deployment_batch_size) and insert transactions (insert_batch_size) in the busiest loop. */
  deploymentPagesMax: z.number(),
  insertTransactionsMax: z.number(),
  /** Dates the scheduler generates per loop (its CPU work), averaged. */
  datesGeneratedPerLoopAvg: z.number(),
});

export const SimResultSchema = z.object({
  settings: SettingsViewSchema,
  schedules: z.array(SimScheduleSchema),
  totals: SimTotalsSchema,
});
export type SimResult = z.infer<typeof SimResultSchema>;

export const SimulationSchema = z.object({
  connectionId: z.string().nullable(),
  connectionName: z.string(),
  from: z.string(),
  horizonSeconds: z.number(),
  baseline: SimResultSchema,
  /** With the overrides applied; null when none were given. */
  modified: SimResultSchema.nullable(),
  overrides: z.record(z.string(), z.union([z.number(), z.boolean()])),
  notes: z.array(z.string()),
  /** How this server's scheduler differs from the newest, as modelled (also in notes). */
  degraded: z.array(DegradationSchema).optional(),
});
export type Simulation = z.infer<typeof SimulationSchema>;

// --- changes ------------------------------------------------------------------------------------

export const CHANGE_KINDS = ['recreate', 'pause', 'resume', 'restore', 'reset'] as const;
export const ChangeKindSchema = z.enum(CHANGE_KINDS);
export type ChangeKind = z.infer<typeof ChangeKindSchema>;

export const ScheduleChangeSchema = z.object({
  id: z.string(),
  kind: ScheduleKindSchema.nullable(),
  slug: z.string().nullable(),
  active: z.boolean(),
  before: StoredScheduleSchema,
  /** What will be written; null when this schedule is not touched. */
  after: StoredScheduleSchema.nullable(),
  beforeText: z.string(),
  afterText: z.string().nullable(),
  /** Fields that differ ("anchor_date", "rrule DTSTART", ...). */
  changes: z.array(z.string()),
  /** The first runs the new schedule will get (computed locally). */
  nextRuns: z.array(z.string()),
  notes: z.array(z.string()),
});
export type ScheduleChange = z.infer<typeof ScheduleChangeSchema>;

export const DeploymentChangeSchema = z.object({
  deploymentId: z.string(),
  name: z.string(),
  pausedBefore: z.boolean(),
  pausedAfter: z.boolean(),
  schedules: z.array(ScheduleChangeSchema),
  /** Future auto-scheduled runs Prefect deletes when the deployment is paused or a schedule changes. */
  futureRunsGoing: z.number(),
  /**
   * Past-due auto-scheduled runs that go: removed through Purge (recreate and reset), or, on servers
   * before Prefect 3.3.4, deleted by Prefect itself when the deployment is paused or a schedule written.
   */
  pastDueGoing: z.number(),
  /** What applying does to this deployment, in one sentence (every chosen deployment gets one). */
  action: z.string().default(''),
  notes: z.array(z.string()),
});
export type DeploymentChange = z.infer<typeof DeploymentChangeSchema>;

/** A chosen deployment the plan leaves alone, and why (a plan never drops a choice silently). */
export const LeftOutSchema = z.object({
  deploymentId: z.string(),
  name: z.string(),
  reason: z.string(),
});
export type LeftOut = z.infer<typeof LeftOutSchema>;

export const ChangePlanSchema = z.object({
  planId: z.string(),
  kind: ChangeKindSchema,
  connectionId: z.string().nullable(),
  connectionName: z.string(),
  createdAt: z.string(),
  /** The anchor written into interval schedules (recreate, reset). */
  anchor: z.string().nullable(),
  anchorGiven: z.string().nullable(),
  /** For restore: the change whose originals are written back. */
  restoresChangeId: z.string().nullable(),
  deployments: z.array(DeploymentChangeSchema),
  /** Chosen deployments the plan does not change, each with the reason. deployments + leftOut = every one chosen. */
  leftOut: z.array(LeftOutSchema).default([]),
  totals: z.object({ deployments: z.number(), schedules: z.number(), futureRunsGoing: z.number(), pastDueGoing: z.number() }),
  /** Reset only: the past-due backlog as Purge sees it (a preview; re-planned after the pause). */
  purgePreview: PurgePlanSchema.nullable(),
  /** Keep the newest N past-due runs per deployment (reset). */
  keepNewest: z.number(),
  /** What the user echoes back to apply: the number of deployments changed. */
  confirmCount: z.number(),
  notes: z.array(z.string()),
  /** What this server does differently on a change, and how the plan accounts for it (also in notes). */
  degraded: z.array(DegradationSchema).optional(),
  readOnly: z.boolean(),
});
export type ChangePlan = z.infer<typeof ChangePlanSchema>;

export const VerifySchema = z.object({
  scheduleId: z.string(),
  deploymentId: z.string(),
  /** "flow/deployment · slug or description". */
  label: z.string(),
  status: z.enum(['ok', 'pending', 'mismatch', 'skipped']),
  runs: z.number(),
  first: z.string().nullable(),
  offLattice: z.number(),
  beforeAnchor: z.number(),
  message: z.string(),
});
export type Verify = z.infer<typeof VerifySchema>;

export const DeploymentOutcomeSchema = z.object({
  deploymentId: z.string(),
  name: z.string(),
  status: z.enum(['changed', 'unchanged', 'rolled-back', 'needs-restore', 'skipped']),
  error: z.string().nullable(),
});

export const ChangeOutcomeSchema = z.object({
  planId: z.string(),
  kind: ChangeKindSchema,
  jobId: z.string(),
  status: z.enum(['applied', 'rolled-back', 'needs-restore', 'cancelled']),
  deployments: z.array(DeploymentOutcomeSchema),
  purge: z.object({ planId: z.string(), planned: z.number(), deleted: z.number() }).nullable(),
  /** Future runs Prefect removed (counted before the change). */
  futureRunsRemoved: z.number(),
  verify: z.array(VerifySchema),
  durationMs: z.number(),
  message: z.string(),
});
export type ChangeOutcome = z.infer<typeof ChangeOutcomeSchema>;

export const ChangeRecordSchema = z.object({
  planId: z.string(),
  kind: ChangeKindSchema,
  connectionId: z.string().nullable(),
  createdAt: z.string(),
  status: z.string(),
  deployments: z.number(),
  schedules: z.number(),
  summary: z.string(),
  /** Originals are kept: a restore plan can be made from this change. */
  restorable: z.boolean(),
  jobId: z.string().nullable(),
  outcome: ChangeOutcomeSchema.nullable(),
});
export type ChangeRecord = z.infer<typeof ChangeRecordSchema>;
