/** Every revision: compare any two, look at one, restore one (as a new revision; nothing is lost). */
import { useState } from 'react';
import type { ProfileView } from '../../../shared/domain/profiles';
import { useAction, useRequest } from '../../api/hooks';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Spinner } from '../../components/Spinner';
import { formatDateTime } from '../../lib/format';
import { DiffList } from './DiffList';

export function HistoryPanel({ view, onRestored }: { view: ProfileView; onRestored: () => void }) {
  const history = useRequest('profiles.history', { id: view.id }, `${view.id}:${view.rev}`);
  const [from, setFrom] = useState(Math.max(1, view.rev - 1));
  const [to, setTo] = useState(view.rev);
  const diff = useRequest('profiles.diff', { a: { id: view.id, rev: from }, b: { id: view.id, rev: to } }, `${view.id}:${from}:${to}:${view.rev}`);
  const restore = useAction('profiles.restore');
  const [confirm, setConfirm] = useState<number | null>(null);

  if (history.error) return <ErrorNotice title="Could not read the history" error={history.error} />;
  if (!history.data) return <Spinner label="Reading history…" />;
  return (
    <div className="history" data-testid="history">
      <table className="table table--compact">
        <thead>
          <tr>
            <th>Rev</th>
            <th>Saved</th>
            <th>How</th>
            <th>Settings</th>
            <th>Message</th>
            <th>Compare</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {history.data.map((r) => (
            <tr key={r.rev} data-testid={`rev-${r.rev}`}>
              <td className="num">{r.rev}</td>
              <td>{formatDateTime(r.createdAt)}</td>
              <td>{r.source}</td>
              <td className="num">{r.settingsCount}</td>
              <td>{r.message}</td>
              <td>
                <label className="history__pick">
                  <input type="radio" name="from" checked={from === r.rev} onChange={() => setFrom(r.rev)} aria-label={`Compare from revision ${r.rev}`} /> from
                </label>
                <label className="history__pick">
                  <input type="radio" name="to" checked={to === r.rev} onChange={() => setTo(r.rev)} aria-label={`Compare to revision ${r.rev}`} /> to
                </label>
              </td>
              <td>
                {r.rev !== view.rev && (
                  <button type="button" className="btn btn--small" onClick={() => setConfirm(r.rev)} data-testid={`restore-${r.rev}`}>
                    Restore
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="card card--quiet">
        <div className="card__title">
          Revision {from} → revision {to}
        </div>
        {diff.error ? <ErrorNotice error={diff.error} /> : diff.data ? <DiffList diff={diff.data} /> : <Spinner label="Comparing…" />}
      </div>
      {confirm !== null && (
        <ConfirmDialog
          title={`Restore revision ${confirm}?`}
          confirmLabel={`Save as revision ${view.rev + 1}`}
          busy={restore.running}
          error={restore.error}
          onCancel={() => setConfirm(null)}
          onConfirm={() => void restore.run({ id: view.id, rev: confirm }).then((r) => r && (setConfirm(null), onRestored()))}
        >
          The values of revision {confirm} (secrets included) become a new revision {view.rev + 1}. Revision {view.rev} stays in the
          history.
        </ConfirmDialog>
      )}
    </div>
  );
}
