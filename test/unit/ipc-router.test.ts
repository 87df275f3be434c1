/**
 * The Electron ipcMain router, with Electron's ipcMain replaced by an in-memory stand-in (Electron
 * itself cannot run here): every contract request gets a handler, untrusted senders are refused,
 * input is parsed before any handler runs, and outcomes come back in the Result envelope.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

const handlers = new Map<string, (event: unknown, raw: unknown) => Promise<unknown>>();
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, fn: (event: unknown, raw: unknown) => Promise<unknown>) => handlers.set(channel, fn),
    removeHandler: (channel: string) => handlers.delete(channel),
  },
}));

const { registerIpc } = await import('../../main/transport/ipc');
const { EventBus } = await import('../../main/core/events');
const { REQUEST_NAMES } = await import('../../shared/contract');
const { CHANNEL_PREFIX, EVENT_CHANNEL } = await import('../../shared/channels');
const { AppError } = await import('../../shared/errors');

const trusted = { url: 'app://housekeeper/index.html', top: null as unknown };
trusted.top = trusted;
const foreign = { url: 'https://evil.example/', top: null as unknown };
foreign.top = foreign;
const isTrustedSender = (frame: unknown) => frame === trusted;

describe('ipc router', () => {
  const sent: unknown[] = [];
  let dispose: () => void;
  const bus = new EventBus();
  const impl = {
    'app.info': vi.fn(async () => ({ name: 'Housekeeper', version: '1', face: 'electron', storePath: '/s', secretScheme: 'safeStorage' })),
    'connections.remove': vi.fn(async () => {
      throw new AppError('NOT_FOUND', 'That connection no longer exists.');
    }),
  };

  beforeEach(() => {
    handlers.clear();
    sent.length = 0;
    dispose?.();
    dispose = registerIpc(impl as never, bus, isTrustedSender as never, () => ({ isDestroyed: () => false, send: (ch: string, msg: unknown) => sent.push([ch, msg]) }) as never);
  });

  it('registers one channel per contract request', () => {
    expect([...handlers.keys()].sort()).toEqual(REQUEST_NAMES.map((n) => CHANNEL_PREFIX + n).sort());
  });

  it('refuses senders that are not our own top frame, before parsing or calling', async () => {
    impl['app.info'].mockClear();
    const r = await handlers.get(`${CHANNEL_PREFIX}app.info`)!({ senderFrame: foreign }, {});
    expect(r).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'Untrusted sender' } });
    expect(impl['app.info']).not.toHaveBeenCalled();
  });

  it('parses input and wraps results and errors in the envelope', async () => {
    const ok = await handlers.get(`${CHANNEL_PREFIX}app.info`)!({ senderFrame: trusted }, {});
    expect(ok).toMatchObject({ ok: true, value: { name: 'Housekeeper' } });
    const bad = await handlers.get(`${CHANNEL_PREFIX}connections.remove`)!({ senderFrame: trusted }, { id: 42 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(impl['connections.remove']).not.toHaveBeenCalled();
    const err = await handlers.get(`${CHANNEL_PREFIX}connections.remove`)!({ senderFrame: trusted }, { id: 'x' });
    expect(err).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'That connection no longer exists.' } });
  });

  it('forwards contract events to the window on one channel, and unregisters on dispose', () => {
    const p = { jobId: 'j', kind: 'purge', connectionId: null, title: 't', link: ['jobs', 'j'] as string[], status: 'running', phase: 'deleting', done: 1, total: 2, rate: null, etaSeconds: null, message: null, startedAt: 'a', updatedAt: 'b' } as const;
    bus.emit('jobs.progress', p);
    expect(sent).toEqual([[EVENT_CHANNEL, { event: 'jobs.progress', payload: p }]]);
    dispose();
    expect(handlers.size).toBe(0);
  });
});
