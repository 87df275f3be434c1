/**
 * The window's native open and save dialogs (contract: shared/contracts/desktop.ts). main reads and
 * writes the file (text-files.ts); only its text crosses to the page.
 */
import path from 'node:path';
import { app, dialog, type BrowserWindow } from 'electron';
import type { FileFilter } from '../../shared/contracts/desktop';
import type { DesktopHandlers } from '../handlers/desktop';
import { readText, writeTextAtomically } from './text-files';

const ANY: FileFilter = { name: 'All files', extensions: ['*'] };

export function desktopHandlers(window: () => BrowserWindow | null): DesktopHandlers {
  return {
    'desktop.openTextFile': async ({ title, filters }) => {
      const win = window();
      const options = { title: title ?? 'Open', properties: ['openFile' as const], filters: [...(filters ?? []), ANY] };
      const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      const file = r.canceled ? undefined : r.filePaths[0];
      if (!file) return null;
      return { name: path.basename(file), path: file, content: await readText(file) };
    },
    'desktop.saveTextFile': async ({ title, suggestedName, content, filters }) => {
      const win = window();
      const options = {
        title: title ?? 'Save',
        defaultPath: path.join(app.getPath('documents'), suggestedName),
        filters: [...(filters ?? []), ANY],
        properties: ['showOverwriteConfirmation' as const, 'createDirectory' as const],
      };
      const r = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
      if (r.canceled || !r.filePath) return null;
      const bytes = await writeTextAtomically(r.filePath, content);
      return { name: path.basename(r.filePath), path: r.filePath, bytes };
    },
  };
}
