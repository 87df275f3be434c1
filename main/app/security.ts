/**
 * ============================== SECURITY-SENSITIVE ==============================
 * DO NOT CHANGE without reading Electron's security checklist (docs/tutorial/security.md in
 * electron/electron) and docs/architecture.md ("Security"). Default deny everywhere:
 *  - renderer: contextIsolation, sandbox, no Node, no webview; DevTools only in development builds
 *    (a packaged build has no switch that turns them on);
 *  - navigation and new windows denied (links to https docs open in the OS browser after a check);
 *  - every permission request denied;
 *  - the renderer has no network: http(s)/ws(s) requests from it are cancelled; Postgres and Prefect
 *    traffic goes through main;
 *  - IPC is accepted only from our own app:// main frame.
 * ================================================================================
 */
import { app, session, shell, type BrowserWindowConstructorOptions, type WebFrameMain, type WebContents } from 'electron';

export const APP_SCHEME = 'app';
export const APP_HOST = 'housekeeper';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function secureWebPreferences(preloadPath: string): BrowserWindowConstructorOptions['webPreferences'] {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    devTools: devToolsAllowed(),
    spellcheck: false,
  };
}

export function devToolsAllowed(): boolean {
  return !app.isPackaged;
}

/**
 * Before 'ready' (Electron refuses app.enableSandbox() afterwards: "This method can only be called
 * before app is ready", docs/api/app.md): sandbox every renderer, and harden every web contents
 * from its creation on.
 */
export function hardenBeforeReady(): void {
  app.enableSandbox();
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
}

/** After 'ready' (the session exists only then): permission and network denial. */
export function hardenSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onBeforeRequest({ urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*'] }, (_details, callback) =>
    callback({ cancel: true }),
  );
}

function hardenContents(contents: WebContents): void {
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.on('will-navigate', (e, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) e.preventDefault();
  });
  contents.on('will-redirect', (e, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) e.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(url);
    return { action: 'deny' };
  });
}

/** Only https links to documentation hosts leave the app, and only to the OS browser. */
const EXTERNAL_ALLOW = new Set(['docs.prefect.io', 'github.com', 'www.postgresql.org']);
function openExternalSafely(raw: string): void {
  try {
    const u = new URL(raw);
    if (u.protocol === 'https:' && EXTERNAL_ALLOW.has(u.hostname)) void shell.openExternal(u.toString());
  } catch {
    // not a URL: ignore
  }
}

/** IPC sender check: our own origin, and the top-level frame only. */
export function isTrustedSender(frame: WebFrameMain | null): boolean {
  if (!frame || frame !== frame.top) return false;
  try {
    const u = new URL(frame.url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}
