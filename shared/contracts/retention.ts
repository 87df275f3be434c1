import { z } from 'zod';
import {
  PrefectVacuumViewSchema,
  RetentionExecutorSchema,
  RetentionFilterSchema,
  RetentionOutcomeSchema,
  RetentionPhaseSchema,
  RetentionPlanSchema,
  RetentionTotalsSchema,
} from '../domain/retention';
import { ExecuteWithExportSchema, ExportChunkRequest } from './plan-export';
import { MaintenanceViewSchema, RetentionTableSchema } from '../domain/retention/maintenance';

const JobStarted = z.object({ jobId: z.string() });
const ConnectionId = z.object({ connectionId: z.string().min(1) }).strict();

export const RetentionStatusSchema = z.object({
  plan: RetentionPlanSchema,
  /** planned, running, done, failed, cancelled, interrupted (running in the journal, no live job). */
  status: z.string(),
  jobId: z.string().nullable(),
  phase: RetentionPhaseSchema,
  totals: RetentionTotalsSchema,
  outcome: RetentionOutcomeSchema.nullable(),
  exportFile: z.string().nullable(),
});
export type RetentionStatus = z.infer<typeof RetentionStatusSchema>;

export const RetentionContextSchema = z.object({
  backend: z.enum(['postgres', 'sqlite', 'api']),
  deployments: z.array(z.object({ id: z.string(), name: z.string() })),
  /** Prefect's own vacuum as the server reports it (no plan periods yet). */
  prefect: PrefectVacuumViewSchema,
});
export type RetentionContext = z.infer<typeof RetentionContextSchema>;

export const retentionRequests = {
  /** What the screen needs before a plan: deployments to pick, Prefect's own vacuum settings. */
  'retention.context': { input: ConnectionId, output: RetentionContextSchema },
  /** Dry run: freezes the cutoffs, states, deployments and kept runs; counts every table. Changes nothing. */
  'retention.plan': {
    input: z.object({ connectionId: z.string().min(1), filter: RetentionFilterSchema, executor: z.union([RetentionExecutorSchema, z.literal('auto')]).default('auto') }).strict(),
    output: RetentionPlanSchema,
  },
  /**
   * Starts the delete as a job; `confirmCount` must equal the plan's confirmCount. The export of the
   * deleted runs (each run with its states, as purge writes it) goes either to `exportFile` (a path:
   * the desktop window's save dialog or the CLI; refused in local web mode) or, with `keepExport`, to
   * Housekeeper's own data folder, downloadable afterwards with retention.exportChunk. Not both.
   */
  'retention.execute': { input: ExecuteWithExportSchema, output: JobStarted },
  /** A chunk of a kept export (keepExport), whole JSON lines, for the page to download. */
  'retention.exportChunk': ExportChunkRequest,
  /** Continues a stopped execution from its journal (exact totals). */
  'retention.resume': { input: z.object({ planId: z.string().min(1) }).strict(), output: JobStarted },
  'retention.status': { input: z.object({ planId: z.string().min(1) }).strict(), output: RetentionStatusSchema },
  /** Executions of this connection that stopped before the end: resumable. */
  'retention.unfinished': { input: ConnectionId, output: z.array(RetentionStatusSchema) },
  /** Table sizes, dead rows, free space and what can give it back (pg_repack, VACUUM FULL, SQLite VACUUM). */
  'retention.maintenance': { input: ConnectionId, output: MaintenanceViewSchema },
  /** VACUUM (ANALYZE) the retention tables (Postgres) or VACUUM the file (SQLite), as a job. */
  'retention.vacuum': { input: z.object({ connectionId: z.string().min(1), tables: z.array(RetentionTableSchema).min(1).optional() }).strict(), output: JobStarted },
  /**
   * pg_repack of these tables, one after another, as a job (online: brief ACCESS EXCLUSIVE locks at
   * the start and end of each, see REPACK_LOCKS). The job refuses, changing nothing, when the
   * extension or a client of its version is missing (maintenance's `repack` says which).
   */
  'retention.repack': { input: z.object({ connectionId: z.string().min(1), tables: z.array(RetentionTableSchema).min(1) }).strict(), output: JobStarted },
  /** VACUUM FULL one table: exclusive lock for the whole rewrite, so the table's name must be typed back. */
  'retention.vacuumFull': {
    input: z.object({ connectionId: z.string().min(1), table: RetentionTableSchema, confirmTable: z.string() }).strict(),
    output: JobStarted,
  },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;
