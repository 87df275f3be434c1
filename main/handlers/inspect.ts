import { AppError } from '../../shared/errors';
import { exportReport } from '../core/inspect/report-export';
import type { AppContext } from '../context';
import type { Handlers } from '../transport/dispatch';

type InspectHandlers = Pick<
  Handlers,
  'inspect.run' | 'inspect.latest' | 'inspect.get' | 'inspect.list' | 'inspect.history' | 'inspect.maintenance' | 'inspect.exact' | 'inspect.export'
>;

export function inspectHandlers(ctx: AppContext): InspectHandlers {
  const svc = ctx.inspect;
  // Resolving checks the connection exists (NOT_FOUND otherwise) before history is read for it.
  const known = (connectionId: string) => ctx.connections.get(connectionId).id;
  return {
    'inspect.run': async ({ connectionId }, rc) => svc.run({ conn: ctx.connections.resolve(connectionId), ...(rc ? { signal: rc.signal } : {}) }),
    'inspect.latest': async ({ connectionId }) => svc.latest(known(connectionId)),
    'inspect.get': async ({ id }) => svc.get(id),
    'inspect.list': async ({ connectionId, limit }) => ctx.store.inspections.list(known(connectionId), limit),
    'inspect.history': async ({ connectionId, limit }) => ctx.store.inspections.history(known(connectionId), limit),
    'inspect.maintenance': async ({ connectionId }, rc) => svc.maintenance(ctx.connections.resolve(connectionId), rc?.signal),
    'inspect.exact': async ({ connectionId, reportId, tables, indexes }) => {
      const conn = ctx.connections.resolve(connectionId);
      if (reportId && svc.get(reportId).connectionId !== connectionId) {
        throw new AppError('CONFLICT', 'That report belongs to another connection.', { hint: 'Inspect this connection first.' });
      }
      const { jobId } = svc.startExact(conn, { ...(reportId ? { reportId } : {}), ...(tables ? { tables } : {}), indexes });
      return { jobId };
    },
    'inspect.export': async ({ id, format }) => exportReport(svc.get(id), format),
  };
}
