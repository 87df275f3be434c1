import { z } from 'zod';
import { ExecuteWithExportSchema, ExportChunkRequest } from './plan-export';
import { PurgeExecutorSchema, PurgeFilterSchema, PurgeOutcomeSchema, PurgePlanSchema } from '../domain/purge';

const JobStarted = z.object({ jobId: z.string() });

export const PurgeStatusSchema = z.object({
  plan: PurgePlanSchema,
  status: z.string(),
  jobId: z.string().nullable(),
  counts: z.object({ pending: z.number(), inFlight: z.number(), deleted: z.number(), skipped: z.number(), busy: z.number(), total: z.number() }),
  outcome: PurgeOutcomeSchema.nullable(),
});
export type PurgeStatus = z.infer<typeof PurgeStatusSchema>;

export const PurgeTargetsSchema = z.object({
  /** pastDue: SCHEDULED runs whose time has passed (null through the API, where counting is costly). */
  deployments: z.array(z.object({ id: z.string(), name: z.string(), pastDue: z.number().nullable() })),
  workPools: z.array(z.string()),
  /** "pool/queue" */
  workQueues: z.array(z.string()),
});
export type PurgeTargets = z.infer<typeof PurgeTargetsSchema>;

export const VacuumRequestSchema = z
  .object({
    connectionId: z.string().min(1),
    /** Default: the tables a purge touches. */
    tables: z.array(z.enum(['flow_run', 'flow_run_state', 'task_run', 'task_run_state', 'log', 'artifact', 'flow_run_input'])).optional(),
  })
  .strict();

export const purgeRequests = {
  /** Deployments, pools and queues to pick from, with past-due counts per deployment. */
  'purge.targets': { input: z.object({ connectionId: z.string().min(1) }).strict(), output: PurgeTargetsSchema },
  /** Dry run: counts, breakdown, sample, impact. Freezes the cutoff and the run ids. Changes nothing. */
  'purge.plan': {
    input: z
      .object({ connectionId: z.string().min(1), filter: PurgeFilterSchema, executor: z.union([PurgeExecutorSchema, z.literal('auto')]).default('auto') })
      .strict(),
    output: PurgePlanSchema,
  },
  /**
   * Starts the delete as a job; `confirmCount` must equal the plan's count. The export of the deleted
   * runs goes either to `exportFile` (a path: the desktop window's save dialog or the CLI; refused in
   * local web mode) or, with `keepExport`, to Housekeeper's own data folder, downloadable afterwards
   * with purge.exportChunk. Not both.
   */
  'purge.execute': { input: ExecuteWithExportSchema, output: JobStarted },
  /** A chunk of a kept export (keepExport), whole JSON lines, for the page to download. */
  'purge.exportChunk': ExportChunkRequest,
  /** Continues an interrupted, failed or cancelled execution from its journal. */
  'purge.resume': { input: z.object({ planId: z.string().min(1) }).strict(), output: JobStarted },
  'purge.status': { input: z.object({ planId: z.string().min(1) }).strict(), output: PurgeStatusSchema },
  /** Executions of this connection that stopped before the end (killed app, error, cancel): resumable. */
  'purge.unfinished': { input: z.object({ connectionId: z.string().min(1) }).strict(), output: z.array(PurgeStatusSchema) },
  /** VACUUM (ANALYZE) the tables a purge touches (Postgres), or VACUUM the file (SQLite), as a job. */
  'purge.vacuum': { input: VacuumRequestSchema, output: JobStarted },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;
