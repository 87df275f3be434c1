/**
 * The one contract. Every request (name -> input/output) and every event is declared here once.
 * The Electron preload + ipcMain router, the local web transport (`housekeeper serve`) and the
 * renderer's API client are all derived from these objects, so a request added here works in the
 * window, in the browser mode and in tests. Inputs are parsed in main; outputs are checked in tests.
 */
import { z } from 'zod';
import {
  ConnectionDraftSchema,
  ConnectionNameSchema,
  ConnectionViewSchema,
  DiscoveredSetupSchema,
  TestReportSchema,
} from './domain/connection';
import { JobFinishedSchema, JobProgressSchema, JobViewSchema } from './domain/jobs';
import { AuditEntrySchema } from './domain/audit';
import { purgeRequests } from './contracts/purge';
import { inspectRequests } from './contracts/inspect';
import { profileRequests } from './contracts/profiles';
import { schedulesRequests } from './contracts/schedules';
import { diagnoseRequests } from './contracts/diagnose';
import { desktopRequests } from './contracts/desktop';
import { retentionRequests } from './contracts/retention';
import { healthRequests } from './contracts/health';

const Empty = z.object({}).strict();
const Id = z.object({ id: z.string().min(1) }).strict();

export const AppInfoSchema = z.object({
  name: z.literal('Housekeeper'),
  version: z.string(),
  face: z.enum(['electron', 'web']),
  storePath: z.string(),
  secretScheme: z.string(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

/** Each feature declares its requests in shared/contracts/<feature>.ts; they are merged here. */
export const requests = {
  'app.info': { input: Empty, output: AppInfoSchema },

  'connections.list': {
    input: Empty,
    output: z.object({ connections: z.array(ConnectionViewSchema), lastUsedId: z.string().nullable() }),
  },
  'connections.save': {
    input: z.object({ id: z.string().min(1).optional(), draft: ConnectionDraftSchema }).strict(),
    output: ConnectionViewSchema,
  },
  'connections.remove': { input: Id, output: z.object({ removed: z.literal(true) }) },
  /** Test a saved connection (id), an unsaved draft, or a saved one with edits (both). */
  'connections.test': {
    input: z
      .object({ id: z.string().min(1).optional(), draft: ConnectionDraftSchema.optional() })
      .strict()
      .refine((v) => v.id !== undefined || v.draft !== undefined, 'Give a saved connection id or a draft to test'),
    output: TestReportSchema,
  },
  'connections.use': { input: Id, output: z.object({ lastUsedId: z.string() }) },
  /** Setups found on this machine, and notes on what was looked at but not usable (e.g. a malformed profiles.toml). */
  'connections.discover': { input: Empty, output: z.object({ setups: z.array(DiscoveredSetupSchema), notes: z.array(z.string()) }) },
  'connections.adopt': {
    input: z.object({ key: z.string().min(1).max(1000), name: ConnectionNameSchema.optional() }).strict(),
    output: ConnectionViewSchema,
  },

  /**
   * The jobs tray: every job that has not ended (running or paused here or in another Housekeeper
   * process, interrupted by one that died) and the recently finished ones, of every kind, newest first.
   */
  'jobs.list': { input: Empty, output: z.array(JobViewSchema) },
  /** Cancels a running or paused job; an interrupted one is abandoned (its journal stays). */
  'jobs.cancel': { input: z.object({ jobId: z.string().min(1) }).strict(), output: z.object({ cancelled: z.boolean() }) },
  /** Pause between units of work (a purge finishes its current batch first), and resume. */
  'jobs.pause': { input: z.object({ jobId: z.string().min(1) }).strict(), output: z.object({ paused: z.boolean() }) },
  /** Resumes a paused job, or continues a stopped one from its journal (the id of the running job is returned). */
  'jobs.resume': { input: z.object({ jobId: z.string().min(1) }).strict(), output: z.object({ resumed: z.boolean(), jobId: z.string() }) },

  /** Cancels a request still in flight (the Cancel beside a long wait); false when it already ended. */
  'requests.cancel': { input: z.object({ requestId: z.string().min(1).max(100) }).strict(), output: z.object({ cancelled: z.boolean() }) },

  'audit.list': {
    input: z
      .object({ connectionId: z.string().optional(), limit: z.number().int().min(1).max(1000).default(200) })
      .strict(),
    output: z.array(AuditEntrySchema),
  },

  ...purgeRequests,
  ...inspectRequests,
  ...profileRequests,
  ...schedulesRequests,
  ...diagnoseRequests,
  ...desktopRequests,
  ...retentionRequests,
  ...healthRequests,
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;

export const events = {
  'jobs.progress': JobProgressSchema,
  'jobs.finished': JobFinishedSchema,
} as const satisfies Record<string, z.ZodType>;

export type Requests = typeof requests;
export type RequestName = keyof Requests;
export type Input<N extends RequestName> = z.input<Requests[N]['input']>;
export type ParsedInput<N extends RequestName> = z.output<Requests[N]['input']>;
export type Output<N extends RequestName> = z.output<Requests[N]['output']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const REQUEST_NAMES = Object.keys(requests) as RequestName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];
