/**
 * Diagnose: findings from the live server, a combined session that fixes the chosen ones, and the
 * session as a report. Diagnosing and planning change nothing on the server; apply does, as a job.
 */
import { z } from 'zod';
import { DiagnosisSchema, DiagnosisSummarySchema, SessionPlanSchema, SessionSchema, SessionSummarySchema, SettingsFormatSchema } from '../domain/diagnose';

const ConnectionId = z.object({ connectionId: z.string().min(1) }).strict();

export const ReportFormatSchema = z.enum(['md', 'json']);

export const diagnoseRequests = {
  /** Reads the server (read-only), computes the findings, saves and returns the diagnosis. */
  'diagnose.run': {
    input: z
      .object({
        connectionId: z.string().min(1),
        /** API replicas + background-service processes sharing the database, when known. */
        serverProcesses: z.number().int().min(1).max(1000).optional(),
      })
      .strict(),
    output: DiagnosisSchema,
  },
  /** The newest saved diagnosis of a connection (what the screen shows while a new one runs). */
  'diagnose.latest': { input: ConnectionId, output: DiagnosisSchema.nullable() },
  'diagnose.get': { input: z.object({ id: z.string().min(1) }).strict(), output: DiagnosisSchema },
  'diagnose.list': {
    input: z.object({ connectionId: z.string().min(1), limit: z.number().int().min(1).max(200).default(20) }).strict(),
    output: z.array(DiagnosisSummarySchema),
  },
  /** The combined plan of the chosen findings (empty: every fixable one). A dry run. */
  'diagnose.plan': {
    input: z
      .object({
        connectionId: z.string().min(1),
        diagnosisId: z.string().min(1),
        findings: z.array(z.string().min(1).max(100)).max(50).default([]),
        keepNewest: z.number().int().min(0).max(10_000).default(0),
        settings: z
          .object({
            profile: z.string().trim().min(1).max(100).optional(),
            format: SettingsFormatSchema.optional(),
            path: z.string().trim().min(1).max(4096).optional(),
          })
          .strict()
          .optional(),
        inputs: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/), z.string().trim().min(1).max(500)).default({}),
      })
      .strict(),
    output: SessionPlanSchema,
  },
  /** Runs the session as a job; `confirmCount` must equal the number of findings it fixes. */
  'diagnose.apply': {
    input: z.object({ sessionId: z.string().min(1), confirmCount: z.number().int().min(0) }).strict(),
    output: z.object({ jobId: z.string() }),
  },
  'diagnose.session': { input: z.object({ sessionId: z.string().min(1) }).strict(), output: SessionSchema },
  'diagnose.sessions': {
    input: z.object({ connectionId: z.string().min(1), limit: z.number().int().min(1).max(200).default(20) }).strict(),
    output: z.array(SessionSummarySchema),
  },
  /** A session (or a diagnosis) as Markdown for a ticket, or JSON. */
  'diagnose.report': {
    input: z
      .object({ sessionId: z.string().min(1).optional(), diagnosisId: z.string().min(1).optional(), format: ReportFormatSchema.default('md') })
      .strict()
      .refine((v) => (v.sessionId === undefined) !== (v.diagnosisId === undefined), 'Give a session id or a diagnosis id'),
    output: z.object({ content: z.string(), mime: z.string(), filename: z.string() }),
  },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;
