import { z } from 'zod';
import {
  ExportFormatSchema,
  HistoryPointSchema,
  InspectReportSchema,
  InspectionSummarySchema,
  MaintenanceSchema,
} from '../domain/inspect';

const ConnectionId = z.object({ connectionId: z.string().min(1) }).strict();

export const inspectRequests = {
  /** Inspects the server now (read-only), saves the report to the history and returns it. */
  'inspect.run': { input: ConnectionId, output: InspectReportSchema },
  /** The newest saved report of a connection (what the Overview shows while a new one runs). */
  'inspect.latest': { input: ConnectionId, output: InspectReportSchema.nullable() },
  'inspect.get': { input: z.object({ id: z.string().min(1) }).strict(), output: InspectReportSchema },
  'inspect.list': {
    input: z.object({ connectionId: z.string().min(1), limit: z.number().int().min(1).max(500).default(50) }).strict(),
    output: z.array(InspectionSummarySchema),
  },
  /** Chart points of the saved inspections, oldest first. */
  'inspect.history': {
    input: z.object({ connectionId: z.string().min(1), limit: z.number().int().min(1).max(2000).default(365) }).strict(),
    output: z.array(HistoryPointSchema),
  },
  /** Vacuums and analyzes running right now (polled while the Overview is open). */
  'inspect.maintenance': { input: ConnectionId, output: MaintenanceSchema },
  /**
   * Exact measurement with pgstattuple (when installed) as a job; with `reportId` the results are
   * written into that saved report.
   */
  'inspect.exact': {
    input: z
      .object({
        connectionId: z.string().min(1),
        reportId: z.string().min(1).optional(),
        tables: z.array(z.string().trim().min(1).max(63)).max(100).optional(),
        indexes: z.boolean().default(true),
      })
      .strict(),
    output: z.object({ jobId: z.string() }),
  },
  /** A saved report as JSON, Markdown or CSV text (the window or browser saves it as a file). */
  'inspect.export': {
    input: z.object({ id: z.string().min(1), format: ExportFormatSchema }).strict(),
    output: z.object({ content: z.string(), mime: z.string(), filename: z.string() }),
  },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;
