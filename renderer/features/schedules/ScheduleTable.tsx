/**
 * Every deployment and its schedules: what Prefect stored, the next runs computed here beside the
 * runs the server holds ("held / keeps": what the scheduler made vs what it should keep), load and
 * flags. One row per deployment (its schedules stacked in the cells), so selection, sorting and the
 * past-due count are per deployment as the actions are. A row opens to the full flag messages and
 * both run lists side by side.
 *
 * Search, sort, filters, select all/none of what is shown, the sticky header and the virtualised
 * rows come from components/table (1,000 deployments scroll as 10 do).
 */
import { useMemo, type ReactNode } from 'react';
import type { DeploymentRow, ScheduleFlag, ScheduleList, ScheduleRow } from '../../../shared/domain/schedules';
import { Badge } from '../../components/Badge';
import { DataTable } from '../../components/table/DataTable';
import type { Column, Filter } from '../../components/table/types';
import { formatCount, formatIsoWall, plural } from '../../lib/format';
import { attentionFlags, FlagBadges, FlagList, FLAG_LABEL } from './FlagBadges';
import { rate, shortTime } from './format';
import { TimeCell } from './TimeCell';

const flagCache = new WeakMap<DeploymentRow, ScheduleFlag[]>();

/** Every flag of a deployment and its schedules, each code once (the worst severity wins); cached per row. */
export function deploymentFlags(d: DeploymentRow): ScheduleFlag[] {
  let flags = flagCache.get(d);
  if (!flags) {
    flags = mergeFlags(d);
    flagCache.set(d, flags);
  }
  return flags;
}

function mergeFlags(d: DeploymentRow): ScheduleFlag[] {
  const order = { danger: 0, warn: 1, info: 2 } as const;
  const byCode = new Map<string, ScheduleFlag>();
  for (const f of [...d.flags, ...d.schedules.flatMap((s) => s.flags)]) {
    const had = byCode.get(f.code);
    if (!had || order[f.severity] < order[had.severity]) byCode.set(f.code, f);
  }
  return [...byCode.values()].sort((a, b) => order[a.severity] - order[b.severity]);
}

function Lines({ d, render, empty = <span className="muted">—</span> }: { d: DeploymentRow; render: (s: ScheduleRow) => ReactNode; empty?: ReactNode }) {
  if (d.schedules.length === 0) return <>{empty}</>;
  return (
    <div className="sched-lines">
      {d.schedules.map((s) => (
        <div key={s.id} className={`sched-line${s.active ? '' : ' sched-line--inactive'}`}>
          {render(s)}
        </div>
      ))}
    </div>
  );
}

const overKept = (s: ScheduleRow) => s.held.offLattice > 0 || (s.kept !== null && s.held.future > s.kept && s.active);
const firstNext = (d: DeploymentRow) => d.schedules.map((s) => s.nextRuns[0]).filter(Boolean).map((t) => Date.parse(t!)).sort((a, b) => a - b)[0] ?? null;

function columns(): Array<Column<DeploymentRow>> {
  return [
    {
      id: 'deployment',
      header: 'Deployment',
      width: '20%',
      sortValue: (d) => d.fullName,
      cell: (d, ctx) => (
        <>
          <button type="button" className="btn btn--link sched-table__name" onClick={ctx.toggleOpen} aria-expanded={ctx.open} data-testid="schedules-open">
            {d.fullName}
          </button>
          {d.paused && (
            <div className="badges">
              <Badge tone="skip">paused</Badge>
            </div>
          )}
        </>
      ),
    },
    {
      id: 'schedule',
      header: 'Schedules',
      width: '25%',
      sortValue: (d) => d.schedules.map((s) => s.description).join(' '),
      cell: (d) => (
        <Lines
          d={d}
          empty={<span className="muted">No schedule</span>}
          render={(s) => (
            <>
              <div className="sched-line__text" title={s.description}>
                {s.slug && <span className="sched-slug mono">{s.slug}</span>} {s.description}
                {!s.active && <span className="muted"> (inactive)</span>}
              </div>
              <div className="muted sched-sub sched-line__text">
                {s.kind ?? 'unknown'} · {s.timezone ?? 'UTC'}
                {s.anchor && (
                  <span className="mono" title={s.kind === 'rrule' ? 'DTSTART' : 'anchor'}>
                    {' '}· {s.kind === 'rrule' ? 'DTSTART' : 'from'} {formatIsoWall(s.anchor)}
                  </span>
                )}
                {Object.keys(s.parameters).length > 0 && (
                  <span className="mono" title={JSON.stringify(s.parameters)}>
                    {' '}· params {Object.keys(s.parameters).join(', ')}
                  </span>
                )}
              </div>
            </>
          )}
        />
      ),
    },
    {
      id: 'next',
      header: 'Next run (computed)',
      title: "Computed here from the stored schedule, in the schedule's own zone",
      width: '16%',
      sortValue: firstNext,
      cell: (d) => <Lines d={d} render={(s) => <TimeCell iso={s.nextRuns[0]} />} />,
    },
    {
      id: 'held',
      header: 'Held / keeps',
      title: 'Future runs the server holds for this schedule / runs the scheduler keeps with these settings',
      width: '10%',
      numeric: true,
      descFirst: true,
      sortValue: (d) => d.future,
      cell: (d) => (
        <Lines
          d={d}
          render={(s) => (
            <span className={`nowrap${overKept(s) ? ' sched-warn' : ''}`}>
              {formatCount(s.held.future)} / {s.active && !d.paused ? (s.kept === null ? '?' : formatCount(s.kept)) : '—'}
            </span>
          )}
        />
      ),
    },
    {
      id: 'load',
      header: 'Load',
      title: 'Runs per hour the schedule creates (0 when paused or inactive); the total is in the Load tile',
      width: '7%',
      hideBelow: 1200,
      numeric: true,
      descFirst: true,
      sortValue: (d) => d.runsPerHour,
      cell: (d) => <Lines d={d} render={(s) => (s.active && !d.paused ? rate(s.runsPerHour) : <span className="muted">{rate(0)}</span>)} />,
    },
    {
      id: 'pastDue',
      header: 'Past due',
      title: 'Never-started Scheduled or Late runs whose time has passed',
      width: '8%',
      numeric: true,
      descFirst: true,
      sortValue: (d) => d.pastDue,
      cell: (d) => <span className={d.pastDue > 0 ? 'sched-pastdue' : 'muted'}>{formatCount(d.pastDue)}</span>,
    },
    {
      id: 'flags',
      header: 'Flags',
      title: 'What needs attention; hover a flag for why. Open the row for the full messages.',
      width: '15%',
      descFirst: true,
      sortValue: (d) => attentionFlags(deploymentFlags(d)).reduce((n, f) => n + (f.severity === 'danger' ? 100 : 1), 0),
      cell: (d) => <FlagBadges flags={deploymentFlags(d)} />,
    },
  ];
}

function filters(list: ScheduleList): Array<Filter<DeploymentRow>> {
  const codes = [...new Set(list.deployments.flatMap((d) => deploymentFlags(d).map((f) => f.code)))].sort();
  const kinds = [...new Set(list.deployments.flatMap((d) => d.schedules.map((s) => s.kind ?? 'unknown')))].sort();
  return [
    {
      id: 'state',
      label: 'Show',
      allLabel: 'All deployments',
      options: [
        { value: 'backlog', label: 'With past-due runs', test: (d) => d.pastDue > 0 },
        { value: 'flagged', label: 'With a warning', test: (d) => attentionFlags(deploymentFlags(d)).length > 0 },
        { value: 'paused', label: 'Paused', test: (d) => d.paused },
        { value: 'active', label: 'Not paused', test: (d) => !d.paused },
        { value: 'none', label: 'Without a schedule', test: (d) => d.schedules.length === 0 },
      ],
    },
    {
      id: 'kind',
      label: 'Kind',
      allLabel: 'Any kind',
      options: kinds.map((k) => ({ value: k, label: k, test: (d: DeploymentRow) => d.schedules.some((s) => (s.kind ?? 'unknown') === k) })),
    },
    {
      id: 'flag',
      label: 'Flag',
      allLabel: 'Any flag',
      options: codes.map((c) => ({ value: c, label: FLAG_LABEL[c], test: (d: DeploymentRow) => deploymentFlags(d).some((f) => f.code === c) })),
    },
  ];
}

const searchText = (d: DeploymentRow) =>
  [d.fullName, ...d.schedules.flatMap((s) => [s.slug ?? '', s.description, s.kind ?? '', s.timezone ?? '']), ...deploymentFlags(d).map((f) => FLAG_LABEL[f.code])].join(' ');

export function ScheduleTable({ list, selected, onSelect, actions }: {
  list: ScheduleList;
  selected: ReadonlySet<string>;
  onSelect: (next: ReadonlySet<string>) => void;
  /** What to do with the selection (shown in the sticky bar under the list). */
  actions?: ReactNode;
}) {
  const cols = useMemo(() => columns(), []);
  const filterDefs = useMemo(() => filters(list), [list]);
  const names = useMemo(() => new Map(list.deployments.map((d) => [d.id, d.fullName])), [list]);
  return (
    <DataTable
      testId="schedules-table"
      className="sched-table"
      rowTestId="schedules-row"
      noun="deployment"
      rows={list.deployments}
      rowId={(d) => d.id}
      columns={cols}
      searchText={searchText}
      searchPlaceholder="Search deployments, schedules, flags"
      filters={filterDefs}
      initialSort={{ id: 'pastDue', desc: true }}
      selection={{ selected, onChange: onSelect, label: (id) => `Select ${names.get(id) ?? id}` }}
      actions={actions}
      rowHeight={(d) => 18 + 46 * Math.max(1, d.schedules.length)}
      rowAttributes={(d) => ({ 'data-deployment': d.fullName })}
      detail={(d) => <DeploymentDetail d={d} />}
      empty="No deployments on this server."
    />
  );
}

function DeploymentDetail({ d }: { d: DeploymentRow }) {
  return (
    <div className="sched-detail">
      <FlagList flags={deploymentFlags(d)} />
      <div className="sched-compare">
        {d.schedules.map((s) => (
          <div key={s.id} className="sched-compare__item">
            <div className="sched-compare__title">{s.slug ?? s.description}</div>
            <table className="table table--compact">
              <thead>
                <tr>
                  <th>Computed here</th>
                  <th>Held by the server</th>
                </tr>
              </thead>
              <tbody>
                {Array.from({ length: Math.max(s.nextRuns.length, s.held.next.length) }, (_, k) => (
                  <tr key={k}>
                    <td>
                      <TimeCell iso={s.nextRuns[k]} />
                    </td>
                    <td className={s.held.next[k] && s.held.next[k] !== s.nextRuns[k] ? 'sched-warn' : undefined}>
                      <TimeCell iso={s.held.next[k]} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {s.held.last && <div className="muted sched-sub">The server holds runs up to {shortTime(s.held.last)}</div>}
          </div>
        ))}
      </div>
      {d.leftBehind > 0 && <p className="muted">{plural(d.leftBehind, 'scheduled run')} came from schedules that no longer exist.</p>}
    </div>
  );
}
