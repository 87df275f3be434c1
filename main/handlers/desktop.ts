/**
 * The desktop-only requests (shared/contracts/desktop.ts) outside the window: refused. The Electron
 * face replaces these with main/app/file-dialogs.ts; `housekeeper serve` keeps them, so a page in a
 * browser cannot make the machine's user pick or write files through Housekeeper.
 */
import { AppError } from '../../shared/errors';
import type { Handlers } from '../transport/dispatch';

export type DesktopHandlers = Pick<Handlers, 'desktop.openTextFile' | 'desktop.saveTextFile'>;

const refuse = (): never => {
  throw new AppError('NOT_FOUND', 'Native file dialogs exist only in the desktop window.', {
    hint: 'In the browser, choose the file with the page’s file picker; exports arrive as downloads.',
  });
};

export function desktopUnavailable(): DesktopHandlers {
  return { 'desktop.openTextFile': async () => refuse(), 'desktop.saveTextFile': async () => refuse() };
}
