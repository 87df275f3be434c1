/**
 * The page of a job whose kind has no screen of its own (#/jobs/<id>): what it is, its progress with
 * pause / resume / cancel, how it ended. Kinds with a screen (purge, schedule changes) link there
 * instead; this keeps every job in the tray one click from a page, whatever its kind.
 */
import { useState } from 'react';
import type { ClientError } from '../api/client';
import { toClientError } from '../api/errors';
import { isFinished, jobActions, jobsLoaded, useJob } from '../api/jobs';
import { ErrorNotice } from '../components/ErrorNotice';
import { JobProgressBar } from '../components/JobProgressBar';
import { Spinner } from '../components/Spinner';
import { formatDateTime } from '../lib/format';
import { href } from '../lib/router';

export function JobPage({ jobId }: { jobId: string }) {
  const job = useJob(jobId);
  const [error, setError] = useState<ClientError | null>(null);
  const act = (fn: () => Promise<unknown>) => void fn().catch((e: unknown) => setError(toClientError(e)));
  if (!job) {
    return (
      <div className="page">
        {jobsLoaded() ? (
          <ErrorNotice title="This job is not among the recent ones" error={{ code: 'NOT_FOUND', message: 'Jobs that ended more than a few hours ago leave the tray.', hint: 'Its audit entry is on the Activity screen.' }}>
            <a className="btn btn--small notice__action" href={href('activity')}>Open Activity</a>
          </ErrorNotice>
        ) : (
          <Spinner label="Reading the job journal…" />
        )}
      </div>
    );
  }
  return (
    <div className="page" data-testid="job-page">
      <header className="page__header">
        <div>
          <h1 className="page__title">{job.title}</h1>
          <p className="page__lead">
            {job.kind} job, started {formatDateTime(job.startedAt)}
            {job.finishedAt ? `, ended ${formatDateTime(job.finishedAt)}` : ''}.
          </p>
        </div>
      </header>
      <section className="card">
        <JobProgressBar
          job={job}
          onPause={job.here ? () => act(() => jobActions.pause(jobId)) : undefined}
          onResume={job.here ? () => act(() => jobActions.resume(jobId)) : undefined}
          onCancel={job.here ? () => act(() => jobActions.cancel(jobId)) : undefined}
        />
        {job.resumable && (
          <button type="button" className="btn btn--primary" onClick={() => act(() => jobActions.resume(jobId))}>
            Resume from the journal
          </button>
        )}
        {isFinished(job) && job.error && <ErrorNotice title={job.status === 'cancelled' ? 'Cancelled' : 'It did not complete'} error={job.error} />}
        {error && <ErrorNotice error={error} onDismiss={() => setError(null)} />}
        <p className="muted">
          Its audit entry is on the <a className="link" href={href('activity')}>Activity</a> screen.
        </p>
      </section>
    </div>
  );
}
