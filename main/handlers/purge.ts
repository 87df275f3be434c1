import { AppError } from '../../shared/errors';
import type { PurgeOutcome } from '../../shared/domain/purge';
import { resumeCommand, type AdHocTarget } from '../core/purge/adhoc-target';
import { keptExportPath, readKeptExport } from '../core/batches/kept-export';
import { purgeTargets } from '../core/purge/targets';
import { PURGE_TABLES, vacuumPg, vacuumSqlite } from '../core/purge/vacuum';
import type { AppContext } from '../context';
import type { Handlers } from '../transport/dispatch';

type PurgeHandlers = Pick<Handlers, 'purge.targets' | 'purge.plan' | 'purge.execute' | 'purge.exportChunk' | 'purge.resume' | 'purge.status' | 'purge.unfinished' | 'purge.vacuum'>;

export function purgeHandlers(ctx: AppContext): PurgeHandlers {
  const svc = ctx.purge;
  const connOfPlan = (planId: string) => {
    const { row } = svc.getPlan(planId);
    if (!row.connection_id) {
      const t = row.target ? (JSON.parse(row.target) as AdHocTarget) : null;
      throw new AppError('VALIDATION', 'This plan was made on an ad hoc connection (--api/--db in the CLI, not saved), so it can only be resumed from the CLI.', {
        hint: t ? `Run: ${resumeCommand(planId, t)}` : 'Run `housekeeper purge resume PLAN_ID` with the same --api and --db.',
      });
    }
    return ctx.connections.resolve(row.connection_id);
  };
  const status = (planId: string) => {
    const { plan, row } = svc.getPlan(planId);
    const job = row.job_id ? ctx.store.jobs.get(row.job_id) : undefined;
    const outcome = job?.result ? (JSON.parse(job.result) as PurgeOutcome) : null;
    return { plan, status: row.status === 'running' && !ctx.jobs.list().some((j) => j.jobId === row.job_id) ? 'interrupted' : row.status, jobId: row.job_id, counts: ctx.store.purge.counts(planId), outcome };
  };
  return {
    'purge.targets': async ({ connectionId }, rc) => purgeTargets(ctx.connections.resolve(connectionId), rc?.signal),
    'purge.plan': async ({ connectionId, filter, executor }, rc) => svc.plan({ conn: ctx.connections.resolve(connectionId), filter, executor, ...(rc ? { signal: rc.signal } : {}) }),
    'purge.execute': async ({ planId, confirmCount, exportFile, keepExport }) => {
      const conn = connOfPlan(planId);
      const file = keepExport ? keptExportPath(ctx.home, 'purge', planId) : exportFile;
      const { jobId } = await svc.execute({ conn, planId, confirmCount, ...(file ? { exportFile: file } : {}) });
      return { jobId };
    },
    'purge.exportChunk': async ({ planId, offset }) => readKeptExport(ctx.home, 'purge', svc.getPlan(planId).row, offset),
    'purge.resume': async ({ planId }) => {
      const { plan } = svc.getPlan(planId);
      const { jobId } = await svc.execute({ conn: connOfPlan(planId), planId, confirmCount: plan.count, resume: true });
      return { jobId };
    },
    'purge.status': async ({ planId }) => status(planId),
    'purge.unfinished': async ({ connectionId }) => {
      const active = new Set(ctx.jobs.list().map((j) => j.jobId));
      return ctx.store.purge
        .latestPlans(connectionId, 20)
        .filter((r) => ['running', 'failed', 'cancelled'].includes(r.status) && !(r.job_id && active.has(r.job_id)))
        .map((r) => status(r.id));
    },
    'purge.vacuum': async ({ connectionId, tables }) => {
      const conn = ctx.connections.resolve(connectionId);
      if (conn.readOnly) throw new AppError('FORBIDDEN', `"${conn.name}" is a read-only connection: VACUUM was not started.`);
      const db = conn.db;
      if (db.kind === 'none') throw new AppError('VALIDATION', 'VACUUM needs database access; this connection is API-only.', { hint: 'Prefect Cloud manages its own database.' });
      const t0 = Date.now();
      const what = db.kind === 'postgres' ? (tables ?? PURGE_TABLES).join(', ') : db.path;
      const { jobId } = ctx.jobs.start({
        kind: 'vacuum',
        connectionId,
        payload: { tables: tables ?? PURGE_TABLES },
        audit: { action: 'purge.vacuum', connectionName: conn.name, summary: `VACUUM on ${what}` },
        run: async (jc) => {
          const result = await (db.kind === 'postgres' ? vacuumPg(db, tables ?? PURGE_TABLES, jc) : vacuumSqlite(db.path, jc));
          jc.audit({ action: 'purge.vacuum', connectionName: conn.name, outcome: 'succeeded', summary: `VACUUM finished on ${what}`, details: { result }, durationMs: Date.now() - t0 });
          return result;
        },
      });
      return { jobId };
    },
  };
}
