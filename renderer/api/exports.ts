/**
 * The export of the runs a purge or a retention deletes, per face. The page never types a path on the
 * machine that runs Housekeeper: in local web mode that is refused (main/transport/web-policy.ts), so
 * the job keeps its export in Housekeeper's data folder and the page downloads it afterwards
 * (<kind>.exportChunk, whole JSON lines per chunk); in the desktop window the operating system's save
 * dialog picks the file. Either way the export is written before each batch commits and a resume
 * keeps adding to it.
 */
import { call, face } from './client';
import { saveTextFile } from './files';

export type ExportKind = 'purge' | 'retention';

/** Desktop: the save dialog creates the (empty) file now; the job appends each batch's runs to it. */
export async function chooseExportFile(kind: ExportKind, planId: string): Promise<string | null> {
  const r = await saveTextFile({
    suggestedName: `${kind}-${planId.slice(0, 8)}-deleted-runs.jsonl`,
    content: '',
    title: 'Export the deleted runs to',
    filters: [{ name: 'JSON lines', extensions: ['jsonl'] }],
  });
  return r?.kind === 'saved' ? r.path : null;
}

/** Web: whether `file` is the export this plan kept in Housekeeper's data folder (so it can be downloaded). */
export function isKeptExport(kind: ExportKind, planId: string, file: string): boolean {
  if (face() === 'electron') return false;
  const name = new RegExp(`[\\\\/]${kind}-exports[\\\\/]${kind}-[0-9a-f-]+\\.jsonl$`, 'i');
  return name.test(file) && file.includes(planId);
}

/** Web: downloads a kept export chunk by chunk; returns the file name it was saved as. */
export async function downloadKeptExport(kind: ExportKind, planId: string): Promise<string> {
  const parts: string[] = [];
  let offset: number | null = 0;
  let name = `${kind}-deleted-runs.jsonl`;
  while (offset !== null) {
    const c: { name: string; content: string; nextOffset: number | null } =
      kind === 'purge' ? await call('purge.exportChunk', { planId, offset }) : await call('retention.exportChunk', { planId, offset });
    parts.push(c.content);
    name = c.name;
    offset = c.nextOffset;
  }
  await saveTextFile({ suggestedName: name, content: parts.join(''), mime: 'application/x-ndjson' });
  return name;
}
