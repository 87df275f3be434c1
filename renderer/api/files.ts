/**
 * Opening and saving text files, the same call in both faces. In the desktop window: the operating
 * system's open/save dialogs (desktop.openTextFile / desktop.saveTextFile; main reads and writes
 * the file). In local web mode: the browser's file picker and a download. Either way the page only
 * ever handles file CONTENT, never a path on the machine that serves it.
 */
import type { FileFilter } from '../../shared/contracts/desktop';
import { call, face } from './client';

export type { FileFilter };

export interface OpenedFile {
  name: string;
  content: string;
}

export type SaveOutcome = { kind: 'saved'; path: string } | { kind: 'downloaded'; name: string };

/** The chosen file's text, or null when the user cancelled. */
export async function openTextFile(opts: { title?: string; filters?: FileFilter[] } = {}): Promise<OpenedFile | null> {
  if (face() === 'electron') {
    const r = await call('desktop.openTextFile', opts);
    return r ? { name: r.name, content: r.content } : null;
  }
  const file = await pickInBrowser(opts.filters);
  return file ? { name: file.name, content: await file.text() } : null;
}

/** Saves `content`: a native Save dialog in the window (null when cancelled), a download in the browser. */
export async function saveTextFile(opts: { suggestedName: string; content: string; mime?: string; title?: string; filters?: FileFilter[] }): Promise<SaveOutcome | null> {
  if (face() === 'electron') {
    const r = await call('desktop.saveTextFile', { suggestedName: opts.suggestedName, content: opts.content, ...(opts.title ? { title: opts.title } : {}), ...(opts.filters ? { filters: opts.filters } : {}) });
    return r ? { kind: 'saved', path: r.path } : null;
  }
  const url = URL.createObjectURL(new Blob([opts.content], { type: opts.mime ?? 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = opts.suggestedName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return { kind: 'downloaded', name: opts.suggestedName };
}

/** What the save button should say in this face. */
export function saveLabel(name: string): string {
  return face() === 'electron' ? `Save ${name}…` : `Download ${name}`;
}

function pickInBrowser(filters: FileFilter[] | undefined): Promise<File | null> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    const exts = (filters ?? []).flatMap((f) => f.extensions).filter((e) => e !== '*');
    // Dotfiles such as `.env` have no extension to filter on: only filter when every filter has one.
    if (exts.length > 0 && !(filters ?? []).some((f) => f.extensions.includes('*'))) input.accept = exts.map((e) => `.${e}`).join(',');
    input.style.display = 'none';
    const done = (f: File | null) => {
      input.remove();
      resolve(f);
    };
    input.addEventListener('change', () => done(input.files?.[0] ?? null), { once: true });
    input.addEventListener('cancel', () => done(null), { once: true });
    document.body.appendChild(input);
    input.click();
  });
}
