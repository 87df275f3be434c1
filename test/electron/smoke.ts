/**
 * The real desktop window, end to end (issue #9): starts the built app, adds a connection to a real
 * Prefect server (the harness's, on SQLite, so the store AND the target exercise the Electron-ABI
 * better-sqlite3), runs the connection test and an inspection, and saves screenshots to
 * test-results/electron/.
 *
 *   npm run test:electron                     # development build on node_modules' Electron (Playwright _electron)
 *   HK_ELECTRON_APP=release/linux-unpacked/housekeeper npm run test:electron   # a packaged build
 *
 * Exit codes: 0 passed, 1 failed, 77 NOT RUN (no Electron runtime, no display, no Electron add-on:
 * the reason is printed). "Not run" never counts as passed; with CI=true or HK_REQUIRE_ELECTRON=1
 * it is a failure (exit 1), so a CI runner that should run it cannot skip it silently.
 *
 * A packaged build has the EnableNodeCliInspectArguments fuse off, which Playwright's _electron needs
 * (it drives the main process through the inspector); there the window is driven over the Chrome
 * DevTools protocol instead (--remote-debugging-port), which reaches the same page.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, chromium, type Browser, type ElectronApplication, type Page } from 'playwright-core';
import { driveSmoke, prefectOnSqlite } from './drive';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHOTS = path.join(ROOT, 'test-results', 'electron');
const NOT_RUN = 77;
const strict = process.env.CI === 'true' || process.env.HK_REQUIRE_ELECTRON === '1';

function log(msg: string): void {
  process.stderr.write(`[electron smoke] ${msg}\n`);
}

function notRun(reason: string): never {
  process.stdout.write(`electron smoke test: NOT RUN: ${reason}\n`);
  if (strict) {
    process.stdout.write('(CI=true or HK_REQUIRE_ELECTRON=1: a test that cannot run here is a failure)\n');
    process.exit(1);
  }
  process.exit(NOT_RUN);
}

function devElectronBinary(): string | null {
  const dir = path.join(ROOT, 'node_modules', 'electron');
  const p = path.join(dir, 'path.txt');
  if (!fs.existsSync(p)) return null;
  const bin = path.join(dir, 'dist', fs.readFileSync(p, 'utf8').trim());
  return fs.existsSync(bin) ? bin : null;
}

interface Launched {
  page: Page;
  /** Main-process check (development build only): the application menu's top-level labels. */
  menuLabels(): Promise<string[] | null>;
  close(): Promise<void>;
}

async function launchDev(bin: string, env: NodeJS.ProcessEnv): Promise<Launched> {
  const app: ElectronApplication = await _electron.launch({ executablePath: bin, args: [ROOT], env: env as Record<string, string>, timeout: 60_000 });
  const page = await app.firstWindow({ timeout: 60_000 });
  return {
    page,
    menuLabels: () => app.evaluate(({ Menu }) => Menu.getApplicationMenu()?.items.map((i) => i.label) ?? []),
    close: async () => {
      await app.close();
    },
  };
}

async function launchPackaged(exe: string, env: NodeJS.ProcessEnv): Promise<Launched> {
  const child: ChildProcess = spawn(exe, ['--remote-debugging-port=0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  const ws = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no DevTools endpoint within 60 s:\n${err}`)), 60_000);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`the app exited (${code}) before opening its window:\n${err}`)));
  });
  const browser: Browser = await chromium.connectOverCDP(ws);
  const t0 = Date.now();
  let page: Page | undefined;
  while (!page) {
    page = browser.contexts().flatMap((c) => c.pages()).find((p) => p.url().startsWith('app://housekeeper/'));
    if (!page) {
      if (Date.now() - t0 > 60_000) throw new Error('the window never loaded app://housekeeper/');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    page,
    menuLabels: async () => null,
    close: async () => {
      await browser.close().catch(() => undefined);
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

async function main(): Promise<number> {
  const packaged = process.env.HK_ELECTRON_APP ? path.resolve(process.env.HK_ELECTRON_APP) : null;
  if (packaged && !fs.existsSync(packaged)) notRun(`HK_ELECTRON_APP=${packaged} does not exist (run \`npm run dist\` first)`);
  const bin = packaged ?? devElectronBinary();
  if (!bin) notRun('the Electron runtime is not installed (node_modules/electron/dist is missing; `npx install-electron` fetches it where its download host is reachable)');
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) notRun('there is no display (DISPLAY and WAYLAND_DISPLAY are unset; on a server run it under `xvfb-run -a`)');
  if (!packaged) {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'main', 'electron.cjs'))) notRun('the app is not built (`npm run build`)');
    const native = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'electron-native.mjs')], { stdio: 'inherit', cwd: ROOT });
    if (native.status !== 0) notRun('better-sqlite3 could not be built for this Electron (see above), so the window cannot open its store');
  }

  fs.mkdirSync(SHOTS, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-electron-smoke-'));
  let prefect: Awaited<ReturnType<typeof prefectOnSqlite>> | null = null;
  let app: Launched | null = null;
  try {
    const t0 = Date.now();
    prefect = await prefectOnSqlite(tmp);
    log(`Prefect on SQLite at ${prefect.apiUrl} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOUSEKEEPER_HOME: path.join(tmp, 'home'),
      PREFECT_HOME: path.join(tmp, 'empty-prefect-home'),
      PREFECT_PROFILES_PATH: path.join(tmp, 'empty-prefect-home', 'profiles.toml'),
    };
    delete env.ELECTRON_RUN_AS_NODE;
    const t1 = Date.now();
    app = packaged ? await launchPackaged(packaged, env) : await launchDev(bin, env);
    log(`window up in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    const result = await driveSmoke(app.page, prefect, SHOTS);

    const menu = await app.menuLabels();
    if (menu && !['Edit', 'View', 'Window'].every((l) => menu.includes(l))) throw new Error(`application menu: ${menu.join(', ')}`);
    process.stdout.write(
      `electron smoke test: PASSED (${packaged ? 'packaged build' : 'development build'}; secrets: ${result.secretScheme}; menu: ${menu?.join(', ') ?? 'not checked'}; screenshots in ${path.relative(ROOT, SHOTS)})\n`,
    );
    return 0;
  } catch (e) {
    process.stdout.write(`electron smoke test: FAILED: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    if (app) await app.page.screenshot({ path: path.join(SHOTS, 'failure.png') }).catch(() => undefined);
    return 1;
  } finally {
    await app?.close().catch(() => undefined);
    await prefect?.stop().catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stdout.write(`electron smoke test: FAILED: ${String(e)}\n`);
    process.exit(1);
  },
);
