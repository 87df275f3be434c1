/** The only BrowserWindow. */
import path from 'node:path';
import { BrowserWindow } from 'electron';
import { APP_ORIGIN, secureWebPreferences } from './security';

export function createMainWindow(preloadPath: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1320,
    height: 860,
    minWidth: 960,
    minHeight: 600,
    title: 'Housekeeper',
    show: false,
    backgroundColor: '#f6f7f9',
    webPreferences: secureWebPreferences(path.resolve(preloadPath)),
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}
