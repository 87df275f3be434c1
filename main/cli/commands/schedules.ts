/**
 * `housekeeper schedules list|simulate|recreate|reset|pause|resume|restore|changes|status`.
 * Changes go plan -> show -> confirm (the number of deployments typed back, or --yes) -> a job with
 * progress on stderr (Ctrl-C cancels: before the purge that puts everything back) -> outcome.
 */
import { AppError } from '../../../shared/errors';
import type { ChangeKind, ChangeOutcome, ChangePlan, SettingsSource } from '../../../shared/domain/schedules';
import type { AppContext } from '../../context';
import { intFlag, type Flags } from '../args';
import { resolveTarget } from '../connection-args';
import { EXIT } from '../exit';
import type { Out } from '../io';
import { awaitJob, confirmTypedCount } from '../wait';
import { formatChanges, formatList, formatOutcome, formatPlan, formatSimulation } from './schedules-format';

const CHANGE_KINDS: ChangeKind[] = ['recreate', 'reset', 'pause', 'resume'];

function settingsFrom(flags: Flags): SettingsSource {
  if (flags.defaults && flags.profile?.length) throw new AppError('VALIDATION', 'Give either --profile NAME or --defaults, not both.');
  if (flags.defaults) return { kind: 'defaults' };
  if (flags.profile?.length) return { kind: 'profile', profile: flags.profile[0]! };
  return { kind: 'live' };
}

function overridesFrom(flags: Flags): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of flags.set ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new AppError('VALIDATION', `--set ${kv}: expected KEY=VALUE, e.g. --set min_runs=5 or --set min_scheduled_time=PT10M.`);
    out[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
  }
  return out;
}

export async function schedulesCommand(ctx: AppContext, sub: string | undefined, rest: string[], flags: Flags, out: Out): Promise<number> {
  const deployments = flags.deployment ?? [];
  switch (sub) {
    case undefined:
    case 'list': {
      const conn = resolveTarget(ctx.connections, flags);
      const list = await ctx.schedules.list({ conn, deployments, settings: settingsFrom(flags) });
      out.result(list, () => formatList(list));
      return EXIT.ok;
    }
    case 'simulate': {
      const conn = resolveTarget(ctx.connections, flags);
      const horizon = flags.horizon === undefined ? 24 : Number(flags.horizon);
      if (!(horizon >= 0.1 && horizon <= 168)) throw new AppError('VALIDATION', `--horizon must be hours from 0.1 to 168 (got "${flags.horizon}").`);
      const sim = await ctx.schedules.simulate({ conn, deployments, settings: settingsFrom(flags), overrides: overridesFrom(flags), horizonHours: horizon });
      out.result(sim, () => formatSimulation(sim));
      return EXIT.ok;
    }
    case 'changes': {
      const conn = resolveTarget(ctx.connections, flags);
      const rows = ctx.schedules.changes(conn.id, intFlag(flags.limit, 'limit', 1, 500) ?? 50);
      out.result(rows, () => formatChanges(rows));
      return EXIT.ok;
    }
    case 'status': {
      const planId = rest[0];
      if (!planId) throw new AppError('VALIDATION', 'Which plan? housekeeper schedules status PLAN_ID');
      const s = ctx.schedules.status(planId);
      out.result(s, () => `${formatPlan(s.plan as ChangePlan)}\n\nStatus: ${s.status}${s.outcome ? `\n\n${formatOutcome(s.outcome)}` : ''}`);
      return EXIT.ok;
    }
    case 'restore':
    case 'recreate':
    case 'reset':
    case 'pause':
    case 'resume': {
      const kind: ChangeKind = sub === 'restore' ? 'restore' : sub;
      if (kind !== 'restore' && !CHANGE_KINDS.includes(kind)) throw new AppError('VALIDATION', `Unknown command "schedules ${sub}".`);
      const changeId = kind === 'restore' ? (flags.change ?? rest[0]) : undefined;
      if (kind === 'restore' && !changeId) throw new AppError('VALIDATION', 'Which change? housekeeper schedules restore --change ID (see `housekeeper schedules changes`).');
      if (kind !== 'recreate' && kind !== 'reset' && flags.anchor) throw new AppError('VALIDATION', `--anchor applies to recreate and reset, not ${kind}.`);
      const conn = resolveTarget(ctx.connections, flags);
      const plan = await ctx.schedules.plan({
        conn,
        kind,
        deployments,
        ...(flags.anchor ? { anchor: flags.anchor } : {}),
        ...(changeId ? { changeId } : {}),
        keepNewest: intFlag(flags['keep-newest'], 'keep-newest', 0, 10_000) ?? 0,
      });
      if (!out.json) out.info(formatPlan(plan));
      if (flags['dry-run'] || plan.confirmCount === 0) {
        out.result({ plan, applied: false }, () => (plan.confirmCount === 0 ? 'Nothing to change.' : `Dry run: nothing was changed. Plan ${plan.planId}.`));
        return EXIT.ok;
      }
      if (conn.readOnly) {
        out.error({ code: 'FORBIDDEN', message: `"${conn.name}" is read-only: no schedule was changed.` });
        return EXIT.refused;
      }
      if (!flags.yes && !(await confirmTypedCount(`This changes ${plan.confirmCount} deployments on "${plan.connectionName}".`, plan.confirmCount))) {
        out.error({ code: 'FORBIDDEN', message: 'Not confirmed: nothing was changed.', hint: `Type the number when asked, or pass --yes. The plan is ${plan.planId}.` });
        return EXIT.refused;
      }
      const { jobId, finished } = await ctx.schedules.apply({ conn, planId: plan.planId, confirmCount: plan.confirmCount });
      const f = await awaitJob(ctx, jobId, finished);
      if (f.status !== 'succeeded') {
        const e = f.error ?? { code: 'INTERNAL' as const, message: 'The change failed.' };
        const outcome = (e.details?.outcome as ChangeOutcome | undefined) ?? null;
        if (outcome && !out.json) out.info(formatOutcome(outcome));
        out.error(e);
        return f.status === 'cancelled' ? EXIT.cancelled : EXIT.failed;
      }
      const outcome = f.result as ChangeOutcome;
      out.result({ plan, outcome }, () => formatOutcome(outcome));
      return outcome.status === 'applied' ? EXIT.ok : EXIT.failed;
    }
    default:
      throw new AppError('VALIDATION', `Unknown command "schedules ${sub}".`, { hint: 'Use list, simulate, recreate, reset, pause, resume, restore, changes or status.' });
  }
}
