/** Warnings first and visible (with their fix); plain notes folded away until asked for. */
import type { InspectNote } from '../../../shared/domain/inspect';
import { plural } from '../../lib/format';

export function NotesPanel({ notes }: { notes: InspectNote[] }) {
  const warns = notes.filter((n) => n.level === 'warn');
  const infos = notes.filter((n) => n.level === 'info');
  if (notes.length === 0) return null;
  return (
    <div className="ov-notes" data-testid="overview-notes">
      {warns.length > 0 && (
        <ul className="ov-notes__warn" role="alert">
          {warns.map((n, i) => (
            <li key={i} data-testid="overview-warning">
              {n.message}
              {n.hint && <div className="ov-notes__hint mono">{n.hint}</div>}
            </li>
          ))}
        </ul>
      )}
      {infos.length > 0 && (
        <details className="ov-notes__info">
          <summary>
            {plural(infos.length, 'note')} about this inspection
          </summary>
          <ul>
            {infos.map((n, i) => (
              <li key={i}>
                {n.message}
                {n.hint && <div className="ov-notes__hint mono">{n.hint}</div>}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
