/**
 * The audit log: what Housekeeper did, to which server, by whom, and how it ended. Read during and
 * after an incident, so times carry seconds and the outcome is the most visible column.
 */
import { Fragment, useState } from 'react';
import type { AuditEntry, AuditOutcome } from '../../../shared/domain/audit';
import { useConnections } from '../../api/connections';
import { useEvent, useRequest } from '../../api/hooks';
import { Badge, type Tone } from '../../components/Badge';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Spinner } from '../../components/Spinner';
import { formatDateTime, formatDuration, formatRelative } from '../../lib/format';

const OUTCOME_TONE: Record<AuditOutcome, Tone> = {
  succeeded: 'ok',
  failed: 'fail',
  refused: 'warn',
  cancelled: 'skip',
  planned: 'accent',
  running: 'accent',
  interrupted: 'warn',
  info: 'neutral',
};

const LIMIT = 200;

export function ActivityScreen() {
  const { connections } = useConnections();
  const [connectionId, setConnectionId] = useState<string>('');
  const audit = useRequest('audit.list', connectionId ? { connectionId, limit: LIMIT } : { limit: LIMIT }, connectionId);
  // A finished job writes an audit row: show it without a manual refresh.
  useEvent('jobs.finished', () => audit.reload());

  const entries = audit.data ?? [];
  return (
    <div className="page">
      <header className="page__header">
        <div>
          <h1 className="page__title">Activity</h1>
          <p className="page__lead">What Housekeeper did to your servers, newest first.</p>
        </div>
        <div className="page__actions">
          <label className="inline-field">
            <span>Connection</span>
            <select className="input" value={connectionId} onChange={(e) => setConnectionId(e.target.value)} data-testid="activity-filter">
              <option value="">All connections</option>
              {connections.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="btn" onClick={audit.reload} disabled={audit.loading}>
            Refresh
          </button>
        </div>
      </header>

      {audit.error && <ErrorNotice title="Could not read the activity log" error={audit.error} />}
      {audit.loading && !audit.data && <Spinner label="Reading the activity log…" />}
      {audit.data && entries.length === 0 && (
        <EmptyState title={connectionId ? 'Nothing recorded for this connection yet' : 'Nothing recorded yet'}>
          Housekeeper records here what it does to your Prefect servers — plans, changes and destructive actions — with
          when, against which server, by whom, and how it ended.
        </EmptyState>
      )}
      {entries.length > 0 && (
        <div className="table-wrap">
          <table className="table table--activity" data-testid="activity-table">
            <thead>
              <tr>
                <th>Time</th>
                <th>Connection</th>
                <th>Action</th>
                <th>Outcome</th>
                <th>Summary</th>
                <th className="num">Duration</th>
                <th>By</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <AuditRow key={e.id} entry={e} />
              ))}
            </tbody>
          </table>
          {entries.length >= LIMIT && <p className="muted table-note">Showing the newest {LIMIT} entries.</p>}
        </div>
      )}
    </div>
  );
}

function AuditRow({ entry: e }: { entry: AuditEntry }) {
  const [open, setOpen] = useState(false);
  const detailKeys = Object.keys(e.details);
  return (
    <Fragment>
      <tr className="row" data-testid="audit-row" data-outcome={e.outcome}>
        <td className="nowrap mono">
          <span title={formatRelative(e.at)}>{formatDateTime(e.at)}</span>
        </td>
        <td>{e.connectionName ?? <span className="muted">—</span>}</td>
        <td className="mono">{e.action}</td>
        <td>
          <Badge tone={OUTCOME_TONE[e.outcome]}>{e.outcome}</Badge>
        </td>
        <td className="cell-summary">
          {e.summary}
          {detailKeys.length > 0 && (
            <button type="button" className="btn btn--link" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
              {open ? 'hide details' : 'details'}
            </button>
          )}
        </td>
        <td className="num nowrap">{formatDuration(e.durationMs)}</td>
        <td className="nowrap muted">
          {e.user}@{e.host}
        </td>
      </tr>
      {open && (
        <tr className="row-detail">
          <td colSpan={7}>
            <dl className="kv">
              {detailKeys.map((k) => (
                <Fragment key={k}>
                  <dt>{k}</dt>
                  <dd className="mono">{typeof e.details[k] === 'string' ? (e.details[k] as string) : JSON.stringify(e.details[k])}</dd>
                </Fragment>
              ))}
            </dl>
          </td>
        </tr>
      )}
    </Fragment>
  );
}
