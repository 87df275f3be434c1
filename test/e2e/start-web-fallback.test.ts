/**
 * `npm start` where the desktop window cannot open (no Electron runtime, or no display): one
 * paragraph that says why, then the same UI in local web mode, which answers and renders. This is
 * the README's first command on a machine like this one (issue #9). Runs scripts/start.mjs after
 * `npm run build` (which `npm start` does first and `npm test` has done before e2e).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openBrowser, screenshot } from './support/browser';
import { REPO_ROOT } from './support/serve';

describe('npm start without a desktop window', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-start-'));
  afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

  it('says why in one paragraph, then serves the UI in local web mode until Ctrl-C', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOUSEKEEPER_HOME: path.join(home, 'store'),
      PREFECT_HOME: path.join(home, 'prefect'),
      // Never fetch the runtime from a test; and no display, so even an installed runtime falls back.
      ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
    };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts', 'start.mjs'), '--port', '0', '--no-open'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));

    const t0 = Date.now();
    while (!stdout.includes('\n')) {
      if (child.exitCode !== null) throw new Error(`start.mjs exited early (${child.exitCode}):\n${stderr}`);
      if (Date.now() - t0 > 30_000) throw new Error(`no URL within 30 s:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = stdout.split('\n')[0]!.trim();
    // A one-time sign-in link (the token itself never reaches a command line: issue #12).
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#code=[A-Za-z0-9_-]+$/);

    // Exactly one explanatory paragraph before the web server's own lines.
    const paragraph = stderr.split('\n\n').map((p) => p.trim()).filter((p) => p.startsWith('Housekeeper cannot open its desktop window'));
    expect(paragraph, stderr).toHaveLength(1);
    expect(paragraph[0]).toMatch(
      /because (the Electron runtime is not installed|there is no graphical display here).*local web mode.*Ctrl-C to stop\.$/s,
    );

    const session = await openBrowser();
    try {
      await session.page.goto(url);
      await session.page.getByTestId('first-run').waitFor();
      await screenshot(session.page, path.join(REPO_ROOT, 'test-results', 'e2e', 'start-web-fallback.png'));
      expect(session.problems).toEqual([]);
    } finally {
      await session.close();
    }

    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
