// `npm start`: open the Electron window; where the Electron runtime is missing (it is downloaded
// separately from npm and some machines cannot reach its host), where there is no display, or where
// better-sqlite3 cannot be built for Electron's ABI (scripts/electron-native.mjs), say so plainly and
// serve the same UI in local web mode instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    const dir = path.dirname(require.resolve('electron/package.json'));
    const pathFile = path.join(dir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const bin = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

function run(cmd, args) {
  const child = spawn(cmd, args, { stdio: 'inherit', cwd: root });
  const forward = (sig) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
}

const headless = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;

// Electron's runtime is fetched on first use, not by `npm install`. Try once (bounded) where a window
// could be shown and the user has not opted out.
let downloadTried = false;
function tryInstallElectron() {
  if (headless || process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return;
  try {
    const dir = path.dirname(require.resolve('electron/package.json'));
    process.stderr.write('Fetching the Electron runtime (first start only)...\n');
    downloadTried = true;
    spawnSync(process.execPath, [path.join(dir, 'install.js')], { stdio: 'ignore', timeout: 180_000 });
  } catch {
    // reported below as "not installed"
  }
}

let bin = electronBinary();
if (!bin) {
  tryInstallElectron();
  bin = electronBinary();
}
// The window opens the local store with better-sqlite3 built for Electron's ABI, kept apart from
// node_modules' Node build (docs/decisions/0003-native-module-for-electron.md). Built once, cached.
let nativeOk = false;
if (bin && !headless) {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'electron-native.mjs')], { stdio: 'inherit', cwd: root });
  nativeOk = r.status === 0;
}
if (bin && !headless && nativeOk) {
  // The app folder, so Electron reads package.json (name, version, main, desktopName).
  run(bin, [root]);
} else {
  const why = bin && !headless
    ? 'its SQLite module could not be built for the Electron runtime (see above)'
    : bin
    ? 'there is no graphical display here (DISPLAY and WAYLAND_DISPLAY are unset)'
    : downloadTried
      ? 'the Electron runtime is not installed and could not be downloaded (its download host did not answer; `npx install-electron` retries)'
      : 'the Electron runtime is not installed (it is downloaded separately from npm; `npx install-electron` fetches it)';
  process.stderr.write(
    `\nHousekeeper cannot open its desktop window because ${why}. ` +
      'It will serve the same interface in local web mode instead: only this machine can reach it, ' +
      'and the address below is a one-time sign-in link. Open it in a browser (over an SSH tunnel from a ' +
      'remote machine). Everything works the same; press Ctrl-C to stop.\n\n',
  );
  run(process.execPath, [path.join(root, 'bin', 'housekeeper.cjs'), 'serve', ...process.argv.slice(2)]);
}
