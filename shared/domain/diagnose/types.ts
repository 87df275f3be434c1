/**
 * Diagnose: from "my Prefect server is slow" to a list of findings computed from the live server,
 * each one with the numbers it rests on, Prefect's own mechanism, the fix as an action Housekeeper
 * performs, and the effect predicted by the scheduler simulator or the inspection. Then one session
 * that applies the chosen fixes in a safe order and diagnoses again.
 *
 * A finding is raised only on evidence. Every check is listed in the diagnosis with its status
 * (raised, clear, or unavailable and why), so silence is visible too.
 */
import { z } from 'zod';

/** Stable finding ids: scripts, tickets and tests refer to them; never rename one. */
export const FINDING_IDS = [
  'scheduler.horizon-too-long',
  'scheduler.max-runs-above-need',
  'schedules.sub-minute',
  'schedules.rrule-old-dtstart',
  'runs.late-no-worker',
  'runs.paused-backlog',
  'runs.orphaned',
  'runs.history-unbounded',
  'space.rewrite-needed',
  'space.autovacuum-behind',
  'space.xid-age',
  'database.pool-over-max-connections',
  'api.default-limit-high',
  'client.logs-one-by-one',
  'messaging.in-memory-multi-process',
  'server.version-known-fix',
] as const;
export const FindingIdSchema = z.enum(FINDING_IDS);
export type FindingId = z.infer<typeof FindingIdSchema>;

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export const SeveritySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof SeveritySchema>;

export const UNITS = ['runs', 'count', 'bytes', 'ms', 'seconds', 'share', 'connections', 'transactions', 'rows', 'per-hour', 'text'] as const;
export const UnitSchema = z.enum(UNITS);
export type Unit = z.infer<typeof UnitSchema>;

/** One number a finding rests on, and where it was read. */
export const MeasurementSchema = z.object({
  label: z.string(),
  value: z.union([z.number(), z.string(), z.boolean()]).nullable(),
  unit: UnitSchema,
  /** "GET /api/admin/settings server.services.scheduler.min_scheduled_time", "pg_stat_user_tables", ... */
  source: z.string(),
  /** false for estimates (planner statistics, samples). */
  exact: z.boolean(),
});
export type Measurement = z.infer<typeof MeasurementSchema>;

/** A predicted change: before is measured now, after is what the named basis predicts. */
export const EffectSchema = z.object({
  label: z.string(),
  before: z.number().nullable(),
  after: z.number().nullable(),
  unit: UnitSchema,
  /** simulation: the scheduler simulator; inspection: the space/run counts; measurement: timed here; plan: counted by a dry run. */
  basis: z.enum(['simulation', 'inspection', 'measurement', 'plan']),
  note: z.string().optional(),
});
export type Effect = z.infer<typeof EffectSchema>;

const Named = z.object({ id: z.string(), name: z.string() });

export const SettingChangeSchema = z.object({ name: z.string(), value: z.string(), reason: z.string() });
export type SettingChange = z.infer<typeof SettingChangeSchema>;

/**
 * The fix, as something Housekeeper already performs. The session turns actions into ordered steps
 * (session-plan.ts); a new kind (the retention plan of issue #14) is added here, given a place in
 * STEP_ORDER, and an executor in main/core/diagnose/steps.ts. `manual` is the honest exception: work
 * only the server's owner can do (upgrade Prefect, pg_repack, restart), shown, never executed.
 */
export const ActionSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('purge'),
    title: z.string(),
    /** Deployments whose past-due Scheduled/Late runs go (ids of deleted deployments included). */
    deployments: z.array(Named),
    /** Runs counted now (the purge re-plans right before it deletes). */
    runs: z.number(),
  }),
  z.object({
    kind: z.literal('recreate'),
    title: z.string(),
    deployments: z.array(Named),
  }),
  z.object({
    kind: z.literal('settings'),
    title: z.string(),
    /** The Profiles preset these values come from, when one does. */
    preset: z.string().nullable(),
    /** server: the Prefect server and its services; clients: workers and processes that run flows. */
    scope: z.enum(['server', 'clients']),
    set: z.array(SettingChangeSchema),
    /** Values only the user can give (a Redis host); the session refuses until they are filled in. */
    inputs: z.array(z.object({ name: z.string(), label: z.string(), placeholder: z.string() })),
  }),
  z.object({
    kind: z.literal('retention'),
    title: z.string(),
    /** Finished runs (every final state) that ended more than this many days ago go, with what is theirs. */
    olderThanDays: z.number().int().positive(),
    /** Counted by the inspection (the session plans again right before it deletes). */
    runs: z.number(),
    exact: z.boolean(),
  }),
  z.object({
    kind: z.literal('vacuum'),
    title: z.string(),
    tables: z.array(z.string()),
    /** VACUUM (FREEZE, ANALYZE) instead of VACUUM (ANALYZE). */
    freeze: z.boolean(),
  }),
  z.object({
    kind: z.literal('manual'),
    title: z.string(),
    text: z.string(),
    command: z.string().nullable(),
  }),
]);
export type Action = z.infer<typeof ActionSchema>;
export type ActionKind = Action['kind'];

export const FindingSchema = z.object({
  id: FindingIdSchema,
  severity: SeveritySchema,
  /** Rank within the list: higher first (severity, then the size of the problem). */
  impact: z.number(),
  /** One line with the headline number. */
  title: z.string(),
  measured: z.array(MeasurementSchema),
  /** Why it hurts, in one or two sentences naming Prefect's own mechanism. */
  why: z.string(),
  /** Prefect source files and issues the explanation rests on. */
  refs: z.array(z.string()),
  actions: z.array(ActionSchema),
  effect: z.array(EffectSchema),
  notes: z.array(z.string()),
});
export type Finding = z.infer<typeof FindingSchema>;

export const CheckSchema = z.object({
  id: FindingIdSchema,
  title: z.string(),
  status: z.enum(['raised', 'clear', 'unavailable']),
  /** For clear: what was looked at; for unavailable: what is missing. */
  note: z.string(),
});
export type Check = z.infer<typeof CheckSchema>;

/** Numbers compared before and after a session (and shown on the screen's summary). */
export const METRIC_KEYS = [
  'findings',
  'late',
  'pastDue',
  'futureHeld',
  'orphaned',
  'predictedHeld',
  'predictedInsertsPerLoop',
  'flowRunBytes',
  'databaseBytes',
  'deadTuplesHot',
  'reclaimableBytes',
] as const;
export const MetricKeySchema = z.enum(METRIC_KEYS);
export type MetricKey = z.infer<typeof MetricKeySchema>;
export const MetricSchema = z.object({ key: MetricKeySchema, label: z.string(), value: z.number().nullable(), unit: UnitSchema, source: z.string() });
export type Metric = z.infer<typeof MetricSchema>;

export const ProcessesSchema = z.object({
  count: z.number().int().min(1),
  /** stated: the user said so; inferred: seen in the database; assumed: nothing says otherwise. */
  basis: z.enum(['stated', 'inferred', 'assumed']),
  evidence: z.string(),
});
export type Processes = z.infer<typeof ProcessesSchema>;

/** What was read, for the screen's "what Housekeeper looked at" panel and the report. */
export const FactSchema = z.object({ group: z.string(), label: z.string(), value: z.string(), source: z.string() });
export type Fact = z.infer<typeof FactSchema>;

export const DiagnosisSchema = z.object({
  id: z.string(),
  connectionId: z.string().nullable(),
  connectionName: z.string(),
  createdAt: z.string(),
  durationMs: z.number(),
  source: z.enum(['postgres', 'sqlite', 'api']),
  apiUrl: z.string(),
  prefectVersion: z.string().nullable(),
  /** The inspection this diagnosis read (saved in the inspect history). */
  inspectionId: z.string().nullable(),
  processes: ProcessesSchema,
  findings: z.array(FindingSchema),
  checks: z.array(CheckSchema),
  metrics: z.array(MetricSchema),
  /** The scheduler simulator with the recommended settings (null: nothing to change, or not simulated). */
  whatIf: z
    .object({ settings: z.record(z.string(), z.number()), held: z.number(), insertsPerLoop: z.number(), datesPerLoop: z.number() })
    .nullable(),
  facts: z.array(FactSchema),
  /**
   * Whether pausing a deployment makes this server delete its past-due auto-scheduled runs too
   * (Prefect before 3.3.4; the capability probe's updatesKeepPastDue). null: not probed (diagnoses
   * saved before this field, or the probe failed). The session plan reads it (keep-newest, notes).
   */
  pauseDeletesBacklog: z.boolean().nullable().default(null),
  /** Time spent per part (inspect, schedules, simulate, database, api), for the curious and the benchmark. */
  timings: z.record(z.string(), z.number()),
  notes: z.array(z.string()),
  readOnly: z.boolean(),
});
export type Diagnosis = z.infer<typeof DiagnosisSchema>;

export const DiagnosisSummarySchema = z.object({
  id: z.string(),
  connectionId: z.string().nullable(),
  createdAt: z.string(),
  findings: z.number(),
  top: SeveritySchema.nullable(),
});
export type DiagnosisSummary = z.infer<typeof DiagnosisSummarySchema>;
