import { testConnection } from '../core/connections/checks';
import { discover, resolveDiscovered } from '../core/connections/discover';
import type { AppContext } from '../context';
import type { Handlers } from '../transport/dispatch';

type ConnectionHandlers = Pick<
  Handlers,
  | 'connections.list'
  | 'connections.save'
  | 'connections.remove'
  | 'connections.test'
  | 'connections.use'
  | 'connections.discover'
  | 'connections.adopt'
>;

export function connectionHandlers(ctx: AppContext): ConnectionHandlers {
  const svc = ctx.connections;
  return {
    'connections.list': async () => svc.list(),
    'connections.save': async ({ id, draft }) => {
      const view = svc.save(id, draft);
      ctx.store.audit.record({ connectionId: view.id, connectionName: view.name, action: id ? 'connection.edit' : 'connection.add', outcome: 'info', summary: `${id ? 'Edited' : 'Added'} connection "${view.name}" (${view.apiUrl})` });
      return view;
    },
    'connections.remove': async ({ id }) => {
      const view = svc.get(id);
      svc.remove(id);
      ctx.store.audit.record({ connectionId: id, connectionName: view.name, action: 'connection.remove', outcome: 'info', summary: `Removed connection "${view.name}" and its stored secrets (nothing changed on the server)` });
      return { removed: true as const };
    },
    'connections.test': async ({ id, draft }, rc) => testConnection(svc.resolve(id, draft), rc ? { signal: rc.signal } : {}),
    'connections.use': async ({ id }) => ({ lastUsedId: svc.use(id) }),
    'connections.discover': async () => {
      const saved = svc.list().connections;
      const found = await discover();
      return {
        notes: found.notes,
        setups: found.setups.map((d) => ({
          ...d,
          alreadyAdded: saved.some(
            (c) => (d.apiUrl !== null && c.apiUrl === d.apiUrl) || (d.source === 'sqlite-file' && c.db.kind === 'sqlite' && d.dbSummary?.includes(c.db.path) === true),
          ),
        })),
      };
    },
    'connections.adopt': async ({ key, name }) => {
      const { draft } = await resolveDiscovered(key);
      return svc.save(undefined, name ? { ...draft, name } : draft);
    },
  };
}
