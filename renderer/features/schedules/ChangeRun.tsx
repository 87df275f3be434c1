/** A change being applied (progress, cancel) and how it ended: per deployment, the purge, the check of the new runs. */
import type { ChangeOutcome } from '../../../shared/domain/schedules';
import { call } from '../../api/client';
import { useEvent, useRequest } from '../../api/hooks';
import { isFinished, useJob } from '../../api/jobs';
import { ErrorNotice as Notice } from '../../components/ErrorNotice';
import { href } from '../../lib/router';
import { Badge, type Tone } from '../../components/Badge';
import { ErrorNotice } from '../../components/ErrorNotice';
import { JobProgressBar } from '../../components/JobProgressBar';
import { Spinner } from '../../components/Spinner';
import { formatCount, formatDuration, plural } from '../../lib/format';
import { TimeCell } from './TimeCell';

const STATUS_TONE: Record<string, Tone> = { changed: 'ok', unchanged: 'neutral', 'rolled-back': 'warn', 'needs-restore': 'fail', skipped: 'skip', ok: 'ok', pending: 'warn', mismatch: 'fail' };

/**
 * One change's own page (#/schedules/change/<planId>): its job while it runs, its outcome after, read
 * from the local store so a reload or a visit from the jobs tray shows the same.
 */
export function ChangePage({ planId, onDone, onRestore }: { planId: string; onDone: () => void; onRestore: (planId: string) => void }) {
  const status = useRequest('schedules.status', { planId }, planId);
  useEvent('jobs.finished', (f) => {
    if (f.jobId === status.data?.jobId) status.reload();
  });
  if (status.error) {
    return (
      <Notice title="Could not read this change" error={status.error}>
        <a className="btn btn--small notice__action" href={href('schedules', 'changes')}>All changes</a>
      </Notice>
    );
  }
  if (!status.data) return <Spinner label="Reading the change from the local store…" />;
  const s = status.data;
  return (
    <>
      <nav className="purge-crumbs" aria-label="Schedules">
        <a className="link" href={href('schedules', 'changes')}>← Changes</a>
        <span className="muted"> · {s.kind} of {plural(s.deployments, 'deployment')} on {s.plan.connectionName}</span>
      </nav>
      {s.jobId ? (
        <ChangeRun jobId={s.jobId} onDone={onDone} doneLabel="Back to the changes" onRestore={onRestore} fallback={s.outcome} />
      ) : (
        <p className="muted">This plan was never applied ({s.status}).</p>
      )}
    </>
  );
}

export function ChangeRun({ jobId, onDone, doneLabel = 'Back to the schedules', onRestore, fallback = null }: { jobId: string; onDone: () => void; doneLabel?: string; onRestore?: (planId: string) => void; fallback?: ChangeOutcome | null }) {
  const live = useJob(jobId);
  const job = live ?? (fallback ? { status: fallback.status === 'applied' ? ('succeeded' as const) : ('failed' as const), error: null, result: fallback } : undefined);
  if (!job) return <Spinner label="Starting…" />;
  if (live && !isFinished(live)) {
    return (
      <section className="card" data-testid="change-running">
        <JobProgressBar job={live} onCancel={live.here ? () => void call('jobs.cancel', { jobId }) : undefined} />
        <p className="muted" data-testid="change-cancel-note">{cancelNote(live.phase)}</p>
      </section>
    );
  }
  const outcome = ((job.result ?? null) as ChangeOutcome | null) ?? ((job.error?.details?.outcome as ChangeOutcome | undefined) ?? null) ?? fallback;
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

/**
 * What Cancel does depends on how far the apply got: before the purge it puts every schedule back;
 * once past-due runs are being deleted, they stay deleted and the new schedules stay.
 */
export function cancelNote(phase: string): string {
  if (/^(starting|pausing|writing)/.test(phase)) return 'Cancelling now puts every schedule back as it was and resumes the deployments.';
  if (/purg/.test(phase)) return 'Cancelling now stops the purge: runs already deleted stay deleted, the new schedules stay, and the deployments are resumed.';
  return 'The schedules are written and the backlog is cleared; cancelling now only stops the checks (the deployments are resumed either way).';
}
