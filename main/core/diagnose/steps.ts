/**
 * One executor per session step kind, each doing what the matching screen does, through the same
 * services: Schedules plans and applies (pause, recreate, resume), Purge plans and executes, Profiles
 * saves a revision and writes its export, VACUUM runs as a job. Every action it starts is a job of
 * its own (so the tray lists it) and is audited by its own service; the session job waits for each
 * and passes a cancel on. Retention plans and executes as the Retention screen does. A new step kind
 * adds an executor here.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { JobFinished } from '../../../shared/domain/jobs';
import type { PurgeOutcome } from '../../../shared/domain/purge';
import { rowsDeleted, type RetentionOutcome } from '../../../shared/domain/retention';
import type { ChangeOutcome } from '../../../shared/domain/schedules';
import { formatInt } from '../../../shared/text/format';
import type { SessionPlan, SettingsFormat, StepKind, StepOutcome } from '../../../shared/domain/diagnose';
import { AppError, toAppError } from '../../../shared/errors';
import type { ResolvedConnection } from '../connections/types';
import type { JobContext, JobRunner } from '../jobs/runner';
import type { ProfilesService } from '../profiles/service';
import type { ProfileTransfer } from '../profiles/transfer';
import type { PurgeService } from '../purge/service';
import type { RetentionService } from '../retention/service';
import type { SchedulesService } from '../schedules/service';
import type { Store } from '../../store';
import { vacuumTables, type VacuumStepOutcome } from './vacuum';

export interface StepServices {
  store: Store;
  jobs: JobRunner;
  purge: PurgeService;
  retention: RetentionService;
  schedules: SchedulesService;
  profiles: ProfilesService;
  transfer: ProfileTransfer;
}

export interface StepState {
  conn: ResolvedConnection;
  plan: SessionPlan;
  ctx: JobContext;
  /** Deployments this session paused (resume puts back exactly these). */
  pausedByUs: string[];
  pausedAt: number | null;
  /** The profile revision written, for the outcome. */
  settingsWritten: { profile: string; rev: number; path: string; format: SettingsFormat } | null;
}

export type StepExecutor = (s: StepServices, st: StepState) => Promise<Omit<StepOutcome, 'kind' | 'durationMs'>>;

/** Waits for a job the step started; the session's cancel cancels it. */
async function follow(s: StepServices, st: StepState, started: { jobId: string; finished: Promise<unknown> }, phase: string): Promise<JobFinished> {
  const onAbort = () => s.jobs.cancel(started.jobId);
  st.ctx.signal.addEventListener('abort', onAbort, { once: true });
  st.ctx.report({ message: `${phase} (job ${started.jobId.slice(0, 8)})` });
  try {
    return (await started.finished) as JobFinished;
  } finally {
    st.ctx.signal.removeEventListener('abort', onAbort);
  }
}

function failedJob(f: JobFinished, what: string): never {
  if (f.status === 'cancelled') throw new AppError('CANCELLED', `${what} was cancelled.`);
  throw new AppError(f.error?.code ?? 'INTERNAL', `${what} ${f.status}: ${f.error?.message ?? ''}`.trim(), { ...(f.error?.hint ? { hint: f.error.hint } : {}) });
}

const pause: StepExecutor = async (s, st) => {
  const ids = st.plan.targets.pauseResume;
  const plan = await s.schedules.plan({ conn: st.conn, kind: 'pause', deployments: ids, signal: st.ctx.signal });
  if (plan.confirmCount === 0) return { status: 'skipped', jobId: null, message: 'Every deployment was already paused.' };
  const started = await s.schedules.apply({ conn: st.conn, planId: plan.planId, confirmCount: plan.confirmCount, options: { verifyTimeoutMs: 0 } });
  const f = await follow(s, st, started, 'pausing');
  if (f.status !== 'succeeded') failedJob(f, 'The pause');
  st.pausedByUs = plan.deployments.map((d) => d.deploymentId);
  st.pausedAt = Date.now();
  return { status: 'done', jobId: started.jobId, message: `Paused ${st.pausedByUs.length} deployment${st.pausedByUs.length === 1 ? '' : 's'} (change ${plan.planId.slice(0, 8)}, restorable).` };
};

const purge: StepExecutor = async (s, st) => {
  // Once a second has passed since the pause, every never-started run left was due before it (the
  // pause dropped the later ones); "1s" is on the server's clock, as in the backlog reset.
  if (st.pausedAt) {
    const settle = st.pausedAt + 1100 - Date.now();
    if (settle > 0) await new Promise((r) => setTimeout(r, settle));
  }
  const plan = await s.purge.plan({
    conn: st.conn,
    filter: { olderThan: '1s', deployments: st.plan.targets.purge, stateNames: ['Scheduled', 'Late'], includeManual: false, keepNewest: st.plan.keepNewest },
    signal: st.ctx.signal,
  });
  if (plan.count === 0) return { status: 'skipped', jobId: null, message: 'No past-due runs were left to delete.' };
  const started = await s.purge.execute({ conn: st.conn, planId: plan.planId, confirmCount: plan.count });
  const f = await follow(s, st, started, `deleting ${plan.count} past-due runs`);
  if (f.status !== 'succeeded') failedJob(f, `The purge (resume it with \`housekeeper purge resume ${plan.planId}\`)`);
  const r = f.result as PurgeOutcome;
  return { status: 'done', jobId: started.jobId, message: `Deleted ${r.deleted} of ${r.planned} past-due runs${r.skipped ? ` (${r.skipped} no longer stale)` : ''}, with ${r.deletedLogs} logs.` };
};

const recreate: StepExecutor = async (s, st) => {
  const plan = await s.schedules.plan({ conn: st.conn, kind: 'recreate', deployments: st.plan.targets.recreate, anchor: 'now', signal: st.ctx.signal });
  if (plan.confirmCount === 0) return { status: 'skipped', jobId: null, message: 'The schedules needed no change.' };
  const started = await s.schedules.apply({ conn: st.conn, planId: plan.planId, confirmCount: plan.confirmCount, options: { verifyTimeoutMs: 0 } });
  const f = await follow(s, st, started, 'recreating schedules');
  if (f.status !== 'succeeded') failedJob(f, 'Recreating the schedules');
  const o = f.result as ChangeOutcome;
  return { status: 'done', jobId: started.jobId, message: `${o.message} (change ${plan.planId.slice(0, 8)}, restorable)` };
};

const settings: StepExecutor = async (s, st) => {
  const t = st.plan.settings;
  if (!t) return { status: 'skipped', jobId: null, message: 'No settings to write.' };
  const set = Object.fromEntries(t.set.map((x) => [x.name, x.value]));
  const message = `Diagnose session ${st.plan.sessionId.slice(0, 8)}: ${st.plan.findings.map((f) => f.id).join(', ')}`;
  let view;
  try {
    const head = s.profiles.get(t.profile);
    view = s.profiles.save(head.id, head.rev, { set }, { message, source: 'edit' });
  } catch (e) {
    if (!(e instanceof AppError && e.code === 'NOT_FOUND')) throw e;
    view = s.profiles.create(t.profile, set, { message });
  }
  // The default export folder lives in Housekeeper's own home; a path the user gave was checked at plan time.
  fs.mkdirSync(path.dirname(t.path), { recursive: true, mode: 0o700 });
  const req = { id: view.id, format: t.format, includeSecrets: false, options: {}, path: t.path };
  const preview = s.transfer.previewExport(req);
  const w = s.transfer.writeExport({ ...req, fingerprint: preview.target?.fingerprint ?? null, overwrite: true });
  st.settingsWritten = { profile: view.name, rev: view.rev, path: w.path, format: t.format };
  s.store.audit.record({
    connectionId: st.conn.id,
    connectionName: st.conn.name,
    action: 'diagnose.settings',
    outcome: 'succeeded',
    summary: `Profile "${view.name}" revision ${view.rev} written to ${w.path} (${t.set.length} settings); the server's owner restarts it`,
    details: { sessionId: st.plan.sessionId, profile: view.name, rev: view.rev, path: w.path, names: t.set.map((x) => x.name) },
  });
  return { status: 'done', jobId: null, message: `Profile "${view.name}" revision ${view.rev}, exported to ${w.path}${w.backupPath ? ` (previous file kept as ${w.backupPath})` : ''}.` };
};

const resume: StepExecutor = async (s, st) => {
  if (st.pausedByUs.length === 0) return { status: 'skipped', jobId: null, message: 'Nothing was paused by this session.' };
  const plan = await s.schedules.plan({ conn: st.conn, kind: 'resume', deployments: st.pausedByUs });
  if (plan.confirmCount === 0) {
    st.pausedByUs = [];
    return { status: 'skipped', jobId: null, message: 'The deployments were already running.' };
  }
  const started = await s.schedules.apply({ conn: st.conn, planId: plan.planId, confirmCount: plan.confirmCount, options: { verifyTimeoutMs: 15_000 } });
  // Resuming is what puts the server back in service: it is not cancelled with the session.
  const f = (await started.finished) as JobFinished;
  if (f.status !== 'succeeded') failedJob(f, 'Resuming the deployments');
  st.pausedByUs = [];
  const o = f.result as ChangeOutcome;
  return { status: 'done', jobId: started.jobId, message: o.message };
};

const retention: StepExecutor = async (s, st) => {
  const days = st.plan.targets.retentionDays;
  if (!days) return { status: 'skipped', jobId: null, message: 'No retention in this session.' };
  // The runs only: Prefect trims events itself (server.events.retention_period), and the finding is
  // about flow_run and what hangs off it. Every final state, every deployment, as the finding counted.
  const plan = await s.retention.plan({ conn: st.conn, filter: { olderThan: `${days}d`, events: false }, executor: 'auto', signal: st.ctx.signal });
  if (plan.confirmCount === 0) return { status: 'skipped', jobId: null, message: `No finished run ended more than ${days} days ago any more.` };
  const started = await s.retention.execute({ conn: st.conn, planId: plan.planId, confirmCount: plan.confirmCount });
  const f = await follow(s, st, started, `deleting ${plan.confirmCount} finished runs older than ${days} days`);
  if (f.status !== 'succeeded') failedJob(f, `The retention (resume it on the Retention screen or with \`housekeeper retention resume ${plan.planId}\`)`);
  const o = f.result as RetentionOutcome;
  return {
    status: 'done',
    jobId: started.jobId,
    message: `Deleted ${formatInt(o.totals.runs)} finished runs older than ${days} days${o.totals.subflows ? ` (and ${formatInt(o.totals.subflows)} subflows)` : ''}, ${formatInt(rowsDeleted(o.totals))} rows in all (plan ${plan.planId.slice(0, 8)}).`,
  };
};

const vacuum: StepExecutor = async (s, st) => {
  const db = st.conn.db;
  if (db.kind !== 'postgres') return { status: 'skipped', jobId: null, message: 'VACUUM runs on PostgreSQL connections only.' };
  const { tables, freeze } = { tables: st.plan.targets.vacuumTables, freeze: st.plan.targets.freeze };
  const t0 = Date.now();
  const started = s.jobs.start({ kind: 'vacuum', connectionId: st.conn.id, payload: { tables, freeze, sessionId: st.plan.sessionId }, run: (jc) => vacuumTables(db, tables, freeze, jc) });
  const f = await follow(s, st, started, 'vacuuming');
  s.store.audit.record({
    connectionId: st.conn.id,
    connectionName: st.conn.name,
    action: 'diagnose.vacuum',
    outcome: f.status === 'succeeded' ? 'succeeded' : f.status === 'cancelled' ? 'cancelled' : 'failed',
    summary: f.status === 'succeeded' ? `${freeze ? 'VACUUM (FREEZE, ANALYZE)' : 'VACUUM (ANALYZE)'} on ${tables.join(', ')}` : `VACUUM ${f.status}: ${f.error?.message ?? ''}`,
    details: { sessionId: st.plan.sessionId, result: f.result },
    durationMs: Date.now() - t0,
  });
  if (f.status !== 'succeeded') failedJob(f, 'VACUUM');
  const r = f.result as VacuumStepOutcome;
  const skipped = r.tables.filter((x) => x.status === 'skipped');
  return {
    status: 'done',
    jobId: started.jobId,
    message: `Vacuumed ${r.tables.filter((x) => x.status === 'vacuumed').map((x) => x.table).join(', ') || 'nothing'}${skipped.length ? `; skipped ${skipped.map((x) => `${x.table} (${x.reason})`).join(', ')}` : ''}.`,
  };
};

export const EXECUTORS: Record<StepKind, StepExecutor> = { pause, purge, recreate, settings, resume, retention, vacuum };

export function stepError(e: unknown): { status: 'failed' | 'cancelled'; message: string } {
  const ae = toAppError(e);
  return { status: ae.code === 'CANCELLED' ? 'cancelled' : 'failed', message: `${ae.message}${ae.hint ? ` ${ae.hint}` : ''}` };
}
