/**
 * Retentions on this connection that stopped before the end: the app was closed or killed, the
 * connection dropped, someone pressed Cancel. The journal knows exactly where each stopped.
 */
import type { RetentionStatus } from '../../../shared/contracts/retention';
import { rowsDeleted } from '../../../shared/domain/retention';
import { formatCount, formatDateTime } from '../../lib/format';
import { href } from '../../lib/router';

export function UnfinishedRetentions({ items, onResume, busy }: { items: RetentionStatus[]; onResume: (s: RetentionStatus) => void; busy: boolean }) {
  if (items.length === 0) return null;
  return (
    <section className="card purge-unfinished" data-testid="retention-unfinished">
      <div className="card__title">Unfinished retentions</div>
      {items.map((s) => (
        <div className="purge-unfinished__row" key={s.plan.planId}>
          <div>
            <strong>{s.status}</strong> · planned {formatDateTime(s.plan.createdAt)} · runs that ended before {formatDateTime(s.plan.cutoff)} ·{' '}
            {formatCount(s.totals.runs)} of {formatCount(s.plan.confirmCount)} runs ({formatCount(rowsDeleted(s.totals))} rows) deleted, stopped in phase {s.phase} ·{' '}
            <a className="link" href={href('retention', 'run', s.plan.planId)}>details</a>
          </div>
          <button type="button" className="btn btn--small" disabled={busy} onClick={() => onResume(s)} data-testid="retention-unfinished-resume">
            Resume
          </button>
        </div>
      ))}
      <p className="muted">Resuming continues from the journal: each batch checks its runs again, nothing is deleted twice, and the totals stay exact.</p>
    </section>
  );
}
