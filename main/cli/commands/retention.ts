/**
 * `housekeeper retention`: plan (every table counted, Prefect's own vacuum beside it), confirm (the
 * run count typed back, or --yes), execute as a job with progress on stderr, verify, optionally
 * VACUUM. `retention status|resume PLAN_ID`; after: `retention maintenance`, `retention vacuum`,
 * `retention repack --table T` (pg_repack as a job, its locks said first), `retention vacuum-full
 * --table T` (the table's name typed back).
 */
import readline from 'node:readline/promises';
import { AppError } from '../../../shared/errors';
import { RetentionFilterSchema, TERMINAL_STATE_TYPES, type RetentionOutcome, type RetentionPlan } from '../../../shared/domain/retention';
import { totalsLine } from '../../../shared/domain/retention/format';
import { REPACK_LOCKS, RETENTION_TABLES, RetentionTableSchema, type RetentionTable } from '../../../shared/domain/retention/maintenance';
import type { JobFinished } from '../../../shared/domain/jobs';
import type { ResolvedConnection } from '../../core/connections/types';
import type { AdHocTarget } from '../../core/purge/adhoc-target';
import { startRepack, startVacuum, startVacuumFull } from '../../core/retention/maintenance-jobs';
import { maintenanceView } from '../../core/retention/rewrite';
import { retentionResumeCommand } from '../../core/retention/service';
import type { AppContext } from '../../context';
import { retentionStatus } from '../../core/retention/status';
import { formatIssues } from '../../transport/dispatch';
import { intFlag, type Flags } from '../args';
import { resolveTarget } from '../connection-args';
import { EXIT } from '../exit';
import type { Out } from '../io';
import { awaitJob, confirmTypedCount } from '../wait';
import { formatMaintenance, formatRetentionOutcome, formatRetentionPlan } from './retention-format';

function filterFromFlags(flags: Flags) {
  const states = (flags.state ?? []).map((s) => s.trim().toUpperCase());
  const bad = states.filter((s) => !(TERMINAL_STATE_TYPES as readonly string[]).includes(s));
  if (bad.length) throw new AppError('VALIDATION', `--state ${bad.join(', ')}: retention deletes finished runs only.`, { hint: `States: ${TERMINAL_STATE_TYPES.join(', ')}.` });
  if (flags['no-events'] && flags['events-older-than']) throw new AppError('VALIDATION', '--no-events and --events-older-than contradict each other.');
  const parsed = RetentionFilterSchema.safeParse({
    ...(flags['older-than'] ? { olderThan: flags['older-than'] } : {}),
    ...(states.length ? { stateTypes: states } : {}),
    deployments: flags.deployment ?? [],
    keepNewest: intFlag(flags['keep-newest'], 'keep-newest', 0, 10_000) ?? 0,
    events: !flags['no-events'],
    ...(flags['events-older-than'] ? { eventsOlderThan: flags['events-older-than'] } : {}),
    orphans: flags.orphans ?? false,
  });
  if (!parsed.success) throw new AppError('VALIDATION', formatIssues(parsed.error));
  return parsed.data;
}

function tuningFromFlags(flags: Flags): { initialBatch?: number; targetBatchMs?: number; pauseMs?: number } {
  const initialBatch = intFlag(flags['batch-size'], 'batch-size', 1, 5000);
  const targetBatchMs = intFlag(flags['batch-target-ms'], 'batch-target-ms', 10, 10_000);
  const pauseMs = intFlag(flags['batch-pause-ms'], 'batch-pause-ms', 0, 10_000);
  return { ...(initialBatch ? { initialBatch } : {}), ...(targetBatchMs ? { targetBatchMs } : {}), ...(pauseMs ? { pauseMs } : {}) };
}

function tablesFromFlags(flags: Flags): RetentionTable[] | undefined {
  const list = flags.table ?? [];
  if (!list.length) return undefined;
  return list.map((t) => {
    const r = RetentionTableSchema.safeParse(t);
    if (!r.success) throw new AppError('VALIDATION', `--table ${t} is not one of the tables a retention touches.`, { hint: `Tables: ${RETENTION_TABLES.join(', ')}.` });
    return r.data;
  });
}

async function confirmTable(table: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(`\nVACUUM FULL locks ${table} for the whole rewrite: Prefect waits on it. Type ${table} to confirm: `)).trim() === table;
  } finally {
    rl.close();
  }
}

async function confirmRepack(tables: readonly string[]): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const want = tables.join(' ');
    return (await rl.question(`\nType ${want} to run pg_repack on ${tables.length === 1 ? 'it' : 'them'}: `)).trim().split(/\s+/).join(' ') === want;
  } finally {
    rl.close();
  }
}

async function runJob(ctx: AppContext, out: Out, started: { jobId: string; finished: Promise<JobFinished> }, label: string): Promise<number> {
  const f = await awaitJob(ctx, started.jobId, started.finished);
  if (f.status !== 'succeeded') {
    out.error(f.error ?? { code: 'INTERNAL', message: `${label} failed.` });
    return f.status === 'cancelled' ? EXIT.cancelled : EXIT.failed;
  }
  out.result(f.result, () => `${label} finished.\n${JSON.stringify(f.result, null, 2)}`);
  return EXIT.ok;
}

export async function retentionCommand(ctx: AppContext, sub: string | undefined, rest: string[], flags: Flags, out: Out): Promise<number> {
  if (sub === 'status' || sub === 'resume') {
    const planId = rest[0];
    if (!planId) throw new AppError('VALIDATION', `Which plan? housekeeper retention ${sub} PLAN_ID`);
    const { plan, row } = ctx.retention.getPlan(planId);
    const adHoc = row.target ? (JSON.parse(row.target) as AdHocTarget) : null;
    if (sub === 'status') {
      const st = retentionStatus(ctx, planId);
      const resumable = ['interrupted', 'failed', 'cancelled'].includes(st.status);
      out.result(st, () =>
        [
          formatRetentionPlan(plan),
          '',
          `Status: ${st.status}, phase ${st.phase}. Deleted so far: ${totalsLine(st.totals, plan.executor === 'api')}.`,
          st.exportFile ? `Export: ${st.exportFile}` : '',
          resumable ? `Resume with: ${retentionResumeCommand(planId, adHoc)}` : '',
        ]
          .filter(Boolean)
          .join('\n'),
      );
      return EXIT.ok;
    }
    if (!row.connection_id && !flags.api && !flags.connection) {
      throw new AppError('VALIDATION', `Plan ${planId} was made on an ad hoc connection (--api/--db, not saved), so resuming it needs that server again.`, {
        hint: `Run: ${retentionResumeCommand(planId, adHoc)}`,
      });
    }
    const conn = row.connection_id ? ctx.connections.resolve(row.connection_id) : resolveTarget(ctx.connections, flags);
    const { jobId, finished } = await ctx.retention.execute({ conn, planId, confirmCount: plan.confirmCount, resume: true, tuning: tuningFromFlags(flags), ...(flags.export ? { exportFile: flags.export } : {}) });
    return finish(ctx, await awaitJob(ctx, jobId, finished), out, retentionResumeCommand(planId, adHoc), plan, flags.vacuum ? conn : null);
  }
  if (sub === 'maintenance') {
    const conn = resolveTarget(ctx.connections, flags);
    const m = await maintenanceView(conn);
    out.result(m, () => formatMaintenance(m));
    return EXIT.ok;
  }
  if (sub === 'vacuum') {
    const conn = resolveTarget(ctx.connections, flags);
    return runJob(ctx, out, startVacuum(ctx.store, ctx.jobs, conn, tablesFromFlags(flags)), 'VACUUM');
  }
  if (sub === 'repack') {
    const conn = resolveTarget(ctx.connections, flags);
    const tables = tablesFromFlags(flags);
    if (!tables) throw new AppError('VALIDATION', 'Which tables? --table NAME (one or more).');
    // The locks are said before anything starts, whatever the output mode.
    out.info(`pg_repack ${tables.join(', ')} on "${conn.name}". ${REPACK_LOCKS}`);
    if (!flags.yes && !(await confirmRepack(tables))) {
      out.error({ code: 'FORBIDDEN', message: 'Not confirmed: pg_repack was not started.', hint: `Type the table names when asked, or pass --yes.` });
      return EXIT.refused;
    }
    return runJob(ctx, out, startRepack(ctx.store, ctx.jobs, conn, tables), 'pg_repack');
  }
  if (sub === 'vacuum-full') {
    const conn = resolveTarget(ctx.connections, flags);
    const tables = tablesFromFlags(flags);
    if (!tables || tables.length !== 1) throw new AppError('VALIDATION', 'VACUUM FULL takes one table at a time: --table NAME.');
    const table = tables[0]!;
    const typed = flags.confirm ?? ((await confirmTable(table)) ? table : '');
    if (!typed) {
      out.error({ code: 'FORBIDDEN', message: 'Not confirmed: VACUUM FULL was not started.', hint: `Type the table's name when asked, or pass --confirm ${table}.` });
      return EXIT.refused;
    }
    return runJob(ctx, out, startVacuumFull(ctx.store, ctx.jobs, conn, table, typed), 'VACUUM FULL');
  }
  if (sub !== undefined && sub !== 'run') {
    throw new AppError('VALIDATION', `Unknown command "retention ${sub}".`, { hint: 'Use `housekeeper retention --older-than 90d`, or retention status|resume PLAN_ID, maintenance, vacuum, repack, vacuum-full.' });
  }

  const conn = resolveTarget(ctx.connections, flags);
  const executor = (flags.executor ?? 'auto') as 'auto' | 'sql' | 'api';
  if (!['auto', 'sql', 'api'].includes(executor)) throw new AppError('VALIDATION', `--executor must be auto, sql or api (got "${flags.executor}").`);
  const plan = await ctx.retention.plan({ conn, filter: filterFromFlags(flags), executor });
  if (!out.json) out.info(formatRetentionPlan(plan));
  const nothing = plan.confirmCount === 0 && !plan.impact.events?.value && !plan.impact.eventResources?.value && !plan.impact.orphanLogs?.value && !plan.impact.orphanArtifacts?.value;
  if (flags['dry-run'] || nothing) {
    out.result({ plan, executed: false }, () => (nothing ? 'Nothing to delete.' : `Dry run: nothing was deleted. Plan ${plan.planId}.`));
    return EXIT.ok;
  }
  if (conn.readOnly) {
    out.error({ code: 'FORBIDDEN', message: `"${conn.name}" is read-only: nothing was deleted.` });
    return EXIT.refused;
  }
  if (!flags.yes && !(await confirmTypedCount(`This deletes ${plan.impact.flowRuns.exact ? '' : 'about '}${plan.confirmCount} finished runs and what belongs to them on "${plan.connectionName}".`, plan.confirmCount))) {
    out.error({ code: 'FORBIDDEN', message: 'Not confirmed: nothing was deleted.', hint: `Type the count when asked, or pass --yes. The plan is ${plan.planId}.` });
    return EXIT.refused;
  }
  const { jobId, finished } = await ctx.retention.execute({ conn, planId: plan.planId, confirmCount: plan.confirmCount, tuning: tuningFromFlags(flags), ...(flags.export ? { exportFile: flags.export } : {}) });
  const f = await awaitJob(ctx, jobId, finished);
  const adHoc = conn.id === null ? (JSON.parse(ctx.retention.getPlan(plan.planId).row.target ?? 'null') as AdHocTarget | null) : null;
  return finish(ctx, f, out, retentionResumeCommand(plan.planId, adHoc), plan, flags.vacuum ? conn : null);
}

async function finish(ctx: AppContext, f: JobFinished, out: Out, resume: string, plan: RetentionPlan, vacuumOn: ResolvedConnection | null): Promise<number> {
  if (f.status !== 'succeeded') {
    const e = f.error ?? { code: 'INTERNAL' as const, message: 'The retention failed.' };
    out.error({ ...e, hint: `${e.hint ? `${e.hint} ` : ''}What was deleted stays counted; resume with \`${resume}\`.` });
    return f.status === 'cancelled' ? EXIT.cancelled : EXIT.failed;
  }
  const outcome = f.result as RetentionOutcome;
  let vacuum: unknown = null;
  if (vacuumOn && vacuumOn.db.kind !== 'none') {
    const v = startVacuum(ctx.store, ctx.jobs, vacuumOn);
    const vf = await awaitJob(ctx, v.jobId, v.finished);
    if (vf.status !== 'succeeded') throw AppError.fromData(vf.error ?? { code: 'INTERNAL', message: 'VACUUM failed' });
    vacuum = vf.result;
  }
  out.result({ plan, outcome, vacuum }, () => formatRetentionOutcome(outcome) + (vacuum ? '\nVACUUM finished (see `housekeeper retention maintenance` for what a rewrite would give back).' : ''));
  return EXIT.ok;
}
