import { z } from 'zod';
import { HealthSchema } from '../domain/health';

export const healthRequests = {
  /** Is the Prefect API answering, is the database, and when did each last answer well (the health strip). */
  'health.check': { input: z.object({ connectionId: z.string().min(1) }).strict(), output: HealthSchema },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;
