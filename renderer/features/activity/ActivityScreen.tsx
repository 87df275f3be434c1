/**
 * The audit log: what Housekeeper did, to which server, by whom, and how it ended. Read during and
 * after an incident, so times carry seconds and their zone, the outcome is the most visible column,
 * and every entry opens to its details in words (names, counts, durations, outcomes) rather than
 * the stored JSON. Filters by kind, connection, outcome and time, and a search over all of it.
 */
import { useMemo } from 'react';
import { AuditOutcomeSchema, type AuditEntry, type AuditOutcome } from '../../../shared/domain/audit';
import { useEvent, useRequest } from '../../api/hooks';
import { Badge, type Tone } from '../../components/Badge';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Spinner } from '../../components/Spinner';
import { DataTable } from '../../components/table/DataTable';
import type { Column, Filter } from '../../components/table/types';
import { formatDateTime, formatDuration, formatInt, formatRelative } from '../../lib/format';
import '../../styles/activity.css';
import { actionLabel, describeDetails, kindOf, KIND_LABEL, readableText, within, WINDOW_LABEL, type ActivityKind, type TimeWindow } from './describe';

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

/** The newest entries read at once (the contract's maximum); filters and search work on them. */
const LIMIT = 1000;

const COLUMNS: Array<Column<AuditEntry>> = [
  {
    id: 'at',
    header: 'Time',
    width: '16%',
    descFirst: true,
    sortValue: (e) => Date.parse(e.at),
    cell: (e) => {
      // "2026-12-04" and "09:36:03 UTC+1" each unbroken; on a narrow window they stack.
      const [day, ...rest] = formatDateTime(e.at).split(' ');
      return (
        <span className="activity-time" title={formatRelative(e.at)}>
          <span className="nowrap">{day}</span> <span className="nowrap">{rest.join(' ')}</span>
        </span>
      );
    },
  },
  { id: 'connection', header: 'Connection', width: '12%', sortValue: (e) => e.connectionName ?? '', cell: (e) => e.connectionName ?? <span className="muted">—</span> },
  { id: 'action', header: 'Action', width: '14%', sortValue: (e) => actionLabel(e.action), cell: (e) => <span title={e.action}>{actionLabel(e.action)}</span> },
  {
    id: 'outcome',
    header: 'Outcome',
    width: '100px',
    sortValue: (e) => e.outcome,
    cell: (e) => <Badge tone={OUTCOME_TONE[e.outcome] ?? 'neutral'}>{e.outcome}</Badge>,
  },
  {
    id: 'summary',
    header: 'Summary',
    sortValue: (e) => e.summary,
    cell: (e, ctx) => (
      <>
        {readableText(e.summary)}
        {Object.keys(e.details).length > 0 && (
          <button type="button" className="btn btn--link activity-more" onClick={ctx.toggleOpen} aria-expanded={ctx.open} data-testid="audit-details-toggle">
            {ctx.open ? 'hide details' : 'details'}
          </button>
        )}
      </>
    ),
  },
  { id: 'duration', header: 'Took', width: '80px', numeric: true, descFirst: true, sortValue: (e) => e.durationMs, cell: (e) => <span className="nowrap">{formatDuration(e.durationMs)}</span> },
  { id: 'by', header: 'By', width: '11%', hideBelow: 1200, sortValue: (e) => `${e.user}@${e.host}`, cell: (e) => <span className="muted">{e.user}@{e.host}</span> },
];

function Details({ entry }: { entry: AuditEntry }) {
  const facts = describeDetails(entry);
  return (
    <dl className="kv activity-facts" data-testid="audit-details">
      {facts.map((f) => (
        <div key={f.label} className="activity-fact">
          <dt>{f.label}</dt>
          <dd title={f.title}>{f.value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function ActivityScreen() {
  const audit = useRequest('audit.list', { limit: LIMIT }, 'all');
  // A finished job writes an audit row: show it without a manual refresh.
  useEvent('jobs.finished', () => audit.reload());
  const entries = useMemo(() => audit.data ?? [], [audit.data]);

  const filters = useMemo<Array<Filter<AuditEntry>>>(() => {
    const kinds = [...new Set(entries.map((e) => kindOf(e.action)))] as ActivityKind[];
    const conns = [...new Set(entries.map((e) => e.connectionName ?? ''))].sort();
    const outcomes = AuditOutcomeSchema.options.filter((o) => entries.some((e) => e.outcome === o));
    return [
      { id: 'kind', label: 'Kind', allLabel: 'Every kind', options: kinds.map((k) => ({ value: k, label: KIND_LABEL[k], test: (e) => kindOf(e.action) === k })) },
      { id: 'connection', label: 'Connection', allLabel: 'All connections', options: conns.map((c) => ({ value: c || '(none)', label: c || '(no connection)', test: (e) => (e.connectionName ?? '') === c })) },
      { id: 'outcome', label: 'Outcome', allLabel: 'Any outcome', options: outcomes.map((o) => ({ value: o, label: o, test: (e) => e.outcome === o })) },
      {
        id: 'time',
        label: 'When',
        allLabel: 'Any time',
        options: (Object.keys(WINDOW_LABEL) as TimeWindow[]).map((w) => ({ value: w, label: WINDOW_LABEL[w], test: (e) => within(e.at, w) })),
      },
    ];
  }, [entries]);

  return (
    <div className="page page--activity">
      <header className="page__header">
        <div>
          <h1 className="page__title">Activity</h1>
          <p className="page__lead">What Housekeeper did to your servers, newest first. Times are in this computer’s zone.</p>
        </div>
        <div className="page__actions">
          <button type="button" className="btn" onClick={audit.reload} disabled={audit.loading}>
            Refresh
          </button>
        </div>
      </header>

      {audit.error && <ErrorNotice title="Could not read the activity log" error={audit.error} />}
      {audit.loading && !audit.data && <Spinner label="Reading the activity log…" />}
      {audit.data && (
        <DataTable
          testId="activity-table"
          rowTestId="audit-row"
          noun="entry"
          nouns="entries"
          rows={entries}
          rowId={(e) => String(e.id)}
          columns={COLUMNS}
          searchText={(e) => `${e.action} ${actionLabel(e.action)} ${e.connectionName ?? ''} ${e.outcome} ${e.summary} ${e.user} ${e.host} ${JSON.stringify(e.details)}`}
          searchPlaceholder="Search the activity"
          filters={filters}
          initialSort={{ id: 'at', desc: true }}
          detail={(e) => <Details entry={e} />}
          rowAttributes={(e) => ({ 'data-outcome': e.outcome, 'data-action': e.action })}
          rowHeight={38}
          empty={
            <>
              Nothing recorded yet. Housekeeper records here what it does to your Prefect servers (plans, changes and destructive actions) with when, against which server, by whom,
              and how it ended.
            </>
          }
        />
      )}
      {entries.length >= LIMIT && <p className="muted table-note">The newest {formatInt(LIMIT)} entries; `housekeeper audit --limit N` reads further back.</p>}
    </div>
  );
}
