/**
 * The Electron window's life: single-instance lock (one writer to the local store), scheme
 * privileges before ready, hardened session, the context, IPC, the window; orderly shutdown that
 * cancels jobs before the store closes.
 */
import path from 'node:path';
import { app, BrowserWindow } from 'electron';
import { createContext } from '../context';
import { createHandlers } from '../handlers';
import { registerIpc } from '../transport/ipc';
import { registerSchemePrivileges, serveRenderer } from './protocol';
import { safeStorageKeyring } from './safe-storage';
import { hardenSession, isTrustedSender } from './security';
import { createMainWindow } from './windows';

export function runElectronApp(distDir: string): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  registerSchemePrivileges();
  let win: BrowserWindow | null = null;

  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });

  void app.whenReady().then(() => {
    hardenSession();
    serveRenderer(path.join(distDir, 'renderer'));
    const ctx = createContext({ face: 'electron', home: process.env.HOUSEKEEPER_HOME ?? app.getPath('userData'), keyring: safeStorageKeyring() });
    const dispose = registerIpc(createHandlers(ctx), ctx.bus, isTrustedSender, () => win?.webContents ?? null);
    win = createMainWindow(path.join(distDir, 'main', 'preload.cjs'));
    win.on('closed', () => (win = null));

    let closing = false;
    app.on('before-quit', (e) => {
      if (closing) return;
      closing = true;
      e.preventDefault();
      dispose();
      void ctx.close().finally(() => app.quit());
    });
  });

  app.on('window-all-closed', () => app.quit());
}
