/**
 * One guided session: the chosen findings' actions merged into one plan whose steps run in a safe
 * order, confirmed once, run as jobs, then diagnosed again. The order is fixed here, not per plan:
 *
 *   pause     deployments whose schedules are recreated stop getting runs (no scheduler pass can
 *             race the change, PrefectHQ/prefect#17703); Prefect drops their future auto runs
 *   purge     past-due Scheduled/Late runs go, re-planned right before the delete
 *   recreate  schedules written back anchored at now, so nothing backfills
 *   settings  a profile revision and its export; the server's owner restarts it
 *   resume    the deployments paused above run again
 *   retention finished runs past the retention go with their states, task runs, logs and artifacts
 *             (Retention's own plan and batches; after resume, so the pause stays short)
 *   vacuum    space of the deleted rows made reusable (VACUUM never shrinks files)
 *
 * Reversible steps come before the irreversible delete only where that is possible: recreating
 * needs the backlog gone first, or a resumed deployment would get its old Late runs started.
 * New step kinds get a slot in STEP_ORDER.
 */
import { z } from 'zod';
import { DiagnosisSchema, FindingIdSchema, SeveritySchema, MetricKeySchema, UnitSchema } from './types';

export const STEP_ORDER = ['pause', 'purge', 'recreate', 'settings', 'resume', 'retention', 'vacuum'] as const;
export const StepKindSchema = z.enum(STEP_ORDER);
export type StepKind = z.infer<typeof StepKindSchema>;

export const SETTINGS_FORMATS = ['env', 'toml', 'compose', 'k8s', 'helm', 'systemd'] as const;
export const SettingsFormatSchema = z.enum(SETTINGS_FORMATS);
export type SettingsFormat = z.infer<typeof SettingsFormatSchema>;

export const SessionStepSchema = z.object({
  kind: StepKindSchema,
  title: z.string(),
  /** What it does, in one sentence. */
  detail: z.string(),
  /** Deployments, settings or tables it touches (names). */
  items: z.array(z.string()),
  /** The number shown beside it (runs, deployments, settings, tables). */
  count: z.number(),
  unit: z.enum(['deployments', 'runs', 'settings', 'tables']),
  findings: z.array(FindingIdSchema),
});
export type SessionStep = z.infer<typeof SessionStepSchema>;

export const SettingsTargetSchema = z.object({
  profile: z.string(),
  profileExists: z.boolean(),
  format: SettingsFormatSchema,
  /** Absolute path of the export. */
  path: z.string(),
  set: z.array(z.object({ name: z.string(), value: z.string(), reason: z.string(), scope: z.enum(['server', 'clients']) })),
  /** What the owner must do for the settings to take effect. */
  restartNote: z.string(),
});
export type SettingsTarget = z.infer<typeof SettingsTargetSchema>;

export const SessionPlanSchema = z.object({
  sessionId: z.string(),
  connectionId: z.string().nullable(),
  connectionName: z.string(),
  createdAt: z.string(),
  diagnosisId: z.string(),
  findings: z.array(z.object({ id: FindingIdSchema, title: z.string(), severity: SeveritySchema })),
  steps: z.array(SessionStepSchema),
  settings: SettingsTargetSchema.nullable(),
  /** Keep the newest N past-due runs per deployment ("only run the latest"). */
  keepNewest: z.number(),
  /** What each step works on, by id (the steps show names). */
  targets: z.object({
    pauseResume: z.array(z.string()),
    purge: z.array(z.string()),
    recreate: z.array(z.string()),
    vacuumTables: z.array(z.string()),
    freeze: z.boolean(),
    /** The retention step's period (null: no retention in this session; sessions saved before it had none). */
    retentionDays: z.number().int().positive().nullable().default(null),
  }),
  /** Server processes the diagnosis assumed (re-used by the diagnosis after the session). */
  serverProcesses: z.number().nullable(),
  /** What the user types back: the runs the session deletes, or, when it deletes none, the findings it fixes. */
  confirmCount: z.number(),
  /** What confirmCount counts (plans saved before it counted findings). */
  confirmUnit: z.enum(['runs', 'findings']).default('findings'),
  /** Manual work shown beside the plan (Housekeeper does not do it). */
  manual: z.array(z.object({ finding: FindingIdSchema, title: z.string(), text: z.string(), command: z.string().nullable() })),
  notes: z.array(z.string()),
  readOnly: z.boolean(),
});
export type SessionPlan = z.infer<typeof SessionPlanSchema>;

/**
 * The number typed back to run a session. A session that deletes runs is confirmed by the runs it
 * deletes as planned (purge and retention steps), like Purge and Retention themselves: typing "3"
 * for three findings would not tell anyone that 55,000 runs go. Otherwise by the findings it fixes.
 */
export function sessionConfirmation(steps: readonly SessionStep[], findings: number): { count: number; unit: 'runs' | 'findings' } {
  const runs = steps.filter((s) => (s.kind === 'purge' || s.kind === 'retention') && s.unit === 'runs').reduce((n, s) => n + s.count, 0);
  return runs > 0 ? { count: runs, unit: 'runs' } : { count: findings, unit: 'findings' };
}

/** "the 1,234 runs this session deletes" / "the 3 findings this session fixes", for prompts and errors. */
export function confirmationText(plan: Pick<SessionPlan, 'confirmCount' | 'confirmUnit'>): string {
  const n = plan.confirmCount.toLocaleString('en-US');
  if (plan.confirmUnit === 'runs') return `${n} run${plan.confirmCount === 1 ? '' : 's'} this session deletes (as planned now)`;
  return `${n} finding${plan.confirmCount === 1 ? '' : 's'} this session fixes`;
}

export const StepOutcomeSchema = z.object({
  kind: StepKindSchema,
  status: z.enum(['done', 'skipped', 'failed', 'cancelled', 'not-run']),
  /** The job that did it (purge, schedules.pause, vacuum...), for the tray and the audit. */
  jobId: z.string().nullable(),
  message: z.string(),
  durationMs: z.number(),
});
export type StepOutcome = z.infer<typeof StepOutcomeSchema>;

export const ComparisonRowSchema = z.object({
  key: MetricKeySchema,
  label: z.string(),
  unit: UnitSchema,
  before: z.number().nullable(),
  after: z.number().nullable(),
  /** Scheduler numbers predicted once the server restarts with the saved settings (null: not affected). */
  afterRestart: z.number().nullable(),
});
export type ComparisonRow = z.infer<typeof ComparisonRowSchema>;

export const SessionOutcomeSchema = z.object({
  status: z.enum(['done', 'partial', 'failed', 'cancelled']),
  steps: z.array(StepOutcomeSchema),
  comparison: z.array(ComparisonRowSchema),
  /** Findings gone after the session, still there, and new. */
  resolved: z.array(FindingIdSchema),
  remaining: z.array(FindingIdSchema),
  appeared: z.array(FindingIdSchema),
  settingsWritten: z.object({ profile: z.string(), rev: z.number(), path: z.string(), format: SettingsFormatSchema }).nullable(),
  /** "Restart … with the settings in <file>": null when no setting changed. */
  restart: z.string().nullable(),
  message: z.string(),
  durationMs: z.number(),
});
export type SessionOutcome = z.infer<typeof SessionOutcomeSchema>;

export const SESSION_STATUSES = ['planned', 'running', 'done', 'partial', 'failed', 'cancelled', 'interrupted'] as const;

export const SessionSchema = z.object({
  plan: SessionPlanSchema,
  status: z.enum(SESSION_STATUSES),
  jobId: z.string().nullable(),
  before: DiagnosisSchema,
  after: DiagnosisSchema.nullable(),
  outcome: SessionOutcomeSchema.nullable(),
});
export type Session = z.infer<typeof SessionSchema>;

export const SessionSummarySchema = z.object({
  sessionId: z.string(),
  connectionId: z.string().nullable(),
  createdAt: z.string(),
  status: z.enum(SESSION_STATUSES),
  findings: z.number(),
  message: z.string().nullable(),
});
export type SessionSummary = z.infer<typeof SessionSummarySchema>;
