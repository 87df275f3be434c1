/** The only BrowserWindow, placed where it was last (window-state.ts). The caller loads the page. */
import path from 'node:path';
import { BrowserWindow } from 'electron';
import { MIN_SIZE, type WindowPlacement } from './window-bounds';
import { APP_ORIGIN, secureWebPreferences } from './security';

export const START_URL = `${APP_ORIGIN}/index.html`;

export function createMainWindow(preloadPath: string, placement: WindowPlacement): BrowserWindow {
  const win = new BrowserWindow({
    ...placement.bounds,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    title: 'Housekeeper',
    show: false,
    backgroundColor: '#f6f7f9',
    webPreferences: secureWebPreferences(path.resolve(preloadPath)),
  });
  win.once('ready-to-show', () => {
    if (placement.maximized) win.maximize();
    if (placement.fullScreen) win.setFullScreen(true);
    win.show();
  });
  return win;
}
