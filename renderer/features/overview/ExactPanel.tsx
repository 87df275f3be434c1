/**
 * Exact measurement on demand. With pgstattuple usable: a button that runs it as a job (progress,
 * cancel) and folds the results into the report. Without: how to enable it, never done for you.
 */
import type { PostgresSpace } from '../../../shared/domain/inspect';
import { useJob, isFinished } from '../../api/jobs';
import { call } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { JobProgressBar } from '../../components/JobProgressBar';

export function ExactPanel({ space, jobId, onStart, starting }: { space: PostgresSpace; jobId: string | null; onStart: () => void; starting: boolean }) {
  const job = useJob(jobId);
  const p = space.pgstattuple;
  return (
    <section className="card card--quiet ov-card ov-exact" data-testid="overview-exact">
      <div className="card__row">
        <div>
          <div className="ov-subtitle">Measure exactly</div>
          <p className="muted">
            {p.usable
              ? 'pgstattuple reads the big tables (skipping all-visible pages) and their indexes. It takes a while and some I/O on a big database.'
              : 'Exact measurement uses the pgstattuple extension, which Housekeeper never installs itself.'}
          </p>
          {!p.usable && p.howTo && <pre className="ov-howto mono" data-testid="pgstattuple-howto">{p.howTo}</pre>}
        </div>
        {p.usable && (
          <button type="button" className="btn" onClick={onStart} disabled={starting || (job !== undefined && !isFinished(job))} data-testid="exact-start">
            Measure exactly
          </button>
        )}
      </div>
      {job && <JobProgressBar job={job} onCancel={isFinished(job) ? undefined : () => void call('jobs.cancel', { jobId: job.jobId })} />}
      {job && isFinished(job) && job.error && <ErrorNotice error={job.error} title="Exact measurement stopped" />}
    </section>
  );
}
