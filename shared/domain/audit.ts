import { z } from 'zod';

/**
 * 'running': an execution that has started and not ended (written when it starts, updated when it
 * ends); 'interrupted': its process died mid-way, the journal keeps where it stopped.
 */
export const AuditOutcomeSchema = z.enum(['planned', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted', 'refused', 'info']);
export type AuditOutcome = z.infer<typeof AuditOutcomeSchema>;

export const AuditEntrySchema = z.object({
  id: z.number(),
  at: z.string(),
  connectionId: z.string().nullable(),
  connectionName: z.string().nullable(),
  action: z.string(),
  outcome: AuditOutcomeSchema,
  summary: z.string(),
  details: z.record(z.string(), z.unknown()),
  durationMs: z.number().nullable(),
  user: z.string(),
  host: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
