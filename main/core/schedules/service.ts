/**
 * The Schedules feature, one object per app context: list, simulate, plan, apply, changes. Each
 * operation lives in its own file; this wires them to the store, the job runner, Purge and (when
 * available) the Profiles feature's saved values.
 */
import { ChangePlanSchema, type ChangeRecord } from '../../../shared/domain/schedules';
import { AppError } from '../../../shared/errors';
import type { Store } from '../../store';
import type { ScheduleChangeRow } from '../../store/repos/schedules';
import type { ResolvedConnection } from '../connections/types';
import type { JobRunner } from '../jobs/runner';
import type { PurgeService } from '../purge/service';
import { ScheduleApplier, type ApplyOptions } from './apply';
import { listSchedules, type ListRequest } from './list';
import { SchedulePlanner, type PlanRequest } from './plan';
import { resolveSettings, type ProfileLookup } from './settings';
import type { SettingsSource } from '../../../shared/domain/schedules';
import { PrefectApi } from '../targets/prefect-api';
import { simulateSchedules, type SimulateRequest } from './simulate';

export class SchedulesService {
  readonly planner: SchedulePlanner;
  readonly applier: ScheduleApplier;

  constructor(
    private readonly store: Store,
    jobs: JobRunner,
    purge: PurgeService,
    private readonly profiles: ProfileLookup | null = null,
  ) {
    this.planner = new SchedulePlanner(store, purge);
    this.applier = new ScheduleApplier(store, jobs, purge);
  }

  list(req: Omit<ListRequest, 'profiles'>) {
    return listSchedules({ ...req, profiles: this.profiles });
  }

  /** The settings a prediction starts from, without predicting (the Simulate form starts from them). */
  settings(req: { conn: ResolvedConnection; settings: SettingsSource; signal?: AbortSignal }) {
    return resolveSettings(new PrefectApi(req.conn), req.settings, this.profiles, req.signal);
  }

  simulate(req: Omit<SimulateRequest, 'profiles'>) {
    return simulateSchedules({ ...req, profiles: this.profiles });
  }

  plan(req: PlanRequest) {
    return this.planner.plan(req);
  }

  apply(req: { conn: ResolvedConnection; planId: string; confirmCount: number; options?: ApplyOptions }) {
    return this.applier.apply(req);
  }

  connectionOf(planId: string): string {
    const row = this.store.schedules.get(planId);
    if (!row) throw new AppError('NOT_FOUND', 'That schedule plan does not exist.', { hint: 'Make a new plan.' });
    if (!row.connection_id) throw new AppError('VALIDATION', 'This plan was made for an ad hoc connection; use the CLI that made it.');
    return row.connection_id;
  }

  record(row: ScheduleChangeRow): ChangeRecord {
    // An apply whose job was interrupted (the app was killed mid-apply) left its journal: its
    // originals are what to restore.
    const job = row.status === 'running' && row.job_id ? this.store.jobs.get(row.job_id) : undefined;
    if (job && job.status === 'interrupted') row = { ...row, status: 'needs-restore' };
    const plan = JSON.parse(row.plan) as { totals: { deployments: number; schedules: number }; kind: string; anchor: string | null };
    const outcome = row.outcome ? (JSON.parse(row.outcome) as ChangeRecord['outcome']) : null;
    const summary = outcome?.message || `${row.kind} of ${plan.totals.deployments} deployments${plan.anchor ? ` from ${plan.anchor}` : ''}`;
    return {
      planId: row.id,
      kind: row.kind,
      connectionId: row.connection_id,
      createdAt: row.created_at,
      status: row.status,
      deployments: plan.totals.deployments,
      schedules: plan.totals.schedules,
      summary,
      // Originals are worth restoring once something may have changed on the server.
      restorable: row.status !== 'planned' && row.status !== 'rolled-back',
      jobId: row.job_id,
      outcome,
    };
  }

  changes(connectionId: string | null, limit = 50): ChangeRecord[] {
    return this.store.schedules.list(connectionId, limit).map((r) => this.record(r));
  }

  status(planId: string) {
    const row = this.store.schedules.get(planId);
    if (!row) throw new AppError('NOT_FOUND', 'That schedule plan does not exist.', { hint: 'Make a new plan.' });
    // Parsed, so plans saved before a field existed get its default (e.g. leftOut).
    return { ...this.record(row), plan: ChangePlanSchema.parse(JSON.parse(row.plan)) };
  }
}
