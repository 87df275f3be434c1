/**
 * A connection is how Housekeeper reaches one Prefect server: its REST API (self-hosted or Cloud) and,
 * optionally, its database. Secrets travel renderer -> main only (in a draft); main -> renderer a view
 * carries `hasSecret` flags, never the secret.
 */
import { z } from 'zod';
import { DegradationSchema } from './compat';
import { hasControlChars, NO_CONTROL_MESSAGE } from './safe-text';

/** Text Housekeeper stores and later prints: no control characters (issue #12, item 5). */
const clean = (s: string) => !hasControlChars(s);

export const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export const SslModeSchema = z.enum(SSL_MODES);
export type SslMode = z.infer<typeof SslModeSchema>;

/** A secret field in a draft: a string sets it, null clears it, absent keeps what is stored. */
const SecretInput = z.string().min(1).nullable().optional();

export const ApiAuthDraftSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  /** Prefect's PREFECT_API_AUTH_STRING, "user:password", sent as HTTP Basic. */
  z.object({ kind: z.literal('basic'), authString: SecretInput }),
  /** Prefect Cloud API key (PREFECT_API_KEY), sent as Bearer. */
  z.object({ kind: z.literal('apiKey'), apiKey: SecretInput }),
]);
export type ApiAuthDraft = z.infer<typeof ApiAuthDraftSchema>;

export const PostgresDraftSchema = z.object({
  kind: z.literal('postgres'),
  host: z.string().trim().min(1, 'Postgres host is required').max(255).refine(clean, 'The host cannot contain control characters'),
  port: z.number().int().min(1).max(65535).default(5432),
  database: z.string().trim().min(1, 'Postgres database name is required').max(255).refine(clean, 'The database name cannot contain control characters'),
  user: z.string().trim().min(1, 'Postgres user is required').max(255).refine(clean, 'The user name cannot contain control characters'),
  password: SecretInput,
  sslmode: SslModeSchema.default('prefer'),
  caFile: z.string().trim().min(1).max(4096).refine(clean, 'The path cannot contain control characters').optional(),
  /**
   * Send the password in clear text when the server asks for it (pg_hba `password`) on a connection
   * without TLS. Off by default: anyone on the path could read it (issue #12, item 1).
   */
  allowCleartextPassword: z.boolean().optional(),
});
export type PostgresDraft = z.infer<typeof PostgresDraftSchema>;

export const DbDraftSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  PostgresDraftSchema,
  z.object({ kind: z.literal('sqlite'), path: z.string().trim().min(1, 'SQLite file path is required').max(4096).refine(clean, 'The path cannot contain control characters') }),
]);
export type DbDraft = z.infer<typeof DbDraftSchema>;

export const ConnectionNameSchema = z
  .string()
  .max(80, 'Keep the name under 80 characters')
  .refine(clean, NO_CONTROL_MESSAGE)
  .transform((s) => s.trim())
  .pipe(z.string().min(1, 'A connection needs a name'));

export const ConnectionDraftSchema = z.object({
  name: ConnectionNameSchema,
  apiUrl: z.string().trim().min(1, 'The Prefect API URL is required').max(2048).refine(clean, 'The URL cannot contain control characters'),
  apiAuth: ApiAuthDraftSchema.default({ kind: 'none' }),
  db: DbDraftSchema.default({ kind: 'none' }),
  readOnly: z.boolean().default(false),
});
export type ConnectionDraft = z.infer<typeof ConnectionDraftSchema>;
export type ConnectionDraftInput = z.input<typeof ConnectionDraftSchema>;

export const ApiAuthViewSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('basic'), user: z.string().nullable(), hasSecret: z.boolean() }),
  z.object({ kind: z.literal('apiKey'), hasSecret: z.boolean() }),
]);
export type ApiAuthView = z.infer<typeof ApiAuthViewSchema>;

export const DbViewSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({
    kind: z.literal('postgres'),
    host: z.string(),
    port: z.number(),
    database: z.string(),
    user: z.string(),
    sslmode: SslModeSchema,
    caFile: z.string().optional(),
    hasPassword: z.boolean(),
    allowCleartextPassword: z.boolean(),
  }),
  z.object({ kind: z.literal('sqlite'), path: z.string() }),
]);
export type DbView = z.infer<typeof DbViewSchema>;

export const ApiKindSchema = z.enum(['self-hosted', 'cloud']);
export type ApiKind = z.infer<typeof ApiKindSchema>;

export const ConnectionViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  apiUrl: z.string(),
  apiKind: ApiKindSchema,
  apiAuth: ApiAuthViewSchema,
  db: DbViewSchema,
  readOnly: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
export type ConnectionView = z.infer<typeof ConnectionViewSchema>;

export const CHECK_IDS = [
  'api.url',
  'api.reachable',
  'api.health',
  'api.version',
  'api.auth',
  'db.reachable',
  'db.prefect',
  'db.same-server',
  'db.permissions',
] as const;
export const CheckIdSchema = z.enum(CHECK_IDS);
export type CheckId = z.infer<typeof CheckIdSchema>;

/** One label per check, used by main's report and by the UI while a test is still running. */
export const CHECK_LABELS: Record<CheckId, string> = {
  'api.url': 'API URL',
  'api.reachable': 'API reachable',
  'api.health': 'API health',
  'api.version': 'Prefect version',
  'api.auth': 'Authentication',
  'db.reachable': 'Database reachable',
  'db.prefect': 'Prefect database',
  'db.same-server': 'Database belongs to this server',
  'db.permissions': 'Database permissions',
};

export const CheckStatusSchema = z.enum(['ok', 'warn', 'fail', 'skip']);
export type CheckStatus = z.infer<typeof CheckStatusSchema>;

export const CheckSchema = z.object({
  id: CheckIdSchema,
  label: z.string(),
  status: CheckStatusSchema,
  detail: z.string(),
  hint: z.string().optional(),
  durationMs: z.number(),
});
export type Check = z.infer<typeof CheckSchema>;

export const DbPermissionsSchema = z.object({
  readStatistics: z.boolean(),
  readPgStats: z.boolean(),
  deleteRuns: z.boolean(),
  vacuum: z.boolean(),
  notes: z.array(z.string()),
});
export type DbPermissions = z.infer<typeof DbPermissionsSchema>;

export const TestReportSchema = z.object({
  ok: z.boolean(),
  testedAt: z.string(),
  apiKind: ApiKindSchema,
  serverVersion: z.string().nullable(),
  apiVersion: z.string().nullable(),
  dbKind: z.enum(['postgres', 'sqlite', 'none']),
  dbServerVersion: z.string().nullable(),
  migration: z.string().nullable(),
  permissions: DbPermissionsSchema.nullable(),
  checks: z.array(CheckSchema),
  /** What this server's release cannot do as the newest does, and the path Housekeeper takes instead. */
  degraded: z.array(DegradationSchema).optional(),
});
export type TestReport = z.infer<typeof TestReportSchema>;

export const DiscoveredSetupSchema = z.object({
  /** Stable key used to adopt it: main re-reads the source, so secrets never travel to the renderer. */
  key: z.string(),
  source: z.enum(['profile', 'local-server', 'sqlite-file']),
  label: z.string(),
  description: z.string(),
  suggestedName: z.string(),
  apiUrl: z.string().nullable(),
  apiAuth: z.enum(['none', 'basic', 'apiKey']),
  db: z.enum(['none', 'postgres', 'sqlite']),
  dbSummary: z.string().nullable(),
  alreadyAdded: z.boolean(),
  notes: z.array(z.string()),
});
export type DiscoveredSetup = z.infer<typeof DiscoveredSetupSchema>;
