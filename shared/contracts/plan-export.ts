/**
 * The execute request and the export download shared by purge and retention: the export of the
 * deleted runs goes either to `exportFile` (a path: the desktop window's save dialog or the CLI;
 * refused in local web mode, main/transport/web-policy.ts) or, with `keepExport`, to Housekeeper's own
 * data folder, downloadable afterwards in chunks of whole JSON lines. Not both.
 */
import { z } from 'zod';

export const ExecuteWithExportSchema = z
  .object({
    planId: z.string().min(1),
    confirmCount: z.number().int().min(0),
    exportFile: z.string().trim().min(1).optional(),
    keepExport: z.boolean().optional(),
  })
  .strict()
  .refine((v) => !(v.exportFile && v.keepExport), { message: 'Either exportFile or keepExport, not both', path: ['keepExport'] });

export const ExportChunkRequest = {
  input: z.object({ planId: z.string().min(1), offset: z.number().int().min(0).default(0) }).strict(),
  output: z.object({ name: z.string(), content: z.string(), nextOffset: z.number().int().nullable(), totalBytes: z.number().int() }),
};
