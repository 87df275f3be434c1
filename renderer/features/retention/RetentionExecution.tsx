/**
 * Step 4: progress while it runs (pause, resume, cancel, also in the jobs tray on every screen);
 * after, the exact totals table by table, the recount, and the way to the space (maintenance).
 */
import type { RetentionStatus } from '../../../shared/contracts/retention';
import { rowsDeleted, type RetentionOutcome, type RetentionPlan, type RetentionTotals } from '../../../shared/domain/retention';
import { isFinished, jobActions, type JobState } from '../../api/jobs';
import { toClientError } from '../../api/errors';
import { downloadKeptExport, isKeptExport } from '../../api/exports';
import { ErrorNotice } from '../../components/ErrorNotice';
import { ExportResult } from '../../components/ExportChoice';
import { JobProgressBar } from '../../components/JobProgressBar';
import { formatCount, formatDuration, plural } from '../../lib/format';
import { href } from '../../lib/router';
import { jobFromStatus } from './job-view';
import { plannedVsDone } from './plan-logic';

function Totals({ plan, t }: { plan: RetentionPlan; t: RetentionTotals }) {
  return (
    <table className="table table--compact ret-totals" data-testid="retention-totals">
      <thead>
        <tr><th>Table</th><th className="num">Planned</th><th className="num">Deleted</th></tr>
      </thead>
      <tbody>
        {plannedVsDone(plan.impact, t).map((r) => (
          <tr key={r.key} data-total={r.key}>
            <td className="mono">{r.label}</td>
            <td className="num muted">{r.planned === null ? '-' : `${r.plannedExact ? '' : '≈'}${formatCount(r.planned)}`}</td>
            <td className="num">{formatCount(r.done)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RetentionExecution({ plan, jobId, job: live, status, resuming, onResume, onNew }: {
  plan: RetentionPlan;
  jobId: string;
  job: JobState | undefined;
  status: RetentionStatus;
  resuming: boolean;
  onResume: () => void;
  onNew: () => void;
}) {
  const job = live ?? jobFromStatus(status, jobId);
  const done = isFinished(job);
  const outcome = done && job.status === 'succeeded' ? ((live?.result as RetentionOutcome | undefined) ?? status.outcome) : null;
  const stopped = done && job.status !== 'succeeded';
  const t = outcome?.totals ?? status.totals;
  return (
    <section className="card purge-exec ret-exec" data-testid="retention-exec" data-status={job.status}>
      <div className="card__title">
        {outcome ? 'Deleted' : stopped ? 'Stopped deleting' : job.status === 'paused' ? 'Paused deleting' : 'Deleting'} {formatCount(plan.confirmCount)} finished runs older than{' '}
        {plan.cutoffGiven} on {plan.connectionName}
      </div>
      <JobProgressBar
        job={job}
        onCancel={job.here ? () => void jobActions.cancel(jobId) : undefined}
        onPause={job.here ? () => void jobActions.pause(jobId) : undefined}
        onResume={job.here ? () => void jobActions.resume(jobId) : undefined}
      />
      {job.status === 'paused' && (
        <p className="ret-paused" data-testid="retention-paused">Paused between batches: no transaction is open and nothing is being deleted. Resume here or from the jobs tray, on any screen.</p>
      )}
      {job.status === 'running' && !job.here && <p className="muted">Another Housekeeper process (the window, `serve` or a CLI) is running this retention; its progress shows here.</p>}
      {stopped && (
        <ErrorNotice
          title={job.status === 'cancelled' ? 'Stopped' : job.status === 'interrupted' ? 'Interrupted: Housekeeper stopped while it ran' : 'The retention stopped'}
          error={job.error ?? { code: 'CANCELLED', message: 'It stopped before the end.' }}
        >
          <p data-testid="retention-stopped-counts">
            {plural(status.totals.runs, 'run')} and {formatCount(rowsDeleted(status.totals))} rows in all were deleted before it stopped (in the {status.phase} step). What was
            deleted stays deleted and is counted; the rest of the plan is still frozen, and resume continues exactly where it stopped.
          </p>
          <button type="button" className="btn btn--small notice__action" onClick={onResume} disabled={resuming} data-testid="retention-resume">
            {resuming ? 'Resuming…' : 'Resume this retention'}
          </button>
        </ErrorNotice>
      )}
      {!outcome && t.batches > 0 && (
        <details className="ret-sofar" open={stopped || job.status === 'paused'}>
          <summary>Deleted so far, table by table ({plural(t.batches, 'batch', 'batches')})</summary>
          <Totals plan={plan} t={t} />
        </details>
      )}
      {outcome && (
        <div className="purge-result" data-testid="retention-result">
          <div className="purge-result__main">
            Deleted <strong data-testid="retention-deleted-runs">{formatCount(outcome.totals.runs)}</strong> runs and{' '}
            <strong data-testid="retention-deleted-rows">{formatCount(rowsDeleted(outcome.totals))}</strong> rows in all, in {formatDuration(outcome.durationMs)}.
          </div>
          <Totals plan={plan} t={outcome.totals} />
          <ul className="purge-notes">
            {outcome.totals.skipped > 0 && <li>{plural(outcome.totals.skipped, 'run')} no longer matched when their batch came (changed meanwhile) and stayed.</li>}
            {outcome.totals.locked > 0 && <li>{plural(outcome.totals.locked, 'run')} stayed locked by Prefect through every retry and were left alone.</li>}
            <li data-testid="retention-recount">
              Recount:{' '}
              {outcome.remaining.runs === null ? 'runs not countable' : `${plural(outcome.remaining.runs, 'run')} still match the plan`}
              {plan.eventsCutoff ? (outcome.remaining.events === null ? ', events not countable' : `, ${plural(outcome.remaining.events, 'event')} older than the events cutoff remain`) : ''}.
            </li>
            {status.exportFile && (
              <ExportResult
                prefix="retention"
                file={status.exportFile}
                downloadable={isKeptExport('retention', plan.planId, status.exportFile)}
                onDownload={() => downloadKeptExport('retention', plan.planId)}
                toError={toClientError}
              />
            )}
            <li>
              {plural(outcome.totals.batches, 'batch', 'batches')}, 99 % within {formatDuration(outcome.p99BatchMs)}. Recorded in{' '}
              <a className="link" href={href('activity')}>Activity</a>.
            </li>
          </ul>
          <div className="purge-vacuum">
            <p>
              The deleted rows are dead space until VACUUM makes it reusable; the files shrink only after a rewrite.{' '}
              <a className="btn btn--small" href={href('retention', 'maintenance')} data-testid="retention-to-maintenance">
                Give the space back (maintenance)
              </a>
            </p>
          </div>
          <button type="button" className="btn btn--quiet" onClick={onNew}>New plan</button>
        </div>
      )}
    </section>
  );
}
