/**
 * Applying a change plan, as a job. Per deployment, in this order:
 *
 *   check    re-read it; if anyone changed its schedules or paused flag since the plan, refuse the
 *            whole apply before touching anything (CONFLICT)
 *   pause    PATCH paused=true (the scheduler skips paused deployments, so no pass can race the
 *            change, PrefectHQ/prefect#17703; Prefect drops its future auto-scheduled runs)
 *   write    PATCH each changed schedule with every field (ids, slugs, parameters kept)
 *   purge    recreate/reset: the past-due auto-scheduled runs, through Purge (plan right after the
 *            pause, execute with its re-checking batches; audited there too)
 *   resume   back to the paused flag it should end with (what it was, unless pausing/resuming)
 *   verify   the runs the scheduler then creates start after the apply and are on the new lattice
 *
 * The reversible steps (pause, write) come first. A failure or a cancel during them writes the
 * originals back and resumes; if the server cannot be reached for that either, the change is marked
 * needs-restore and the originals stay in the local store (`schedules.plan` kind restore). Each step
 * is journaled per deployment, so a killed app leaves a record of exactly what to restore.
 */
import { AppError, toAppError } from '../../../shared/errors';
import type { ChangeOutcome, ChangePlan, StoredSchedule, Verify } from '../../../shared/domain/schedules';
import type { JobFinished } from '../../../shared/domain/jobs';
import type { PurgeOutcome } from '../../../shared/domain/purge';
import { storedDiff } from '../../../shared/schedules/compare';
import { describe } from '../../../shared/schedules/describe';
import { parseInstant } from '../../../shared/schedules/instant';
import { toSchedule } from '../../../shared/schedules/occurrences';
import { fromAdminSettings } from '../../../shared/schedules/settings';
import type { Store } from '../../store';
import type { OriginalItem } from '../../store/repos/schedules';
import type { ResolvedConnection } from '../connections/types';
import type { JobContext, JobRunner } from '../jobs/runner';
import { createLogger } from '../log/logger';
import type { PurgeService } from '../purge/service';
import { PrefectApi } from '../targets/prefect-api';
import { SchedulesApi, type DeploymentInfo } from './api';
import { mapLimit } from './concurrency';
import { verifyRuns, type VerifyTarget } from './verify';

const log = createLogger('schedules:apply');

/** A plan older than this is refused: deployments move on. Re-plan (it is cheap). */
export const CHANGE_PLAN_MAX_AGE_MS = 60 * 60 * 1000;

export interface ApplyOptions {
  /** Deployments in flight at once (default 8). */
  concurrency?: number;
  /** How long to wait for the scheduler's new runs (default 20 s; 0 skips the wait). */
  verifyTimeoutMs?: number;
  /** How long a rollback keeps retrying an unreachable server (default 60 s). */
  rollbackWaitMs?: number;
  /** Test hook: called after each step of each deployment (fault injection). */
  onStep?: (step: 'paused' | 'written' | 'purged' | 'resumed', deploymentId: string, index: number) => Promise<void> | void;
}

export interface ApplyRequest {
  conn: ResolvedConnection;
  planId: string;
  confirmCount: number;
  options?: ApplyOptions;
}

type Phase = 'pending' | 'pausing' | 'paused' | 'writing' | 'changed' | 'done' | 'rolled-back' | 'needs-restore';

const flowOf = (fullName: string) => fullName.slice(0, fullName.indexOf('/'));

/** What differs between the live deployment and the plan's originals (empty: unchanged). */
export function driftOf(live: DeploymentInfo | null, item: OriginalItem): string[] {
  if (!live) return ['deleted'];
  const out: string[] = [];
  if (live.paused !== item.paused) out.push(live.paused ? 'paused' : 'resumed');
  const liveById = new Map(live.schedules.map((s) => [s.id, s]));
  for (const o of item.schedules) {
    const l = liveById.get(o.id);
    if (!l) out.push(`schedule ${o.slug ?? o.id.slice(0, 8)} deleted`);
    else {
      const d = storedDiff(o, l);
      if (d.length) out.push(`schedule ${o.slug ?? o.id.slice(0, 8)}: ${d.join(', ')}`);
    }
  }
  for (const l of live.schedules) if (!item.schedules.some((o) => o.id === l.id)) out.push(`schedule ${l.slug ?? l.id.slice(0, 8)} added`);
  return out;
}

export class ScheduleApplier {
  constructor(
    private readonly store: Store,
    private readonly jobs: JobRunner,
    private readonly purge: PurgeService,
  ) {}

  getPlan(planId: string): { plan: ChangePlan; status: string } {
    const row = this.store.schedules.get(planId);
    if (!row) throw new AppError('NOT_FOUND', 'That schedule plan does not exist.', { hint: 'Make a new plan.' });
    return { plan: JSON.parse(row.plan) as ChangePlan, status: row.status };
  }

  async apply(req: ApplyRequest): Promise<{ jobId: string; finished: Promise<JobFinished> }> {
    const { plan, status } = this.getPlan(req.planId);
    const row = this.store.schedules.get(req.planId)!;
    const audit = (outcome: 'refused' | 'succeeded' | 'failed' | 'cancelled', summary: string, details: Record<string, unknown> = {}, durationMs?: number) =>
      this.store.audit.record({ connectionId: req.conn.id, connectionName: req.conn.name, action: `schedules.${plan.kind}`, outcome, summary, details: { planId: req.planId, ...details }, ...(durationMs !== undefined ? { durationMs } : {}) });
    const refuse = (message: string, hint: string, code: 'FORBIDDEN' | 'CONFLICT' | 'VALIDATION' = 'FORBIDDEN', details?: Record<string, unknown>) => {
      audit('refused', message, details);
      return new AppError(code, message, { hint, ...(details ? { details } : {}) });
    };
    if (row.connection_id !== req.conn.id) throw refuse('This plan was made for another connection.', 'Make a new plan on this connection.', 'CONFLICT');
    if (req.conn.readOnly) throw refuse(`"${req.conn.name}" is a read-only connection: no schedule was changed.`, 'Turn off read-only in the connection settings if you mean to change schedules.');
    if (req.confirmCount !== plan.confirmCount) {
      throw refuse(`Confirmation mismatch: the plan changes ${plan.confirmCount} deployments, but ${req.confirmCount} was confirmed. Nothing was changed.`, `Confirm with ${plan.confirmCount}.`);
    }
    if (status !== 'planned') throw refuse(`This plan was already ${status}.`, 'Make a new plan.', 'CONFLICT');
    if (Date.now() - Date.parse(plan.createdAt) > CHANGE_PLAN_MAX_AGE_MS) throw refuse('This plan is more than an hour old and has gone stale.', 'Make a new plan; it takes seconds.', 'CONFLICT');
    if (plan.confirmCount === 0) throw new AppError('VALIDATION', 'The plan changes nothing.', { hint: 'Nothing to apply.' });

    const prefect = new PrefectApi(req.conn);
    const api = new SchedulesApi(prefect);
    const items = this.store.schedules.items(req.planId);
    const o = req.options ?? {};

    // Check before the job starts: a conflict is an answer to this request, not a failed job.
    const live = await mapLimit(items, o.concurrency ?? 8, (it) => api.deployment(it.deploymentId, flowOf(it.deploymentName)));
    const conflicts = items.map((it, i) => ({ name: it.deploymentName, drift: driftOf(live[i] ?? null, it) })).filter((c) => c.drift.length);
    if (conflicts.length) {
      throw refuse(
        `${conflicts.length} deployment(s) changed since the plan was made: ${conflicts.map((c) => `${c.name} (${c.drift.join('; ')})`).join(', ')}. Nothing was changed.`,
        'Make a new plan and review it again.',
        'CONFLICT',
        { conflicts },
      );
    }

    const started = this.jobs.start({
      kind: `schedules.${plan.kind}`,
      connectionId: req.conn.id,
      payload: { planId: req.planId },
      // Written as the apply starts (a crash mid-way still leaves a trace); finish() settles it.
      audit: {
        action: `schedules.${plan.kind}`,
        connectionName: req.conn.name,
        summary: `Applying ${plan.kind} of ${plan.confirmCount} deployment${plan.confirmCount === 1 ? '' : 's'}`,
        details: { planId: req.planId, deployments: plan.deployments.map((d) => d.name) },
      },
      run: (ctx) => this.run(req, plan, items, api, ctx),
    });
    this.store.schedules.setStatus(req.planId, 'running', { jobId: started.jobId });
    return started;
  }

  private async run(req: ApplyRequest, plan: ChangePlan, items: OriginalItem[], api: SchedulesApi, ctx: JobContext): Promise<ChangeOutcome> {
    const t0 = Date.now();
    const o = req.options ?? {};
    const conc = o.concurrency ?? 8;
    const phase = new Map<string, Phase>(items.map((it) => [it.deploymentId, 'pending']));
    const setPhase = (it: OriginalItem, p: Phase, error: string | null = null) => {
      phase.set(it.deploymentId, p);
      this.store.schedules.setItemState(req.planId, it.deploymentId, p, error);
    };
    const created = new Map<string, string[]>();
    const writes = (it: OriginalItem) => it.target.schedules;
    // Every unit of work counts, the check of the new runs included: the bar reaches 100 % only when
    // the apply has ended (issue #13: it showed 100 % while still verifying).
    const verifyCount = plan.kind === 'pause' ? 0 : items.filter((it) => !it.target.paused).reduce((n, it) => n + finalCount(it), 0);
    // (+1: recording the outcome, the last step, so a finished check of the runs is not yet 100 %.)
    const totalOps = items.reduce((n, it) => n + 2 + writes(it).length, 0) + verifyCount + 1;
    let done = 0;
    const tick = (phaseName: string) => ctx.report({ phase: phaseName, done: ++done, total: totalOps });
    const purging = plan.kind === 'recreate' || plan.kind === 'reset';
    let purgeResult: ChangeOutcome['purge'] = null;
    const messages: string[] = [];
    const since = Date.now();
    let pausedAt = Date.now();

    try {
      // --- pause: no scheduler pass may write old-lattice runs while schedules change -----------
      ctx.report({ phase: 'pausing', done, total: totalOps });
      await mapLimit(
        items,
        conc,
        async (it, i) => {
          const needsPause = !it.paused && (writes(it).length > 0 || purging || it.target.paused);
          if (needsPause) {
            setPhase(it, 'pausing');
            await api.pause(it.deploymentId, ctx.signal);
          }
          setPhase(it, 'paused');
          tick('pausing');
          await o.onStep?.('paused', it.deploymentId, i);
        },
        ctx.signal,
      );
      pausedAt = Date.now();

      // --- write the schedules ------------------------------------------------------------------
      await mapLimit(
        items,
        conc,
        async (it, i) => {
          if (writes(it).length) setPhase(it, 'writing');
          const liveIds = new Set(it.schedules.map((s) => s.id));
          for (const s of writes(it)) {
            if (ctx.signal.aborted) throw new AppError('CANCELLED', 'Cancelled by the user.');
            if (plan.kind === 'restore' && !liveIds.has(s.id)) {
              const id = await api.createSchedule(it.deploymentId, s, ctx.signal);
              created.set(it.deploymentId, [...(created.get(it.deploymentId) ?? []), id]);
            } else {
              await api.patchSchedule(it.deploymentId, s, ctx.signal);
            }
            tick('writing schedules');
          }
          setPhase(it, 'changed');
          await o.onStep?.('written', it.deploymentId, i);
        },
        ctx.signal,
      );
    } catch (e) {
      const err = toAppError(e);
      log.warn(`apply ${req.planId} failed before the purge (${err.code}: ${err.message}); writing the originals back`);
      const rb = await this.rollback(api, items, phase, created, o.rollbackWaitMs ?? 60_000, (it, p, m) => setPhase(it, p, m), ctx);
      const outcome = this.outcome(req.planId, plan, ctx.jobId, items, phase, t0, since, [], null, rb ? 'rolled-back' : 'needs-restore', err.code === 'CANCELLED' ? 'cancelled' : null);
      outcome.message = rb
        ? `${err.code === 'CANCELLED' ? 'Cancelled' : `Failed: ${err.message}`}. Every deployment was put back as it was.`
        : `${err.code === 'CANCELLED' ? 'Cancelled' : `Failed: ${err.message}`}. The server could not be reached to put everything back: restore this change (its originals are kept) when it is reachable again.`;
      this.finish(req, plan, outcome, err.code === 'CANCELLED' ? 'cancelled' : 'failed', ctx);
      throw new AppError(err.code, outcome.message, { hint: rb ? 'Nothing changed; fix the cause and plan again.' : `Run \`housekeeper schedules restore --change ${req.planId}\`, or Restore on the Schedules screen.`, details: { outcome } });
    }

    // --- purge the past-due backlog (runs are not reversible, so this comes after the checks) ------
    if (purging) {
      const ids = items.map((it) => it.deploymentId);
      try {
        // Cutoff "1 s ago" on the server's clock (an absolute time from this machine's clock could be
        // ahead of the server's and be refused as future). Once a second has passed since the last
        // pause, every never-started run left was due before it (the pause dropped the later ones).
        ctx.report({ phase: 'planning the purge of past-due runs', done, total: totalOps });
        const settle = pausedAt + 1100 - Date.now();
        if (settle > 0) await new Promise((r) => setTimeout(r, settle));
        const purgePlan = await this.purge.plan({
          conn: req.conn,
          filter: { olderThan: '1s', deployments: ids, stateNames: ['Scheduled', 'Late'], includeManual: false, keepNewest: plan.keepNewest },
          signal: ctx.signal,
        });
        if (purgePlan.count > 0) {
          ctx.report({ phase: 'purging past-due runs', done, total: totalOps, message: `${purgePlan.count} past-due runs` });
          const { jobId, finished } = await this.purge.execute({ conn: req.conn, planId: purgePlan.planId, confirmCount: purgePlan.count });
          const onAbort = () => this.jobs.cancel(jobId);
          ctx.signal.addEventListener('abort', onAbort, { once: true });
          const f = (await finished) as JobFinished;
          ctx.signal.removeEventListener('abort', onAbort);
          const r = f.result as PurgeOutcome | null;
          purgeResult = { planId: purgePlan.planId, planned: purgePlan.count, deleted: r?.deleted ?? 0 };
          if (f.status !== 'succeeded') messages.push(`Past-due runs were not all removed (${f.error?.message ?? f.status}); continue with \`housekeeper purge resume ${purgePlan.planId}\`.`);
        } else {
          purgeResult = { planId: purgePlan.planId, planned: 0, deleted: 0 };
        }
      } catch (e) {
        messages.push(`Past-due runs were not removed: ${toAppError(e).message}`);
      }
      for (const [i, it] of items.entries()) await o.onStep?.('purged', it.deploymentId, i);
    }

    // --- resume what ran before (or apply the pause/resume asked for) ------------------------------
    const resumeErrors: string[] = [];
    await mapLimit(items, conc, async (it, i) => {
      try {
        await withRetry(async () => {
          if (it.target.paused) await api.pause(it.deploymentId);
          else await api.resume(it.deploymentId);
        }, o.rollbackWaitMs ?? 60_000);
        setPhase(it, 'done');
      } catch (e) {
        resumeErrors.push(`${it.deploymentName}: ${toAppError(e).message}`);
        setPhase(it, 'needs-restore', toAppError(e).message);
      }
      tick('resuming');
      await o.onStep?.('resumed', it.deploymentId, i);
    });
    if (resumeErrors.length) messages.push(`Could not set the paused flag back on ${resumeErrors.length} deployment(s): ${resumeErrors.join('; ')}.`);

    // --- verify -------------------------------------------------------------------------------------
    let verify: Verify[] = [];
    // Every active schedule of a deployment that ends up running: the written ones, and the
    // untouched ones whose runs were cleared by the pause and must come back.
    const finalSchedules = (it: OriginalItem): StoredSchedule[] => {
      const written = new Map(it.target.schedules.map((s) => [s.id, s]));
      const kept = it.schedules.map((s) => written.get(s.id) ?? s);
      const added = it.target.schedules.filter((s) => !it.schedules.some((x) => x.id === s.id)).map((s) => withCreatedId(s, it, created));
      return [...kept, ...added];
    };
    const targets: VerifyTarget[] = plan.kind === 'pause' ? [] : items
      .filter((it) => !it.target.paused)
      .flatMap((it) => finalSchedules(it).filter((s) => s.active).map((s) => ({ deploymentId: it.deploymentId, label: `${it.deploymentName} · ${s.slug ?? describeStored(s)}`, schedule: s })));
    if (targets.length) {
      const enabled = await api.api.adminSettings().then((j) => fromAdminSettings(j).settings.enabled, () => true);
      if (!enabled) {
        done += verifyCount;
        verify = targets.map((t) => ({ scheduleId: t.schedule.id, deploymentId: t.deploymentId, label: t.label, status: 'skipped', runs: 0, first: null, offLattice: 0, beforeAnchor: 0, message: 'The scheduler service is disabled on this server: no runs to check.' }));
      } else {
        ctx.report({ phase: 'verifying new runs', done, total: totalOps });
        const base = done;
        try {
          verify = await verifyRuns(api, targets, {
            since,
            anchor: plan.anchor ? parseInstant(plan.anchor) : null,
            timeoutMs: o.verifyTimeoutMs ?? 20_000,
            signal: ctx.signal,
            report: (n, of) => ctx.report({ phase: 'verifying new runs', done: base + Math.min(n, verifyCount), total: totalOps, message: `${n} of ${of} schedules have their new runs` }),
          });
        } catch (e) {
          messages.push(`Verification stopped: ${toAppError(e).message}`);
        }
      }
    }
    ctx.report({ phase: 'done', done: totalOps, total: totalOps });
    const outcome = this.outcome(req.planId, plan, ctx.jobId, items, phase, t0, since, verify, purgeResult, resumeErrors.length ? 'needs-restore' : 'applied', null);
    const pending = verify.filter((v) => v.status === 'pending').length;
    const mismatched = verify.filter((v) => v.status === 'mismatch').length;
    if (pending) messages.push(`${pending} schedule(s) had no new runs yet when checked; the scheduler fills them on its next loop.`);
    if (mismatched) messages.push(`${mismatched} schedule(s) still hold runs off their new times.`);
    outcome.message = [headline(plan, items.length, purgeResult), ...messages].join(' ');
    this.finish(req, plan, outcome, resumeErrors.length ? 'failed' : 'succeeded', ctx);
    return outcome;
  }

  /** Writes the originals back where a step began; true when every deployment is as before. */
  private async rollback(
    api: SchedulesApi,
    items: OriginalItem[],
    phase: Map<string, Phase>,
    created: Map<string, string[]>,
    waitMs: number,
    setPhase: (it: OriginalItem, p: Phase, m: string | null) => void,
    ctx: JobContext,
  ): Promise<boolean> {
    ctx.report({ phase: 'rolling back', message: 'putting the original schedules back' });
    let ok = true;
    // A fresh signal: the job's may be the cancel that got us here.
    await mapLimit(items, 8, async (it) => {
      if (phase.get(it.deploymentId) === 'pending') return;
      try {
        await withRetry(async () => {
          for (const id of created.get(it.deploymentId) ?? []) {
            await api.api.request('DELETE', `/deployments/${it.deploymentId}/schedules/${id}`).catch((e: unknown) => {
              if (!(e instanceof AppError && e.details?.status === 404)) throw e;
            });
          }
          const touched = new Set(it.target.schedules.map((s) => s.id));
          for (const s of it.schedules) if (touched.has(s.id)) await api.patchSchedule(it.deploymentId, s);
          if (!it.paused) await api.resume(it.deploymentId);
        }, waitMs);
        setPhase(it, 'rolled-back', null);
      } catch (e) {
        ok = false;
        setPhase(it, 'needs-restore', toAppError(e).message);
      }
    });
    return ok;
  }

  private outcome(
    planId: string,
    plan: ChangePlan,
    jobId: string,
    items: OriginalItem[],
    phase: Map<string, Phase>,
    t0: number,
    _since: number,
    verify: Verify[],
    purge: ChangeOutcome['purge'],
    status: ChangeOutcome['status'],
    override: 'cancelled' | null,
  ): ChangeOutcome {
    return {
      planId,
      kind: plan.kind,
      jobId,
      status: override ?? status,
      deployments: items.map((it) => {
        const p = phase.get(it.deploymentId) ?? 'pending';
        return {
          deploymentId: it.deploymentId,
          name: it.deploymentName,
          status: p === 'done' ? 'changed' : p === 'rolled-back' ? 'rolled-back' : p === 'needs-restore' ? 'needs-restore' : p === 'pending' ? 'unchanged' : 'needs-restore',
          error: this.store.schedules.items(planId).find((x) => x.deploymentId === it.deploymentId)?.error ?? null,
        };
      }),
      purge,
      futureRunsRemoved: plan.totals.futureRunsGoing,
      verify,
      durationMs: Date.now() - t0,
      message: '',
    };
  }

  private finish(req: ApplyRequest, plan: ChangePlan, outcome: ChangeOutcome, audit: 'succeeded' | 'failed' | 'cancelled', ctx: JobContext): void {
    this.store.schedules.setStatus(req.planId, outcome.status, { appliedAt: new Date().toISOString(), outcome });
    ctx.audit({
      connectionName: req.conn.name,
      action: `schedules.${plan.kind}`,
      outcome: audit,
      summary: outcome.message,
      details: {
        planId: req.planId,
        status: outcome.status,
        deployments: outcome.deployments.map((d) => `${d.name}: ${d.status}`),
        purge: outcome.purge,
        verify: outcome.verify.map((v) => `${v.scheduleId.slice(0, 8)} ${v.status}`),
        restoresChangeId: plan.restoresChangeId,
      },
      durationMs: outcome.durationMs,
    });
  }
}

/** Active schedules a deployment ends up with (its written ones, the untouched ones, the re-created ones). */
function finalCount(it: OriginalItem): number {
  const written = new Map(it.target.schedules.map((s) => [s.id, s]));
  const kept = it.schedules.map((s) => written.get(s.id) ?? s);
  const added = it.target.schedules.filter((s) => !it.schedules.some((x) => x.id === s.id));
  return [...kept, ...added].filter((s) => s.active).length;
}

function describeStored(s: StoredSchedule): string {
  try {
    return describe(toSchedule(s.schedule));
  } catch {
    return s.id.slice(0, 8);
  }
}

/** The one sentence an admin reads first. */
function headline(plan: ChangePlan, n: number, purge: ChangeOutcome['purge']): string {
  const deps = `${n} deployment${n === 1 ? '' : 's'}`;
  const removed = purge ? ` and removed ${purge.deleted} past-due run${purge.deleted === 1 ? '' : 's'}` : '';
  switch (plan.kind) {
    case 'reset':
      return `Backlog reset on ${deps}: schedules recreated from ${plan.anchorGiven === 'now' ? 'now' : plan.anchor}${removed}.`;
    case 'recreate':
      return `Recreated the schedules of ${deps} from ${plan.anchorGiven === 'now' ? 'now' : plan.anchor}${removed}.`;
    case 'pause':
      return `Paused ${deps}.`;
    case 'resume':
      return `Resumed ${deps}.`;
    case 'restore':
      return `Restored the original schedules of ${deps}.`;
  }
}

function withCreatedId(s: StoredSchedule, it: OriginalItem, created: Map<string, string[]>): StoredSchedule {
  if (it.schedules.some((x) => x.id === s.id)) return s;
  const ids = created.get(it.deploymentId) ?? [];
  const idx = it.target.schedules.filter((x) => !it.schedules.some((y) => y.id === x.id)).indexOf(s);
  return ids[idx] ? { ...s, id: ids[idx]! } : s;
}

/** Retries `fn` with growing pauses for up to `waitMs` (a server restarting comes back in seconds). */
export async function withRetry<T>(fn: () => Promise<T>, waitMs: number): Promise<T> {
  const deadline = Date.now() + waitMs;
  let delay = 250;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      const ae = toAppError(e);
      const transient = ae.code === 'PREFECT_HTTP' && (ae.details?.status === undefined || Number(ae.details.status) >= 500 || ae.details.status === 429);
      if (!transient || Date.now() + delay > deadline) throw e;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 4000);
    }
  }
}
