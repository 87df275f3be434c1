/**
 * Run health: runs by state as one stacked bar (estimates marked ≈), then what needs a decision —
 * the Late backlog per deployment (with whether anything still polls it), the future runs the
 * scheduler keeps refilling, what a retention period would remove, and the orphans.
 */
import type { DeploymentBacklog, InspectReport, RunHealth, SampledCount } from '../../../shared/domain/inspect';
import { Badge } from '../../components/Badge';
import { BarList } from '../../components/charts/BarList';
import { StackedBar } from '../../components/charts/StackedBar';
import { DataTable } from '../../components/table/DataTable';
import type { Column, Filter } from '../../components/table/types';
import { formatCount, formatDateTime, formatInt, formatRelative, plural, pluralWord } from '../../lib/format';
import { stateClass, typeLabel } from './classes';

const LATE_COLUMNS: Array<Column<DeploymentBacklog>> = [
  { id: 'deployment', header: 'Deployment', sortValue: (d) => d.name ?? d.deploymentId ?? '', cell: (d) => <span className="ov-dep">{depName(d)}</span> },
  { id: 'count', header: 'Late runs', width: '16%', numeric: true, descFirst: true, sortValue: (d) => d.count, cell: (d) => formatInt(d.count) },
  {
    id: 'first',
    header: 'Oldest expected start',
    width: '26%',
    sortValue: (d) => (d.first ? Date.parse(d.first) : null),
    cell: (d) => (
      <span className="nowrap" title={d.first ? formatDateTime(d.first) : undefined}>
        {d.first ? formatRelative(d.first) : '—'}
      </span>
    ),
  },
  { id: 'worker', header: 'Worker', width: '18%', sortValue: (d) => workerState(d), cell: (d) => pollState(d) },
];

const LATE_FILTERS: Array<Filter<DeploymentBacklog>> = [
  {
    id: 'worker',
    label: 'Worker',
    allLabel: 'Any',
    options: [
      { value: 'not-polled', label: 'Not polled', test: (d) => workerState(d) === 'not polled' },
      { value: 'polled', label: 'Polled', test: (d) => workerState(d) === 'polled' },
      { value: 'paused', label: 'Paused', test: (d) => workerState(d) === 'paused' },
      { value: 'gone', label: 'Deployment deleted', test: (d) => workerState(d) === 'gone' },
    ],
  },
];

function workerState(d: DeploymentBacklog): string {
  if (!d.exists) return 'gone';
  if (d.paused) return 'paused';
  if (d.status === 'NOT_READY') return 'not polled';
  if (d.status === 'READY') return 'polled';
  return '';
}

export function RunsCard({ report }: { report: InspectReport }) {
  const runs = report.runs;
  return (
    <section className="card ov-card" data-testid="overview-runs" aria-labelledby="ov-runs-title">
      <h2 className="ov-card__title" id="ov-runs-title">
        Runs by state
        {runs && <span className="ov-card__meta">{formatCount(runs.total, runs.totalExact)} flow runs</span>}
      </h2>
      {!runs ? (
        <p className="ov-empty">{report.sections.find((s) => s.id === 'runs')?.message ?? 'Run health could not be read.'}</p>
      ) : (
        <>
          <StackedBar
            label="Flow runs by state type"
            testId="runs-by-state"
            parts={runs.byType.map((t) => ({
              key: t.type ?? 'other',
              label: typeLabel(t.type),
              value: t.count,
              className: stateClass(t.type),
              valueText: formatCount(t.count, t.exact),
            }))}
          />
          {!runs.totalExact && <p className="muted ov-footnote">≈ marks estimates from Postgres’ planner statistics; small states are counted exactly.</p>}
          <Names runs={runs} />
        </>
      )}
    </section>
  );
}

function Names({ runs }: { runs: RunHealth }) {
  const scheduled = runs.byName.filter((n) => n.type === 'SCHEDULED');
  if (scheduled.length === 0) return null;
  return (
    <p className="ov-names" data-testid="runs-scheduled-names">
      Scheduled-type runs: {scheduled.map((n) => `${n.name ?? 'other'} ${formatCount(n.count, n.exact)}`).join(' · ')}
    </p>
  );
}

function depName(d: DeploymentBacklog) {
  if (d.deploymentId === null) return <span className="muted">no deployment (manual runs)</span>;
  if (!d.exists) return <span className="ov-gone">deleted deployment {d.deploymentId.slice(0, 8)}</span>;
  return <span>{d.name ?? d.deploymentId}</span>;
}

function pollState(d: DeploymentBacklog) {
  if (!d.exists) return <Badge tone="fail">gone</Badge>;
  if (d.paused) return <Badge tone="skip">paused</Badge>;
  if (d.status === 'NOT_READY') return <Badge tone="warn" title={d.lastPolled ? `last polled ${formatDateTime(d.lastPolled)}` : 'never polled'}>not polled</Badge>;
  if (d.status === 'READY') return <Badge tone="ok">polled</Badge>;
  return null;
}

export function BacklogCard({ report }: { report: InspectReport }) {
  const late = report.runs?.late;
  const future = report.runs?.future;
  if (!late && !future) return null;
  return (
    <section className="card ov-card" data-testid="overview-backlog" aria-labelledby="ov-backlog-title">
      <h2 className="ov-card__title" id="ov-backlog-title">
        Late backlog
        {late && <span className="ov-card__meta">{formatCount(late.count, late.exact)} {pluralWord(late.count, 'run')}</span>}
      </h2>
      {late && late.deployments.length === 0 && <p className="ov-empty">No Late runs: nothing is waiting past its time.</p>}
      {late && late.deployments.length > 0 && (
        <DataTable
          testId="late-table"
          rowTestId="late-row"
          noun="deployment"
          rows={late.deployments}
          rowId={(d) => d.deploymentId ?? 'none'}
          columns={LATE_COLUMNS}
          searchText={(d) => `${d.name ?? d.deploymentId ?? 'manual'} ${d.paused ? 'paused' : ''} ${d.status ?? ''}`}
          filters={LATE_FILTERS}
          initialSort={{ id: 'count', desc: true }}
          height="short"
          compact
          rowHeight={31}
          className="ov-table"
        />
      )}
      {future && (
        <p className="ov-future" data-testid="future-summary">
          {formatCount(future.count, future.exact)} future runs are scheduled across {plural(future.deployments.length, 'deployment')}
          {future.deployments[0] ? `; the most on ${future.deployments[0].name ?? 'an unnamed deployment'} (${formatInt(future.deployments[0].count)})` : ''}. The scheduler refills them, so deleting
          them frees nothing for long.
        </p>
      )}
    </section>
  );
}

function sampled(c: SampledCount | null): string {
  if (!c) return 'not checked';
  return c.exact ? formatInt(c.count) : `≈${formatInt(c.count)} ±${formatInt(c.margin)}`;
}

export function RetentionCard({ report }: { report: InspectReport }) {
  const runs = report.runs;
  if (!runs) return null;
  const o = runs.orphans;
  return (
    <section className="card ov-card" data-testid="overview-retention" aria-labelledby="ov-retention-title">
      <h2 className="ov-card__title" id="ov-retention-title">
        What a retention period would remove
      </h2>
      <p className="muted ov-card__lead">Finished runs (completed, failed, cancelled, crashed) that ended longer ago than each period. Prefect’s own db_vacuum uses 90 days.</p>
      <BarList
        label="Terminal runs by age"
        testId="retention-bars"
        rows={runs.terminalByAge.map((b) => ({
          key: String(b.days),
          label: `older than ${plural(b.days, 'day')}`,
          parts: [{ value: b.count, className: 'ov-part ov-part--terminal', title: formatCount(b.count, b.exact) }],
          value: formatCount(b.count, b.exact),
        }))}
      />
      <h3 className="ov-subtitle">Orphans</h3>
      <ul className="ov-orphans" data-testid="orphans">
        <li>
          Scheduled runs of deleted deployments: <strong>{o.deploymentGone ? formatInt(o.deploymentGone.count) : 'not checked'}</strong>
          {o.deploymentGone && o.deploymentGone.deployments > 0 ? ` (${plural(o.deploymentGone.deployments, 'deployment')})` : ''}
        </li>
        <li>
          Scheduled runs of deleted or recreated schedules: <strong>{o.scheduleGone ? formatInt(o.scheduleGone.count) : 'not checked'}</strong>
        </li>
        <li>
          Logs of deleted runs: <strong>{sampled(o.logs)}</strong>
          {o.logs && !o.logs.exact && <span className="muted"> (sampled {formatInt(o.logs.sampledRows)} rows, so a huge log table cannot stall this page)</span>}
        </li>
        <li>
          Artifacts of deleted runs: <strong>{sampled(o.artifacts)}</strong>
        </li>
      </ul>
    </section>
  );
}
