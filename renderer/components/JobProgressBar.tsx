/**
 * A job's progress as a bar plus the numbers an operator wants: what phase, how many of how many,
 * how fast, how long left. Presentational: the caller passes the latest jobs.progress payload.
 */
import type { JobProgress } from '../../shared/domain/jobs';
import { formatCount, formatEta, formatProgress, formatRate } from '../lib/format';

/** What a job's rate counts (purges delete runs, retentions rows of every table; other jobs count their steps). */
function rateUnit(kind: string): string {
  return kind.startsWith('purge') ? 'runs' : kind === 'retention' ? 'rows' : 'steps';
}

const TONE: Record<JobProgress['status'], string> = {
  running: 'accent',
  paused: 'warn',
  succeeded: 'ok',
  failed: 'fail',
  cancelled: 'skip',
  interrupted: 'warn',
};

export function JobProgressBar({ job, onCancel, onPause, onResume }: { job: JobProgress; onCancel?: () => void; onPause?: () => void; onResume?: () => void }) {
  const fraction = job.total && job.total > 0 ? Math.min(1, job.done / job.total) : null;
  const eta = job.status === 'running' ? formatEta(job.etaSeconds) : null;
  return (
    <div className={`job job--${TONE[job.status]}`} data-testid="job-progress" data-status={job.status}>
      <div className="job__head">
        <span className="job__phase">{job.phase}</span>
        <span className="job__status">{job.status}</span>
        {onPause && job.status === 'running' && (
          <button type="button" className="btn btn--small" onClick={onPause} disabled={job.pausing === true} data-testid="job-pause">
            {job.pausing ? 'Pausing after this batch…' : 'Pause'}
          </button>
        )}
        {onResume && job.status === 'paused' && (
          <button type="button" className="btn btn--small" onClick={onResume} data-testid="job-resume">
            Resume
          </button>
        )}
        {onCancel && (job.status === 'running' || job.status === 'paused') && (
          <button type="button" className="btn btn--small" onClick={onCancel} data-testid="job-cancel">
            Cancel
          </button>
        )}
      </div>
      <div
        className={`job__bar${fraction === null ? ' job__bar--indeterminate' : ''}`}
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={job.total ?? undefined}
        aria-valuenow={job.done}
      >
        {/* Width via the style property (CSSOM), which the CSP allows; no inline <style>. */}
        <div className="job__fill" style={fraction === null ? undefined : { width: `${(fraction * 100).toFixed(1)}%` }} />
      </div>
      <div className="job__numbers">
        <span>
          {formatCount(job.done)}
          {job.total !== null && ` of ${formatCount(job.total)}`}
          {fraction !== null && ` (${formatProgress(job.done, job.total)})`}
        </span>
        {job.rate !== null && job.status === 'running' && <span>{formatRate(job.rate, rateUnit(job.kind))}</span>}
        {eta && <span>{eta} left</span>}
      </div>
      {job.message && <div className="job__message">{job.message}</div>}
    </div>
  );
}
