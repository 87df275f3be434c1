/**
 * Purges on this connection that stopped before the end: the app was closed or killed, the
 * connection dropped, someone pressed Cancel. The journal knows exactly where each stopped.
 */
import type { PurgeStatus } from '../../../shared/contracts/purge';
import { formatCount, formatDateTime } from '../../lib/format';

export function UnfinishedPurges({ items, onResume, busy }: { items: PurgeStatus[]; onResume: (s: PurgeStatus) => void; busy: boolean }) {
  if (items.length === 0) return null;
  return (
    <section className="card purge-unfinished" data-testid="purge-unfinished">
      <div className="card__title">Unfinished purges</div>
      {items.map((s) => {
        const left = s.counts.pending + s.counts.inFlight;
        return (
          <div className="purge-unfinished__row" key={s.plan.planId}>
            <div>
              <strong>{s.status}</strong> · planned {formatDateTime(s.plan.createdAt)} · {formatCount(s.counts.deleted)} of {formatCount(s.counts.total)} deleted,{' '}
              {formatCount(left)} left (runs scheduled before {formatDateTime(s.plan.cutoff)})
            </div>
            <button type="button" className="btn btn--small" disabled={busy || left === 0} onClick={() => onResume(s)} data-testid="purge-unfinished-resume">
              Resume
            </button>
          </div>
        );
      })}
      <p className="muted">Resuming deletes only the runs left in that plan, each checked again; nothing is deleted twice.</p>
    </section>
  );
}
