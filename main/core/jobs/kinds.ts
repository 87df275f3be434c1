/**
 * The job kinds Housekeeper runs today, told to the runner once per context: what each job is called
 * in the jobs tray, where its page is, and (for purges) how a stopped one continues from its journal.
 * A new kind (retention, imports) adds its entry here; the tray, `jobs.list` and `jobs.resume` need no
 * change.
 */
import { formatInt } from '../../../shared/text/bytes';
import type { ChangePlan } from '../../../shared/domain/schedules';
import type { PurgePlan } from '../../../shared/domain/purge';
import type { RetentionPlan } from '../../../shared/domain/retention';
import type { Store } from '../../store';
import type { ConnectionsService } from '../connections/service';
import type { PurgeService } from '../purge/service';
import type { RetentionService } from '../retention/service';
import type { JobRunner } from './runner';

interface Deps {
  store: Store;
  connections: ConnectionsService;
  purge: PurgeService;
  retention: RetentionService;
}

const planIdOf = (payload: unknown): string | null => {
  const p = payload as { planId?: unknown } | null;
  return p && typeof p.planId === 'string' ? p.planId : null;
};

const CHANGE_VERB: Record<ChangePlan['kind'], string> = { recreate: 'Recreate schedules of', reset: 'Reset the backlog of', pause: 'Pause', resume: 'Resume', restore: 'Restore the originals of' };

export function defineJobKinds(jobs: JobRunner, d: Deps): void {
  const purgePlan = (payload: unknown): PurgePlan | null => {
    const id = planIdOf(payload);
    const row = id ? d.store.purge.getPlan(id) : undefined;
    return row ? (JSON.parse(row.plan) as PurgePlan) : null;
  };

  jobs.define('purge', {
    describe(payload) {
      const plan = purgePlan(payload);
      if (!plan) return { title: 'Purge' };
      return { title: `Purge ${formatInt(plan.count)} stale run${plan.count === 1 ? '' : 's'} on ${plan.connectionName}`, link: ['purge', 'run', plan.planId] };
    },
    canResume(row) {
      const id = planIdOf(JSON.parse(row.payload));
      if (!id) return false;
      const plan = d.store.purge.getPlan(id);
      if (!plan?.connection_id || !['interrupted', 'running', 'cancelled', 'failed'].includes(plan.status)) return false;
      const c = d.store.purge.counts(id);
      return c.pending + c.inFlight > 0;
    },
    async resume(row) {
      const id = planIdOf(JSON.parse(row.payload))!;
      const { plan, row: planRow } = d.purge.getPlan(id);
      const conn = d.connections.resolve(planRow.connection_id!);
      const payload = JSON.parse(row.payload) as { exportFile?: string | null };
      const { jobId } = await d.purge.execute({ conn, planId: id, confirmCount: plan.count, resume: true, ...(payload.exportFile ? { exportFile: payload.exportFile } : {}) });
      return { jobId };
    },
  });

  jobs.define('vacuum', {
    describe(payload) {
      const p = payload as { tables?: string[]; title?: string } | null;
      // Retention's vacuums carry their own title (maintenance-jobs.ts); their page is Retention's maintenance.
      if (p?.title) return { title: p.title, link: ['retention', 'maintenance'] };
      const tables = p?.tables;
      return { title: tables?.length ? `VACUUM (ANALYZE) ${tables.join(', ')}` : 'VACUUM', link: ['purge'] };
    },
  });

  jobs.define('vacuum-full', {
    describe(payload) {
      const p = payload as { title?: string } | null;
      return { title: p?.title ?? 'VACUUM FULL (exclusive lock)', link: ['retention', 'maintenance'] };
    },
  });

  jobs.define('repack', {
    describe(payload) {
      const p = payload as { title?: string } | null;
      return { title: p?.title ?? 'pg_repack (online rewrite)', link: ['retention', 'maintenance'] };
    },
  });

  // Retention executions: the tray links to the execution's page and resumes a stopped one from its
  // journal (retention/service.ts), as for purges.
  jobs.define('retention', {
    describe(payload) {
      const id = planIdOf(payload);
      const row = id ? d.store.retention.getPlan(id) : undefined;
      if (!row) return { title: 'Retention' };
      const plan = JSON.parse(row.plan) as RetentionPlan;
      return { title: `Retention: ${formatInt(plan.confirmCount)} finished run${plan.confirmCount === 1 ? '' : 's'} older than ${plan.cutoffGiven} on ${plan.connectionName}`, link: ['retention', 'run', plan.planId] };
    },
    canResume(row) {
      const id = planIdOf(JSON.parse(row.payload));
      const plan = id ? d.store.retention.getPlan(id) : undefined;
      return !!plan?.connection_id && ['interrupted', 'running', 'cancelled', 'failed'].includes(plan.status);
    },
    async resume(row) {
      const id = planIdOf(JSON.parse(row.payload))!;
      const { plan, row: planRow } = d.retention.getPlan(id);
      const conn = d.connections.resolve(planRow.connection_id!);
      const { jobId } = await d.retention.execute({ conn, planId: id, confirmCount: plan.confirmCount, resume: true });
      return { jobId };
    },
  });

  jobs.define('inspect.exact', {
    describe() {
      return { title: 'Exact measurement (pgstattuple)', link: ['overview'] };
    },
  });

  for (const kind of Object.keys(CHANGE_VERB) as Array<ChangePlan['kind']>) {
    jobs.define(`schedules.${kind}`, {
      describe(payload) {
        const id = planIdOf(payload);
        const row = id ? d.store.schedules.get(id) : undefined;
        if (!row) return { title: `${CHANGE_VERB[kind]} deployments`, link: ['schedules', 'changes'] };
        const plan = JSON.parse(row.plan) as ChangePlan;
        const n = plan.confirmCount;
        return { title: `${CHANGE_VERB[kind]} ${formatInt(n)} deployment${n === 1 ? '' : 's'} on ${plan.connectionName}`, link: ['schedules', 'change', plan.planId] };
      },
    });
  }
}
