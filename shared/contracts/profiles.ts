/**
 * Profiles: named sets of Prefect server settings in the local store, every save a revision. The
 * settings catalog, validation and presets are pure (shared/domain) and used by the renderer
 * directly; these requests cover what needs the store, files or a live server.
 */
import { z } from 'zod';
import {
  DiffEntrySchema,
  DriftReportSchema,
  ExportFormatSchema,
  ExportOptionsSchema,
  ImportFormatSchema,
  PROFILE_NAME,
  PrefectLineSchema,
  ProfileIssueSchema,
  ProfileSummarySchema,
  ProfileViewSchema,
  RevisionSummarySchema,
  SETTING_NAME,
  ValueViewSchema,
} from '../domain/profiles/types';

const Id = z.string().min(1);
const Rev = z.number().int().min(1);
const Value = z.string().max(100_000);
const Values = z.record(SETTING_NAME, Value);
const MAX_FILE = 5 * 1024 * 1024;

const ImportSourceSchema = z
  .object({
    format: ImportFormatSchema,
    /** The file's text (the window and web UI read the file in the browser). */
    content: z.string().max(MAX_FILE).optional(),
    /** A path on this machine (CLI, or a path the user typed). */
    path: z.string().min(1).max(4096).optional(),
    service: z.string().min(1).max(200).optional(),
    name: PROFILE_NAME.optional(),
    /** The name of the file the content was read from, for the history ("Imported from file .env"). */
    fileName: z.string().min(1).max(255).optional(),
    /** The Prefect line new profiles target (default: the newest). */
    line: PrefectLineSchema.optional(),
  })
  .strict()
  .refine((v) => (v.content === undefined) !== (v.path === undefined), 'Give either the file content or its path');

const ExportRequestSchema = z
  .object({
    id: Id,
    rev: Rev.optional(),
    format: ExportFormatSchema,
    includeSecrets: z.boolean().default(false),
    options: ExportOptionsSchema.default({}),
    path: z.string().min(1).max(4096).optional(),
    /**
     * profiles.toml only: the text of an existing profiles.toml (picked in the page) to merge this
     * profile into, so a download keeps the user's other profiles. The web face's way of what
     * `path` does in the window and the CLI; never together with `path`.
     */
    mergeInto: z.string().max(MAX_FILE).optional(),
  })
  .strict();

export const ExportPreviewSchema = z.object({
  line: PrefectLineSchema,
  content: z.string(),
  fileName: z.string(),
  omitted: z.array(z.string()),
  notes: z.array(z.string()),
  errors: z.array(ProfileIssueSchema),
  target: z
    .object({ path: z.string(), exists: z.boolean(), fingerprint: z.string().nullable(), replaced: z.boolean(), otherProfiles: z.array(z.string()) })
    .nullable(),
});
export type ExportPreviewView = z.infer<typeof ExportPreviewSchema>;

export const ImportPreviewSchema = z.object({
  profiles: z.array(
    z.object({ name: z.string(), values: z.array(ValueViewSchema), issues: z.array(ProfileIssueSchema), exists: z.boolean(), line: PrefectLineSchema }),
  ),
  notes: z.array(z.string()),
});
export type ImportPreview = z.infer<typeof ImportPreviewSchema>;

export const profileRequests = {
  'profiles.list': { input: z.object({ includeDeleted: z.boolean().default(false) }).strict(), output: z.array(ProfileSummarySchema) },
  /** A profile at its latest revision, or at `rev`; secrets masked. */
  'profiles.get': { input: z.object({ id: Id, rev: Rev.optional() }).strict(), output: ProfileViewSchema },
  /** New profile: empty, from values, or a copy of another (`from`). Rejected values refuse it unless `force`. */
  'profiles.create': {
    input: z.object({ name: PROFILE_NAME, from: Id.optional(), values: Values.optional(), line: PrefectLineSchema.optional(), force: z.boolean().default(false) }).strict(),
    output: ProfileViewSchema,
  },
  /** The Prefect line the profile targets (its catalog checks, presets and exports the values). */
  'profiles.setLine': { input: z.object({ id: Id, line: PrefectLineSchema }).strict(), output: ProfileViewSchema },
  'profiles.rename': { input: z.object({ id: Id, name: PROFILE_NAME }).strict(), output: ProfileViewSchema },
  /** Marks the profile deleted; its revisions stay and `profiles.undelete` brings it back. */
  'profiles.delete': { input: z.object({ id: Id }).strict(), output: z.object({ id: z.string(), name: z.string() }) },
  'profiles.undelete': { input: z.object({ id: Id }).strict(), output: ProfileViewSchema },
  /**
   * Changes on top of `baseRev`; CONFLICT if someone saved since. A secret sent back masked keeps its
   * value. Values the profile's line would reject: VALIDATION (details.issues), nothing saved, unless `force`.
   */
  'profiles.save': {
    input: z
      .object({
        id: Id,
        baseRev: Rev,
        set: Values.default({}),
        unset: z.array(SETTING_NAME).default([]),
        rename: z.record(SETTING_NAME, SETTING_NAME).default({}),
        message: z.string().max(500).default(''),
        source: z.enum(['edit', 'preset']).default('edit'),
        force: z.boolean().default(false),
      })
      .strict(),
    output: ProfileViewSchema,
  },
  'profiles.history': { input: z.object({ id: Id }).strict(), output: z.array(RevisionSummarySchema) },
  /** From a to b: two revisions of one profile, or two profiles. */
  'profiles.diff': {
    input: z.object({ a: z.object({ id: Id, rev: Rev.optional() }).strict(), b: z.object({ id: Id, rev: Rev.optional() }).strict() }).strict(),
    output: z.array(DiffEntrySchema),
  },
  /** Restore = a new revision with the old values. */
  'profiles.restore': { input: z.object({ id: Id, rev: Rev }).strict(), output: ProfileViewSchema },
  'profiles.importPreview': { input: ImportSourceSchema, output: ImportPreviewSchema },
  'profiles.import': {
    input: z
      .object({
        source: ImportSourceSchema,
        select: z.array(z.string().min(1)).optional(),
        rename: z.record(z.string(), PROFILE_NAME).optional(),
        onExisting: z.enum(['refuse', 'revision']).default('refuse'),
        /** Import even values the target line would reject (otherwise nothing is imported). */
        force: z.boolean().default(false),
      })
      .strict(),
    output: z.object({ imported: z.array(ProfileViewSchema), notes: z.array(z.string()) }),
  },
  /** The rendered file (merged into an existing profiles.toml when `path` is given). Writes nothing. */
  'profiles.exportPreview': { input: ExportRequestSchema, output: ExportPreviewSchema },
  /** Write to `path` if it still has the fingerprint the preview saw; backup, atomic replace. */
  'profiles.exportWrite': {
    input: ExportRequestSchema.extend({
      path: z.string().min(1).max(4096),
      fingerprint: z.string().nullable(),
      force: z.boolean().default(false),
      overwrite: z.boolean().default(false),
    }).strict(),
    output: z.object({ path: z.string(), backupPath: z.string().nullable(), bytes: z.number(), notes: z.array(z.string()) }),
  },
  /** Compare with a saved connection's live GET /api/admin/settings. */
  'profiles.drift': { input: z.object({ id: Id, rev: Rev.optional(), connectionId: Id }).strict(), output: DriftReportSchema },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;
