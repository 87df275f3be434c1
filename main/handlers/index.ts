/**
 * The implementation of every contract request. Exhaustive by type: a request declared in
 * shared/contract.ts without a handler here is a compile error.
 */
import { cancelRequest, type Handlers } from '../transport/dispatch';
import type { AppContext } from '../context';
import { connectionHandlers } from './connections';
import { profileHandlers } from './profiles';
import { purgeHandlers } from './purge';
import { inspectHandlers } from './inspect';
import { schedulesHandlers } from './schedules';
import { diagnoseHandlers } from './diagnose';
import { retentionHandlers } from './retention';
import { retentionRepackHandlers } from './retention-repack';
import { desktopUnavailable } from './desktop';

export function createHandlers(ctx: AppContext): Handlers {
  return {
    'app.info': async () => ({
      name: 'Housekeeper' as const,
      version: ctx.version,
      face: ctx.face === 'electron' ? ('electron' as const) : ('web' as const),
      storePath: ctx.store.handle.file,
      secretScheme: ctx.store.secrets.scheme,
    }),
    ...connectionHandlers(ctx),
    ...profileHandlers(ctx),
    'jobs.list': async () => ctx.jobs.views(),
    'jobs.cancel': async ({ jobId }) => ({ cancelled: ctx.jobs.cancel(jobId) }),
    'jobs.pause': async ({ jobId }) => ({ paused: ctx.jobs.pause(jobId) }),
    'jobs.resume': async ({ jobId }) => ctx.jobs.resumeAny(jobId),
    'requests.cancel': async ({ requestId }) => ({ cancelled: cancelRequest(requestId) }),
    'audit.list': async (input) => ctx.store.audit.list(input),
    ...purgeHandlers(ctx),
    ...inspectHandlers(ctx),
    ...schedulesHandlers(ctx),
    ...diagnoseHandlers(ctx),
    ...retentionHandlers(ctx),
    ...retentionRepackHandlers(ctx),
    // Replaced by the window's native dialogs (main/app/file-dialogs.ts) on the Electron face.
    ...desktopUnavailable(),
    'health.check': async ({ connectionId }, rc) => {
      const conn = ctx.connections.resolve(connectionId);
      return ctx.health.check({ ...conn, id: connectionId }, rc?.signal);
    },
  };
}
