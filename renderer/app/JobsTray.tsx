/**
 * The jobs tray, in the sidebar of every screen: every job that has not ended (running, paused,
 * interrupted) and the ones that ended recently, of every kind, with progress, pause / resume /
 * cancel and a link to the job's page. It reads the journal (`jobs.list`), so a purge paused at 216 of
 * 2,017 is still here after the screen that started it is gone, after a reload, or when the process
 * that ran it died; Resume continues it from its journal.
 */
import { useState } from 'react';
import type { ClientError } from '../api/client';
import { toClientError } from '../api/errors';
import { isFinished, jobActions, useJobs, type JobState } from '../api/jobs';
import { formatCount, formatEta, formatProgress, formatRelative } from '../lib/format';
import { href } from '../lib/router';

/** Finished jobs shown before "and N more". */
const FINISHED_SHOWN = 3;

const STATUS_TEXT: Record<JobState['status'], string> = {
  running: 'running',
  paused: 'paused',
  interrupted: 'interrupted',
  succeeded: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
};

export function JobsTray() {
  const jobs = useJobs();
  const [showAll, setShowAll] = useState(false);
  const open = jobs.filter((j) => !isFinished(j) || j.status === 'interrupted' || (j.resumable && j.status !== 'cancelled'));
  const ended = jobs.filter((j) => !open.includes(j));
  const shownEnded = showAll ? ended : ended.slice(0, FINISHED_SHOWN);
  if (jobs.length === 0) return null;
  return (
    <section className="tray" aria-label="Jobs" data-testid="jobs-tray">
      <div className="tray__caption">
        Jobs
        {open.length > 0 && <span className="tray__count">{open.length} open</span>}
      </div>
      <ul className="tray__list">
        {[...open, ...shownEnded].map((j) => (
          <TrayItem key={j.jobId} job={j} />
        ))}
      </ul>
      {ended.length > FINISHED_SHOWN && (
        <button type="button" className="tray__more" onClick={() => setShowAll((s) => !s)}>
          {showAll ? 'Show fewer' : `and ${ended.length - FINISHED_SHOWN} more finished`}
        </button>
      )}
    </section>
  );
}

function TrayItem({ job }: { job: JobState }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ClientError | null>(null);
  const act = (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    fn().then(
      () => setBusy(false),
      (e: unknown) => {
        setBusy(false);
        setError(toClientError(e));
      },
    );
  };
  const fraction = job.total && job.total > 0 ? Math.min(1, job.done / job.total) : null;
  const live = job.status === 'running' || job.status === 'paused';
  const elsewhere = live && !job.here;
  const eta = job.status === 'running' ? formatEta(job.etaSeconds) : null;
  const tone = job.status === 'succeeded' ? 'ok' : job.status === 'failed' ? 'fail' : job.status === 'running' ? 'accent' : job.status === 'cancelled' ? 'skip' : 'warn';
  return (
    <li className={`tray__item tray__item--${tone}`} data-testid="tray-job" data-kind={job.kind} data-status={job.status} data-job-id={job.jobId}>
      <a className="tray__title" href={href(...job.link)} title={job.title} data-testid="tray-job-link">
        {job.title}
      </a>
      <div className="tray__state">
        <span className="tray__status">{STATUS_TEXT[job.status]}</span>
        {live && job.phase ? <span className="tray__phase"> · {job.pausing ? 'pausing after this batch' : job.phase}</span> : null}
        {!live && job.finishedAt ? <span className="tray__phase"> · {formatRelative(job.finishedAt)}</span> : null}
      </div>
      {(live || job.status === 'interrupted' || fraction !== null) && (
        <div className={`tray__bar${fraction === null && live ? ' tray__bar--indeterminate' : ''}`} role="progressbar" aria-label={job.title} aria-valuemin={0} aria-valuemax={job.total ?? undefined} aria-valuenow={job.done}>
          <div className="tray__fill" style={fraction === null ? undefined : { width: `${(fraction * 100).toFixed(1)}%` }} />
        </div>
      )}
      <div className="tray__numbers" data-testid="tray-job-numbers">
        {job.total !== null ? `${formatCount(job.done)} of ${formatCount(job.total)}` : job.done > 0 ? formatCount(job.done) : ''}
        {fraction !== null && job.total !== null && ` (${formatProgress(job.done, job.total)})`}
        {eta ? ` · ${eta} left` : ''}
      </div>
      {job.error && job.status !== 'cancelled' && <div className="tray__error">{job.error.message}</div>}
      {elsewhere && <div className="tray__note">Run by another Housekeeper process (window, serve or CLI).</div>}
      {job.status === 'interrupted' && <div className="tray__note">Housekeeper stopped while it ran; the journal knows where.</div>}
      <div className="tray__actions">
        {job.here && job.status === 'running' && (
          <button type="button" className="btn btn--small" disabled={busy || job.pausing === true} onClick={() => act(() => jobActions.pause(job.jobId))} data-testid="tray-pause">
            {job.pausing ? 'Pausing…' : 'Pause'}
          </button>
        )}
        {((job.here && job.status === 'paused') || job.resumable) && (
          <button type="button" className="btn btn--small btn--primary" disabled={busy} onClick={() => act(() => jobActions.resume(job.jobId))} data-testid="tray-resume">
            Resume
          </button>
        )}
        {((job.here && live) || job.status === 'interrupted') && (
          <button type="button" className="btn btn--small" disabled={busy} onClick={() => act(() => jobActions.cancel(job.jobId))} data-testid="tray-cancel">
            {job.status === 'interrupted' ? 'Abandon' : 'Cancel'}
          </button>
        )}
      </div>
      {error && (
        <div className="tray__error" role="alert">
          {error.message} {error.hint}
        </div>
      )}
    </li>
  );
}
