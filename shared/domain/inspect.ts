/**
 * Inspect: where the space went and how healthy the runs are. One report shape for the three ways
 * Housekeeper can see a Prefect server (Postgres, SQLite, API only); what a way cannot see is null
 * plus a note saying why, never a guess dressed as a number.
 *
 * Every count says whether it is exact or an estimate: the overview reads catalog statistics and
 * index-backed queries so it stays fast on big databases, and a person deciding on a purge must know
 * which numbers are counted and which are inferred (and how far to trust the inference).
 */
import { z } from 'zod';

export const INSPECT_SECTIONS = ['server', 'space', 'runs', 'orphans', 'maintenance'] as const;
export const InspectSectionIdSchema = z.enum(INSPECT_SECTIONS);
export type InspectSectionId = z.infer<typeof InspectSectionIdSchema>;

export const SectionStatusSchema = z.object({
  id: InspectSectionIdSchema,
  /** ok: complete; partial: some parts missing (see notes); unavailable: not possible here; failed: an error stopped it. */
  status: z.enum(['ok', 'partial', 'unavailable', 'failed']),
  durationMs: z.number(),
  message: z.string().nullable(),
});
export type SectionStatus = z.infer<typeof SectionStatusSchema>;

export const InspectNoteSchema = z.object({
  level: z.enum(['info', 'warn']),
  section: InspectSectionIdSchema,
  message: z.string(),
  hint: z.string().optional(),
});
export type InspectNote = z.infer<typeof InspectNoteSchema>;

/** How far to trust an estimate: a level, the error margin it implies, and the reasons. */
export const ConfidenceSchema = z.object({
  level: z.enum(['high', 'medium', 'low', 'none']),
  /** Margin of the estimate as a share of the relation size (0.1 = ±10 % of its bytes); null for none. */
  margin: z.number().nullable(),
  reasons: z.array(z.string()),
});
export type Confidence = z.infer<typeof ConfidenceSchema>;

export const BloatEstimateSchema = z.object({
  /** Bytes the relation would shrink by if rewritten (beyond its fillfactor reserve); null when not estimable. */
  reclaimableBytes: z.number().nullable(),
  /** What the live rows need, fillfactor included. */
  expectedBytes: z.number().nullable(),
  /** reclaimable / actual size (0..1). */
  ratio: z.number().nullable(),
  confidence: ConfidenceSchema,
});
export type BloatEstimate = z.infer<typeof BloatEstimateSchema>;

/** A measurement by pgstattuple (pgstattuple_approx for tables, pgstatindex for btree indexes). */
export const ExactMeasureSchema = z.object({
  method: z.enum(['pgstattuple_approx', 'pgstatindex']),
  measuredAt: z.string(),
  durationMs: z.number(),
  sizeBytes: z.number(),
  liveBytes: z.number().nullable(),
  deadBytes: z.number().nullable(),
  freeBytes: z.number().nullable(),
  /** Share of the heap actually scanned (pgstattuple_approx skips all-visible pages). */
  scannedPercent: z.number().nullable(),
  /** btree leaf density in percent (pgstatindex). */
  leafDensity: z.number().nullable(),
  reclaimableBytes: z.number(),
});
export type ExactMeasure = z.infer<typeof ExactMeasureSchema>;

export const VERDICTS = ['fine', 'reuse', 'rewrite', 'unknown'] as const;
export const VerdictSchema = z.object({
  /** fine; reuse = (auto)vacuum makes the space reusable; rewrite = only pg_repack / VACUUM FULL shrinks the file. */
  kind: z.enum(VERDICTS),
  summary: z.string(),
});
export type Verdict = z.infer<typeof VerdictSchema>;

export const AutovacuumStateSchema = z.object({
  enabled: z.boolean(),
  /** true when the table has its own autovacuum_* storage parameters. */
  custom: z.boolean(),
  vacuumThreshold: z.number(),
  vacuumScaleFactor: z.number(),
  analyzeThreshold: z.number(),
  analyzeScaleFactor: z.number(),
  /** Dead tuples at which autovacuum starts: threshold + scale_factor × reltuples. */
  vacuumTrigger: z.number(),
  /** dead tuples / trigger (1 = due). */
  vacuumProgress: z.number(),
  analyzeTrigger: z.number(),
  analyzeProgress: z.number().nullable(),
});
export type AutovacuumState = z.infer<typeof AutovacuumStateSchema>;

export const TableSpaceSchema = z.object({
  name: z.string(),
  /** One of Prefect's own tables (the rest are listed too, but these are the ones explained). */
  prefect: z.boolean(),
  /** pg_class.reltuples (Postgres), or an exact count (SQLite); null when never analyzed. */
  rowsEstimate: z.number().nullable(),
  rowsExact: z.boolean(),
  heapBytes: z.number(),
  indexBytes: z.number(),
  toastBytes: z.number(),
  totalBytes: z.number(),
  liveTuples: z.number().nullable(),
  deadTuples: z.number().nullable(),
  /** dead / (live + dead). */
  deadShare: z.number().nullable(),
  modsSinceAnalyze: z.number().nullable(),
  lastVacuum: z.string().nullable(),
  lastAutovacuum: z.string().nullable(),
  lastAnalyze: z.string().nullable(),
  lastAutoanalyze: z.string().nullable(),
  vacuumCount: z.number().nullable(),
  autovacuumCount: z.number().nullable(),
  autovacuum: AutovacuumStateSchema.nullable(),
  /** age(relfrozenxid): transactions since the table was last frozen. */
  xidAge: z.number().nullable(),
  bloat: BloatEstimateSchema,
  exact: ExactMeasureSchema.nullable(),
  verdict: VerdictSchema,
});
export type TableSpace = z.infer<typeof TableSpaceSchema>;

export const IndexSpaceSchema = z.object({
  table: z.string(),
  name: z.string(),
  bytes: z.number(),
  /** idx_scan since the statistics were last reset; null when not readable. */
  scans: z.number().nullable(),
  unique: z.boolean(),
  primary: z.boolean(),
  valid: z.boolean(),
  definition: z.string(),
  /** Never scanned and not enforcing uniqueness. */
  unused: z.boolean(),
  /** Another index on the same table whose leading columns cover this one. */
  duplicateOf: z.string().nullable(),
  bloat: BloatEstimateSchema.nullable(),
  exact: ExactMeasureSchema.nullable(),
});
export type IndexSpace = z.infer<typeof IndexSpaceSchema>;

export const PgstattupleStatusSchema = z.object({
  installed: z.boolean(),
  /** Installed and this role may call it (superuser or pg_stat_scan_tables). */
  usable: z.boolean(),
  /** What to run to make it usable (never done by Housekeeper). */
  howTo: z.string().nullable(),
});
export type PgstattupleStatus = z.infer<typeof PgstattupleStatusSchema>;

export const PostgresSpaceSchema = z.object({
  kind: z.literal('postgres'),
  databaseName: z.string(),
  databaseBytes: z.number().nullable(),
  /** age(datfrozenxid) and the autovacuum_freeze_max_age it is measured against. */
  xidAge: z.number().nullable(),
  xidFreezeMaxAge: z.number().nullable(),
  statsResetAt: z.string().nullable(),
  tables: z.array(TableSpaceSchema),
  indexes: z.array(IndexSpaceSchema),
  reclaimableBytes: z.number(),
  reclaimableMarginBytes: z.number(),
  pgstattuple: PgstattupleStatusSchema,
});
export type PostgresSpace = z.infer<typeof PostgresSpaceSchema>;

export const SqliteSpaceSchema = z.object({
  kind: z.literal('sqlite'),
  file: z.string(),
  fileBytes: z.number(),
  walBytes: z.number(),
  pageSize: z.number(),
  pageCount: z.number(),
  freelistCount: z.number(),
  /** Free pages × page size: what VACUUM would give back to the file system. */
  freeBytes: z.number(),
  /** Whether per-table sizes came from the dbstat virtual table. */
  dbstat: z.boolean(),
  tables: z.array(TableSpaceSchema),
  verdict: VerdictSchema,
});
export type SqliteSpace = z.infer<typeof SqliteSpaceSchema>;

export const SpaceSchema = z.discriminatedUnion('kind', [PostgresSpaceSchema, SqliteSpaceSchema]);
export type Space = z.infer<typeof SpaceSchema>;

export const StateCountSchema = z.object({
  type: z.string().nullable(),
  name: z.string().nullable(),
  count: z.number(),
  exact: z.boolean(),
});
export type StateCount = z.infer<typeof StateCountSchema>;

export const DeploymentBacklogSchema = z.object({
  deploymentId: z.string().nullable(),
  /** "flow/deployment"; null when the deployment no longer exists. */
  name: z.string().nullable(),
  exists: z.boolean(),
  paused: z.boolean().nullable(),
  /** READY / NOT_READY: NOT_READY means no worker or runner polled recently. */
  status: z.string().nullable(),
  lastPolled: z.string().nullable(),
  count: z.number(),
  /** Late: oldest expected start. Future: next scheduled start. */
  first: z.string().nullable(),
  last: z.string().nullable(),
});
export type DeploymentBacklog = z.infer<typeof DeploymentBacklogSchema>;

export const AgeBucketSchema = z.object({
  /** Terminal runs that ended more than `days` days ago: what a retention of that length would remove. */
  days: z.number(),
  before: z.string(),
  count: z.number(),
  exact: z.boolean(),
});
export type AgeBucket = z.infer<typeof AgeBucketSchema>;

export const SampledCountSchema = z.object({
  /** Estimated total (exact when the whole table fitted in the sample). */
  count: z.number(),
  exact: z.boolean(),
  sampledRows: z.number(),
  foundInSample: z.number(),
  /** ± of the estimate (99 %), in rows. */
  margin: z.number().nullable(),
});
export type SampledCount = z.infer<typeof SampledCountSchema>;

export const OrphansSchema = z.object({
  /** SCHEDULED runs whose deployment was deleted (flow_run.deployment_id has no FK). */
  deploymentGone: z.object({ count: z.number(), deployments: z.number(), oldest: z.string().nullable() }).nullable(),
  /** Auto-scheduled SCHEDULED runs whose schedule was deleted or recreated (created_by.id dangles). */
  scheduleGone: z.object({ count: z.number(), oldest: z.string().nullable() }).nullable(),
  /** Logs whose flow run no longer exists (log has no FK): sampled, so a huge log table cannot stall. */
  logs: SampledCountSchema.nullable(),
  artifacts: SampledCountSchema.nullable(),
});
export type Orphans = z.infer<typeof OrphansSchema>;

export const RecentActivitySchema = z.object({
  intervalSeconds: z.number(),
  points: z.array(z.object({ start: z.string(), byType: z.record(z.string(), z.number()) })),
});
export type RecentActivity = z.infer<typeof RecentActivitySchema>;

export const RunHealthSchema = z.object({
  method: z.enum(['sql', 'api']),
  total: z.number().nullable(),
  totalExact: z.boolean(),
  byType: z.array(StateCountSchema),
  byName: z.array(StateCountSchema),
  late: z.object({ count: z.number(), exact: z.boolean(), deployments: z.array(DeploymentBacklogSchema) }).nullable(),
  future: z.object({ count: z.number(), exact: z.boolean(), deployments: z.array(DeploymentBacklogSchema) }).nullable(),
  terminalByAge: z.array(AgeBucketSchema),
  orphans: OrphansSchema,
  recent: RecentActivitySchema.nullable(),
});
export type RunHealth = z.infer<typeof RunHealthSchema>;

export const MaintenanceActivitySchema = z.object({
  pid: z.number(),
  /** vacuum | autovacuum | analyze | autoanalyze | vacuum full | cluster */
  kind: z.string(),
  table: z.string().nullable(),
  phase: z.string(),
  startedAt: z.string().nullable(),
  /** 0..1 over the heap (or null when the phase has no measurable progress). */
  progress: z.number().nullable(),
  heapBlocksTotal: z.number().nullable(),
  heapBlocksScanned: z.number().nullable(),
  heapBlocksVacuumed: z.number().nullable(),
  indexVacuumCount: z.number().nullable(),
  /** What the backend waits on (Lock, IO, ...), when readable. */
  waiting: z.string().nullable(),
});
export type MaintenanceActivity = z.infer<typeof MaintenanceActivitySchema>;

export const MaintenanceSchema = z.object({
  at: z.string(),
  available: z.boolean(),
  activities: z.array(MaintenanceActivitySchema),
  notes: z.array(z.string()),
});
export type Maintenance = z.infer<typeof MaintenanceSchema>;

export const InspectSourceSchema = z.enum(['postgres', 'sqlite', 'api']);
export type InspectSource = z.infer<typeof InspectSourceSchema>;

export const InspectReportSchema = z.object({
  id: z.string(),
  connectionId: z.string().nullable(),
  connectionName: z.string(),
  createdAt: z.string(),
  durationMs: z.number(),
  source: InspectSourceSchema,
  server: z.object({
    apiUrl: z.string(),
    prefectVersion: z.string().nullable(),
    migration: z.string().nullable(),
    /** "PostgreSQL 15.8", "SQLite 3.50.2"; null for API-only. */
    database: z.string().nullable(),
    databaseUser: z.string().nullable(),
  }),
  sections: z.array(SectionStatusSchema),
  notes: z.array(InspectNoteSchema),
  space: SpaceSchema.nullable(),
  runs: RunHealthSchema.nullable(),
  maintenance: MaintenanceSchema.nullable(),
});
export type InspectReport = z.infer<typeof InspectReportSchema>;

/** One saved inspection, reduced to what the growth charts draw. */
export const HistoryPointSchema = z.object({
  id: z.string(),
  at: z.string(),
  databaseBytes: z.number().nullable(),
  /** table -> total bytes and dead tuples. */
  tables: z.record(z.string(), z.object({ bytes: z.number(), dead: z.number().nullable() })),
  runsByType: z.record(z.string(), z.number()),
  late: z.number().nullable(),
});
export type HistoryPoint = z.infer<typeof HistoryPointSchema>;

export const InspectionSummarySchema = z.object({
  id: z.string(),
  connectionId: z.string().nullable(),
  createdAt: z.string(),
  source: InspectSourceSchema,
  durationMs: z.number(),
});
export type InspectionSummary = z.infer<typeof InspectionSummarySchema>;

export const EXPORT_FORMATS = ['json', 'md', 'csv'] as const;
export const ExportFormatSchema = z.enum(EXPORT_FORMATS);
export type ExportFormat = z.infer<typeof ExportFormatSchema>;

/** Prefect's own tables, biggest troublemakers first (docs/prefect.md §2). */
export const PREFECT_TABLES = [
  'flow_run',
  'flow_run_state',
  'task_run',
  'task_run_state',
  'log',
  'artifact',
  'artifact_collection',
  'events',
  'event_resources',
  'flow_run_input',
  'deployment',
  'deployment_schedule',
  'flow',
  'work_queue',
  'work_pool',
  'worker',
  'block_document',
  'concurrency_limit_v2',
  'automation',
  'variable',
  'csrf_token',
  'task_run_state_cache',
] as const;

export const TERMINAL_STATE_TYPES = ['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED'] as const;
export const STATE_TYPES = ['SCHEDULED', 'PENDING', 'RUNNING', 'PAUSED', 'CANCELLING', 'COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED'] as const;
/** Retention lengths the "what would a retention remove" buckets use (90 = db_vacuum's default). */
export const AGE_BUCKET_DAYS = [1, 7, 30, 90, 180, 365] as const;
