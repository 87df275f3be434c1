/** Profiles as they cross the contract: values masked where secret, issues, revisions, diffs, drift. */
import { z } from 'zod';
import { PREFECT_LINES } from '../settings-catalog/types';

/** A Prefect 3 minor line with a settings catalog ("3.0" ... "3.9"). */
export const PrefectLineSchema = z.enum(PREFECT_LINES, { message: `Use a Prefect line: ${PREFECT_LINES.join(', ')}` });

/** Setting name as written (canonical, alias or unknown) -> value, always a string like an env var. */
export type ProfileValues = Record<string, string>;

export const PROFILE_NAME = z
  .string()
  .trim()
  .min(1, 'A profile needs a name')
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'Use letters, digits, dot, dash and underscore (profiles.toml table names)');

/** A setting name as typed: anything an env file could hold. */
export const SETTING_NAME = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'A setting name is letters, digits and underscores, like PREFECT_API_URL');

export const ProfileIssueSchema = z.object({
  name: z.string(),
  severity: z.enum(['error', 'warning']),
  code: z.enum(['unknown', 'legacy-name', 'case', 'duplicate', 'invalid', 'advice', 'cross-field']),
  message: z.string(),
  didYouMean: z.array(z.string()).optional(),
  renameTo: z.string().optional(),
});
export type ProfileIssue = z.infer<typeof ProfileIssueSchema>;

/** A value in a view: secrets never leave main; the view says one is stored. */
export const ValueViewSchema = z.object({
  name: z.string(),
  value: z.string().nullable(),
  secret: z.boolean(),
});
export type ValueView = z.infer<typeof ValueViewSchema>;

export const RevisionSourceSchema = z.enum(['create', 'copy', 'edit', 'import', 'restore', 'preset', 'rename']);
export type RevisionSource = z.infer<typeof RevisionSourceSchema>;

export const ProfileSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  rev: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().nullable(),
  settingsCount: z.number().int(),
  errorCount: z.number().int(),
  warningCount: z.number().int(),
  /** The Prefect line the profile targets: its catalog checks, presets and exports the values. */
  line: PrefectLineSchema,
  /** The release that line's catalog comes from, e.g. 3.4.25. */
  lineVersion: z.string(),
});
export type ProfileSummary = z.infer<typeof ProfileSummarySchema>;

export const ProfileViewSchema = ProfileSummarySchema.extend({
  /** The revision shown (the latest unless an older one was asked for). */
  shownRev: z.number().int(),
  message: z.string(),
  source: RevisionSourceSchema,
  values: z.array(ValueViewSchema),
  issues: z.array(ProfileIssueSchema),
});
export type ProfileView = z.infer<typeof ProfileViewSchema>;

export const RevisionSummarySchema = z.object({
  rev: z.number().int(),
  createdAt: z.string(),
  source: RevisionSourceSchema,
  message: z.string(),
  settingsCount: z.number().int(),
});
export type RevisionSummary = z.infer<typeof RevisionSummarySchema>;

export const DiffEntrySchema = z.object({
  name: z.string(),
  status: z.enum(['added', 'removed', 'changed', 'renamed']),
  before: z.string().nullable(),
  after: z.string().nullable(),
  /** For renamed: the old name. */
  fromName: z.string().optional(),
  secret: z.boolean(),
});
export type DiffEntry = z.infer<typeof DiffEntrySchema>;

export const DriftStatusSchema = z.enum(['same', 'different', 'profile-only', 'server-only', 'unknown']);
export type DriftStatus = z.infer<typeof DriftStatusSchema>;

export const DriftEntrySchema = z.object({
  env: z.string(),
  key: z.string(),
  scope: z.enum(['server', 'client', 'both']),
  status: DriftStatusSchema,
  /** As written in the profile (secrets masked); null when the profile does not set it. */
  profileValue: z.string().nullable(),
  /** As the server reports it; "**********" for secrets it masks; null when it reports none. */
  serverValue: z.string().nullable(),
  defaultValue: z.string().nullable(),
  note: z.string().optional(),
});
export type DriftEntry = z.infer<typeof DriftEntrySchema>;

export const DriftReportSchema = z.object({
  profileId: z.string(),
  profileName: z.string(),
  rev: z.number().int(),
  connectionId: z.string(),
  connectionName: z.string(),
  apiUrl: z.string(),
  serverVersion: z.string().nullable(),
  checkedAt: z.string(),
  entries: z.array(DriftEntrySchema),
  counts: z.object({ same: z.number(), different: z.number(), profileOnly: z.number(), serverOnly: z.number(), unknown: z.number() }),
  /** The line whose settings paths and defaults the comparison used: the server's. */
  line: PrefectLineSchema,
  /** The line the profile targets (may differ from the server's). */
  profileLine: PrefectLineSchema,
  /** Profile settings the server's line does not have. */
  unplaced: z.array(z.string()),
  notes: z.array(z.string()),
  restartNote: z.string(),
});
export type DriftReport = z.infer<typeof DriftReportSchema>;

export const EXPORT_FORMATS = ['toml', 'env', 'compose', 'k8s', 'helm', 'systemd'] as const;
export const ExportFormatSchema = z.enum(EXPORT_FORMATS);
export type ExportFormat = z.infer<typeof ExportFormatSchema>;

export const IMPORT_FORMATS = EXPORT_FORMATS;
export const ImportFormatSchema = z.enum(IMPORT_FORMATS);
export type ImportFormat = z.infer<typeof ImportFormatSchema>;

export const ExportOptionsSchema = z
  .object({
    /** toml: the table name in profiles.toml (default: the profile's name). */
    profileName: z.string().trim().min(1).max(100).optional(),
    /** compose: the service name; k8s/helm: resource name prefix. */
    serviceName: z.string().trim().min(1).max(63).optional(),
    /** k8s: namespace of the ConfigMap and Secret. */
    namespace: z.string().trim().min(1).max(63).optional(),
  })
  .strict();
export type ExportOptions = z.infer<typeof ExportOptionsSchema>;
