/**
 * One purge execution's page (#/purge/run/<planId>, where the jobs tray links): the frozen plan, the
 * job's live progress with pause / resume / cancel, and afterwards its exact totals. Everything comes
 * from the journal (purge.status and the jobs store), so it reads the same after a reload, from
 * another screen, or after the process that ran it died.
 */
import { useAction, useEvent, useRequest } from '../../api/hooks';
import { useJob } from '../../api/jobs';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Spinner } from '../../components/Spinner';
import { href, navigate } from '../../lib/router';
import { ExecutionView } from './ExecutionView';
import { PlanView } from './PlanView';

export function PurgeRun({ planId, connectionId }: { planId: string; connectionId: string }) {
  const status = useRequest('purge.status', { planId }, planId);
  const jobId = status.data?.jobId ?? null;
  const job = useJob(jobId);
  const resume = useAction('purge.resume');
  // Counts and the outcome live in the journal: read them again whenever this purge's job ends.
  useEvent('jobs.finished', (f) => {
    if (f.jobId === jobId) status.reload();
  });

  if (status.error) {
    return (
      <ErrorNotice title="Could not read this purge" error={status.error}>
        <a className="btn btn--small notice__action" href={href('purge')}>Back to Purge</a>
      </ErrorNotice>
    );
  }
  if (!status.data) return <Spinner label="Reading this purge from the journal…" />;
  const { plan } = status.data;
  return (
    <>
      <nav className="purge-crumbs" aria-label="Purge">
        <a className="link" href={href('purge')}>← Purge</a>
        <span className="muted"> · execution of plan <span className="mono">{plan.planId.slice(0, 8)}</span>{plan.connectionId !== connectionId ? ` on ${plan.connectionName} (not the current connection)` : ''}</span>
      </nav>
      <PlanView plan={plan} executed={jobId !== null} />
      {resume.error && <ErrorNotice title="Could not resume" error={resume.error} onDismiss={resume.clearError} />}
      {jobId ? (
        <ExecutionView
          plan={plan}
          jobId={jobId}
          job={job}
          status={status.data}
          connectionId={plan.connectionId ?? connectionId}
          resuming={resume.running}
          onResume={() => void resume.run({ planId }).then((r) => r && status.reload())}
          onNew={() => navigate('purge')}
        />
      ) : (
        <p className="muted">This plan was never executed. Make a new preview on the Purge screen to delete these runs.</p>
      )}
    </>
  );
}
