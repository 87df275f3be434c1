import { Fragment, useEffect, useState } from 'react';
import type { ConnectionView } from '../../../shared/domain/connection';
import { selectConnection, useConnections } from '../../api/connections';
import type { ClientError } from '../../api/client';
import { toClientError } from '../../api/errors';
import { Badge } from '../../components/Badge';
import { ConnectionBadges } from '../../components/ConnectionBadges';
import { ErrorNotice } from '../../components/ErrorNotice';
import { StatusIcon } from '../../components/StatusIcon';
import { authSummary, dbSummary } from '../../lib/connection';
import { formatDateTime, formatRelative, plural } from '../../lib/format';
import { href } from '../../lib/router';
import { RemoveDialog } from './RemoveDialog';
import { TestReportView } from './TestReportView';
import { runSavedTest, useTestRun, type TestRun } from './test-runs';

export function ConnectionList({ connections }: { connections: ConnectionView[] }) {
  const [removing, setRemoving] = useState<ConnectionView | null>(null);
  return (
    <>
      <div className="table-wrap">
        <table className="table table--fixed" data-testid="connections-table">
          <colgroup>
            <col className="col-name" />
            <col />
            <col className="col-status" />
            <col className="col-actions" />
          </colgroup>
          <thead>
            <tr>
              <th>Name</th>
              <th>Prefect API and database</th>
              <th>Status</th>
              <th className="table__actions">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {connections.map((c) => (
              <ConnectionRow key={c.id} connection={c} onRemove={() => setRemoving(c)} />
            ))}
          </tbody>
        </table>
      </div>
      {removing && <RemoveDialog connection={removing} onDone={() => setRemoving(null)} />}
    </>
  );
}

function ConnectionRow({ connection: c, onRemove }: { connection: ConnectionView; onRemove: () => void }) {
  const { currentId } = useConnections();
  const run = useTestRun(c.id);
  const [expanded, setExpanded] = useState(false);
  const [useError, setUseError] = useState<ClientError | null>(null);
  const [using, setUsing] = useState(false);
  const isCurrent = c.id === currentId;
  const reveal = run?.reveal ?? false;
  useEffect(() => {
    if (reveal) setExpanded(true);
  }, [reveal]);

  const onUse = async () => {
    setUsing(true);
    setUseError(null);
    try {
      await selectConnection(c.id);
    } catch (e) {
      setUseError(toClientError(e));
    } finally {
      setUsing(false);
    }
  };

  const onTest = () => {
    setExpanded(true);
    void runSavedTest(c.id);
  };

  const showDetail = (expanded && run) || useError;

  return (
    <Fragment>
      <tr className={`row${isCurrent ? ' row--current' : ''}`} data-testid="connection-row" data-name={c.name}>
        <td>
          <div className="row__name">
            <span className="row__title" title={c.name} data-testid="connection-name">
              {c.name}
            </span>
            {isCurrent && (
              <Badge tone="accent" title="The connection every screen is about">
                In use
              </Badge>
            )}
          </div>
          <ConnectionBadges connection={c} />
        </td>
        <td className="td-target">
          <div className="cell-line">
            <span className="cell-key">API</span>
            <span className="mono cell-url" title={c.apiUrl} data-testid="connection-api-url">
              {c.apiUrl}
            </span>
            <span className="cell-sub">{authSummary(c.apiAuth)}</span>
          </div>
          <div className="cell-line">
            <span className="cell-key">DB</span>
            <span className="mono cell-url" title={dbSummary(c.db)} data-testid="connection-db">
              {dbSummary(c.db)}
            </span>
          </div>
        </td>
        <td className="nowrap">
          <LastTest run={run} onToggle={() => setExpanded((e) => !e)} expanded={expanded} />
          <div className="cell-sub">
            {c.lastUsedAt ? (
              <span title={formatDateTime(c.lastUsedAt)}>used {formatRelative(c.lastUsedAt)}</span>
            ) : (
              'never used'
            )}
          </div>
        </td>
        <td className="table__actions">
          <div className="row__actions">
            {!isCurrent && (
              <button type="button" className="btn btn--small" onClick={() => void onUse()} disabled={using} data-testid="use-connection">
                Use
              </button>
            )}
            <button type="button" className="btn btn--small" onClick={onTest} disabled={run?.running} data-testid="test-connection">
              {run?.running ? 'Testing…' : 'Test'}
            </button>
            <a className="btn btn--small" href={href('connections', c.id)} data-testid="edit-connection">
              Edit
            </a>
            <button type="button" className="btn btn--small btn--quiet-danger" onClick={onRemove} data-testid="remove-connection">
              Remove
            </button>
          </div>
        </td>
      </tr>
      {showDetail && (
        <tr className="row-detail">
          <td colSpan={4}>
            {useError && <ErrorNotice title={`Could not switch to “${c.name}”`} error={useError} onDismiss={() => setUseError(null)} />}
            {expanded && run && (
              <TestReportView report={run.report} running={run.running} error={run.error} hasDb={c.db.kind !== 'none'} />
            )}
          </td>
        </tr>
      )}
    </Fragment>
  );
}

function LastTest({ run, onToggle, expanded }: { run: TestRun | undefined; onToggle: () => void; expanded: boolean }) {
  if (!run) return <span className="muted">not tested</span>;
  if (run.running) {
    return (
      <span className="last-test">
        <StatusIcon status="pending" /> Testing…
      </span>
    );
  }
  let status: 'ok' | 'warn' | 'fail' = 'fail';
  let text = 'Could not run';
  if (run.report) {
    const failed = run.report.checks.filter((c) => c.status === 'fail').length;
    const warned = run.report.checks.filter((c) => c.status === 'warn').length;
    status = failed > 0 || !run.report.ok ? 'fail' : warned > 0 ? 'warn' : 'ok';
    text = status === 'ok' ? 'Passed' : status === 'warn' ? plural(warned, 'warning') : `${failed || 'Some'} failed`;
  }
  return (
    <button type="button" className="last-test last-test--button" onClick={onToggle} aria-expanded={expanded} data-testid="last-test">
      <StatusIcon status={status} /> {text}
      <span className="muted"> · {expanded ? 'hide' : 'details'}</span>
    </button>
  );
}
