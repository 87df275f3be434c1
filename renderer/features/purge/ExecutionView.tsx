/**
 * Step 4: progress while it runs (pause, resume, cancel); after, exact totals, the recount, and
 * VACUUM (ANALYZE) on demand. The live job comes from the jobs store; when the store does not know it
 * (finished long ago) the journal's counts and outcome stand in, so the page never spins forever.
 */
import { useState } from 'react';
import type { PurgeStatus } from '../../../shared/contracts/purge';
import type { PurgeOutcome, PurgePlan } from '../../../shared/domain/purge';
import { useAction } from '../../api/hooks';
import { isFinished, jobActions, useJob, type JobState } from '../../api/jobs';
import { ErrorNotice } from '../../components/ErrorNotice';
import { JobProgressBar } from '../../components/JobProgressBar';
import { formatCount, formatDuration, plural } from '../../lib/format';
import { toClientError } from '../../api/errors';
import { downloadKeptExport, isKeptExport } from '../../api/exports';
import { ExportResult } from '../../components/ExportChoice';

/** The journal's view of a purge whose job the store does not hold. */
function fromStatus(s: PurgeStatus, jobId: string): JobState {
  const c = s.counts;
  const status = s.status === 'done' ? 'succeeded' : s.status === 'cancelled' ? 'cancelled' : s.status === 'failed' ? 'failed' : 'interrupted';
  return {
    jobId,
    kind: 'purge',
    connectionId: s.plan.connectionId,
    title: `Purge ${formatCount(s.plan.count)} stale runs on ${s.plan.connectionName}`,
    link: ['purge', 'run', s.plan.planId],
    status,
    phase: s.status === 'done' ? 'done' : 'stopped',
    done: c.deleted + c.skipped + c.busy,
    total: c.total,
    rate: null,
    etaSeconds: null,
    message: `${formatCount(c.deleted)} deleted, ${formatCount(c.skipped)} skipped, ${formatCount(c.busy)} busy`,
    startedAt: s.plan.createdAt,
    updatedAt: s.plan.createdAt,
    finishedAt: s.plan.createdAt,
    error: null,
    here: false,
    resumable: status !== 'succeeded' && c.pending + c.inFlight > 0,
  };
}

export function ExecutionView({ plan, jobId, job: live, status, connectionId, resuming, onResume, onNew }: {
  plan: PurgePlan;
  jobId: string;
  job: JobState | undefined;
  status: PurgeStatus;
  connectionId: string;
  resuming: boolean;
  onResume: () => void;
  onNew: () => void;
}) {
  const vacuum = useAction('purge.vacuum');
  const [vacuumJobId, setVacuumJobId] = useState<string | null>(null);
  const vacuumJob = useJob(vacuumJobId);
  const job = live ?? fromStatus(status, jobId);
  const done = isFinished(job);
  const result = (live?.result as PurgeOutcome | undefined) ?? status.outcome ?? null;
  const outcome = done && job.status === 'succeeded' ? result : null;
  const left = status.counts.pending + status.counts.inFlight;
  const stopped = done && job.status !== 'succeeded';
  return (
    <section className="card purge-exec" data-testid="purge-exec">
      <div className="card__title">Deleting {formatCount(plan.count)} stale runs on {plan.connectionName}</div>
      <JobProgressBar
        job={job}
        onCancel={job.here ? () => void jobActions.cancel(jobId) : undefined}
        onPause={job.here ? () => void jobActions.pause(jobId) : undefined}
        onResume={job.here ? () => void jobActions.resume(jobId) : undefined}
      />
      {job.status === 'paused' && <p className="muted">Paused between batches: no transaction is open and nothing is being deleted. Resume here or from the jobs tray, on any screen.</p>}
      {job.status === 'running' && !job.here && <p className="muted">Another Housekeeper process (the window, `serve` or a CLI) is running this purge; its progress shows here.</p>}
      {stopped && (
        <ErrorNotice
          title={job.status === 'cancelled' ? 'Stopped' : job.status === 'interrupted' ? 'Interrupted: Housekeeper stopped while it ran' : 'The purge stopped'}
          error={job.error ?? { code: 'CANCELLED', message: `${formatCount(status.counts.deleted)} of ${formatCount(status.counts.total)} planned runs were deleted; ${formatCount(left)} are left.` }}
        >
          <p>What was deleted stays deleted and is counted. The rest is still planned: resume continues exactly where it stopped.</p>
          {left > 0 && (
            <button type="button" className="btn btn--small notice__action" onClick={onResume} disabled={resuming} data-testid="purge-resume">
              Resume ({formatCount(left)} left)
            </button>
          )}
        </ErrorNotice>
      )}
      {outcome && (
        <div className="purge-result" data-testid="purge-result">
          <div className="purge-result__main">
            Deleted <strong data-testid="purge-deleted">{formatCount(outcome.deleted)}</strong> of {formatCount(outcome.planned)} planned runs in{' '}
            {formatDuration(outcome.durationMs)}.
          </div>
          <ul className="purge-notes">
            {outcome.skipped > 0 && <li>{formatCount(outcome.skipped)} were no longer stale when their batch ran (picked up or changed) and were left alone.</li>}
            {outcome.busy > 0 && <li>{formatCount(outcome.busy)} stayed locked by a worker and were left alone.</li>}
            <li>Also deleted: {plural(outcome.deletedLogs, 'log line')}, {plural(outcome.deletedArtifacts, 'artifact')}. States and task runs went with their runs.</li>
            <li>
              Recount: {outcome.remaining === null ? 'unavailable' : `${plural(outcome.remaining, 'run')} still match this filter and cutoff`}.
            </li>
            {outcome.exportedTo && (
              <ExportResult
                prefix="purge"
                file={outcome.exportedTo}
                downloadable={isKeptExport('purge', plan.planId, outcome.exportedTo)}
                onDownload={() => downloadKeptExport('purge', plan.planId)}
                toError={toClientError}
              />
            )}
            <li>{plural(outcome.batches, 'batch', 'batches')}, 99% within {formatDuration(outcome.p99BatchMs)}. Recorded in Activity.</li>
          </ul>
          {plan.executor === 'sql' && (
            <div className="purge-vacuum">
              <p className="muted">
                Deleted rows leave dead space. VACUUM (ANALYZE) makes it reusable and refreshes the planner's statistics without blocking
                Prefect. Files only shrink after a rewrite (pg_repack or VACUUM FULL), which Housekeeper does not do.
              </p>
              {!vacuumJobId && (
                <button
                  type="button"
                  className="btn"
                  disabled={vacuum.running}
                  onClick={() => void vacuum.run({ connectionId }).then((r) => r && setVacuumJobId(r.jobId))}
                  data-testid="purge-vacuum"
                >
                  VACUUM (ANALYZE) now
                </button>
              )}
              {vacuum.error && <ErrorNotice error={vacuum.error} />}
              {vacuumJob && <JobProgressBar job={vacuumJob} />}
              {vacuumJob && isFinished(vacuumJob) && vacuumJob.status === 'succeeded' && vacuumJob.result != null && (
                <ul className="purge-notes">
                  {((vacuumJob.result as { tables?: Array<{ table: string; status: string; reason?: string }> }).tables ?? []).map((t) => (
                    <li key={t.table}>
                      {t.table}: {t.status}
                      {t.reason ? ` (${t.reason})` : ''}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
          <button type="button" className="btn btn--quiet" onClick={onNew}>New purge</button>
        </div>
      )}
    </section>
  );
}
