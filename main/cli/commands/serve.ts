import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { AppError } from '../../../shared/errors';
import type { AppContext } from '../../context';
import { createHandlers } from '../../handlers';
import { startWebServer } from '../../transport/http';
import { isLoopback } from '../../transport/web-guard';
import { intFlag, type Flags } from '../args';
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
  if (!isLoopback(host)) {
    out.info(`Warning: serving on ${host}, not only this machine. Anyone who can reach it and has the token controls Housekeeper. Prefer an SSH tunnel to 127.0.0.1.`);
  }
  const server = await startWebServer({ handlers: createHandlers(ctx), bus: ctx.bus, staticDir, host, port });
  // The first line on stdout is the URL (tests and scripts read it); the rest is for people.
  process.stdout.write(`${server.openUrl}\n`);
  out.info(`Housekeeper is serving its UI at ${server.url} (local web mode). Open the URL above; it carries this session's token.`);
  out.info('Press Ctrl-C to stop.');
  if (!flags['no-open']) openBrowser(server.openUrl);

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  out.info('Stopping...');
  await server.close();
  return EXIT.ok;
}

/** Best effort: open the system browser when there is a desktop. Never fails the command. */
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
