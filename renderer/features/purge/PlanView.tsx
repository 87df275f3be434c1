/** Step 2: the dry run, stated so nobody can misread what will be deleted. */
import type { PurgePlan } from '../../../shared/domain/purge';
import { BarList } from '../../components/BarList';
import { formatBytes, formatCount, formatDateTime, pluralWord } from '../../lib/format';

const n = (x: number | null) => (x === null ? 'not countable via the API' : formatCount(x));

export function PlanView({ plan, executed = false }: { plan: PurgePlan; executed?: boolean }) {
  const i = plan.impact;
  const sample = plan.sample.slice(0, executed ? 0 : 10);
  return (
    <section className="card purge-plan" data-testid="purge-plan">
      <div className="purge-plan__headline">
        <div className={`purge-plan__count${executed ? ' purge-plan__count--done' : ''}`} data-testid="purge-plan-count">
          {formatCount(plan.count)}
        </div>
        <div>
          <div className="purge-plan__what">
            stale scheduled {pluralWord(plan.count, 'run')} on <strong>{plan.connectionName}</strong>
            {executed ? ' were planned for deletion (result below)' : ' will be deleted'}
          </div>
          <div className="muted">
            scheduled before <strong>{formatDateTime(plan.cutoff)}</strong> ({plan.cutoffGiven}), states {plan.filter.stateNames.join(' and ')},{' '}
            {plan.filter.includeManual ? 'scheduled and manual runs' : 'created by schedules only'} · via {plan.executor === 'sql' ? 'SQL' : 'the Prefect API'}
          </div>
          {plan.count > 0 && (
            <div className="muted">
              Oldest {plan.oldest ? formatDateTime(plan.oldest) : '-'} · newest {plan.newest ? formatDateTime(plan.newest) : '-'}
            </div>
          )}
        </div>
      </div>

      {plan.notes.length > 0 && (
        <ul className="purge-notes">
          {plan.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}

      {plan.count > 0 && (
        <>
          <h3 className="section-title">
            By deployment <span className="bars__legend"><span className="bars__swatch bars__swatch--part" /> Late <span className="bars__swatch" /> Scheduled</span>
          </h3>
          <BarList
            testId="purge-by-deployment"
            partLabel="Late"
            items={plan.byDeployment.map((g) => ({ key: g.deploymentId ?? g.name, label: g.name, value: g.count, part: g.late, ...(g.exists ? {} : { note: '(deployment gone)' }) }))}
          />

          <h3 className="section-title">Rows deleted in every table</h3>
          <table className="table table--compact" data-testid="purge-impact">
            <tbody>
              <tr><td>flow_run</td><td className="num">{formatCount(i.flowRuns)}</td></tr>
              <tr><td>flow_run_state (cascade)</td><td className="num">{n(i.flowRunStates)}</td></tr>
              <tr><td>task_run, task_run_state (cascade)</td><td className="num">{n(i.taskRuns)}, {n(i.taskRunStates)}</td></tr>
              <tr><td>log (same batch)</td><td className="num">{n(i.logs)}</td></tr>
              <tr><td>artifact (same batch)</td><td className="num">{n(i.artifacts)}</td></tr>
              <tr><td>flow_run_input (cascade)</td><td className="num">{n(i.flowRunInputs)}</td></tr>
              <tr><td>Space freed for reuse (estimate)</td><td className="num">{plan.bytesEstimate === null ? 'unknown' : formatBytes(plan.bytesEstimate)}</td></tr>
            </tbody>
          </table>

          {sample.length > 0 && (<>
          <h3 className="section-title">Sample ({sample.length} of {formatCount(plan.count)}, oldest first)</h3>
          <div className="table-wrap">
            <table className="table table--compact" data-testid="purge-sample">
              <thead>
                <tr><th>Run</th><th>Deployment</th><th>State</th><th>Scheduled for</th><th>Queue</th></tr>
              </thead>
              <tbody>
                {sample.map((r) => (
                  <tr key={r.id}>
                    <td><span className="mono">{r.name}</span><div className="cell-sub mono">{r.id}</div></td>
                    <td>{r.deployment}</td>
                    <td>{r.stateName}{r.autoScheduled ? '' : ' (manual)'}</td>
                    <td className="nowrap">{r.scheduledStart ? formatDateTime(r.scheduledStart) : '-'}</td>
                    <td>{r.workQueue ?? '-'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          </>)}
        </>
      )}
    </section>
  );
}
