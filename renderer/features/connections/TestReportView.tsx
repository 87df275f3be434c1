/**
 * A connection test as a checklist, in the order main runs the checks: each with its status, what
 * was found, and (when something is wrong) what to do. The summary line answers the two questions
 * asked first: which Prefect version, and which database.
 */
import type { Check, DbPermissions, TestReport } from '../../../shared/domain/connection';
import type { ClientError } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { StatusIcon, type Status } from '../../components/StatusIcon';
import { formatDateTime, formatDuration, plural } from '../../lib/format';
import { CHECK_LABELS, CHECK_ORDER, checkRank } from './checks';

export function TestReportView({
  report,
  running,
  error,
  hasDb = true,
}: {
  report: TestReport | null;
  running: boolean;
  error: ClientError | null;
  /** While running: whether to show the database checks as pending. */
  hasDb?: boolean;
}) {
  if (error && !running) {
    return (
      <section className="report" data-testid="test-report" data-state="error">
        <ErrorNotice title="The test could not run" error={error} />
      </section>
    );
  }
  if (running || !report) {
    const ids = CHECK_ORDER.filter((id) => hasDb || !id.startsWith('db.'));
    return (
      <section className="report report--running" data-testid="test-report" data-state="running" aria-busy="true">
        <header className="report__summary">
          <StatusIcon status="pending" size={18} />
          <span className="report__verdict">Testing…</span>
          <span className="report__facts">each check waits for the one before it</span>
        </header>
        <ol className="checklist">
          {ids.map((id) => (
            <li key={id} className="check check--pending" data-testid={`check-${id}`} data-status="pending">
              <StatusIcon status="pending" />
              <div className="check__main">
                <div className="check__label">{CHECK_LABELS[id]}</div>
              </div>
            </li>
          ))}
        </ol>
      </section>
    );
  }

  const checks = [...report.checks].sort((a, b) => checkRank(a.id) - checkRank(b.id));
  const failed = checks.filter((c) => c.status === 'fail').length;
  const warned = checks.filter((c) => c.status === 'warn').length;
  const overall: Status = failed > 0 || !report.ok ? 'fail' : warned > 0 ? 'warn' : 'ok';
  const verdict =
    overall === 'ok'
      ? 'All checks passed'
      : overall === 'warn'
        ? `Works, with ${plural(warned, 'warning')}`
        : failed > 0
          ? `${plural(failed, 'check')} failed`
          : 'Not usable yet';

  return (
    <section className={`report report--${overall}`} data-testid="test-report" data-state="done" data-ok={report.ok}>
      <header className="report__summary" data-testid="test-summary">
        <StatusIcon status={overall} size={18} />
        <span className="report__verdict" data-testid="test-verdict">
          {verdict}
        </span>
        <span className="report__facts">
          <span className="fact">
            Prefect{' '}
            <strong data-testid="test-server-version">{report.serverVersion ?? 'version unknown'}</strong>
            {report.apiKind === 'cloud' ? ' (Cloud)' : ''}
          </span>
          <span className="fact" data-testid="test-db-kind">
            {dbKindText(report)}
          </span>
          {report.migration && (
            <span className="fact" title="The newest Alembic migration recorded in the database">
              migration <span className="mono">{report.migration}</span>
            </span>
          )}
        </span>
      </header>
      <ol className="checklist">
        {checks.map((c) => (
          <CheckItem
            key={c.id}
            check={c}
            permissions={c.id === 'db.permissions' ? report.permissions : null}
            dbKind={report.dbKind}
          />
        ))}
      </ol>
      <footer className="report__footer">Tested {formatDateTime(report.testedAt)}</footer>
    </section>
  );
}

function dbKindText(r: TestReport): string {
  if (r.dbKind === 'none') return 'No database (API only)';
  const kind = r.dbKind === 'postgres' ? 'PostgreSQL' : 'SQLite';
  const v = r.dbServerVersion?.trim();
  if (!v) return kind;
  // Main may already name the engine ("SQLite 3.53.2"); do not say it twice.
  return v.toLowerCase().startsWith(kind.toLowerCase()) ? v : `${kind} ${v}`;
}

function CheckItem({ check, permissions, dbKind }: { check: Check; permissions: DbPermissions | null; dbKind: TestReport['dbKind'] }) {
  return (
    <li className={`check check--${check.status}`} data-testid={`check-${check.id}`} data-status={check.status}>
      <StatusIcon status={check.status} />
      <div className="check__main">
        <div className="check__label">{check.label || CHECK_LABELS[check.id]}</div>
        {check.detail && <div className="check__detail">{check.detail}</div>}
        {check.hint && check.status !== 'ok' && <div className="check__hint">{check.hint}</div>}
        {permissions && check.status !== 'skip' && <PermissionList p={permissions} dbKind={dbKind} hint={check.hint} status={check.status} />}
      </div>
      <span className="check__time">{check.status === 'skip' ? '' : formatDuration(check.durationMs)}</span>
    </li>
  );
}

/**
 * [flag, label when allowed, label when not, what it is for, PostgreSQL only, blocks a main feature].
 * Only a missing permission that blocks a feature (inspection's bloat estimate, purging) is a warning;
 * the others are limits, shown with the neutral mark, so the list agrees with the headline and with
 * what the Overview shows (issue #13 item 6: "cannot read statistics" under "All checks passed",
 * while the Overview showed them).
 */
const PERMISSIONS: Array<[keyof Omit<DbPermissions, 'notes'>, string, string, string, boolean, boolean]> = [
  ['readPgStats', 'Can read column statistics', 'Cannot read column statistics', 'pg_stats, for bloat estimates', true, true],
  ['deleteRuns', 'Can delete runs', 'Cannot delete runs', 'DELETE on flow_run and related tables, for purges', false, true],
  ['readStatistics', "Can see other sessions' activity", "Cannot see other sessions' activity", "autovacuum progress and other sessions' queries (pg_read_all_stats); table sizes and dead rows are readable either way", true, false],
  ['vacuum', 'Can vacuum', 'Cannot vacuum', 'VACUUM, to give the space of deleted rows back', false, false],
];

function PermissionList({ p, dbKind, hint, status }: { p: DbPermissions; dbKind: TestReport['dbKind']; hint: string | undefined; status: Check['status'] }) {
  const shown = PERMISSIONS.filter(([, , , , pgOnly]) => dbKind === 'postgres' || !pgOnly);
  // The check's hint often repeats a note word for word; say each thing once.
  const notes = p.notes.filter((n) => !hint?.includes(n));
  return (
    <>
      <ul className="perms" data-testid="permissions">
        {shown.map(([key, yes, no, what, , blocking]) => (
          <li key={key} className="perms__item" data-testid={`perm-${key}`} data-allowed={p[key]}>
            {/* A blocking gap is a warning only when the check itself warns (purging is moot on a read-only connection). */}
            <StatusIcon status={p[key] ? 'ok' : blocking && status === 'warn' ? 'warn' : 'skip'} size={14} />
            <span className="perms__label">{p[key] ? yes : no}</span>
            <span className="perms__what">{what}</span>
          </li>
        ))}
      </ul>
      {notes.length > 0 && (
        <ul className="check__notes">
          {notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </>
  );
}
