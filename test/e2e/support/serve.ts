/**
 * Starts the real `housekeeper serve` (the built CLI) as a child process with its own store, and
 * waits for the URL it prints as its first stdout line: the signal that it is answering.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface ServeHandle {
  /**
   * The URL with the session token in its fragment (#token=...), for page.goto() and rpc() as often
   * as a test likes. serve itself prints a one-time sign-in link (#code=...); startServe trades that
   * code for the token once, as the page would. `signInUrl` is that printed link, already used.
   */
  openUrl: string;
  signInUrl: string;
  /** HOUSEKEEPER_HOME of this instance (removed by stop()). */
  home: string;
  /** Everything the process wrote to stderr so far, for failure messages. */
  stderr: () => string;
  stop: () => Promise<void>;
  /** SIGKILL, as when the machine or the process dies; the home (store) is kept for a restart. */
  kill: () => Promise<void>;
}

/** `home`: start on an existing instance's home (its store and journal), e.g. after kill(). */
export async function startServe(opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; home?: string } = {}): Promise<ServeHandle> {
  const bin = path.join(REPO_ROOT, 'bin', 'housekeeper.cjs');
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'main', 'cli.cjs')) || !fs.existsSync(path.join(REPO_ROOT, 'dist', 'renderer', 'index.html'))) {
    throw new Error('Housekeeper is not built: run `npm run build` before the e2e tests.');
  }
  const home = opts.home ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hk-e2e-'));
  // An empty PREFECT_HOME keeps first-run discovery away from the developer's own ~/.prefect.
  const prefectHome = path.join(home, 'prefect-home');
  fs.mkdirSync(prefectHome, { recursive: true });
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--no-open'], {
    cwd: REPO_ROOT,
    env: { ...process.env, HOUSEKEEPER_HOME: path.join(home, 'store'), PREFECT_HOME: prefectHome, PREFECT_PROFILES_PATH: path.join(prefectHome, 'profiles.toml'), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));

  const signInUrl = await firstLine(child, opts.timeoutMs ?? 30_000, () => stderr);
  const base = signInUrl.replace(/#.*$/, '');
  const code = /#code=([A-Za-z0-9_-]+)$/.exec(signInUrl)?.[1] ?? '';
  const res = await fetch(`${base}session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
  const body = (await res.json()) as { ok: boolean; value?: { token: string } };
  if (!body.ok || !body.value) throw new Error(`housekeeper serve refused its own sign-in code: ${JSON.stringify(body)}`);
  const openUrl = `${base}#token=${body.value.token}`;
  return {
    openUrl,
    signInUrl,
    home,
    stderr: () => stderr,
    stop: async () => {
      await stopChild(child);
      fs.rmSync(home, { recursive: true, force: true });
    },
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

function firstLine(child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`housekeeper serve printed no URL within ${timeoutMs} ms.\nstderr:\n${stderr()}`)), timeoutMs);
    const onData = (d: string) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      const line = out.slice(0, nl).trim();
      cleanup();
      if (!/^http:\/\/127\.0\.0\.1:\d+\/#code=[A-Za-z0-9_-]+$/.test(line)) reject(new Error(`Unexpected first line from housekeeper serve: ${line}`));
      else resolve(line);
    };
    const onExit = (code: number | null) => fail(new Error(`housekeeper serve exited (code ${code}) before printing its URL.\nstderr:\n${stderr()}`));
    function fail(e: Error) {
      cleanup();
      reject(e);
    }
    function cleanup() {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    }
    child.stdout?.setEncoding('utf8').on('data', onData);
    child.once('exit', onExit);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
