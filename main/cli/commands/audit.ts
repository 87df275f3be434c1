import { formatDateTime } from '../../../shared/text/format';
import type { AppContext } from '../../context';
import { intFlag, type Flags } from '../args';
import { EXIT } from '../exit';
import { table, type Out } from '../io';

export function auditCommand(ctx: AppContext, flags: Flags, out: Out): number {
  const limit = intFlag(flags.limit, 'limit', 1, 1000) ?? 50;
  const connectionId = flags.connection ? ctx.connections.find(flags.connection).id : undefined;
  const entries = ctx.store.audit.list(connectionId ? { connectionId, limit } : { limit });
  out.result(entries, () =>
    entries.length === 0
      ? 'The audit log is empty.'
      : table(
          ['WHEN', 'CONNECTION', 'ACTION', 'OUTCOME', 'SUMMARY', 'BY'],
          entries.map((e) => [formatDateTime(e.at), e.connectionName ?? '-', e.action, e.outcome, e.summary, `${e.user}@${e.host}`]),
        ),
  );
  return EXIT.ok;
}
