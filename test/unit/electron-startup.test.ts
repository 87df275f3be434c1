/**
 * The Electron main process's startup order, checked against Electron's documented lifecycle. The
 * Electron runtime cannot run here, so `electron` is replaced (in this file only) by a stand-in
 * that throws on every call Electron forbids at that point of the lifecycle
 * (test/unit/electron-startup/standin.ts, each rule quoted from Electron's docs). The rest is real:
 * the context, the local store (better-sqlite3 under Node), the handlers and the IPC router.
 *
 * Written for issue #9: before it, app.enableSandbox() ran after 'ready' (Electron throws there),
 * the throw was lost in a `void` promise, and no window ever opened.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStandIn, type StandIn } from './electron-startup/standin';

const holder = vi.hoisted(() => ({ current: null as { module: Record<string, unknown> } | null }));
vi.mock('electron', () => {
  // A proxy, so every test gets its own stand-in after vi.resetModules().
  const keys = ['app', 'protocol', 'session', 'BrowserWindow', 'screen', 'Notification', 'Menu', 'dialog', 'safeStorage', 'ipcMain', 'shell'];
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    Object.defineProperty(out, k, { enumerable: true, get: () => holder.current!.module[k] });
  }
  return out;
});

async function waitFor(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Electron main process: startup order against the documented lifecycle', { timeout: 30_000 }, () => {
  let tmp: string;
  let home: string;
  let s: StandIn;
  const savedHome = process.env.HOUSEKEEPER_HOME;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-electron-'));
    home = path.join(tmp, 'home');
    process.env.HOUSEKEEPER_HOME = home;
    s = createStandIn({ userData: path.join(tmp, 'default-user-data'), appPath: tmp });
    holder.current = s;
    vi.resetModules();
  });

  afterEach(async () => {
    // Quit whatever started, so the store is closed before the folder goes.
    if (s.windows.length > 0) {
      s.app.emit('before-quit', { preventDefault() {} });
      await waitFor(() => s.quitCalls > 0, 'quit after before-quit').catch(() => undefined);
    }
    if (savedHome === undefined) delete process.env.HOUSEKEEPER_HOME;
    else process.env.HOUSEKEEPER_HOME = savedHome;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function start() {
    const { runElectronApp } = await import('../../main/app/lifecycle');
    return runElectronApp(path.join(tmp, 'dist'));
  }

  it('does its before-ready work before ready and the rest after, and opens one hardened window', async () => {
    await start();
    expect(s.violations, 'calls Electron forbids before ready').toEqual([]);
    expect(s.windows).toHaveLength(0);
    s.emitReady();
    await waitFor(() => s.windows.length > 0 || s.violations.length > 0 || s.errorBoxes.length > 0, 'the window');
    expect(s.violations, 'calls Electron forbids at that point of the lifecycle').toEqual([]);
    expect(s.errorBoxes).toEqual([]);
    expect(s.windows).toHaveLength(1);

    // Before ready, in this order: the single-instance lock lives in userData, so userData is
    // pointed at Housekeeper's home first (a HOUSEKEEPER_HOME instance does not collide with the
    // user's own); sandbox and scheme privileges are pre-ready-only calls.
    const readyAt = s.calls.indexOf('protocol.handle');
    for (const pre of ['app.setPath:userData', 'app.enableSandbox', 'protocol.registerSchemesAsPrivileged', 'app.requestSingleInstanceLock']) {
      const i = s.calls.indexOf(pre);
      expect(i, `${pre} was called`).toBeGreaterThanOrEqual(0);
      expect(i, `${pre} happens before the after-ready work`).toBeLessThan(readyAt);
    }
    expect(s.calls.indexOf('app.setPath:userData')).toBeLessThan(s.calls.indexOf('app.requestSingleInstanceLock'));
    expect(s.userDataAtLock).toBe(home);

    // After ready: the protocol, the IPC router, the menu and a sandboxed window on app://.
    expect(s.handledSchemes).toEqual(['app']);
    expect(s.ipcChannels.has('hk:app.info')).toBe(true);
    expect(s.ipcChannels.has('hk:desktop.openTextFile')).toBe(true);
    expect(s.applicationMenu).not.toBeNull();
    const win = s.windows[0]!;
    const prefs = win.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false });
    expect(win.loadedUrl).toBe('app://housekeeper/index.html');
    // Its web contents were hardened from creation on (new windows denied, navigation checked).
    expect(win.webContents.openHandler).not.toBeNull();
    expect(win.webContents.listenerCount('will-navigate')).toBe(1);
    // The preload's calls reach the real handlers; in the window the file requests open the OS dialog
    // (web mode refuses them), and the page gets the file's content.
    const frame: Record<string, unknown> = { url: 'app://housekeeper/index.html' };
    frame.top = frame;
    const invoke = (name: string, input: unknown) => s.ipcHandlers.get(`hk:${name}`)!({ senderFrame: frame }, input);
    expect(await invoke('app.info', {})).toMatchObject({ ok: true, value: { face: 'electron', secretScheme: 'safeStorage' } });
    expect(await invoke('desktop.openTextFile', {})).toEqual({ ok: true, value: null });
    const picked = path.join(tmp, 'prod.env');
    fs.writeFileSync(picked, 'PREFECT_API_URL=http://prefect:4200/api\n');
    s.openDialogAnswer = { canceled: false, filePaths: [picked] };
    expect(await invoke('desktop.openTextFile', { title: 'Import settings' })).toEqual({
      ok: true,
      value: { name: 'prod.env', path: picked, content: 'PREFECT_API_URL=http://prefect:4200/api\n' },
    });
    const foreign: Record<string, unknown> = { url: 'https://evil.example/' };
    foreign.top = foreign;
    expect(await s.ipcHandlers.get('hk:app.info')!({ senderFrame: foreign }, {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // The store was opened (under Node here) in HOUSEKEEPER_HOME.
    expect(fs.existsSync(path.join(home, 'housekeeper.db'))).toBe(true);
  });

  it('shows a startup failure in a dialog and quits, leaving the user’s store untouched', async () => {
    fs.mkdirSync(home, { recursive: true });
    const damaged = Buffer.from('this is not a SQLite database, and it is the user’s file');
    fs.writeFileSync(path.join(home, 'housekeeper.db'), damaged);
    await start();
    s.emitReady();
    await waitFor(() => s.errorBoxes.length > 0 || s.windows.length > 0, 'the error dialog');
    expect(s.violations).toEqual([]);
    expect(s.windows).toHaveLength(0);
    expect(s.errorBoxes).toHaveLength(1);
    expect(s.errorBoxes[0]!.title).toMatch(/Housekeeper could not start/);
    expect(s.errorBoxes[0]!.content).toMatch(/damaged/);
    expect(s.errorBoxes[0]!.content).toMatch(/Move it aside|restore/);
    expect(s.exitCodes).toEqual([1]);
    expect(fs.readFileSync(path.join(home, 'housekeeper.db'))).toEqual(damaged);
  });

  it('a second instance quits before ready and touches nothing', async () => {
    s.lockAnswer = false;
    await start();
    expect(s.quitCalls).toBe(1);
    s.emitReady();
    await new Promise((r) => setTimeout(r, 100));
    expect(s.violations).toEqual([]);
    expect(s.windows).toHaveLength(0);
    expect(fs.existsSync(path.join(home, 'housekeeper.db'))).toBe(false);
  });

  it('shows job progress on the taskbar, notifies when unfocused, and asks before closing over a running purge', async () => {
    const run = await start();
    s.emitReady();
    const started = await run.started;
    expect(started).not.toBeNull();
    const { ctx, win } = started!;
    const w = s.windows[0]!;
    expect(win).toBe(w);

    // A purge-shaped job through the real job runner and event bus.
    let finish!: () => void;
    const { finished } = ctx.jobs.start({
      kind: 'purge',
      connectionId: null,
      payload: {},
      run: async (jc) => {
        jc.report({ phase: 'deleting', total: 200, done: 50 });
        await new Promise<void>((r) => (finish = r));
        jc.report({ done: 200 });
      },
    });
    await waitFor(() => w.progress.some((p) => p > 0 && p < 1), 'a progress fraction');
    expect(w.progress.at(-1)).toBeCloseTo(0.25, 2);

    // Closing now asks; "Keep working" keeps the window.
    s.messageBoxAnswer = 0;
    w.close();
    expect(s.messageBoxes).toHaveLength(1);
    expect(s.messageBoxes[0]!.message).toBe('A purge is still running.');
    expect(w.destroyed).toBe(false);

    // Finished while the window is in the background: a notification, and the bar goes away.
    w.focused = false;
    finish();
    await finished;
    await waitFor(() => s.notifications.length > 0, 'the notification');
    expect(s.notifications[0]).toEqual({ title: 'Purge finished', body: '200 of 200 runs deleted.' });
    expect(w.progress.at(-1)).toBe(-1);

    // Nothing running: closing does not ask again.
    w.close();
    expect(s.messageBoxes).toHaveLength(1);
    expect(w.destroyed).toBe(true);
  });
});
