/**
 * Diagnose, end to end: diagnose (gather -> checks -> ranked findings, saved), plan a session from
 * chosen findings (a dry run: nothing changes; saved with the diagnosis it came from), apply it as a
 * job that runs each step through the feature that owns it and diagnoses again, and the session as a
 * ticket-ready report. Read-only connections can diagnose and plan, never apply.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  combine,
  confirmationText,
  factsOf,
  metricsOf,
  runChecks,
  sessionConfirmation,
  SettingsFormatSchema,
  type ComparisonRow,
  type Diagnosis,
  type FindingId,
  type Session,
  type SessionOutcome,
  type SessionPlan,
  type SettingsFormat,
  type StepOutcome,
} from '../../../shared/domain/diagnose';
import { AppError, toAppError } from '../../../shared/errors';
import { RESTART_NOTE } from '../../../shared/domain/profiles';
import { SETTING_FIELDS, type SchedulerSettingKey } from '../../../shared/schedules/settings';
import { DiagnoseRepo } from '../../store/repos/diagnose';
import type { ResolvedConnection } from '../connections/types';
import type { InspectService } from '../inspect/service';
import type { JobFinished } from '../../../shared/domain/jobs';
import { createLogger } from '../log/logger';
import { gather } from './gather';
import { EXECUTORS, stepError, type StepServices, type StepState } from './steps';

const log = createLogger('diagnose');

/** A diagnosis older than this is not planned from: the server has moved on. */
export const DIAGNOSIS_MAX_AGE_MS = 60 * 60 * 1000;

export interface DiagnoseRequest {
  conn: ResolvedConnection;
  serverProcesses?: number;
  signal?: AbortSignal;
  /** false: do not keep it (tests of the read-only path, the benchmark). */
  save?: boolean;
}

export interface PlanRequest {
  conn: ResolvedConnection;
  diagnosisId: string;
  /** Empty: every finding the session can fix. */
  findings: readonly string[];
  keepNewest?: number;
  settings?: { profile?: string; format?: SettingsFormat; path?: string };
  inputs?: Record<string, string>;
}

export interface DiagnoseDeps extends StepServices {
  inspect: InspectService;
  /** HOUSEKEEPER_HOME: default folder for settings exports. */
  home: string;
}

const EXT: Record<SettingsFormat, string> = { env: 'env', toml: 'toml', compose: 'compose.yml', k8s: 'k8s.yaml', helm: 'values.yaml', systemd: 'systemd.env' };

export function profileNameFor(connectionName: string): string {
  const base = connectionName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 80);
  return `${base || 'prefect-server'}-settings`;
}

export class DiagnoseService {
  readonly repo: DiagnoseRepo;

  constructor(private readonly deps: DiagnoseDeps) {
    this.repo = new DiagnoseRepo(deps.store.handle.db);
  }

  async diagnose(req: DiagnoseRequest): Promise<Diagnosis> {
    const t0 = Date.now();
    const g = await gather({ conn: req.conn, inspect: this.deps.inspect, schedules: this.deps.schedules, ...(req.serverProcesses !== undefined ? { serverProcesses: req.serverProcesses } : {}), ...(req.signal ? { signal: req.signal } : {}) });
    const e = g.evidence;
    const { findings, checks } = runChecks(e);
    const sim = e.sim?.modified ?? null;
    const d: Diagnosis = {
      id: crypto.randomUUID(),
      connectionId: req.conn.id,
      connectionName: req.conn.name,
      createdAt: new Date().toISOString(),
      durationMs: Date.now() - t0,
      source: req.conn.db.kind === 'none' ? 'api' : req.conn.db.kind,
      apiUrl: req.conn.apiUrl,
      prefectVersion: e.version,
      inspectionId: g.inspectionId,
      processes: e.processes,
      findings,
      checks,
      metrics: metricsOf(e, findings.length),
      whatIf: sim
        ? {
            settings: Object.fromEntries(Object.entries(e.recommended).map(([k, v]) => [SETTING_FIELDS[k as SchedulerSettingKey], Number(v)])),
            held: Math.round(sim.totals.held),
            insertsPerLoop: Math.round(sim.totals.insertsPerLoopAvg * 10) / 10,
            datesPerLoop: Math.round(sim.totals.datesGeneratedPerLoopAvg),
          }
        : null,
      facts: factsOf(e),
      pauseDeletesBacklog: e.pauseDeletesBacklog,
      timings: g.timings,
      notes: [...g.notes, ...Object.values(e.missing).filter((x): x is string => !!x)].filter((x, i, a) => a.indexOf(x) === i),
      readOnly: req.conn.readOnly,
    };
    if (req.save !== false) this.repo.saveDiagnosis(d);
    return d;
  }

  latest(connectionId: string): Diagnosis | null {
    return this.repo.latestDiagnosis(connectionId) ?? null;
  }

  get(id: string): Diagnosis {
    const d = this.repo.diagnosis(id);
    if (!d) throw new AppError('NOT_FOUND', 'No such diagnosis (or only its summary was kept).', { hint: 'Diagnose again.' });
    return d;
  }

  /** The combined plan of the chosen findings. Changes nothing on the server. */
  plan(req: PlanRequest): SessionPlan {
    const d = this.get(req.diagnosisId);
    if (d.connectionId !== req.conn.id) throw new AppError('CONFLICT', 'That diagnosis was made for another connection.', { hint: 'Diagnose this connection first.' });
    if (Date.now() - Date.parse(d.createdAt) > DIAGNOSIS_MAX_AGE_MS) throw new AppError('CONFLICT', 'That diagnosis is more than an hour old.', { hint: 'Diagnose again; it takes seconds.' });
    const fixable = d.findings.filter((f) => f.actions.some((a) => a.kind !== 'manual'));
    const unknown = req.findings.filter((id) => !d.findings.some((f) => f.id === id));
    if (unknown.length) {
      throw new AppError('VALIDATION', `The diagnosis has no finding ${unknown.map((u) => `"${u}"`).join(', ')}.`, { hint: `It found: ${d.findings.map((f) => f.id).join(', ') || 'nothing'}.` });
    }
    const manualOnly = req.findings.filter((id) => !fixable.some((f) => f.id === id));
    if (manualOnly.length) {
      throw new AppError('VALIDATION', `${manualOnly.join(', ')}: only their owner can fix them (the steps are shown with the finding); a session cannot.`, { hint: 'Leave them out of the session.' });
    }
    const picked = req.findings.length ? fixable.filter((f) => req.findings.includes(f.id)) : fixable;
    if (picked.length === 0) throw new AppError('VALIDATION', 'Nothing to fix: the diagnosis has no finding with an action Housekeeper performs.');
    const keepNewest = req.keepNewest ?? 0;
    if (!Number.isInteger(keepNewest) || keepNewest < 0 || keepNewest > 10_000) throw new AppError('VALIDATION', 'Keep-newest must be a whole number from 0 to 10000.');
    const c = combine(picked, { inputs: req.inputs ?? {}, vacuumAfterPurge: req.conn.db.kind === 'postgres' });
    const pauses = c.steps.some((s) => s.kind === 'pause');
    if (pauses && d.pauseDeletesBacklog && keepNewest > 0) {
      // The pause comes before the purge, and this Prefect deletes every never-started auto run of a
      // paused deployment (past-due ones included): nothing would be left to keep.
      throw new AppError('VALIDATION', `Keeping the newest ${keepNewest} past-due runs is not possible on Prefect ${d.prefectVersion ?? 'before 3.3.4'}: pausing a deployment deletes all its never-started scheduled runs, and the session pauses before it purges.`, {
        hint: 'Plan with keep-newest 0, or leave out the findings that recreate schedules (they pause).',
      });
    }
    if (c.missingInputs.length) {
      throw new AppError('VALIDATION', `The session needs ${c.missingInputs.map((i) => `${i.label} (${i.name})`).join(', ')}.`, { hint: `For example ${c.missingInputs.map((i) => `${i.name}=${i.placeholder}`).join(' ')}.`, details: { inputs: c.missingInputs } });
    }
    let settings: SessionPlan['settings'] = null;
    const notes = [...c.notes];
    if (pauses && d.pauseDeletesBacklog) {
      notes.push(`Prefect ${d.prefectVersion ?? 'before 3.3.4'} deletes every never-started scheduled run of a deployment when it is paused (Prefect 3.3.4 kept the past-due ones): the pause step already removes their Late backlog, and the purge step deletes what is left.`);
    }
    if (c.settings.length) {
      const profile = req.settings?.profile?.trim() || profileNameFor(req.conn.name);
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(profile) || profile.length > 100) throw new AppError('VALIDATION', `"${profile}" is not a profile name: use letters, digits, dot, dash and underscore.`);
      const fmt = SettingsFormatSchema.safeParse(req.settings?.format ?? 'env');
      if (!fmt.success) throw new AppError('VALIDATION', `Export format must be one of ${SettingsFormatSchema.options.join(', ')}.`);
      const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
      const given = req.settings?.path?.trim();
      const file = given ? path.resolve(given.replace(/^~(?=$|\/)/, os.homedir())) : path.join(this.deps.home, 'exports', `${profile}-${stamp}.${EXT[fmt.data]}`);
      if (given && !fs.existsSync(path.dirname(file))) {
        throw new AppError('VALIDATION', `The folder of ${file} does not exist.`, { hint: 'Create it first, or leave the path out to export into Housekeeper’s own exports folder.' });
      }
      let exists = false;
      try {
        exists = !!this.deps.profiles.get(profile);
      } catch {
        exists = false;
      }
      const clients = c.settings.filter((s) => s.scope === 'clients');
      settings = {
        profile,
        profileExists: exists,
        format: fmt.data,
        path: file,
        set: c.settings.map((s) => ({ name: s.name, value: s.value, reason: s.reason, scope: s.scope })),
        restartNote: `Restart the Prefect server and every separate \`prefect server services start\` process with the settings in ${file}${clients.length ? `; ${clients.map((s) => s.name).join(', ')} belong in the environment of the workers and processes that run flows` : ''}. ${RESTART_NOTE}${
          c.settings.some((s) => s.name.startsWith('PREFECT_SERVER_SERVICES_SCHEDULER_'))
            ? ' Future runs made before the restart stay until their time passes; `housekeeper schedules recreate` after the restart replaces them at once.'
            : ''
        }`,
      };
      if (!exists) notes.push(`Profile "${profile}" does not exist yet: it is created with only these settings.`);
    }
    if (req.conn.readOnly) notes.push('This connection is read-only: the plan can be reviewed but not applied.');
    const confirmation = sessionConfirmation(c.steps, picked.length);
    const plan: SessionPlan = {
      sessionId: crypto.randomUUID(),
      connectionId: req.conn.id,
      connectionName: req.conn.name,
      createdAt: new Date().toISOString(),
      diagnosisId: d.id,
      findings: picked.map((f) => ({ id: f.id, title: f.title, severity: f.severity })),
      steps: c.steps,
      settings,
      keepNewest,
      targets: { pauseResume: c.deployments.pauseResume, purge: c.deployments.purge, recreate: c.deployments.recreate, vacuumTables: c.vacuum.tables, freeze: c.vacuum.freeze, retentionDays: c.retentionDays },
      serverProcesses: d.processes.basis === 'stated' ? d.processes.count : null,
      confirmCount: confirmation.count,
      confirmUnit: confirmation.unit,
      manual: [...c.manual, ...d.findings.filter((f) => !picked.includes(f)).flatMap((f) => f.actions.filter((a) => a.kind === 'manual').map((a) => ({ finding: f.id, title: a.title, text: a.text, command: a.command })))].filter(
        (m, i, a) => a.findIndex((x) => x.finding === m.finding && x.title === m.title) === i,
      ),
      notes,
      readOnly: req.conn.readOnly,
    };
    this.repo.saveSession(plan, d);
    this.deps.store.audit.record({
      connectionId: req.conn.id,
      connectionName: req.conn.name,
      action: 'diagnose.plan',
      outcome: 'planned',
      summary: `Planned a session for ${plan.findings.length} findings: ${plan.steps.map((s) => `${s.kind} ${s.count} ${s.unit}`).join(', ')}`,
      details: { sessionId: plan.sessionId, diagnosisId: d.id, findings: plan.findings.map((f) => f.id) },
    });
    return plan;
  }

  session(id: string): Session {
    const s = this.repo.session(id);
    if (!s) throw new AppError('NOT_FOUND', 'No such diagnose session.', { hint: 'List them with `housekeeper diagnose sessions`.' });
    // A session whose job is gone (the app was killed mid-session) is interrupted.
    if (s.status === 'running' && s.jobId && !this.deps.jobs.list().some((j) => j.jobId === s.jobId) && !this.deps.jobs.runningElsewhere(s.jobId)) return { ...s, status: 'interrupted' };
    return s;
  }

  connectionOf(sessionId: string): string {
    const r = this.repo.sessionRow(sessionId);
    if (!r) throw new AppError('NOT_FOUND', 'No such diagnose session.');
    if (!r.connectionId) throw new AppError('VALIDATION', 'This session was planned for an ad hoc connection; use the CLI that planned it.');
    return r.connectionId;
  }

  /** Checks, then starts the session as a job; the job's result is the SessionOutcome. */
  apply(req: { conn: ResolvedConnection; sessionId: string; confirmCount: number }): { jobId: string; finished: Promise<JobFinished> } {
    const s = this.session(req.sessionId);
    const plan = s.plan;
    const refuse = (message: string, hint: string, code: 'FORBIDDEN' | 'CONFLICT' = 'FORBIDDEN') => {
      this.deps.store.audit.record({ connectionId: req.conn.id, connectionName: req.conn.name, action: 'diagnose.session', outcome: 'refused', summary: message, details: { sessionId: req.sessionId } });
      return new AppError(code, message, { hint });
    };
    if (plan.connectionId !== req.conn.id) throw refuse('This session was planned for another connection.', 'Plan it on this connection.', 'CONFLICT');
    if (req.conn.readOnly) throw refuse(`"${req.conn.name}" is a read-only connection: nothing was changed.`, 'Turn off read-only in the connection settings if you mean to fix the server.');
    if (req.confirmCount !== plan.confirmCount) throw refuse(`Confirmation mismatch: ${req.confirmCount} was confirmed, but the session is confirmed by the ${confirmationText(plan)}. Nothing was changed.`, `Type ${plan.confirmCount} to confirm.`);
    if (s.status !== 'planned') throw refuse(`This session was already ${s.status}.`, 'Plan a new one.', 'CONFLICT');
    if (Date.now() - Date.parse(plan.createdAt) > DIAGNOSIS_MAX_AGE_MS) throw refuse('This plan is more than an hour old and has gone stale.', 'Diagnose and plan again.', 'CONFLICT');
    const started = this.deps.jobs.start({
      kind: 'diagnose.session',
      connectionId: req.conn.id,
      payload: { sessionId: plan.sessionId, findings: plan.findings.map((f) => f.id) },
      run: (ctx) => this.run(req.conn, s, ctx),
    });
    this.repo.setSessionStatus(plan.sessionId, 'running', { jobId: started.jobId });
    return started;
  }

  private async run(conn: ResolvedConnection, s: Session, ctx: StepState['ctx']): Promise<SessionOutcome> {
    const t0 = Date.now();
    const plan = s.plan;
    const st: StepState = { conn, plan, ctx, pausedByUs: [], pausedAt: null, settingsWritten: null };
    const outcomes: StepOutcome[] = [];
    let stopped: 'failed' | 'cancelled' | null = null;
    for (const [i, step] of plan.steps.entries()) {
      const ts = Date.now();
      ctx.report({ phase: `${step.title.toLowerCase()} (${i + 1} of ${plan.steps.length})`, done: i, total: plan.steps.length + 1, message: step.detail });
      // After a failure or a cancel only `resume` still runs: the deployments this session paused go back.
      if (stopped && step.kind !== 'resume') {
        outcomes.push({ kind: step.kind, status: 'not-run', jobId: null, message: `Not run: an earlier step ${stopped === 'cancelled' ? 'was cancelled' : 'failed'}.`, durationMs: 0 });
        continue;
      }
      try {
        if (ctx.signal.aborted && step.kind !== 'resume') throw new AppError('CANCELLED', 'Cancelled by the user.');
        const r = await EXECUTORS[step.kind](this.deps, st);
        outcomes.push({ kind: step.kind, ...r, durationMs: Date.now() - ts });
      } catch (e) {
        const err = stepError(e);
        log.warn(`session ${plan.sessionId} step ${step.kind} ${err.status}: ${err.message}`);
        outcomes.push({ kind: step.kind, status: err.status, jobId: null, message: err.message, durationMs: Date.now() - ts });
        stopped ??= err.status;
      }
    }
    ctx.report({ phase: 'diagnosing again', done: plan.steps.length, total: plan.steps.length + 1, message: null });
    let after: Diagnosis | null = null;
    try {
      after = await this.diagnose({ conn, ...(plan.serverProcesses !== null ? { serverProcesses: plan.serverProcesses } : {}) });
    } catch (e) {
      log.warn(`session ${plan.sessionId}: the diagnosis after failed: ${toAppError(e).message}`);
    }
    const outcome = this.outcome(s, outcomes, after, st, Date.now() - t0);
    const status: Session['status'] = outcome.status;
    // The tray shows the last report: a finished session is all of its steps and the diagnosis after.
    ctx.report({ phase: 'done', done: plan.steps.length + 1, total: plan.steps.length + 1, message: null });
    this.repo.setSessionStatus(plan.sessionId, status, { outcome, ...(after ? { after } : {}) });
    this.deps.store.audit.record({
      connectionId: conn.id,
      connectionName: conn.name,
      action: 'diagnose.session',
      outcome: status === 'done' ? 'succeeded' : status === 'cancelled' ? 'cancelled' : 'failed',
      summary: outcome.message,
      details: { sessionId: plan.sessionId, steps: outcomes.map((o) => `${o.kind}: ${o.status}`), resolved: outcome.resolved, remaining: outcome.remaining },
      durationMs: outcome.durationMs,
    });
    if (stopped === 'cancelled') throw new AppError('CANCELLED', outcome.message, { details: { outcome } });
    return outcome;
  }

  private outcome(s: Session, steps: StepOutcome[], after: Diagnosis | null, st: StepState, durationMs: number): SessionOutcome {
    const before = s.before;
    const wroteScheduler = !!s.plan.settings?.set.some((x) => x.name.startsWith('PREFECT_SERVER_SERVICES_SCHEDULER_'));
    const comparison: ComparisonRow[] = before.metrics.map((m) => {
      const a = after?.metrics.find((x) => x.key === m.key)?.value ?? null;
      const restart = wroteScheduler && before.whatIf ? (m.key === 'predictedHeld' ? before.whatIf.held : m.key === 'predictedInsertsPerLoop' ? before.whatIf.insertsPerLoop : null) : null;
      return { key: m.key, label: m.label, unit: m.unit, before: m.value, after: a, afterRestart: restart };
    });
    const beforeIds = new Set<FindingId>(before.findings.map((f) => f.id));
    const afterIds = new Set<FindingId>((after?.findings ?? []).map((f) => f.id));
    const picked = s.plan.findings.map((f) => f.id);
    const resolved = after ? picked.filter((id) => !afterIds.has(id)) : [];
    const remaining = after ? picked.filter((id) => afterIds.has(id)) : picked;
    const appeared = after ? [...afterIds].filter((id) => !beforeIds.has(id)) : [];
    const failed = steps.filter((x) => x.status === 'failed');
    const cancelled = steps.some((x) => x.status === 'cancelled');
    const status: SessionOutcome['status'] = cancelled ? 'cancelled' : failed.length ? (steps.some((x) => x.status === 'done') ? 'partial' : 'failed') : 'done';
    const w = st.settingsWritten;
    const restart = w ? (s.plan.settings?.restartNote.replace(s.plan.settings.path, w.path) ?? null) : null;
    const head =
      status === 'done'
        ? `Session done: ${resolved.length} of ${picked.length} findings resolved${remaining.length ? `, ${remaining.length} still shown${w ? ' (the settings apply after the restart)' : ''}` : ''}.`
        : status === 'cancelled'
          ? 'Session cancelled; what ran is listed per step.'
          : `Session ${status}: ${failed.map((f) => `${f.kind} failed (${f.message})`).join('; ')}.`;
    const stillPaused = st.pausedByUs.length ? ` ${st.pausedByUs.length} deployments this session paused could not be resumed: restore the pause change from the Schedules screen.` : '';
    return {
      status,
      steps,
      comparison,
      resolved,
      remaining,
      appeared,
      settingsWritten: w,
      restart,
      message: `${head}${stillPaused}${after ? '' : ' The diagnosis after the session could not be made.'}`,
      durationMs,
    };
  }
}
