/**
 * The real `housekeeper serve`, opening "the browser" (a stand-in xdg-open on PATH that records its
 * command line) and the real UI in Chromium (issue #12, item 2): the browser's command line, stdout
 * and stderr carry a one-time code and never the token; the page signs in with the code once; a
 * second use of the same link is refused, and the page says what to do.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, screenshot, type BrowserSession } from './support/browser';
import { REPO_ROOT } from './support/serve';

const SHOTS = path.join(REPO_ROOT, 'test-results', 'e2e');

describe('signing in to local web mode', () => {
  let dir: string;
  let child: ChildProcess;
  let stdout = '';
  let stderr = '';
  let session: BrowserSession;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-signin-'));
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    // The "browser": records its arguments, like `ps` would show them to any local user.
    fs.writeFileSync(path.join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$0" "$@" > "${path.join(dir, 'argv.txt')}"\n`, { mode: 0o755 });
    child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'housekeeper.cjs'), 'serve', '--port', '0'], {
      cwd: REPO_ROOT,
      env: { ...process.env, HOUSEKEEPER_HOME: path.join(dir, 'store'), PREFECT_HOME: path.join(dir, 'prefect'), DISPLAY: ':99', PATH: `${bin}:${process.env.PATH}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const deadline = Date.now() + 30_000;
    while (!(stdout.includes('\n') && fs.existsSync(path.join(dir, 'argv.txt')))) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`serve did not start or open the browser.\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    session = await openBrowser();
  });

  afterAll(async () => {
    await session?.close();
    child?.kill('SIGTERM');
    if (child && child.exitCode === null) await new Promise((r) => child.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('opens the browser with a one-time code; the token is in no command line, output or link', async () => {
    const link = stdout.split('\n')[0]!.trim();
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#code=[A-Za-z0-9_-]+$/);
    const argv = fs.readFileSync(path.join(dir, 'argv.txt'), 'utf8');
    expect(argv).toContain(link);
    expect(argv).not.toMatch(/token/);

    const { page } = session;
    await page.goto(link);
    // Signed in: the app asks for its first connection (a request that needs the session).
    await page.getByTestId('first-run').waitFor({ timeout: 30_000 });
    expect(page.url()).not.toMatch(/code=|token=/);
    const token = await page.evaluate<string | null>('sessionStorage.getItem("housekeeper.token")');
    expect(token).toBeTruthy();
    for (const text of [argv, stdout, stderr, link]) expect(text).not.toContain(token!);

    // A reload keeps the session (sessionStorage), the link is not needed again.
    await page.reload();
    await page.getByTestId('first-run').waitFor({ timeout: 30_000 });
  });

  it('refuses the same link a second time and says what to do', async () => {
    const link = stdout.split('\n')[0]!.trim();
    const base = link.replace(/#.*$/, '');
    const code = /#code=(.+)$/.exec(link)![1]!;
    const again = await fetch(`${base}session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
    expect(again.status).toBe(401);

    const fresh = await session.browser.newPage();
    await fresh.goto(link);
    await fresh.getByText(/sign-in link was already used/i).first().waitFor({ timeout: 30_000 });
    await screenshot(fresh, path.join(SHOTS, 'web-signin-used-link.png'));
    await fresh.close();
  });
});
