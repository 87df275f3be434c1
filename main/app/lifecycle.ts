/**
 * The Electron window's life, in the order Electron's lifecycle demands (each rule is checked by
 * test/unit/electron-startup.test.ts against a stand-in that throws where Electron throws):
 *
 * Before 'ready' (Electron ignores or refuses these later):
 *   1. userData (and Chromium's sessionData) -> Housekeeper's home, so the window, the CLI and the
 *      web mode share one folder and the single-instance lock, which lives in userData, is taken
 *      per home (a HOUSEKEEPER_HOME instance does not collide with the user's own);
 *   2. app.enableSandbox() and the web-contents hardening ("can only be called before app is ready");
 *   3. protocol.registerSchemesAsPrivileged for app:// ("can only be used before the ready event");
 *   4. requestSingleInstanceLock: a second instance focuses the first and quits before any work.
 * After 'ready' (Electron refuses these before it): the session's permission and network denial,
 * protocol.handle, safeStorage, the context (store), IPC, the menu, screen, the BrowserWindow.
 *
 * A failure anywhere is logged, shown in an error dialog (dialog.showErrorBox works before and after
 * ready) and ends the process with exit code 1: never a silent window that does not open.
 */
import fs from 'node:fs';
import path from 'node:path';
import { app, dialog, type BrowserWindow } from 'electron';
import { toAppError } from '../../shared/errors';
import { createContext, type AppContext } from '../context';
import { createLogger } from '../core/log/logger';
import { createHandlers } from '../handlers';
import { resolveHome } from '../store/paths';
import { registerIpc } from '../transport/ipc';
import { setAboutPanel } from './about';
import { desktopHandlers } from './file-dialogs';
import { closeQuestion } from './job-signals-logic';
import { watchJobs } from './job-signals';
import { installMenu } from './menu';
import { registerSchemePrivileges, serveRenderer } from './protocol';
import { safeStorageKeyring } from './safe-storage';
import { devToolsAllowed, hardenBeforeReady, hardenSession, isTrustedSender } from './security';
import { loadPlacement, trackWindowState } from './window-state';
import { createMainWindow, START_URL } from './windows';

const log = createLogger('app');

export interface Started {
  ctx: AppContext;
  win: BrowserWindow;
}

/** Returns when the before-ready part is done; `started` settles once the window exists (or not). */
export function runElectronApp(distDir: string): { started: Promise<Started | null> } {
  let home: string;
  try {
    home = beforeReady();
  } catch (e) {
    fail(e);
    return { started: Promise.resolve(null) };
  }
  if (!app.requestSingleInstanceLock()) {
    // Another Housekeeper window owns this home (and its store): it gets focused, we leave.
    app.quit();
    return { started: Promise.resolve(null) };
  }
  let current: Started | null = null;
  app.on('second-instance', () => {
    const win = current?.win;
    if (win && !win.isDestroyed()) {
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
    }
  });
  app.on('window-all-closed', () => app.quit());
  const started = app
    .whenReady()
    .then(() => (current = afterReady(distDir, home)))
    .catch((e: unknown) => {
      fail(e);
      return null;
    });
  return { started };
}

function beforeReady(): string {
  const home = resolveHome();
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  const chromium = path.join(home, 'chromium');
  fs.mkdirSync(chromium, { recursive: true, mode: 0o700 });
  app.setPath('userData', home);
  // Chromium's own files (cache, local storage) in a subfolder, not beside housekeeper.db.
  app.setPath('sessionData', chromium);
  hardenBeforeReady();
  registerSchemePrivileges();
  // Windows shows notifications only for an app with an AppUserModelID; the installer's shortcut
  // carries electron-builder's appId, so use the same one.
  if (process.platform === 'win32') app.setAppUserModelId('io.housekeeper.app');
  return home;
}

function afterReady(distDir: string, home: string): Started {
  hardenSession();
  serveRenderer(path.join(distDir, 'renderer'));
  const ctx = createContext({ face: 'electron', home, keyring: safeStorageKeyring() });
  try {
    const win = createMainWindow(path.join(distDir, 'main', 'preload.cjs'), loadPlacement(home));
    trackWindowState(win, home);
    // A destroyed window throws on every property access; events may still arrive while quitting.
    const live = () => (win.isDestroyed() ? null : win);
    const dispose = registerIpc({ ...createHandlers(ctx), ...desktopHandlers(live) }, ctx.bus, isTrustedSender, () => live()?.webContents ?? null);
    installMenu({ version: ctx.version, readmePath: readmePath(), isMac: process.platform === 'darwin', devTools: devToolsAllowed() });
    setAboutPanel(ctx.version);
    const jobs = watchJobs(ctx.bus, live);

    // Closing (or quitting) with a purge, schedule change or VACUUM running asks first. Quitting
    // stops the job after its current batch; its journal stays, so it is resumable next time.
    let confirmed = false;
    const mayStop = (): boolean => {
      const running = jobs.signals.running();
      if (confirmed || running.length === 0 || win.isDestroyed()) return true;
      const q = closeQuestion(running);
      const answer = dialog.showMessageBoxSync(win, {
        type: 'warning',
        buttons: ['Keep working', 'Stop it and quit'],
        defaultId: 0,
        cancelId: 0,
        message: q.message,
        detail: q.detail,
      });
      confirmed = answer === 1;
      return confirmed;
    };
    win.on('close', (e) => {
      if (!mayStop()) e.preventDefault();
    });

    let closing = false;
    app.on('before-quit', (e) => {
      if (closing) return;
      if (!mayStop()) {
        e.preventDefault();
        return;
      }
      closing = true;
      e.preventDefault();
      jobs.stop();
      dispose();
      ctx
        .close()
        .catch((err: unknown) => log.error('closing the store failed', err))
        .finally(() => app.quit());
    });

    win.loadURL(START_URL).catch(fail);
    return { ctx, win };
  } catch (e) {
    void ctx.close();
    throw e;
  }
}

/** The README shipped with the app (packaged: resources/README.md; development: the checkout's). */
function readmePath(): string {
  return app.isPackaged ? path.join(process.resourcesPath, 'README.md') : path.join(app.getAppPath(), 'README.md');
}

function fail(e: unknown): void {
  const ae = toAppError(e);
  log.error('Housekeeper could not start', e);
  dialog.showErrorBox('Housekeeper could not start', [ae.message, ae.hint].filter(Boolean).join('\n\n'));
  app.exit(1);
}
