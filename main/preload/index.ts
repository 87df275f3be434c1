/**
 * The preload bridge: one method per contract request (from the dependency-free channel list), and
 * an event subscription that strips the IpcRendererEvent and returns an unsubscribe. Nothing else of
 * Electron or Node reaches the page.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CHANNEL_PREFIX, EVENT_CHANNEL, EVENT_CHANNELS, REQUEST_CHANNELS } from '../../shared/channels';

const invoke: Record<string, (input: unknown, meta?: { requestId?: string }) => Promise<unknown>> = {};
for (const name of REQUEST_CHANNELS) {
  // `meta` carries only the request's id (a string), so `requests.cancel` can name it.
  invoke[name] = (input: unknown, meta?: { requestId?: string }) =>
    ipcRenderer.invoke(CHANNEL_PREFIX + name, input, typeof meta?.requestId === 'string' ? { requestId: meta.requestId } : undefined);
}

const allowedEvents = new Set<string>(EVENT_CHANNELS);

contextBridge.exposeInMainWorld('housekeeper', {
  invoke,
  on(event: string, listener: (payload: unknown) => void): () => void {
    if (!allowedEvents.has(event)) return () => undefined;
    const l = (_e: IpcRendererEvent, msg: { event: string; payload: unknown }) => {
      if (msg.event === event) listener(msg.payload);
    };
    ipcRenderer.on(EVENT_CHANNEL, l);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, l);
  },
});
