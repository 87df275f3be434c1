/** A plan's status as the screen and `retention status` show it: journal, live job and outcome together. */
import type { RetentionStatus } from '../../../shared/contracts/retention';
import type { RetentionOutcome } from '../../../shared/domain/retention';
import type { Store } from '../../store';
import type { JobRunner } from '../jobs/runner';
import type { RetentionService } from './service';

export function retentionStatus(deps: { store: Store; jobs: JobRunner; retention: RetentionService }, planId: string): RetentionStatus {
  const { plan, row } = deps.retention.getPlan(planId);
  const job = row.job_id ? deps.store.jobs.get(row.job_id) : undefined;
  const outcome = row.status === 'done' && job?.result ? (JSON.parse(job.result) as RetentionOutcome) : null;
  const progress = deps.store.retention.progress(planId);
  const live = row.job_id !== null && deps.jobs.list().some((j) => j.jobId === row.job_id);
  const elsewhere = row.job_id !== null && deps.jobs.runningElsewhere(row.job_id);
  const status = row.status === 'running' && !live && !elsewhere ? 'interrupted' : row.status;
  return { plan, status, jobId: row.job_id, phase: progress.phase, totals: progress.totals, outcome, exportFile: row.export_file };
}
