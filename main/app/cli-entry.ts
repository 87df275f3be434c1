/**
 * The packaged app's `housekeeper` command (docs/decisions/0004-packaged-cli.md). A packaged build
 * has no Node of its own, so the CLI runs on the app's Electron binary as plain Node
 * (ELECTRON_RUN_AS_NODE=1, which is why the RunAsNode fuse stays on). Two ways in:
 *  - resources/bin/housekeeper (.cmd on Windows) sets the variable and runs the CLI bundle directly;
 *    it never starts Chromium, so it works over SSH on a box without a display;
 *  - the app binary itself given a CLI command (`Housekeeper.AppImage inspect`, the deb's
 *    /usr/bin/housekeeper): main/index.ts sees the command before anything of Electron starts and
 *    re-runs itself the first way, passing stdio and the exit code through.
 * No Electron import here: this decides before the app object is touched.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** The CLI's top-level commands and flags (main/cli/index.ts; checked by test/unit/desktop-cli-entry.test.ts). */
export const CLI_WORDS = new Set(['serve', 'connections', 'inspect', 'purge', 'schedules', 'profiles', 'audit', 'help', '--help', '-h', '--version']);

/**
 * The CLI arguments when this Electron process was started as the CLI, else null. `defaultApp`:
 * Electron's process.defaultApp, true when run as `electron <app-dir>` (then argv[1] is the app).
 */
export function cliArgs(argv: readonly string[], defaultApp: boolean): string[] | null {
  const args = argv.slice(defaultApp ? 2 : 1);
  return args.length > 0 && CLI_WORDS.has(args[0]!) ? args : null;
}

/** Runs the CLI bundle (next to this one) on this binary as Node and exits with its code. */
export function runCliAsNode(args: readonly string[], bundleDir: string): never {
  const cli = path.join(bundleDir, 'cli.cjs');
  const r = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  if (r.error) process.stderr.write(`housekeeper: could not start the CLI (${r.error.message})\n`);
  process.exit(r.status ?? 1);
}
