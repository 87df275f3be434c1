/**
 * A stand-in for the `electron` module, used ONLY by test/unit/electron-startup.test.ts (through
 * vi.mock there). It is not a fake of Electron's behaviour in general: it models the app lifecycle
 * ("before ready" / "after ready") and THROWS on every call that Electron forbids at that point, as
 * Electron's documentation says (quoted beside each rule; docs/api/*.md in electron/electron, the
 * same text is in node_modules/electron/electron.d.ts for the installed version) or, where the docs
 * are silent but Electron itself throws, with the error Electron's C++ raises (source file named).
 * Every violation is also recorded, so a violation that the code under test catches (or loses in a
 * `void` promise) still fails the test.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';

export interface Violation {
  api: string;
  rule: string;
}

export interface StandIn {
  /** The object handed to vi.mock('electron'). */
  module: Record<string, unknown>;
  /** Flip to "ready": resolves app.whenReady() and emits 'ready' (what Electron does once). */
  emitReady(): void;
  violations: Violation[];
  /** Every call made, in order, as "module.method" (for order assertions). */
  calls: string[];
  errorBoxes: Array<{ title: string; content: string }>;
  exitCodes: number[];
  quitCalls: number;
  windows: FakeWindow[];
  handledSchemes: string[];
  ipcChannels: Set<string>;
  /** The handlers registered with ipcMain.handle, to call them as the preload would. */
  ipcHandlers: Map<string, (event: unknown, input: unknown) => Promise<unknown>>;
  /** What the next showOpenDialog returns (default: cancelled). */
  openDialogAnswer: { canceled: boolean; filePaths: string[] };
  applicationMenu: unknown;
  notifications: Array<{ title: string; body: string }>;
  /** What requestSingleInstanceLock answers (false = another instance holds the lock). */
  lockAnswer: boolean;
  /** userData at the moment the single-instance lock was requested (the lock lives there). */
  userDataAtLock: string | null;
  /** Answer of the next dialog.showMessageBoxSync (button index). */
  messageBoxAnswer: number;
  messageBoxes: Array<{ message: string; buttons: string[] }>;
  app: EventEmitter & { isReady(): boolean };
}

export class FakeWebContents extends EventEmitter {
  sent: Array<{ channel: string; payload: unknown }> = [];
  destroyed = false;
  openHandler: unknown = null;
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setWindowOpenHandler(h: unknown): void {
    this.openHandler = h;
  }
}

export class FakeWindow extends EventEmitter {
  #webContents = new FakeWebContents();
  /** Like Electron: a destroyed window throws "Object has been destroyed" on use. */
  get webContents(): FakeWebContents {
    if (this.destroyed) throw new TypeError('Object has been destroyed');
    return this.#webContents;
  }
  loadedUrl: string | null = null;
  progress: number[] = [];
  focused = true;
  destroyed = false;
  bounds: { x: number; y: number; width: number; height: number };
  maximized = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    this.bounds = {
      x: Number(options.x ?? 100),
      y: Number(options.y ?? 100),
      width: Number(options.width ?? 800),
      height: Number(options.height ?? 600),
    };
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    return Promise.resolve();
  }
  show(): void {}
  focus(): void {}
  restore(): void {}
  maximize(): void {
    this.maximized = true;
  }
  setFullScreen(): void {}
  isMaximized(): boolean {
    return this.maximized;
  }
  isFullScreen(): boolean {
    return false;
  }
  isMinimized(): boolean {
    return false;
  }
  isFocused(): boolean {
    return this.focused;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getBounds() {
    return { ...this.bounds };
  }
  getNormalBounds() {
    return { ...this.bounds };
  }
  setProgressBar(p: number): void {
    this.progress.push(p);
  }
  flashFrame(): void {}
  close(): void {
    const e = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    this.emit('close', e);
    if (!e.defaultPrevented) this.destroy();
  }
  destroy(): void {
    this.#webContents.destroyed = true;
    this.destroyed = true;
    this.emit('closed');
  }
}

const DISPLAY = { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1040 }, scaleFactor: 1 };

export function createStandIn(paths: { userData: string; appPath: string }): StandIn {
  let ready = false;
  let resolveReady!: () => void;
  const readyPromise = new Promise<void>((r) => (resolveReady = r));
  let schemesRegistered = false;
  const pathsNow: Record<string, string> = { userData: paths.userData, sessionData: paths.userData, appData: paths.userData, temp: '/tmp', home: '/tmp' };

  const s = {} as StandIn;
  s.violations = [];
  s.calls = [];
  s.errorBoxes = [];
  s.exitCodes = [];
  s.quitCalls = 0;
  s.windows = [];
  s.handledSchemes = [];
  s.ipcChannels = new Set();
  s.ipcHandlers = new Map();
  s.openDialogAnswer = { canceled: true, filePaths: [] };
  s.applicationMenu = null;
  s.notifications = [];
  s.lockAnswer = true;
  s.userDataAtLock = null;
  s.messageBoxAnswer = 0;
  s.messageBoxes = [];

  const violate = (api: string, rule: string): never => {
    s.violations.push({ api, rule });
    throw new Error(rule);
  };
  const call = (api: string) => s.calls.push(api);
  const beforeReadyOnly = (api: string, rule: string) => {
    call(api);
    if (ready) violate(api, rule);
  };
  const afterReadyOnly = (api: string, rule: string) => {
    call(api);
    if (!ready) violate(api, rule);
  };

  const app = Object.assign(new EventEmitter(), {
    isPackaged: false,
    isReady: () => ready,
    whenReady: () => readyPromise,
    getName: () => 'Housekeeper',
    getVersion: () => '0.0.0-test',
    getAppPath: () => paths.appPath,
    getPath: (name: string) => {
      call('app.getPath');
      return pathsNow[name] ?? paths.userData;
    },
    setName: (_n: string) => call('app.setName'),
    // docs/api/app.md, app.setPath: "If you want to change this location, you have to override the
    // `sessionData` path before the `ready` event of the `app` module is emitted." (userData is what
    // sessionData defaults to, so the same holds for it.) Also: "If the path specifies a directory
    // that does not exist, an `Error` is thrown."
    setPath: (name: string, p: string) => {
      call(`app.setPath:${name}`);
      if (ready && (name === 'sessionData' || name === 'userData')) {
        violate('app.setPath', `app.setPath('${name}') after ready: Electron's docs say to override it before the ready event`);
      }
      if (!fs.existsSync(p)) violate('app.setPath', `app.setPath('${name}', ${p}): the directory does not exist (Electron throws)`);
      pathsNow[name] = p;
    },
    // docs/api/app.md, app.enableSandbox(): "This method can only be called before app is ready."
    enableSandbox: () => beforeReadyOnly('app.enableSandbox', 'app.enableSandbox() can only be called before app is ready'),
    // docs/api/app.md, app.disableHardwareAcceleration(): "This method can only be called before app is ready."
    disableHardwareAcceleration: () =>
      beforeReadyOnly('app.disableHardwareAcceleration', 'app.disableHardwareAcceleration() can only be called before app is ready'),
    requestSingleInstanceLock: () => {
      call('app.requestSingleInstanceLock');
      s.userDataAtLock = pathsNow.userData ?? null;
      return s.lockAnswer;
    },
    setAppUserModelId: () => call('app.setAppUserModelId'),
    setAboutPanelOptions: () => call('app.setAboutPanelOptions'),
    showAboutPanel: () => call('app.showAboutPanel'),
    quit: () => {
      call('app.quit');
      s.quitCalls++;
    },
    exit: (code = 0) => {
      call('app.exit');
      s.exitCodes.push(code);
    },
    commandLine: { appendSwitch: () => call('app.commandLine.appendSwitch'), hasSwitch: () => false },
  });

  const protocol = {
    // docs/api/protocol.md, registerSchemesAsPrivileged: "This method can only be used before the
    // `ready` event of the `app` module gets emitted and can be called only once."
    registerSchemesAsPrivileged: (_schemes: unknown) => {
      beforeReadyOnly('protocol.registerSchemesAsPrivileged', 'protocol.registerSchemesAsPrivileged must be called before app is ready');
      if (schemesRegistered) violate('protocol.registerSchemesAsPrivileged', 'protocol.registerSchemesAsPrivileged can be called only once');
      schemesRegistered = true;
    },
    // docs/api/protocol.md: "All methods unless specified can only be used after the `ready` event
    // of the `app` module gets emitted."
    handle: (scheme: string, _h: unknown) => {
      afterReadyOnly('protocol.handle', 'protocol.handle can only be used after app is ready');
      s.handledSchemes.push(scheme);
    },
    unhandle: () => afterReadyOnly('protocol.unhandle', 'protocol methods can only be used after app is ready'),
  };

  const defaultSession = {
    setPermissionRequestHandler: () => call('session.setPermissionRequestHandler'),
    setPermissionCheckHandler: () => call('session.setPermissionCheckHandler'),
    setDevicePermissionHandler: () => call('session.setDevicePermissionHandler'),
    webRequest: { onBeforeRequest: () => call('session.webRequest.onBeforeRequest') },
    on: () => undefined,
  };
  const session = {
    // Electron's docs are silent; Electron throws "Session can only be received when app is ready"
    // (shell/browser/api/electron_api_session.cc, FromPartition / defaultSession).
    get defaultSession() {
      afterReadyOnly('session.defaultSession', 'Session can only be received when app is ready');
      return defaultSession;
    },
    fromPartition: () => {
      afterReadyOnly('session.fromPartition', 'Session can only be received when app is ready');
      return defaultSession;
    },
  };

  // docs/api/browser-window.md: "This module cannot be used until the `ready` event of the `app`
  // module is emitted."
  class BrowserWindow extends FakeWindow {
    constructor(options: Record<string, unknown> = {}) {
      afterReadyOnly('new BrowserWindow', 'Cannot create BrowserWindow before app is ready');
      super(options);
      s.windows.push(this);
      app.emit('web-contents-created', {}, this.webContents);
    }
    static getAllWindows() {
      return s.windows.filter((w) => !w.destroyed);
    }
    static getFocusedWindow() {
      return s.windows.find((w) => !w.destroyed && w.focused) ?? null;
    }
  }

  const screen = new Proxy(
    {
      getAllDisplays: () => [DISPLAY],
      getPrimaryDisplay: () => DISPLAY,
      getDisplayMatching: () => DISPLAY,
      getDisplayNearestPoint: () => DISPLAY,
      on: () => undefined,
    } as Record<string, unknown>,
    {
      // docs/api/screen.md: "This module cannot be used until the `ready` event of the `app` module is emitted."
      get(target, prop: string) {
        afterReadyOnly(`screen.${prop}`, "The 'screen' module can't be used before the app 'ready' event");
        return target[prop];
      },
    },
  );

  // Electron's docs show Notification only inside app.whenReady(); Electron throws "Cannot create
  // Notification before app is ready" (shell/browser/api/electron_api_notification.cc).
  class Notification extends EventEmitter {
    static isSupported() {
      return true;
    }
    constructor(readonly opts: { title: string; body: string }) {
      afterReadyOnly('new Notification', 'Cannot create Notification before app is ready');
      super();
    }
    show(): void {
      s.notifications.push({ title: this.opts.title, body: this.opts.body });
    }
  }

  const Menu = {
    buildFromTemplate: (template: unknown) => {
      call('Menu.buildFromTemplate');
      return { template };
    },
    setApplicationMenu: (m: unknown) => {
      call('Menu.setApplicationMenu');
      s.applicationMenu = m;
    },
  };

  const dialog = {
    // docs/api/dialog.md, showErrorBox: "This API can be called safely before the `ready` event the
    // `app` module emits, it is usually used to report errors in early stage of startup."
    showErrorBox: (title: string, content: string) => {
      call('dialog.showErrorBox');
      s.errorBoxes.push({ title, content });
    },
    showMessageBoxSync: (_w: unknown, opts: { message: string; buttons: string[] }) => {
      afterReadyOnly('dialog.showMessageBoxSync', 'dialogs need a ready app');
      s.messageBoxes.push({ message: opts.message, buttons: opts.buttons });
      return s.messageBoxAnswer;
    },
    showMessageBox: async (_w: unknown, opts: { message: string; buttons: string[] }) => {
      afterReadyOnly('dialog.showMessageBox', 'dialogs need a ready app');
      s.messageBoxes.push({ message: opts.message, buttons: opts.buttons });
      return { response: s.messageBoxAnswer, checkboxChecked: false };
    },
    showOpenDialog: async () => {
      afterReadyOnly('dialog.showOpenDialog', 'dialogs need a ready app');
      return s.openDialogAnswer;
    },
    showSaveDialog: async () => ({ canceled: true, filePath: '' }),
  };

  const safeStorage = {
    // docs/api/safe-storage.md, isEncryptionAvailable: "On Linux, returns true if the app has emitted
    // the `ready` event and the secret key is available. ... On Windows, returns true once the app
    // has emitted the `ready` event." Modelled as: false before ready.
    isEncryptionAvailable: () => {
      call('safeStorage.isEncryptionAvailable');
      return ready;
    },
    encryptString: (plain: string) => {
      afterReadyOnly('safeStorage.encryptString', 'safeStorage needs a ready app on Linux and Windows');
      return Buffer.from(`sealed:${plain}`);
    },
    decryptString: (blob: Buffer) => {
      afterReadyOnly('safeStorage.decryptString', 'safeStorage needs a ready app on Linux and Windows');
      return blob.toString().replace(/^sealed:/, '');
    },
    // docs/api/safe-storage.md, getSelectedStorageBackend (Linux only): "This function will return
    // `basic_text` ... until the `ready` event". Modelled as a Linux desktop keyring after ready.
    getSelectedStorageBackend: () => {
      call('safeStorage.getSelectedStorageBackend');
      return ready ? 'gnome_libsecret' : 'basic_text';
    },
  };

  const ipcMain = {
    handle: (channel: string, fn: (event: unknown, input: unknown) => Promise<unknown>) => {
      s.ipcChannels.add(channel);
      s.ipcHandlers.set(channel, fn);
    },
    removeHandler: (channel: string) => {
      s.ipcChannels.delete(channel);
      s.ipcHandlers.delete(channel);
    },
  };

  const shell = { openExternal: async () => undefined };

  s.app = app;
  s.module = { app, protocol, session, BrowserWindow, screen, Notification, Menu, dialog, safeStorage, ipcMain, shell };
  s.emitReady = () => {
    ready = true;
    resolveReady();
    app.emit('ready');
  };
  return s;
}
