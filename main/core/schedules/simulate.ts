/**
 * `schedules.simulate`: the scheduler's behaviour predicted from its settings and the schedules
 * (shared/schedules/simulate.ts), starting from the runs the server holds right now, for the
 * settings as they are and, with overrides, as they would be.
 */
import { AppError } from '../../../shared/errors';
import type { SettingsSource, SettingsView, SimResult, Simulation } from '../../../shared/domain/schedules';
import { describe } from '../../../shared/schedules/describe';
import { parseInstant } from '../../../shared/schedules/instant';
import { runsPerHour } from '../../../shared/schedules/load';
import { toSchedule, type Schedule } from '../../../shared/schedules/occurrences';
import { settingText, withOverrides, SETTING_FIELDS, type SchedulerSettingKey } from '../../../shared/schedules/settings';
import { passTimes, simulate, type SchedulerModel, type SimInputSchedule } from '../../../shared/schedules/simulate';
import type { ResolvedConnection } from '../connections/types';
import { degradationsFor, IGNORED_LOOP_SECONDS } from '../targets/capabilities';
import { PrefectApi } from '../targets/prefect-api';
import { SchedulesApi } from './api';
import type { ScheduleData } from './list';
import { selectDeployments } from './select';
import { resolveSettings, type ProfileLookup } from './settings';

export interface SimulateRequest {
  conn: ResolvedConnection;
  /** Already read by the caller (see list.ts ScheduleData). */
  data?: ScheduleData;
  deployments?: readonly string[];
  settings?: SettingsSource;
  overrides?: Record<string, number | boolean | string>;
  horizonHours?: number;
  profiles?: ProfileLookup | null;
  signal?: AbortSignal;
}

const KEYS = new Set(Object.keys(SETTING_FIELDS));
/** Also accept Prefect's field names (min_runs) and env names (PREFECT_SERVER_SERVICES_SCHEDULER_MIN_RUNS). */
export function settingKey(name: string): SchedulerSettingKey | null {
  if (KEYS.has(name)) return name as SchedulerSettingKey;
  const field = name.toLowerCase().replace(/^prefect_(server|api)_services_scheduler_/, '');
  const hit = Object.entries(SETTING_FIELDS).find(([, f]) => f === field);
  return hit ? (hit[0] as SchedulerSettingKey) : null;
}

export function readOverrides(base: SettingsView, raw: Record<string, number | boolean | string>): { view: SettingsView; applied: Record<string, number | boolean> } {
  const mapped: Partial<Record<SchedulerSettingKey, unknown>> = {};
  for (const [k, v] of Object.entries(raw)) {
    const key = settingKey(k);
    if (!key) throw new AppError('VALIDATION', `"${k}" is not a scheduler setting.`, { hint: `Settings: ${Object.values(SETTING_FIELDS).join(', ')}.` });
    mapped[key] = v;
  }
  const r = withOverrides(base.settings, mapped);
  if (r.issues.length) throw new AppError('VALIDATION', r.issues.map((i) => i.message).join('; '));
  const applied = Object.fromEntries(r.given.map((k) => [SETTING_FIELDS[k], r.settings[k]]));
  // Plain seconds are fine to type here, but Prefect refuses them in a profile or env file: say the form it takes.
  const notes = Object.entries(mapped)
    .filter(([k, v]) => (k === 'minScheduledTime' || k === 'maxScheduledTime') && /^\s*\d+(\.\d+)?\s*$/.test(String(v)))
    .map(([k]) => `${SETTING_FIELDS[k as SchedulerSettingKey]}: in a profile or env file write ${settingText(k, r.settings[k as SchedulerSettingKey] as number)}; Prefect refuses plain seconds there.`);
  return { view: { settings: r.settings, source: `${base.source} with ${r.given.map((k) => SETTING_FIELDS[k]).join(', ')} changed`, given: [...new Set([...base.given, ...r.given])], notes }, applied };
}

export async function simulateSchedules(req: SimulateRequest): Promise<Simulation> {
  const prefect = new PrefectApi(req.conn);
  const api = new SchedulesApi(prefect);
  await prefect.assertSupportedVersion(req.signal ? { signal: req.signal } : {});
  const caps = await api.capabilities(req.signal);
  // The scheduler of this server, as it selects and keys runs (shared/schedules/simulate.ts).
  const model: SchedulerModel = { perScheduleSelection: caps.schedules.perScheduleSelection, keyedBySchedule: caps.schedules.runsKeyedBySchedule };
  const [all, base, now] = await Promise.all([
    req.data?.deployments ?? api.deployments(req.signal),
    resolveSettings(prefect, req.settings ?? { kind: 'live' }, req.profiles ?? null, req.signal),
    req.data?.now ?? api.serverNow(req.signal),
  ]);
  const chosen = selectDeployments(all, req.deployments ?? []);
  const ids = new Set(chosen.map((d) => d.id));
  const future = req.data ? req.data.future.filter((r) => r.deployment_id !== null && ids.has(r.deployment_id)) : await api.futureRuns(chosen.map((d) => d.id), now, req.signal);
  const held = new Map<string, number[]>();
  for (const [sid, runs] of await api.bySchedule(future, chosen, req.signal)) {
    held.set(sid, runs.map((r) => parseInstant(r.next_scheduled_start_time ?? '')).filter((t) => !Number.isNaN(t)));
  }
  const labels = new Map<string, { deployment: string; label: string; schedule: Schedule | null; error: string | null }>();
  const input: SimInputSchedule[] = chosen.flatMap((d) =>
    d.schedules.map((s) => {
      let schedule: Schedule | null = null;
      let error: string | null = null;
      try {
        schedule = toSchedule(s.schedule);
      } catch (e) {
        error = (e as Error).message;
      }
      labels.set(s.id, { deployment: d.fullName, label: `${s.slug ?? (schedule ? describe(schedule) : 'schedule')}`, schedule, error });
      return { key: s.id, deploymentId: d.id, active: s.active, paused: d.paused, schedule, held: held.get(s.id) ?? [] };
    }),
  );
  const horizonMs = (req.horizonHours ?? 24) * 3_600_000;
  // Releases that ignore loop_seconds run the main loop every 60 s (capability-facts.ts): simulate that.
  const loopOf = (view: SettingsView) => (caps.schedules.loopSecondsHonoured ? view.settings.loopSeconds : IGNORED_LOOP_SECONDS);
  const run = (view: SettingsView): SimResult => {
    const out = simulate(input, { ...view.settings, loopSeconds: loopOf(view) }, passTimes(now, horizonMs, loopOf(view)), model);
    return {
      settings: view,
      schedules: out.schedules.map((s) => {
        const l = labels.get(s.key)!;
        const inp = input.find((x) => x.key === s.key)!;
        return {
          deploymentId: inp.deploymentId,
          deployment: l.deployment,
          scheduleId: s.key,
          label: l.label,
          active: inp.active,
          paused: inp.paused,
          kept: s.kept,
          limitedBy: s.limitedBy,
          horizonSeconds: s.horizonMs === null ? null : s.horizonMs / 1000,
          heldMin: s.heldMin,
          heldMax: s.heldMax,
          insertsPerLoopAvg: s.insertsPerLoopAvg,
          insertsPerLoopMax: s.insertsPerLoopMax,
          selectedShare: s.selectedShare,
          runsPerHour: l.schedule && inp.active && !inp.paused ? safeRate(l.schedule, now) : 0,
          error: s.error ?? l.error,
        };
      }),
      totals: out.totals,
    };
  };
  const baseline = run(base);
  const overrides = req.overrides ?? {};
  let modified: SimResult | null = null;
  let applied: Record<string, number | boolean> = {};
  let overrideNotes: string[] = [];
  if (Object.keys(overrides).length) {
    const o = readOverrides(base, overrides);
    applied = o.applied;
    modified = run(o.view);
    overrideNotes = o.view.notes;
  }
  const degraded = degradationsFor(caps, 'schedules').filter((d) => ['schedules.run-attribution', 'schedules.scheduler-selection', 'schedules.scheduler-loop'].includes(d.feature));
  const notes = [
    ...base.notes,
    ...overrideNotes,
    'The prediction starts from the runs the server holds now and steps the scheduler loop by loop; the recent-deployments loop (which only reacts to deployments updated seconds ago) is left out.',
    ...degraded.map((d) => d.reason),
  ];
  return {
    connectionId: req.conn.id,
    connectionName: req.conn.name,
    from: new Date(now).toISOString(),
    horizonSeconds: horizonMs / 1000,
    baseline,
    modified,
    overrides: applied,
    notes,
    degraded,
  };
}

function safeRate(s: Schedule, now: number): number {
  try {
    return runsPerHour(s, now);
  } catch {
    return 0;
  }
}
