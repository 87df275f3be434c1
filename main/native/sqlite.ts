/**
 * Which compiled better-sqlite3 add-on opens a database (docs/decisions/0003-native-module-for-electron.md).
 *
 * Under Node (the CLI from a checkout, `housekeeper serve`, the tests) better-sqlite3 loads its own
 * build from node_modules, made for Node's ABI: nothing changes there. Under Electron (the window,
 * and the packaged CLI, which is the app binary run with ELECTRON_RUN_AS_NODE) that build cannot
 * load, because Electron's NODE_MODULE_VERSION differs. There the add-on built for Electron by
 * scripts/electron-native.mjs is passed as better-sqlite3's `nativeBinding` option; it lives in
 * dist/native/ (unpacked from the asar archive in packaged builds), named after the ABI, platform
 * and architecture it was built for, so a mismatched one is never loaded by accident.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';

export function electronAddonName(modules: string, platform: string, arch: string): string {
  return `better_sqlite3-electron-v${modules}-${platform}-${arch}.node`;
}

/** The folder of the Electron add-on: dist/native, next to the bundles in dist/main. */
export function nativeDir(bundleDir: string): string {
  // Native files cannot be loaded from inside app.asar; electron-builder unpacks them (asarUnpack).
  return path.join(bundleDir, '..', 'native').replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

let cached: { nativeBinding?: string } | null = null;

/** Options to spread into `new Database(file, {...})`; `{}` under Node. */
export function sqliteBinding(): { nativeBinding?: string } {
  if (cached) return cached;
  const electron = process.versions.electron;
  if (!electron) return (cached = {});
  const file = path.join(nativeDir(__dirname), electronAddonName(process.versions.modules, process.platform, process.arch));
  if (!fs.existsSync(file)) {
    throw new AppError('INTERNAL', `Housekeeper's SQLite module for Electron ${electron} (ABI ${process.versions.modules}, ${process.platform}-${process.arch}) is missing: ${file}.`, {
      hint: 'It is built by `npm start` and `npm run dist` (scripts/electron-native.mjs) where Electron’s headers or prebuilt modules can be downloaded. The CLI and `housekeeper serve` under Node do not need it.',
    });
  }
  return (cached = { nativeBinding: file });
}
