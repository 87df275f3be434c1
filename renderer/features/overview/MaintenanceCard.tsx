/** Vacuums and analyzes running right now, refreshed every few seconds while the screen is open. */
import type { Maintenance } from '../../../shared/domain/inspect';
import type { ClientError } from '../../api/client';
import { formatInt, formatRelative, formatShare, plural } from '../../lib/format';
import { MAINTENANCE_POLL_MS } from './use-overview';

export function MaintenanceCard({ data, error, source }: { data: Maintenance | null; error: ClientError | null; source: string }) {
  return (
    <section className="card ov-card" data-testid="overview-maintenance" aria-labelledby="ov-maint-title" aria-live="polite">
      <h2 className="ov-card__title" id="ov-maint-title">
        Vacuum and analyze right now
        {data && <span className="ov-card__meta">updated {formatRelative(data.at)}, every {MAINTENANCE_POLL_MS / 1000} s</span>}
      </h2>
      {source !== 'postgres' ? (
        <p className="ov-empty">{source === 'sqlite' ? 'SQLite has no background vacuum: space comes back only with VACUUM.' : 'Live vacuum progress needs database access.'}</p>
      ) : error ? (
        <p className="ov-empty">Could not read the progress views: {error.message}</p>
      ) : !data ? (
        <p className="ov-empty">Looking…</p>
      ) : data.activities.length === 0 ? (
        <p className="ov-empty" data-testid="maintenance-idle">
          Nothing running. Autovacuum visits a table when its dead rows reach its trigger (see the space details).
        </p>
      ) : (
        <ul className="ov-maint" data-testid="maintenance-list">
          {data.activities.map((a) => (
            <li key={`${a.pid}-${a.kind}`} className="ov-maint__item">
              <div className="ov-maint__head">
                <strong>{a.kind}</strong> <span className="mono">{a.table ?? 'a table this role cannot see'}</span>
                <span className="muted">
                  {' '}
                  · {a.phase}
                  {a.startedAt ? ` · started ${formatRelative(a.startedAt)}` : ''}
                  {a.waiting ? ` · waiting on ${a.waiting}` : ''}
                </span>
              </div>
              <svg className="ov-maint__bar" viewBox="0 0 1000 8" preserveAspectRatio="none" height="8" role="img" aria-label={a.progress === null ? a.phase : formatShare(a.progress)}>
                <rect className="ov-maint__track" x="0" y="0" width="1000" height="8" />
                {a.progress !== null && <rect className="ov-maint__fill" x="0" y="0" width={a.progress * 1000} height="8" />}
              </svg>
              <div className="muted ov-maint__nums">
                {a.heapBlocksTotal !== null ? `${formatInt(a.heapBlocksScanned)} of ${formatInt(a.heapBlocksTotal)} blocks scanned` : ''}
                {a.indexVacuumCount ? `, ${plural(a.indexVacuumCount, 'index pass', 'index passes')}` : ''}
              </div>
            </li>
          ))}
        </ul>
      )}
      {data?.notes.map((n) => (
        <p key={n} className="muted">
          {n}
        </p>
      ))}
    </section>
  );
}
