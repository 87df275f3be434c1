/** A change being applied (progress, cancel) and how it ended: per deployment, the purge, the check of the new runs. */
import type { ChangeOutcome } from '../../../shared/domain/schedules';
import { call } from '../../api/client';
import { isFinished, useJob } from '../../api/jobs';
import { Badge, type Tone } from '../../components/Badge';
import { ErrorNotice } from '../../components/ErrorNotice';
import { JobProgressBar } from '../../components/JobProgressBar';
import { Spinner } from '../../components/Spinner';
import { formatCount, formatDuration } from '../../lib/format';
import { TimeCell } from './TimeCell';

const STATUS_TONE: Record<string, Tone> = { changed: 'ok', unchanged: 'neutral', 'rolled-back': 'warn', 'needs-restore': 'fail', skipped: 'skip', ok: 'ok', pending: 'warn', mismatch: 'fail' };

export function ChangeRun({ jobId, onDone, doneLabel = 'Back to the schedules', onRestore }: { jobId: string; onDone: () => void; doneLabel?: string; onRestore?: (planId: string) => void }) {
  const job = useJob(jobId);
  if (!job) return <Spinner label="Starting…" />;
  if (!isFinished(job)) {
    return (
      <section className="card" data-testid="change-running">
        <JobProgressBar job={job} onCancel={() => void call('jobs.cancel', { jobId })} />
        <p className="muted">Cancelling before the purge puts every schedule back as it was.</p>
      </section>
    );
  }
  const outcome = (job.result as ChangeOutcome | null) ?? ((job.error?.details?.outcome as ChangeOutcome | undefined) ?? null);
  return (
    <section className="card sched-outcome" data-testid="change-outcome" data-status={outcome?.status ?? job.status}>
      {job.error && <ErrorNotice title={job.status === 'cancelled' ? 'Cancelled' : 'The change did not complete'} error={job.error} />}
      {outcome && (
        <>
          {!job.error && <div className="sched-outcome__main">{outcome.message}</div>}
          <div className="sched-outcome__grid">
            <div>
              <div className="card__title">Deployments</div>
              <table className="table table--compact">
                <tbody>
                  {outcome.deployments.map((d) => (
                    <tr key={d.deploymentId}>
                      <td>{d.name}</td>
                      <td><Badge tone={STATUS_TONE[d.status] ?? 'neutral'}>{d.status}</Badge></td>
                      <td className="muted">{d.error ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {outcome.purge && (
                <p data-testid="outcome-purge">
                  Past-due runs removed: <strong>{formatCount(outcome.purge.deleted)}</strong> of {formatCount(outcome.purge.planned)}.
                </p>
              )}
              <p className="muted">Took {formatDuration(outcome.durationMs)}.</p>
            </div>
            {outcome.verify.length > 0 && (
              <div>
                <div className="card__title">New runs</div>
                <table className="table table--compact" data-testid="outcome-verify">
                  <thead>
                    <tr>
                      <th>Schedule</th>
                      <th>Check</th>
                      <th className="num">Runs</th>
                      <th>First</th>
                      <th>Note</th>
                    </tr>
                  </thead>
                  <tbody>
                    {outcome.verify.map((v) => (
                      <tr key={v.scheduleId} data-verify={v.status}>
                        <td>{v.label}</td>
                        <td><Badge tone={STATUS_TONE[v.status] ?? 'neutral'}>{v.status}</Badge></td>
                        <td className="num">{v.runs}</td>
                        <td><TimeCell iso={v.first} /></td>
                        <td className="muted">{v.message}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </div>
        </>
      )}
      <div className="form__actions">
        <button type="button" className="btn btn--primary" onClick={onDone} data-testid="change-done">{doneLabel}</button>
        {outcome && outcome.status === 'needs-restore' && onRestore && (
          <button type="button" className="btn" onClick={() => onRestore(outcome.planId)}>Restore the originals…</button>
        )}
      </div>
    </section>
  );
}
