/**
 * Change plans (dry runs): recreate from now, the backlog reset, pause, resume, and restore of an
 * earlier change. A plan reads the deployments, works out what each schedule becomes, counts the runs
 * that will go away, and saves the originals to the local store before anything can change. Nothing
 * is written to the server.
 */
import crypto from 'node:crypto';
import { AppError } from '../../../shared/errors';
import type { ChangeKind, ChangePlan, DeploymentChange, LeftOut, ScheduleChange, StoredSchedule } from '../../../shared/domain/schedules';
import type { PurgePlan } from '../../../shared/domain/purge';
import { storedDiff } from '../../../shared/schedules/compare';
import { describe } from '../../../shared/schedules/describe';
import { formatInstant } from '../../../shared/schedules/instant';
import { kindOf, nextDates, toSchedule } from '../../../shared/schedules/occurrences';
import { recreateBody } from '../../../shared/schedules/recreate';
import { ScheduleMathError } from '../../../shared/schedules/zone';
import { formatInt, plural } from '../../../shared/text/format';
import type { Store } from '../../store';
import type { OriginalItem } from '../../store/repos/schedules';
import type { ResolvedConnection } from '../connections/types';
import type { PurgeService } from '../purge/service';
import { degradationsFor } from '../targets/capabilities';
import { PrefectApi } from '../targets/prefect-api';
import { resolveAnchor } from './anchor';
import { SchedulesApi, type DeploymentInfo } from './api';
import { mapLimit } from './concurrency';
import { selectDeployments } from './select';

export interface PlanRequest {
  conn: ResolvedConnection;
  kind: ChangeKind;
  deployments: readonly string[];
  anchor?: string;
  changeId?: string;
  keepNewest?: number;
  signal?: AbortSignal;
}

function text(s: StoredSchedule): string {
  try {
    const sch = toSchedule(s.schedule);
    const tz = sch.timezone ?? 'UTC';
    const anchor = sch.kind === 'interval' ? ` from ${formatInstant(sch.anchor, tz)}` : '';
    const extra = sch.kind === 'rrule' ? ` [${String(s.schedule.rrule).replace(/\n/g, ' ')}]` : sch.kind === 'cron' ? ` [${sch.cron}]` : '';
    return `${describe(sch)}${anchor}${extra} (${tz})${s.active ? '' : ', inactive'}`;
  } catch (e) {
    return `unreadable schedule: ${(e as Error).message}`;
  }
}

function upcoming(s: StoredSchedule, now: number): string[] {
  try {
    const sch = toSchedule(s.schedule);
    return nextDates(sch, now, 5).map((d) => formatInstant(d, sch.timezone ?? 'UTC'));
  } catch {
    return [];
  }
}

interface Target {
  info: DeploymentInfo;
  pausedAfter: boolean;
  schedules: Array<{ before: StoredSchedule; after: StoredSchedule | null; notes: string[] }>;
  notes: string[];
}

/** Why an untouched schedule of a recreated deployment is not written (it still gets its runs made again). */
function untouchedNote(s: StoredSchedule): string {
  return kindOf(s.schedule) === 'cron'
    ? 'Cron has no anchor: the schedule is kept as it is; its runs are cleared and made again from now.'
    : 'Already on the new anchor: the schedule is kept as it is; its runs are cleared and made again from now.';
}

function recreateTargets(deps: DeploymentInfo[], anchor: number, now: number): Target[] {
  return deps.map((d) => ({
    info: d,
    pausedAfter: d.paused,
    notes: d.paused ? ['Paused now: it stays paused, so the scheduler will not create runs for it.'] : [],
    schedules: d.schedules.map((s) => {
      try {
        const r = recreateBody(s.schedule, anchor, now);
        const after: StoredSchedule = { ...s, schedule: r.body };
        const changed = storedDiff(s, after).length > 0;
        // An untouched schedule says why it is not written and that its runs still start again.
        return { before: s, after: changed ? after : null, notes: changed || r.notes.length ? r.notes : [untouchedNote(s)] };
      } catch (e) {
        if (e instanceof ScheduleMathError) {
          throw new AppError('VALIDATION', `${d.fullName}: schedule ${s.slug ?? s.id.slice(0, 8)} cannot be recreated: ${e.message}`, { hint: 'Fix the schedule in Prefect, or leave this deployment out.' });
        }
        throw e;
      }
    }),
  }));
}

export class SchedulePlanner {
  constructor(
    private readonly store: Store,
    private readonly purge: PurgeService,
  ) {}

  async plan(req: PlanRequest): Promise<ChangePlan> {
    const t0 = Date.now();
    const prefect = new PrefectApi(req.conn);
    const api = new SchedulesApi(prefect);
    const opts = req.signal ? { signal: req.signal } : {};
    await prefect.assertSupportedVersion(opts);
    const caps = await api.capabilities(req.signal);
    // Before Prefect 3.3.4 a pause or a schedule write also deletes the past-due runs (capabilities.ts).
    const writesDeleteBacklog = !caps.schedules.updatesKeepPastDue;
    if (writesDeleteBacklog && req.kind === 'reset' && (req.keepNewest ?? 0) > 0) {
      throw new AppError('VALIDATION', `Keeping the newest ${req.keepNewest} past-due runs is not possible on Prefect ${caps.prefectVersion ?? 'before 3.3.4'}: it deletes every never-started auto-scheduled run of a deployment when the deployment is paused, which the reset must do first.`, {
        hint: 'Reset without --keep-newest, or upgrade the server to Prefect 3.3.4 or later.',
      });
    }
    const [all, now] = await Promise.all([api.deployments(req.signal), api.serverNow(req.signal)]);
    const notes: string[] = [];
    const leftOut: LeftOut[] = [];
    const leave = (d: DeploymentInfo, reason: string) => leftOut.push({ deploymentId: d.id, name: d.fullName, reason });
    let anchor: { anchor: number; given: string } | null = null;
    let targets: Target[];
    let restoresChangeId: string | null = null;

    switch (req.kind) {
      case 'recreate':
      case 'reset': {
        anchor = resolveAnchor(req.anchor, now);
        const chosen = selectDeployments(all, req.deployments);
        // Every chosen deployment with a schedule is in the plan, whatever the schedule's kind: a cron
        // schedule is not rewritten, but its runs are cleared and made again like the others'.
        for (const d of chosen) if (d.schedules.length === 0) leave(d, 'It has no schedule, so there is nothing to recreate (Purge removes runs of deployments without schedules).');
        const withSchedules = chosen.filter((d) => d.schedules.length > 0);
        if (withSchedules.length === 0) throw new AppError('VALIDATION', 'None of these deployments has a schedule.', { hint: 'Pick deployments with schedules, or leave --deployment out for all.' });
        targets = recreateTargets(withSchedules, anchor.anchor, now);
        break;
      }
      case 'pause':
      case 'resume': {
        const pause = req.kind === 'pause';
        const chosen = selectDeployments(all, req.deployments);
        for (const d of chosen) if (d.paused === pause) leave(d, pause ? 'It is already paused.' : 'It is not paused.');
        targets = chosen.filter((d) => d.paused !== pause).map((d) => ({ info: d, pausedAfter: pause, schedules: d.schedules.map((s) => ({ before: s, after: null, notes: [] })), notes: [] }));
        if (pause && writesDeleteBacklog) notes.push(`Pausing also deletes the past-due (Late) runs the scheduler made: Prefect ${caps.prefectVersion ?? ''} deletes every never-started auto-scheduled run of a paused deployment. They are counted below.`);
        else if (pause) notes.push('Pausing keeps the past-due (Late) runs; Prefect deletes only the future runs its scheduler made. Purge or the backlog reset remove the rest.');
        else notes.push('Resumed deployments get new runs within seconds (the recent-deployments loop).');
        break;
      }
      case 'restore': {
        if (!req.changeId) throw new AppError('VALIDATION', 'Which change should be restored?', { hint: 'Give the change id (housekeeper schedules changes).' });
        const row = this.store.schedules.get(req.changeId);
        if (!row) throw new AppError('NOT_FOUND', `No schedule change ${req.changeId} in the local store.`, { hint: 'List them with `housekeeper schedules changes`.' });
        if (row.connection_id !== req.conn.id) throw new AppError('CONFLICT', 'That change was made on another connection.', { hint: 'Restore it from the connection it was made on.' });
        restoresChangeId = row.id;
        const originals = this.store.schedules.items(row.id);
        const byId = new Map(all.map((d) => [d.id, d]));
        targets = [];
        for (const o of originals) {
          const d = byId.get(o.deploymentId);
          if (!d) {
            leftOut.push({ deploymentId: o.deploymentId, name: o.deploymentName, reason: 'It no longer exists on the server.' });
            continue;
          }
          const current = new Map(d.schedules.map((s) => [s.id, s]));
          const schedules = o.schedules.map((orig) => {
            const cur = current.get(orig.id);
            if (!cur) return { before: { ...orig, schedule: {}, active: false }, after: orig, notes: ['This schedule was deleted since; it is created again (with a new id).'] };
            return { before: cur, after: storedDiff(cur, orig).length ? orig : null, notes: [] };
          });
          const extra = d.schedules.filter((s) => !o.schedules.some((x) => x.id === s.id));
          const tNotes = extra.length ? [`${extra.length} schedule(s) added since the change are left alone.`] : [];
          if (schedules.some((s) => s.after) || d.paused !== o.paused) targets.push({ info: d, pausedAfter: o.paused, schedules, notes: tNotes });
          else leave(d, 'It is already as it was before that change.');
        }
        if (targets.length === 0) notes.push('Everything is already as it was before that change: nothing to restore.');
        break;
      }
    }

    // Runs Prefect will delete: future auto-scheduled runs of every deployment that is paused or
    // whose schedules are written (§4.3); past-due ones are removed by Purge (recreate, reset).
    const purging = req.kind === 'recreate' || req.kind === 'reset';
    const made = await api.madeByScheduler(req.signal);
    const touched = purging ? targets : targets.filter((t) => t.schedules.some((s) => s.after) || t.pausedAfter !== t.info.paused);
    const iso = new Date(now).toISOString();
    const counts = await mapLimit(
      touched,
      8,
      async (t) => {
        const base = { deployment_id: { any_: [t.info.id] }, state: { type: { any_: ['SCHEDULED'] } }, ...made };
        // The apply pauses every running deployment it recreates (Prefect then drops its future runs).
        const clears = t.schedules.some((s) => s.after) || (t.pausedAfter && !t.info.paused) || (purging && !t.info.paused);
        const [future, pastDue] = await Promise.all([
          clears ? api.count({ ...base, next_scheduled_start_time: { after_: iso } }, req.signal) : Promise.resolve(0),
          purging || (clears && writesDeleteBacklog) ? api.count({ ...base, state: { type: { any_: ['SCHEDULED'] }, name: { any_: ['Scheduled', 'Late'] } }, next_scheduled_start_time: { before_: iso } }, req.signal) : Promise.resolve(0),
        ]);
        return [t.info.id, { future, pastDue }] as const;
      },
      req.signal,
    );
    const countOf = new Map(counts);

    let purgePreview: PurgePlan | null = null;
    const keepNewest = req.kind === 'reset' ? (req.keepNewest ?? 0) : 0;
    if (req.kind === 'reset' && touched.length > 0) {
      purgePreview = await this.purge.plan({
        conn: req.conn,
        filter: { olderThan: '1s', deployments: touched.map((t) => t.info.id), stateNames: ['Scheduled', 'Late'], includeManual: false, keepNewest },
        ...(req.signal ? { signal: req.signal } : {}),
      });
    }

    const deployments: DeploymentChange[] = targets.map((t) => {
      const c = countOf.get(t.info.id) ?? { future: 0, pastDue: 0 };
      const pastDue = purgePreview ? (purgePreview.byDeployment.find((g) => g.deploymentId === t.info.id)?.count ?? 0) : c.pastDue;
      const schedules: ScheduleChange[] = t.schedules.map((s) => ({
        id: s.before.id,
        kind: kindOf(s.after?.schedule ?? s.before.schedule),
        slug: s.before.slug,
        active: (s.after ?? s.before).active,
        before: s.before,
        after: s.after,
        beforeText: text(s.before),
        afterText: s.after ? text(s.after) : null,
        changes: s.after ? storedDiff(s.before, s.after) : [],
        nextRuns: upcoming(s.after ?? s.before, now),
        notes: s.notes,
      }));
      const d: DeploymentChange = {
        deploymentId: t.info.id,
        name: t.info.fullName,
        pausedBefore: t.info.paused,
        pausedAfter: t.pausedAfter,
        schedules,
        futureRunsGoing: c.future,
        pastDueGoing: pastDue,
        action: '',
        notes: t.notes,
      };
      return { ...d, action: actionOf(req.kind, d) };
    });
    const changing = purging ? deployments : deployments.filter((d) => d.schedules.some((s) => s.after) || d.pausedBefore !== d.pausedAfter || d.pastDueGoing > 0);
    for (const d of deployments) if (!changing.includes(d)) leftOut.push({ deploymentId: d.deploymentId, name: d.name, reason: 'Nothing would change.' });
    if (purging) notes.push('Past-due runs are counted now; the ones removed are those still past due right after the pause.');
    const degraded = degradationsFor(caps, 'schedules').filter((d) => ['schedules.created-by-filter', 'schedules.slug-parameters', 'schedules.update-deletes-backlog'].includes(d.feature));
    notes.push(...degraded.map((d) => d.reason));
    if (req.conn.readOnly) notes.push('This connection is read-only: the plan can be reviewed but not applied.');

    const plan: ChangePlan = {
      planId: crypto.randomUUID(),
      kind: req.kind,
      connectionId: req.conn.id,
      connectionName: req.conn.name,
      createdAt: new Date().toISOString(),
      anchor: anchor ? formatInstant(anchor.anchor, 'UTC') : null,
      anchorGiven: anchor?.given ?? null,
      restoresChangeId,
      deployments: changing,
      leftOut,
      totals: {
        deployments: changing.length,
        schedules: changing.reduce((n, d) => n + d.schedules.filter((s) => s.after).length, 0),
        futureRunsGoing: changing.reduce((n, d) => n + d.futureRunsGoing, 0),
        pastDueGoing: changing.reduce((n, d) => n + d.pastDueGoing, 0),
      },
      purgePreview,
      keepNewest,
      confirmCount: changing.length,
      notes,
      degraded,
      readOnly: req.conn.readOnly,
    };
    const items: Array<Omit<OriginalItem, 'state' | 'error'>> = targets
      .filter((t) => changing.some((d) => d.deploymentId === t.info.id))
      .map((t) => ({
        deploymentId: t.info.id,
        deploymentName: t.info.fullName,
        paused: t.info.paused,
        // The originals as they are now (restore plans keep the current state, so a restore can be undone too).
        schedules: t.info.schedules,
        target: { paused: t.pausedAfter, schedules: t.schedules.filter((s) => s.after).map((s) => s.after!) },
      }));
    this.store.schedules.save({ id: plan.planId, connection_id: req.conn.id, kind: req.kind, created_at: plan.createdAt, plan: JSON.stringify(plan) }, items);
    this.store.audit.record({
      connectionId: req.conn.id,
      connectionName: req.conn.name,
      action: `schedules.${req.kind}.plan`,
      outcome: 'planned',
      summary: `Planned ${req.kind} of ${plural(plan.totals.deployments, 'deployment')} (${plural(plan.totals.schedules, 'schedule')} written, ~${formatInt(plan.totals.futureRunsGoing)} future and ~${formatInt(plan.totals.pastDueGoing)} past-due runs go)`,
      details: { planId: plan.planId, anchor: plan.anchor, deployments: changing.map((d) => d.name), leftOut: leftOut.map((l) => `${l.name}: ${l.reason}`), restoresChangeId },
      durationMs: Date.now() - t0,
    });
    return plan;
  }
}

const n = (x: number, one: string, many = `${one}s`) => `${x.toLocaleString('en-US')} ${x === 1 ? one : many}`;

/** What applying does to one deployment, in one sentence: the plan lists every chosen deployment with it. */
export function actionOf(kind: ChangeKind, d: DeploymentChange): string {
  const written = d.schedules.filter((s) => s.after);
  const kept = d.schedules.filter((s) => !s.after);
  const cron = kept.filter((s) => s.kind === 'cron').length;
  const parts: string[] = [];
  switch (kind) {
    case 'recreate':
    case 'reset': {
      if (written.length) parts.push(`${n(written.length, 'schedule')} rewritten from the new anchor (${[...new Set(written.map((s) => s.kind ?? 'unknown'))].join(', ')})`);
      if (cron) parts.push(`${n(cron, 'cron schedule')} kept as ${cron === 1 ? 'it is' : 'they are'}`);
      if (kept.length - cron) parts.push(`${n(kept.length - cron, 'schedule')} already on the anchor, kept`);
      parts.push(d.pausedBefore ? 'stays paused' : 'paused while it changes, then resumed');
      parts.push(`about ${n(d.futureRunsGoing, 'future run')} cleared and made again by the scheduler`);
      parts.push(d.pastDueGoing ? `${n(d.pastDueGoing, 'past-due run')} removed by Purge` : 'no past-due runs to remove');
      break;
    }
    case 'pause':
      parts.push(`paused; Prefect drops its ${n(d.futureRunsGoing, 'future run')}; its Late runs stay`);
      break;
    case 'resume':
      parts.push('resumed; the scheduler makes its runs again within seconds');
      break;
    case 'restore':
      if (written.length) parts.push(`${n(written.length, 'schedule')} written back as before`);
      if (d.pausedBefore !== d.pausedAfter) parts.push(d.pausedAfter ? 'paused again' : 'resumed again');
      break;
  }
  const text = parts.join('; ');
  return text.charAt(0).toUpperCase() + text.slice(1) + '.';
}
