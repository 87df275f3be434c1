/**
 * The pg_repack request (issue #14): a job like VACUUM, started with the tables the user named.
 * Its own file so the Retention screen's handlers (retention.ts) stay one owner's.
 */
import { startRepack } from '../core/retention/maintenance-jobs';
import type { AppContext } from '../context';
import type { Handlers } from '../transport/dispatch';

export function retentionRepackHandlers(ctx: AppContext): Pick<Handlers, 'retention.repack'> {
  return {
    'retention.repack': async ({ connectionId, tables }) => ({ jobId: startRepack(ctx.store, ctx.jobs, ctx.connections.resolve(connectionId), tables).jobId }),
  };
}
