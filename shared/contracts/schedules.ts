import { z } from 'zod';
import {
  ChangeKindSchema,
  ChangePlanSchema,
  ChangeRecordSchema,
  ScheduleListSchema,
  SettingsSourceSchema,
  SettingsViewSchema,
  SimulationSchema,
} from '../domain/schedules';
import { parseInstant } from '../schedules/instant';
import { overrideError } from '../schedules/settings';

const JobStarted = z.object({ jobId: z.string() });
const Deployments = z.array(z.string().trim().min(1)).default([]);
const SettingValue = z.union([z.number(), z.boolean(), z.string().trim().min(1)]);

export const schedulesRequests = {
  /** Every deployment's schedules beside the runs the server holds, with load and flags. Read-only. */
  'schedules.list': {
    input: z.object({ connectionId: z.string().min(1), deployments: Deployments, settings: SettingsSourceSchema.default({ kind: 'live' }) }).strict(),
    output: ScheduleListSchema,
  },
  /** The scheduler settings a prediction starts from (live server, a profile, or Prefect's defaults). */
  'schedules.settings': {
    input: z.object({ connectionId: z.string().min(1), settings: SettingsSourceSchema.default({ kind: 'live' }) }).strict(),
    output: SettingsViewSchema,
  },
  /** Predicts what the scheduler keeps and inserts per loop; `overrides` shows the difference a change makes. */
  'schedules.simulate': {
    input: z
      .object({
        connectionId: z.string().min(1),
        deployments: Deployments,
        settings: SettingsSourceSchema.default({ kind: 'live' }),
        /** Keys of SchedulerSettings (loopSeconds, minRuns, maxScheduledTime "PT1H" or seconds...). */
        overrides: z
          .record(z.string(), SettingValue)
          .superRefine((o, ctx) => {
            for (const [k, v] of Object.entries(o)) {
              const why = overrideError(k, v);
              if (why) ctx.addIssue({ code: 'custom', path: [k], message: why });
            }
          })
          .default({}),
        horizonHours: z.number().min(0.1).max(168).default(24),
      })
      .strict(),
    output: SimulationSchema,
  },
  /** A change plan (dry run). Changes nothing; originals are captured for apply and restore. */
  'schedules.plan': {
    input: z
      .object({
        connectionId: z.string().min(1),
        kind: ChangeKindSchema,
        deployments: Deployments,
        /** recreate/reset: "now" or an ISO 8601 time. */
        anchor: z
          .string()
          .trim()
          .min(1)
          .max(64)
          .refine((a) => a.toLowerCase() === 'now' || (/^\d{4}-\d{2}-\d{2}/.test(a) && !Number.isNaN(parseInstant(a))), 'The anchor is now or an ISO 8601 time, e.g. 2026-11-30T09:00:00+01:00')
          .default('now'),
        /** restore: the change whose originals are written back. */
        changeId: z.string().min(1).optional(),
        /** reset: keep the newest N past-due runs per deployment ("only run latest"). */
        keepNewest: z.number().int().min(0).max(10_000).default(0),
      })
      .strict(),
    output: ChangePlanSchema,
  },
  /** Applies a plan as a job; `confirmCount` must equal the plan's number of deployments. */
  'schedules.apply': {
    input: z.object({ planId: z.string().min(1), confirmCount: z.number().int().min(0) }).strict(),
    output: JobStarted,
  },
  /** Changes made on a connection, newest first, with their kept originals. */
  'schedules.changes': {
    input: z.object({ connectionId: z.string().min(1), limit: z.number().int().min(1).max(500).default(50) }).strict(),
    output: z.array(ChangeRecordSchema),
  },
  'schedules.status': { input: z.object({ planId: z.string().min(1) }).strict(), output: ChangeRecordSchema.extend({ plan: ChangePlanSchema }) },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;
