/**
 * One retention execution's page (#/retention/run/<planId>, where the jobs tray links): the frozen
 * plan, the job's live progress with pause / resume / cancel, and afterwards the exact totals. It
 * reads the journal (retention.status) and the jobs store, so it is the same after a reload, from
 * another screen, or after the process that ran it died.
 */
import { useEffect } from 'react';
import { useAction, useEvent, useRequest } from '../../api/hooks';
import { useJob } from '../../api/jobs';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Spinner } from '../../components/Spinner';
import { href, navigate } from '../../lib/router';
import { RetentionExecution } from './RetentionExecution';
import { RetentionPlanView } from './RetentionPlanView';

export function RetentionRun({ planId, connectionId }: { planId: string; connectionId: string }) {
  const status = useRequest('retention.status', { planId }, planId);
  const jobId = status.data?.jobId ?? null;
  const job = useJob(jobId);
  const resume = useAction('retention.resume');
  // Totals and the outcome live in the journal: read them again whenever this job ends or pauses.
  useEvent('jobs.finished', (f) => {
    if (f.jobId === jobId) status.reload();
  });
  // A pause lands between batches: read the journal's totals then too.
  const jobStatus = job?.status;
  const reload = status.reload;
  useEffect(() => {
    if (jobStatus === 'paused') reload();
  }, [jobStatus, reload]);

  if (status.error) {
    return (
      <ErrorNotice title="Could not read this retention" error={status.error}>
        <a className="btn btn--small notice__action" href={href('retention')}>Back to Retention</a>
      </ErrorNotice>
    );
  }
  if (!status.data) return <Spinner label="Reading this retention from the journal…" />;
  const { plan } = status.data;
  return (
    <>
      <nav className="purge-crumbs" aria-label="Retention">
        <a className="link" href={href('retention')}>← New plan</a>
        <span className="muted">
          {' '}
          · execution of plan <span className="mono">{plan.planId.slice(0, 8)}</span>
          {plan.connectionId !== connectionId ? ` on ${plan.connectionName} (not the current connection)` : ''}
        </span>
      </nav>
      {resume.error && <ErrorNotice title="Could not resume; nothing was deleted" error={resume.error} onDismiss={resume.clearError} />}
      {jobId ? (
        <RetentionExecution
          plan={plan}
          jobId={jobId}
          job={job}
          status={status.data}
          resuming={resume.running}
          onResume={() => void resume.run({ planId }).then((r) => r && status.reload())}
          onNew={() => navigate('retention')}
        />
      ) : (
        <p className="muted">This plan was never executed. Make a new plan to delete these runs.</p>
      )}
      <RetentionPlanView plan={plan} executed={jobId !== null} />
    </>
  );
}
