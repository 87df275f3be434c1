/**
 * Requests only the desktop window answers: the operating system's open and save dialogs. The file
 * is read and written in main, and its CONTENT crosses the bridge (never a path the page chose), so
 * the renderer stays without file-system access. In local web mode these requests are refused
 * (NOT_FOUND): the browser's own upload and download do the same job (renderer/api/files.ts picks).
 */
import { z } from 'zod';

/** 5 MiB: the largest settings file or report anyone imports or exports by hand. */
export const MAX_TEXT_FILE_BYTES = 5 * 1024 * 1024;

export const FileFilterSchema = z
  .object({
    name: z.string().trim().min(1).max(60),
    /** Without dots or wildcards ("toml", "env"); "*" alone means any file. */
    extensions: z.array(z.string().regex(/^(\*|[A-Za-z0-9_-]{1,16})$/)).min(1).max(12),
  })
  .strict();
export type FileFilter = z.infer<typeof FileFilterSchema>;

const Title = z.string().trim().min(1).max(120);

export const desktopRequests = {
  /** Shows the OS open dialog and returns the chosen file's text (UTF-8); null when cancelled. */
  'desktop.openTextFile': {
    input: z.object({ title: Title.optional(), filters: z.array(FileFilterSchema).max(10).optional() }).strict(),
    output: z.object({ name: z.string(), path: z.string(), content: z.string() }).nullable(),
  },
  /** Shows the OS save dialog and writes `content` where the user chose; null when cancelled. */
  'desktop.saveTextFile': {
    input: z
      .object({
        title: Title.optional(),
        /** A file name, not a path: the dialog starts in the user's Documents folder. */
        suggestedName: z
          .string()
          .trim()
          .min(1)
          .max(255)
          .refine((n) => !/[\\/]/.test(n) && n !== '.' && n !== '..', 'A file name without folders'),
        content: z.string().max(MAX_TEXT_FILE_BYTES),
        filters: z.array(FileFilterSchema).max(10).optional(),
      })
      .strict(),
    output: z.object({ name: z.string(), path: z.string(), bytes: z.number().int().min(0) }).nullable(),
  },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;
