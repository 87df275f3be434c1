/**
 * The session running: its own progress (step n of m), and below it every job the steps start
 * (pause, purge, recreate, resume, vacuum: the same jobs the tray lists), each with its progress.
 * Cancel stops after the current batch; the deployments this session paused are resumed anyway.
 */
import { useEffect } from 'react';
import type { SessionStep } from '../../../shared/domain/diagnose';
import { call } from '../../api/client';
import { isFinished, useJob, useJobs } from '../../api/jobs';
import { JobProgressBar } from '../../components/JobProgressBar';
import { Spinner } from '../../components/Spinner';

const KIND: Record<string, string> = {
  'schedules.pause': 'Pause',
  purge: 'Purge',
  'schedules.recreate': 'Recreate',
  'schedules.resume': 'Resume',
  vacuum: 'VACUUM',
};

export function SessionRun({ jobId, connectionId, steps: planned, onFinished }: { jobId: string; connectionId: string; steps: SessionStep[] | null; onFinished: () => void }) {
  const job = useJob(jobId);
  const all = useJobs();
  const done = !!job && isFinished(job);
  useEffect(() => {
    if (done) onFinished();
  }, [done, onFinished]);
  if (!job) return <Spinner label="Starting the session…" />;
  const steps = all.filter((j) => j.jobId !== jobId && j.connectionId === connectionId && j.startedAt >= job.startedAt && j.kind in KIND).reverse();
  return (
    <section className="card dg-run" data-testid="session-running">
      <div className="card__title">Running the session</div>
      {planned && (
        <ol className="dg-checklist" aria-label="Steps">
          {planned.map((st, i) => {
            const state = i < job.done ? 'done' : i === job.done && !done ? 'now' : 'next';
            return (
              <li key={st.kind} className={`dg-checklist__item dg-checklist__item--${state}`} data-step={st.kind} data-state={state}>
                <span className="dg-checklist__mark" aria-hidden="true">{state === 'done' ? '✓' : i + 1}</span>
                {st.title}
                <span className="muted">
                  {' '}
                  · {st.count} {st.unit}
                </span>
              </li>
            );
          })}
          <li className={`dg-checklist__item dg-checklist__item--${job.done >= planned.length && !done ? 'now' : done ? 'done' : 'next'}`}>
            <span className="dg-checklist__mark" aria-hidden="true">{done ? '✓' : planned.length + 1}</span>
            Diagnose again
          </li>
        </ol>
      )}
      <JobProgressBar job={job} onCancel={done ? undefined : () => void call('jobs.cancel', { jobId })} />
      {steps.length > 0 && (
        <ul className="dg-subjobs" aria-label="Jobs started by this session">
          {steps.map((j) => (
            <li key={j.jobId} data-testid="session-subjob" data-kind={j.kind}>
              <div className="dg-label">{KIND[j.kind]}</div>
              <JobProgressBar job={j} />
            </li>
          ))}
        </ul>
      )}
      <p className="muted">Cancelling stops after the current batch; deployments this session paused are resumed before it ends.</p>
    </section>
  );
}
