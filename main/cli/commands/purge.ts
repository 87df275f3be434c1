/**
 * `housekeeper purge`: plan, confirm (the count typed back, or --yes), execute as a job with progress
 * on stderr, verify, optionally VACUUM. `purge resume PLAN_ID` and `purge status PLAN_ID` for
 * interrupted runs. Ctrl-C cancels between batches; what was deleted stays counted in the journal.
 */
import { AppError } from '../../../shared/errors';
import { PurgeFilterSchema, type PurgeOutcome, type PurgePlan } from '../../../shared/domain/purge';
import type { JobFinished } from '../../../shared/domain/jobs';
import type { ResolvedConnection } from '../../core/connections/types';
import { adHocTarget, resumeCommand, type AdHocTarget } from '../../core/purge/adhoc-target';
import { PURGE_TABLES, vacuumPg, vacuumSqlite, type VacuumOutcome } from '../../core/purge/vacuum';
import type { AppContext } from '../../context';
import { formatIssues } from '../../transport/dispatch';
import { intFlag, type Flags } from '../args';
import { resolveTarget } from '../connection-args';
import { EXIT } from '../exit';
import type { Out } from '../io';
import { awaitJob, confirmTypedCount } from '../wait';
import { formatOutcome, formatPlan, formatVacuum } from './purge-format';

function filterFromFlags(flags: Flags) {
  const parsed = PurgeFilterSchema.safeParse({
    ...(flags['older-than'] ? { olderThan: flags['older-than'] } : {}),
    deployments: flags.deployment ?? [],
    workPools: flags['work-pool'] ?? [],
    workQueues: flags['work-queue'] ?? [],
    tags: flags.tag ?? [],
    ...(flags.state?.length ? { stateNames: flags.state.map((s) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase()) } : {}),
    includeManual: flags['include-manual'] ?? false,
    keepNewest: intFlag(flags['keep-newest'], 'keep-newest', 0, 100_000) ?? 0,
  });
  if (!parsed.success) throw new AppError('VALIDATION', formatIssues(parsed.error), { hint: 'States are Scheduled and Late.' });
  return parsed.data;
}

function tuningFromFlags(flags: Flags): { initialBatch?: number; targetBatchMs?: number } {
  const initialBatch = intFlag(flags['batch-size'], 'batch-size', 1, 5000);
  const targetBatchMs = intFlag(flags['batch-target-ms'], 'batch-target-ms', 10, 10_000);
  return { ...(initialBatch ? { initialBatch } : {}), ...(targetBatchMs ? { targetBatchMs } : {}) };
}

async function runVacuum(ctx: AppContext, conn: ResolvedConnection, out: Out): Promise<VacuumOutcome | null> {
  const db = conn.db;
  if (db.kind === 'none') {
    out.info('VACUUM skipped: this connection has no database access.');
    return null;
  }
  const { jobId, finished } = ctx.jobs.start({
    kind: 'vacuum',
    connectionId: conn.id,
    payload: {},
    run: (jc) => (db.kind === 'postgres' ? vacuumPg(db, PURGE_TABLES, jc) : vacuumSqlite(db.path, jc)),
  });
  const f = await awaitJob(ctx, jobId, finished);
  if (f.status !== 'succeeded') throw AppError.fromData(f.error ?? { code: 'INTERNAL', message: 'VACUUM failed' });
  const result = f.result as VacuumOutcome;
  ctx.store.audit.record({ connectionId: conn.id, connectionName: conn.name, action: 'purge.vacuum', outcome: 'succeeded', summary: `VACUUM after purge${result.freedBytes !== null ? `: ${result.freedBytes} bytes freed` : ''}`, details: { result } });
  return result;
}

export async function purgeCommand(ctx: AppContext, sub: string | undefined, rest: string[], flags: Flags, out: Out): Promise<number> {
  if (sub === 'status' || sub === 'resume') {
    const planId = rest[0];
    if (!planId) throw new AppError('VALIDATION', `Which plan? housekeeper purge ${sub} PLAN_ID`);
    const { plan, row } = ctx.purge.getPlan(planId);
    if (sub === 'status') {
      const counts = ctx.store.purge.counts(planId);
      const adHocT = row.target ? (JSON.parse(row.target) as AdHocTarget) : null;
      const left = counts.pending + counts.inFlight;
      const hint = left > 0 && row.status !== 'planned' ? `\nResume with: ${resumeHint(planId, adHocT)}` : '';
      const totals = ctx.store.purge.totals(planId);
      out.result(
        { plan, status: row.status, counts, totals, exportFile: row.export_file },
        () =>
          `${formatPlan(plan)}\n\nStatus: ${row.status}; deleted ${counts.deleted}, skipped ${counts.skipped}, busy ${counts.busy}, pending ${left} of ${counts.total}` +
          `${plan.executor === 'sql' ? `; ${totals.logs} logs and ${totals.artifacts} artifacts deleted` : `; ${totals.artifacts} artifacts deleted`}.` +
          `${row.export_file ? `\nExport: ${row.export_file}` : ''}${hint}`,
      );
      return EXIT.ok;
    }
    const adHoc = row.target ? (JSON.parse(row.target) as AdHocTarget) : null;
    if (!row.connection_id && !flags.api && !flags.connection) {
      // An ad hoc plan has no saved connection to come back to: say so, and what to type.
      throw new AppError('VALIDATION', `Plan ${planId} was made on an ad hoc connection (--api/--db, not saved), so resuming it needs that server again.`, {
        hint: adHoc ? `Run: ${resumeCommand(planId, adHoc)}` : 'Run it again with the same --api and --db you planned it with.',
      });
    }
    const conn = row.connection_id ? ctx.connections.resolve(row.connection_id) : resolveTarget(ctx.connections, flags);
    const { jobId, finished } = await ctx.purge.execute({ conn, planId, confirmCount: plan.count, resume: true, tuning: tuningFromFlags(flags), ...(flags.export ? { exportFile: flags.export } : {}) });
    return finish(await awaitJob(ctx, jobId, finished), out, resumeHint(planId, adHoc));
  }
  if (sub !== undefined && sub !== 'run') throw new AppError('VALIDATION', `Unknown command "purge ${sub}".`, { hint: 'Use `housekeeper purge --older-than 30m`, or purge status|resume PLAN_ID.' });

  const conn = resolveTarget(ctx.connections, flags);
  const executor = (flags.executor ?? 'auto') as 'auto' | 'sql' | 'api';
  if (!['auto', 'sql', 'api'].includes(executor)) throw new AppError('VALIDATION', `--executor must be auto, sql or api (got "${flags.executor}").`);
  const plan = await ctx.purge.plan({ conn, filter: filterFromFlags(flags), executor });
  if (!out.json) out.info(formatPlan(plan));

  if (flags['dry-run'] || plan.count === 0) {
    out.result({ plan, executed: false }, () => (plan.count === 0 ? 'Nothing to delete.' : `Dry run: nothing was deleted. Plan ${plan.planId}.`));
    return EXIT.ok;
  }
  if (conn.readOnly) {
    out.error({ code: 'FORBIDDEN', message: `"${conn.name}" is read-only: nothing was deleted.` });
    return EXIT.refused;
  }
  if (!flags.yes && !(await confirmTypedCount(`This deletes ${plan.count} runs on "${plan.connectionName}".`, plan.count))) {
    out.error({ code: 'FORBIDDEN', message: 'Not confirmed: nothing was deleted.', hint: `Type the count when asked, or pass --yes. The plan is ${plan.planId}.` });
    return EXIT.refused;
  }
  const { jobId, finished } = await ctx.purge.execute({ conn, planId: plan.planId, confirmCount: plan.count, tuning: tuningFromFlags(flags), ...(flags.export ? { exportFile: flags.export } : {}) });
  const f = await awaitJob(ctx, jobId, finished);
  const code = finish(f, out, resumeHint(plan.planId, conn.id === null ? adHocTarget(conn) : null), plan, flags.vacuum ? () => runVacuum(ctx, conn, out) : undefined);
  return code;
}

/** The command that resumes this plan: with its --api/--db (no secrets) when it was made ad hoc. */
function resumeHint(planId: string, adHoc: AdHocTarget | null): string {
  return adHoc ? resumeCommand(planId, adHoc) : `housekeeper purge resume ${planId}`;
}

function finish(f: JobFinished, out: Out, resume: string, plan?: PurgePlan, after?: () => Promise<VacuumOutcome | null>): number | Promise<number> {
  if (f.status !== 'succeeded') {
    const e = f.error ?? { code: 'INTERNAL' as const, message: 'The purge failed.' };
    out.error({ ...e, hint: `${e.hint ? `${e.hint} ` : ''}Resume with \`${resume}\`.` });
    return f.status === 'cancelled' ? EXIT.cancelled : EXIT.failed;
  }
  const outcome = f.result as PurgeOutcome;
  const done = (vacuum: VacuumOutcome | null) => {
    out.result({ plan: plan ?? null, outcome, vacuum }, () => formatOutcome(outcome) + (vacuum ? `\n${formatVacuum(vacuum)}` : ''));
    return EXIT.ok;
  };
  return after ? after().then(done) : done(null);
}
