/** Changes made on this connection, with their kept originals: any of them can be restored. */
import type { ChangeRecord } from '../../../shared/domain/schedules';
import { Badge, type Tone } from '../../components/Badge';
import { EmptyState } from '../../components/EmptyState';
import { formatDateTime } from '../../lib/format';

const TONE: Record<string, Tone> = { applied: 'ok', planned: 'neutral', running: 'accent', 'rolled-back': 'warn', 'needs-restore': 'fail', cancelled: 'skip' };

export function ChangesPanel({ items, busy, onRestore }: { items: ChangeRecord[]; busy: boolean; onRestore: (id: string) => void }) {
  const made = items.filter((c) => c.status !== 'planned');
  if (made.length === 0) {
    return <EmptyState title="No schedule changes on this connection yet">Each recreate, reset, pause or resume keeps the schedules it replaced, so it can be undone here.</EmptyState>;
  }
  return (
    <div className="table-wrap">
      <table className="table" data-testid="changes-table">
        <thead>
          <tr>
            <th>When</th>
            <th>Change</th>
            <th>Status</th>
            <th className="num">Deployments</th>
            <th>Summary</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {made.map((c) => (
            <tr key={c.planId} className="row">
              <td className="nowrap mono">{formatDateTime(c.createdAt)}</td>
              <td>{c.kind}</td>
              <td><Badge tone={TONE[c.status] ?? 'neutral'}>{c.status}</Badge></td>
              <td className="num">{c.deployments}</td>
              <td className="cell-summary">{c.summary}</td>
              <td className="table__actions">
                {c.restorable && (
                  <button type="button" className="btn btn--small" disabled={busy} onClick={() => onRestore(c.planId)}>
                    Restore originals…
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
