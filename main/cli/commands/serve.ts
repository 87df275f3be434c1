/**
 * `housekeeper serve`: the UI in local web mode. Arguments are checked by main/cli/specs/serve.ts
 * (a host beyond loopback needs --allow-remote). SECURITY: the session token never leaves this
 * process: stdout gets a one-time sign-in link, and so does the browser's command line (issue #12,
 * item 2); Enter in the terminal prints a fresh link.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { AppError } from '../../../shared/errors';
import type { AppContext } from '../../context';
import { createHandlers } from '../../handlers';
import { startWebServer, type WebServer } from '../../transport/http';
import { isLoopback } from '../../transport/web-guard';
import { intFlag, type Flags } from '../args';
import { mapSystemError } from '../errors';
import { EXIT } from '../exit';
import type { Out } from '../io';

export function rendererDir(): string {
  // dist/main/cli.cjs -> dist/renderer
  return path.resolve(__dirname, '..', 'renderer');
}

export async function serveCommand(ctx: AppContext, flags: Flags, out: Out): Promise<number> {
  const host = flags.host ?? '127.0.0.1';
  const port = intFlag(flags.port, 'port', 0, 65535) ?? 0;
  const staticDir = rendererDir();
  if (!fs.existsSync(path.join(staticDir, 'index.html'))) {
    throw new AppError('INTERNAL', `The UI is not built (${staticDir} is missing).`, { hint: 'Run `npm run build` first.' });
  }
  let server: WebServer;
  try {
    server = await startWebServer({ handlers: createHandlers(ctx), bus: ctx.bus, staticDir, host, port });
  } catch (e) {
    // EADDRINUSE, EADDRNOTAVAIL, ENOTFOUND: what to do, not the syscall's words.
    throw mapSystemError(e);
  }
  if (!isLoopback(host)) {
    out.info(
      `Warning: listening on ${host} (--allow-remote): other machines can reach this port. The session token and sign-in codes protect it, ` +
        'but traffic is plain HTTP; prefer 127.0.0.1 and an SSH tunnel (ssh -L PORT:127.0.0.1:PORT host).',
    );
  }
  // The first line on stdout is the sign-in URL (tests and scripts read it); the rest is for people.
  process.stdout.write(`${server.openUrl}\n`);
  out.info(`Housekeeper is serving its UI at ${server.url} (local web mode). Open the link above: it signs this browser in once.`);
  out.info(process.stdin.isTTY ? 'Press Enter for a new sign-in link, Ctrl-C to stop.' : 'Press Ctrl-C to stop.');
  if (!flags['no-open']) openBrowser(server.openUrl);

  const onLine = () => process.stdout.write(`${server.newSignInUrl()}\n`);
  if (process.stdin.isTTY) process.stdin.on('data', onLine);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  if (process.stdin.isTTY) {
    process.stdin.off('data', onLine);
    process.stdin.pause();
  }
  out.info('Stopping...');
  await server.close();
  return EXIT.ok;
}

/**
 * Best effort: open the system browser when there is a desktop. Never fails the command. The URL
 * carries only a one-time code: the browser's command line is readable by every local user.
 */
export function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', url] : [url];
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return;
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // no browser: the printed URL is enough
  }
}
