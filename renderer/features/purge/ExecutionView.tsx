/** Step 4: progress while it runs; after, exact totals, the recount, and VACUUM (ANALYZE) on demand. */
import type { PurgeOutcome, PurgePlan } from '../../../shared/domain/purge';
import { call } from '../../api/client';
import { useAction } from '../../api/hooks';
import { isFinished, useJob } from '../../api/jobs';
import { ErrorNotice } from '../../components/ErrorNotice';
import { JobProgressBar } from '../../components/JobProgressBar';
import { formatCount, formatDuration, plural } from '../../lib/format';
import { useState } from 'react';

export function ExecutionView({ plan, jobId, connectionId, onResume, onNew }: {
  plan: PurgePlan;
  jobId: string;
  connectionId: string;
  onResume: () => void;
  onNew: () => void;
}) {
  const job = useJob(jobId);
  const vacuum = useAction('purge.vacuum');
  const [vacuumJobId, setVacuumJobId] = useState<string | null>(null);
  const vacuumJob = useJob(vacuumJobId);
  if (!job) return <section className="card">Starting…</section>;
  const done = isFinished(job);
  const outcome = done && job.status === 'succeeded' ? (job.result as PurgeOutcome) : null;
  return (
    <section className="card purge-exec" data-testid="purge-exec">
      <div className="card__title">Deleting {formatCount(plan.count)} stale runs on {plan.connectionName}</div>
      <JobProgressBar
        job={job}
        onCancel={() => void call('jobs.cancel', { jobId })}
        onPause={() => void call('jobs.pause', { jobId })}
        onResume={() => void call('jobs.resume', { jobId })}
      />
      {job.status === 'paused' && <p className="muted">Paused between batches: no transaction is open and nothing is being deleted.</p>}
      {done && job.error && (
        <ErrorNotice title={job.status === 'cancelled' ? 'Stopped' : 'The purge stopped'} error={job.error}>
          <p>What was deleted stays deleted and is counted. The rest is still planned: resume continues exactly where it stopped.</p>
          <button type="button" className="btn btn--small notice__action" onClick={onResume} data-testid="purge-resume">Resume</button>
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
            {outcome.exportedTo && <li>Exported to {outcome.exportedTo}.</li>}
            <li>{plural(outcome.batches, 'batch', 'batches')}, 99% within {formatDuration(outcome.p99BatchMs)}.</li>
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
              {vacuumJob && isFinished(vacuumJob) && vacuumJob.status === 'succeeded' && (
                <ul className="purge-notes">
                  {((vacuumJob.result as { tables: Array<{ table: string; status: string; reason?: string }> }).tables ?? []).map((t) => (
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
