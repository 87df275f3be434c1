import { AppError } from '../../shared/errors';
import type { AdHocTarget } from '../core/purge/adhoc-target';
import { keptExportPath, readKeptExport } from '../core/batches/kept-export';
import { purgeTargets } from '../core/purge/targets';
import { prefectVacuumInfo } from '../core/retention/prefect-info';
import { maintenanceView } from '../core/retention/rewrite';
import { startVacuum, startVacuumFull } from '../core/retention/maintenance-jobs';
import { retentionResumeCommand } from '../core/retention/service';
import { retentionStatus } from '../core/retention/status';
import type { AppContext } from '../context';
import type { Handlers } from '../transport/dispatch';

type RetentionHandlers = Pick<
  Handlers,
  | 'retention.context'
  | 'retention.plan'
  | 'retention.execute'
  | 'retention.exportChunk'
  | 'retention.resume'
  | 'retention.status'
  | 'retention.unfinished'
  | 'retention.maintenance'
  | 'retention.vacuum'
  | 'retention.vacuumFull'
>;

export function retentionHandlers(ctx: AppContext): RetentionHandlers {
  const svc = ctx.retention;
  const connOfPlan = (planId: string) => {
    const { row } = svc.getPlan(planId);
    if (!row.connection_id) {
      const t = row.target ? (JSON.parse(row.target) as AdHocTarget) : null;
      throw new AppError('VALIDATION', 'This plan was made on an ad hoc connection (--api/--db in the CLI, not saved), so it can only be resumed from the CLI.', {
        hint: `Run: ${retentionResumeCommand(planId, t)}`,
      });
    }
    return ctx.connections.resolve(row.connection_id);
  };
  return {
    'retention.context': async ({ connectionId }) => {
      const conn = ctx.connections.resolve(connectionId);
      const [targets, prefect] = await Promise.all([purgeTargets(conn), prefectVacuumInfo(conn, null)]);
      return { backend: conn.db.kind === 'none' ? ('api' as const) : conn.db.kind, deployments: targets.deployments.map((d) => ({ id: d.id, name: d.name })), prefect };
    },
    'retention.plan': async ({ connectionId, filter, executor }) => svc.plan({ conn: ctx.connections.resolve(connectionId), filter, executor }),
    'retention.execute': async ({ planId, confirmCount, exportFile, keepExport }) => {
      const conn = connOfPlan(planId);
      const file = keepExport ? keptExportPath(ctx.home, 'retention', planId) : exportFile;
      const { jobId } = await svc.execute({ conn, planId, confirmCount, ...(file ? { exportFile: file } : {}) });
      return { jobId };
    },
    'retention.exportChunk': async ({ planId, offset }) => readKeptExport(ctx.home, 'retention', svc.getPlan(planId).row, offset),
    'retention.resume': async ({ planId }) => {
      const { plan } = svc.getPlan(planId);
      const { jobId } = await svc.execute({ conn: connOfPlan(planId), planId, confirmCount: plan.confirmCount, resume: true });
      return { jobId };
    },
    'retention.status': async ({ planId }) => retentionStatus(ctx, planId),
    'retention.unfinished': async ({ connectionId }) =>
      ctx.store.retention
        .latestPlans(connectionId, 20)
        .map((r) => retentionStatus(ctx, r.id))
        .filter((s) => ['interrupted', 'failed', 'cancelled'].includes(s.status)),
    'retention.maintenance': async ({ connectionId }) => maintenanceView(ctx.connections.resolve(connectionId)),
    'retention.vacuum': async ({ connectionId, tables }) => ({ jobId: startVacuum(ctx.store, ctx.jobs, ctx.connections.resolve(connectionId), tables).jobId }),
    'retention.vacuumFull': async ({ connectionId, table, confirmTable }) => ({ jobId: startVacuumFull(ctx.store, ctx.jobs, ctx.connections.resolve(connectionId), table, confirmTable).jobId }),
  };
}
