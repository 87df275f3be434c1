/** The numbers that decide what to do next, and the backlog call to action when there is one. */
import type { ScheduleList } from '../../../shared/domain/schedules';
import { formatCount, plural } from '../../lib/format';
import { ahead, rate } from './format';

export function SummaryBar({ list, onReset }: { list: ScheduleList; onReset: () => void }) {
  const t = list.totals;
  const st = list.settings.settings;
  const backlogDeps = list.deployments.filter((d) => d.pastDue > 0).length;
  return (
    <>
      {t.pastDue > 0 && (
        <div className="sched-alert" role="status" data-testid="backlog-alert">
          <div>
            <div className="sched-alert__title">
              {plural(t.pastDue, 'past-due run')} on {plural(backlogDeps, 'deployment')}
            </div>
            <div>A worker that comes back would start them all at once. The backlog reset pauses those deployments, clears the backlog, recreates their schedules from now and resumes them.</div>
          </div>
          <button type="button" className="btn btn--primary" onClick={onReset} data-testid="open-reset">
            Reset the backlog…
          </button>
        </div>
      )}
      <div className="sched-tiles" data-testid="schedules-summary">
        <Tile label="Deployments" value={formatCount(t.deployments)} sub={`${plural(t.schedules, 'schedule')}, ${formatCount(t.activeSchedules)} active`} />
        <Tile label="Load" value={rate(t.runsPerHour)} sub="runs per hour the schedules create" />
        <Tile label="Held by the server" value={formatCount(t.heldFuture)} sub="future scheduled runs" />
        <Tile label="Past due" value={formatCount(t.pastDue)} sub="Scheduled or Late, not started" tone={t.pastDue > 0 ? 'fail' : undefined} />
        <Tile
          label="Scheduler"
          value={st.enabled ? `every ${ahead(st.loopSeconds)}` : 'disabled'}
          sub={`keeps ${formatCount(st.minRuns)}–${plural(st.maxRuns, 'run')}, ${ahead(st.minScheduledTime)}–${ahead(st.maxScheduledTime)} ahead · ${list.settings.source}`}
          tone={st.enabled ? undefined : 'warn'}
        />
      </div>
    </>
  );
}

function Tile({ label, value, sub, tone }: { label: string; value: string; sub: string; tone?: 'fail' | 'warn' | undefined }) {
  return (
    <div className={`sched-tile${tone ? ` sched-tile--${tone}` : ''}`}>
      <div className="sched-tile__label">{label}</div>
      <div className="sched-tile__value">{value}</div>
      <div className="sched-tile__sub">{sub}</div>
    </div>
  );
}
