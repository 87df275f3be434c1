import type { ConnectionView } from '../../../shared/domain/connection';
import { useAction } from '../../api/hooks';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { dbSummary } from '../../lib/connection';
import { refreshConnections } from '../../api/connections';
import { forgetTest } from './test-runs';

/** Removing a connection forgets it locally; it must be plain that the server is not touched. */
export function RemoveDialog({ connection: c, onDone }: { connection: ConnectionView; onDone: () => void }) {
  const remove = useAction('connections.remove');
  const secrets = [
    c.apiAuth.kind === 'basic' && c.apiAuth.hasSecret ? 'the API auth string' : null,
    c.apiAuth.kind === 'apiKey' && c.apiAuth.hasSecret ? 'the API key' : null,
    c.db.kind === 'postgres' && c.db.hasPassword ? 'the database password' : null,
  ].filter((s): s is string => s !== null);

  return (
    <ConfirmDialog
      title={`Remove “${c.name}”?`}
      confirmLabel={`Remove “${c.name}”`}
      danger
      busy={remove.running}
      error={remove.error}
      onCancel={onDone}
      onConfirm={async () => {
        if (await remove.run({ id: c.id })) {
          forgetTest(c.id);
          await refreshConnections();
          onDone();
        }
      }}
    >
      <p>
        This removes only Housekeeper's saved connection
        {secrets.length > 0 ? <> and its stored secrets ({secrets.join(', ')})</> : null}.
      </p>
      <dl className="dialog__facts">
        <dt>API</dt>
        <dd className="mono">{c.apiUrl}</dd>
        <dt>Database</dt>
        <dd className="mono">{dbSummary(c.db)}</dd>
      </dl>
      <p>
        <strong>Nothing changes on the Prefect server or in its database.</strong> The Activity log keeps its entries. You can
        add the connection again at any time.
      </p>
    </ConfirmDialog>
  );
}
