/**
 * A retention execution as the screen shows it when the jobs store does not hold its job (finished
 * long ago, or run by a process that died): the journal's totals and status stand in, so the page
 * never spins forever and an interrupted plan still offers Resume.
 */
import type { RetentionStatus } from '../../../shared/contracts/retention';
import { rowsDeleted } from '../../../shared/domain/retention';
// The shared JobView, not renderer/api's JobState: this file stays pure (unit-tested under Node).
import type { JobView } from '../../../shared/domain/jobs';
import { formatCount } from '../../lib/format';

const RESUMABLE = ['interrupted', 'failed', 'cancelled'];

export function canResume(s: Pick<RetentionStatus, 'status'>): boolean {
  return RESUMABLE.includes(s.status);
}

export function jobFromStatus(s: RetentionStatus, jobId: string): JobView {
  const t = s.totals;
  const status = s.status === 'done' ? 'succeeded' : s.status === 'cancelled' ? 'cancelled' : s.status === 'failed' ? 'failed' : 'interrupted';
  return {
    jobId,
    kind: 'retention',
    connectionId: s.plan.connectionId,
    title: `Retention: runs older than ${s.plan.cutoffGiven} on ${s.plan.connectionName}`,
    link: ['retention', 'run', s.plan.planId],
    status,
    phase: s.status === 'done' ? 'done' : s.phase,
    done: rowsDeleted(t),
    total: null,
    rate: null,
    etaSeconds: null,
    message: `${formatCount(t.runs)} runs and ${formatCount(rowsDeleted(t))} rows deleted`,
    startedAt: s.plan.createdAt,
    updatedAt: s.plan.createdAt,
    finishedAt: s.plan.createdAt,
    error: null,
    here: false,
    resumable: canResume(s),
  };
}
