/**
 * Every deployment and its schedules: what Prefect stored, the next runs computed here beside the
 * runs the server holds ("held / keeps": what the scheduler made vs what it should keep), load and
 * flags. A row expands to the full flag messages and both run lists side by side.
 */
import { Fragment, useState } from 'react';
import type { DeploymentRow, ScheduleList, ScheduleRow } from '../../../shared/domain/schedules';
import { Badge } from '../../components/Badge';
import { formatCount } from '../../lib/format';
import { FlagBadges, FlagList } from './FlagBadges';
import { rate } from './format';
import { TimeCell } from './TimeCell';

export function ScheduleTable({ list, selected, onToggle, onToggleAll }: {
  list: ScheduleList;
  selected: ReadonlySet<string>;
  onToggle: (id: string) => void;
  onToggleAll: (on: boolean) => void;
}) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const flip = (id: string) => setOpen((o) => {
    const n = new Set(o);
    if (n.has(id)) n.delete(id);
    else n.add(id);
    return n;
  });
  const all = list.deployments.length > 0 && list.deployments.every((d) => selected.has(d.id));
  return (
    <div className="table-wrap">
      <table className="table sched-table" data-testid="schedules-table">
        <thead>
          <tr>
            <th className="sched-table__check">
              <input type="checkbox" aria-label="Select all deployments" checked={all} onChange={(e) => onToggleAll(e.target.checked)} />
            </th>
            <th>Deployment</th>
            <th>Schedule</th>
            <th>Next run (computed)</th>
            <th className="num" title="Future runs the server holds for this schedule / runs the scheduler keeps with these settings">Held / keeps</th>
            <th className="num">Runs/h</th>
            <th className="num">Past due</th>
            <th>Flags</th>
          </tr>
        </thead>
        <tbody>
          {list.deployments.map((d) => (
            <DeploymentRows key={d.id} d={d} checked={selected.has(d.id)} onToggle={() => onToggle(d.id)} open={open.has(d.id)} onOpen={() => flip(d.id)} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DeploymentRows({ d, checked, onToggle, open, onOpen }: { d: DeploymentRow; checked: boolean; onToggle: () => void; open: boolean; onOpen: () => void }) {
  const rows: Array<ScheduleRow | null> = d.schedules.length ? d.schedules : [null];
  const span = rows.length;
  return (
    <Fragment>
      {rows.map((s, i) => (
        <tr key={s?.id ?? 'none'} className={`row${i === 0 ? ' sched-table__first' : ''}${checked ? ' sched-table__row--selected' : ''}`} data-testid={i === 0 ? 'schedules-row' : undefined} data-deployment={d.fullName}>
          {i === 0 && (
            <td rowSpan={span} className="sched-table__check">
              <input type="checkbox" aria-label={`Select ${d.fullName}`} checked={checked} onChange={onToggle} />
            </td>
          )}
          {i === 0 && (
            <td rowSpan={span} className="sched-table__dep">
              <button type="button" className="btn btn--link sched-table__name" onClick={onOpen} aria-expanded={open}>
                {d.fullName}
              </button>
              <div className="badges">
                {d.paused && <Badge tone="skip">paused</Badge>}
                <FlagBadges flags={d.flags} quiet />
              </div>
            </td>
          )}
          {s ? (
            <>
              <td>
                <div>
                  {s.slug && <span className="sched-slug mono">{s.slug}</span>} {s.description}
                  {!s.active && <span className="muted"> (inactive)</span>}
                </div>
                <div className="muted sched-sub">
                  {s.kind} · {s.timezone ?? 'UTC'}
                  {s.anchor && <span className="mono" title={s.kind === 'rrule' ? 'DTSTART' : 'anchor'}> · {s.kind === 'rrule' ? 'DTSTART' : 'from'} {s.anchor.replace('T', ' ')}</span>}
                  {Object.keys(s.parameters).length > 0 && <span className="mono" title={JSON.stringify(s.parameters)}> · params {Object.keys(s.parameters).join(', ')}</span>}
                </div>
              </td>
              <td><TimeCell iso={s.nextRuns[0]} /></td>
              <td className={`num nowrap${s.held.offLattice || (s.kept !== null && s.held.future > s.kept && s.active) ? ' sched-warn' : ''}`}>
                {formatCount(s.held.future)} / {s.active && !d.paused ? (s.kept ?? '?') : '—'}
              </td>
              <td className="num">{s.active && !d.paused ? rate(s.runsPerHour) : <span className="muted">0</span>}</td>
            </>
          ) : (
            <td colSpan={4} className="muted">No schedule</td>
          )}
          {i === 0 && (
            <td rowSpan={span} className={`num${d.pastDue > 0 ? ' sched-pastdue' : ''}`}>{formatCount(d.pastDue)}</td>
          )}
          <td><FlagBadges flags={s ? s.flags : []} quiet /></td>
        </tr>
      ))}
      {open && (
        <tr className="row-detail">
          <td />
          <td colSpan={7}>
            <FlagList flags={[...d.flags, ...d.schedules.flatMap((s) => s.flags)]} />
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
                          <td><TimeCell iso={s.nextRuns[k]} /></td>
                          <td className={s.held.next[k] && s.held.next[k] !== s.nextRuns[k] ? 'sched-warn' : undefined}><TimeCell iso={s.held.next[k]} /></td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  {s.held.last && <div className="muted sched-sub">Filled up to {s.held.last}</div>}
                </div>
              ))}
            </div>
            {d.leftBehind > 0 && <p className="muted">{formatCount(d.leftBehind)} scheduled runs came from schedules that no longer exist.</p>}
          </td>
        </tr>
      )}
    </Fragment>
  );
}
