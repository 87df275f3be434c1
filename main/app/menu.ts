/**
 * The application menu: Electron's standard roles, so the platform shortcuts (undo, cut, copy,
 * paste, select all, zoom, full screen) work in every field, on macOS too where a missing Edit
 * menu silently disables them. Help shows the version, the About panel and the README.
 */
import { app, dialog, Menu, shell, type MenuItemConstructorOptions } from 'electron';
import { ABOUT_CREDITS } from './about';

export interface MenuOptions {
  version: string;
  readmePath: string;
  isMac: boolean;
  /** DevTools only in development builds (packaged builds have no switch for them). */
  devTools: boolean;
}

export function menuTemplate(o: MenuOptions): MenuItemConstructorOptions[] {
  const about: MenuItemConstructorOptions = { label: 'About Housekeeper', click: () => app.showAboutPanel() };
  const readme: MenuItemConstructorOptions = {
    label: 'Read the README',
    click: () =>
      void shell.openPath(o.readmePath).then((problem) => {
        if (problem) void dialog.showMessageBox({ type: 'info', message: 'The README could not be opened.', detail: `${o.readmePath}: ${problem}` });
      }),
  };
  return [
    ...(o.isMac
      ? [
          {
            label: 'Housekeeper',
            submenu: [
              { role: 'about' },
              { type: 'separator' },
              { role: 'services' },
              { type: 'separator' },
              { role: 'hide' },
              { role: 'hideOthers' },
              { role: 'unhide' },
              { type: 'separator' },
              { role: 'quit' },
            ],
          } satisfies MenuItemConstructorOptions,
        ]
      : []),
    { label: 'File', submenu: [o.isMac ? { role: 'close' } : { role: 'quit' }] },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        ...(o.isMac ? [{ role: 'pasteAndMatchStyle' } as const] : []),
        { role: 'delete' },
        { type: 'separator' },
        { role: 'selectAll' },
      ],
    },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'forceReload' },
        ...(o.devTools ? [{ role: 'toggleDevTools' } as const] : []),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { label: 'Window', submenu: o.isMac ? [{ role: 'minimize' }, { role: 'zoom' }, { type: 'separator' }, { role: 'front' }] : [{ role: 'minimize' }, { role: 'close' }] },
    {
      role: 'help',
      submenu: [
        { label: `Housekeeper ${o.version}`, enabled: false },
        { label: ABOUT_CREDITS, enabled: false },
        { type: 'separator' },
        readme,
        ...(o.isMac ? [] : [{ type: 'separator' } as const, about]),
      ],
    },
  ];
}

export function installMenu(o: MenuOptions): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(o)));
}
