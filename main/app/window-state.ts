/**
 * Remembers the window's size, position, maximised/full-screen state and screen in
 * `window-state.json` next to the store, and places the window from it on the next start (the
 * checks against today's displays are in window-bounds.ts). Saved on move/resize (debounced) and
 * when the window closes, so a crash loses at most the last half second.
 */
import fs from 'node:fs';
import path from 'node:path';
import { screen, type BrowserWindow } from 'electron';
import { createLogger } from '../core/log/logger';
import { parseSavedState, placeWindow, type SavedWindowState, type WindowPlacement } from './window-bounds';

const log = createLogger('window-state');
export const WINDOW_STATE_FILE = 'window-state.json';

export function loadPlacement(home: string): WindowPlacement {
  let saved: SavedWindowState | null = null;
  try {
    saved = parseSavedState(JSON.parse(fs.readFileSync(path.join(home, WINDOW_STATE_FILE), 'utf8')));
  } catch {
    // first start, or a damaged file: the default placement
  }
  return placeWindow(saved, screen.getAllDisplays().map((d) => ({ id: d.id, workArea: d.workArea })));
}

export function trackWindowState(win: BrowserWindow, home: string): void {
  const file = path.join(home, WINDOW_STATE_FILE);
  let timer: ReturnType<typeof setTimeout> | null = null;
  const save = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (win.isDestroyed()) return;
    const bounds = win.getNormalBounds();
    const state: SavedWindowState = {
      bounds,
      maximized: win.isMaximized(),
      fullScreen: win.isFullScreen(),
      displayId: screen.getDisplayMatching(bounds).id,
    };
    try {
      const tmp = `${file}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
      fs.renameSync(tmp, file);
    } catch (e) {
      log.warn(`could not save the window position: ${(e as Error).message}`);
    }
  };
  const later = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 500);
  };
  for (const ev of ['resize', 'move', 'maximize', 'unmaximize', 'enter-full-screen', 'leave-full-screen'] as const) {
    win.on(ev as 'resize', later);
  }
  win.on('close', save);
}
