/**
 * The ipcMain router, derived from the contract: one handler per request channel, sender checked,
 * input parsed, Result envelope returned (Electron keeps only `message` from thrown errors, so errors
 * travel as data). Events go to the window on one channel.
 */
import { ipcMain, type WebContents, type WebFrameMain } from 'electron';
import { REQUEST_NAMES } from '../../shared/contract';
import { CHANNEL_PREFIX, EVENT_CHANNEL } from '../../shared/channels';
import { err } from '../../shared/result';
import type { EventBus } from '../core/events';
import { dispatch, type Handlers } from './dispatch';

export function registerIpc(
  handlers: Handlers,
  bus: EventBus,
  isTrustedSender: (frame: WebFrameMain | null) => boolean,
  target: () => WebContents | null,
): () => void {
  for (const name of REQUEST_NAMES) {
    ipcMain.handle(CHANNEL_PREFIX + name, async (event, raw: unknown, meta?: unknown) => {
      if (!isTrustedSender(event.senderFrame)) return err({ code: 'FORBIDDEN', message: 'Untrusted sender' });
      // The renderer names each request so its Cancel (`requests.cancel`) can reach it.
      const requestId = typeof (meta as { requestId?: unknown } | undefined)?.requestId === 'string' ? (meta as { requestId: string }).requestId : undefined;
      return dispatch(handlers, name, raw, requestId ? { requestId } : {});
    });
  }
  const unsubscribe = bus.subscribe((event, payload) => {
    const wc = target();
    if (wc && !wc.isDestroyed()) wc.send(EVENT_CHANNEL, { event, payload });
  });
  return () => {
    unsubscribe();
    for (const name of REQUEST_NAMES) ipcMain.removeHandler(CHANNEL_PREFIX + name);
  };
}
