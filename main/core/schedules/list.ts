/**
 * `schedules.list`: every deployment's schedules, the next runs computed here from the stored
 * schedule beside the runs the server actually holds, the load (runs per hour) and the flags.
 * Read-only: a handful of API calls per deployment (counts), plus one paged read of future runs.
 */
import type { DeploymentRow, ScheduleList, ScheduleRow, SettingsSource } from '../../../shared/domain/schedules';
import { anchorText, describe } from '../../../shared/schedules/describe';
import { formatInstant, parseInstant } from '../../../shared/schedules/instant';
import { runsPerHour } from '../../../shared/schedules/load';
import { datesBetween, kindOf, nextDates, toSchedule, type Schedule } from '../../../shared/schedules/occurrences';
import { onLattice } from './attribution';
import { keptDates } from '../../../shared/schedules/scheduler';
import type { SchedulerSettings } from '../../../shared/schedules/settings';
import type { ResolvedConnection } from '../connections/types';
import { degradationsFor } from '../targets/capabilities';
import { PrefectApi } from '../targets/prefect-api';
import { SchedulesApi, type ApiRun, type DeploymentInfo } from './api';
import { deploymentFlags, scheduleFlags } from './flags';
import { selectDeployments } from './select';
import { resolveSettings, type ProfileLookup } from './settings';

/** Deployments, the server's clock and the future runs, when the caller already read them (Diagnose reads them once for the list and the simulation). */
export interface ScheduleData {
  deployments: DeploymentInfo[];
  now: number;
  future: ApiRun[];
  /** Past-due and left-behind runs per deployment, and runs of deleted deployments (counted in one query when the database is there). */
  backlog?: Map<string, { pastDue: number; leftBehind: number }>;
  orphaned?: number;
}

export interface ListRequest {
  conn: ResolvedConnection;
  data?: ScheduleData;
  deployments?: readonly string[];
  settings?: SettingsSource;
  profiles?: ProfileLookup | null;
  signal?: AbortSignal;
  nextCount?: number;
}

export { onLattice };

/** How many of the sorted times are not occurrences of the schedule (one walk, then singles). */
export function countOffLattice(s: Schedule, sorted: number[]): number {
  if (sorted.length === 0) return 0;
  const expected = datesBetween(s, sorted[0]! - 0.5, sorted[sorted.length - 1]! + 0.5, sorted.length + 1000);
  const last = expected.length ? expected[expected.length - 1]! : -Infinity;
  const keys = new Set(expected.map((d) => Math.round(d * 1000)));
  return sorted.filter((t) => (t <= last ? !keys.has(Math.round(t * 1000)) : !onLattice(s, t))).length;
}

export function scheduleRow(stored: DeploymentInfo['schedules'][number], now: number, settings: SchedulerSettings, held: ApiRun[], nextCount = 5, injectsDtstart = true): ScheduleRow {
  const body = stored.schedule;
  const kind = kindOf(body);
  const tz = typeof body.timezone === 'string' ? body.timezone : null;
  const times = held.map((r) => parseInstant(r.next_scheduled_start_time ?? '')).filter((t) => !Number.isNaN(t)).sort((a, b) => a - b);
  const base = {
    id: stored.id,
    kind,
    timezone: tz,
    active: stored.active,
    slug: stored.slug,
    parameters: stored.parameters,
    stored,
  };
  let s: Schedule;
  try {
    s = toSchedule(body);
  } catch (e) {
    return {
      ...base,
      description: kind ? `${kind} (unreadable)` : 'unknown schedule',
      anchor: null,
      nextRuns: [],
      held: { future: times.length, next: times.slice(0, nextCount).map((t) => formatInstant(t, tz ?? 'UTC')), offLattice: 0, last: times.length ? formatInstant(times[times.length - 1]!, tz ?? 'UTC') : null },
      runsPerHour: null,
      kept: null,
      keptHorizonSeconds: null,
      flags: [{ code: 'unpredictable', severity: 'warn', message: `Housekeeper cannot predict it: ${(e as Error).message}` }],
    };
  }
  const zone = s.timezone ?? 'UTC';
  try {
    const next = nextDates(s, now, nextCount);
    const kept = keptDates(s, now, settings).dates;
    const offLattice = countOffLattice(s, times);
    return {
      ...base,
      description: describe(s),
      anchor: anchorText(s),
      nextRuns: next.map((t) => formatInstant(t, zone)),
      held: { future: times.length, next: times.slice(0, nextCount).map((t) => formatInstant(t, zone)), offLattice, last: times.length ? formatInstant(times[times.length - 1]!, zone) : null },
      runsPerHour: runsPerHour(s, now),
      kept: kept.length,
      keptHorizonSeconds: kept.length ? (kept[kept.length - 1]! - now) / 1000 : null,
      flags: scheduleFlags(s, body, { now, active: stored.active, kept: kept.length, heldFuture: times.length, offLattice, settings, injectsDtstart }),
    };
  } catch (e) {
    return {
      ...base,
      description: describe(s),
      anchor: anchorText(s),
      nextRuns: [],
      held: { future: times.length, next: times.slice(0, nextCount).map((t) => formatInstant(t, zone)), offLattice: 0, last: null },
      runsPerHour: null,
      kept: null,
      keptHorizonSeconds: null,
      flags: [{ code: 'unpredictable', severity: 'warn', message: `Housekeeper cannot predict it: ${(e as Error).message}` }],
    };
  }
}

export async function listSchedules(req: ListRequest): Promise<ScheduleList> {
  const prefect = new PrefectApi(req.conn);
  const api = new SchedulesApi(prefect);
  const version = await prefect.assertSupportedVersion(req.signal ? { signal: req.signal } : {});
  const caps = await api.capabilities(req.signal);
  const [all, settingsView, now] = await Promise.all([
    req.data?.deployments ?? api.deployments(req.signal),
    resolveSettings(prefect, req.settings ?? { kind: 'live' }, req.profiles ?? null, req.signal),
    req.data?.now ?? api.serverNow(req.signal),
  ]);
  const chosen = selectDeployments(all, req.deployments ?? []);
  const ids = new Set(chosen.map((d) => d.id));
  const [future, backlog, orphaned] = await Promise.all([
    req.data ? req.data.future.filter((r) => r.deployment_id !== null && ids.has(r.deployment_id)) : api.futureRuns(chosen.map((d) => d.id), now, req.signal),
    req.data?.backlog ?? api.backlog(chosen, now, req.signal),
    req.data?.orphaned ?? api.orphaned(all.map((d) => d.id), req.signal),
  ]);
  const bySchedule = await api.bySchedule(future, chosen, req.signal);
  const byDeployment = new Map<string, number>();
  for (const r of future) if (r.deployment_id) byDeployment.set(r.deployment_id, (byDeployment.get(r.deployment_id) ?? 0) + 1);
  const settings = settingsView.settings;
  const deployments: DeploymentRow[] = chosen.map((d) => {
    // Active schedules first: they are what the scheduler works on.
    const schedules = d.schedules
      .map((s) => scheduleRow(s, now, settings, bySchedule.get(s.id) ?? [], 5, caps.schedules.injectsDtstart))
      .sort((a, b) => Number(b.active) - Number(a.active) || (a.slug ?? '').localeCompare(b.slug ?? ''));
    const b = backlog.get(d.id) ?? { pastDue: 0, leftBehind: 0 };
    const load = d.paused ? 0 : schedules.filter((s) => s.active).reduce((n, s) => n + (s.runsPerHour ?? 0), 0);
    return {
      id: d.id,
      name: d.name,
      flowName: d.flowName,
      fullName: d.fullName,
      paused: d.paused,
      updated: d.updated,
      schedules,
      pastDue: b.pastDue,
      future: byDeployment.get(d.id) ?? 0,
      leftBehind: b.leftBehind,
      runsPerHour: load,
      flags: deploymentFlags({ paused: d.paused, schedules: d.schedules.length, pastDue: b.pastDue, leftBehind: b.leftBehind }),
    };
  });
  const scheduleCount = deployments.reduce((n, d) => n + d.schedules.length, 0);
  // Simulation and changes report their own (scheduler selection, what updates delete).
  const degraded = degradationsFor(caps, 'schedules').filter((d) => ['schedules.run-attribution', 'schedules.created-by-filter', 'schedules.slug-parameters', 'schedules.scheduler-loop'].includes(d.feature));
  const notes: string[] = [...settingsView.notes, ...degraded.map((d) => d.reason)];
  const flags: ScheduleList['flags'] = [];
  if (orphaned > 0) {
    flags.push({ code: 'orphaned-runs', severity: 'warn', message: `${orphaned} scheduled runs belong to deployments that no longer exist (PrefectHQ/prefect#15697); Purge can remove them.` });
  }
  return {
    connectionId: req.conn.id,
    connectionName: req.conn.name,
    serverVersion: version.version,
    serverNow: new Date(now).toISOString(),
    settings: settingsView,
    deployments,
    totals: {
      deployments: deployments.length,
      schedules: scheduleCount,
      activeSchedules: deployments.reduce((n, d) => n + (d.paused ? 0 : d.schedules.filter((s) => s.active).length), 0),
      runsPerHour: deployments.reduce((n, d) => n + d.runsPerHour, 0),
      heldFuture: deployments.reduce((n, d) => n + d.future, 0),
      pastDue: deployments.reduce((n, d) => n + d.pastDue, 0),
      leftBehind: deployments.reduce((n, d) => n + d.leftBehind, 0),
      orphaned,
    },
    flags,
    notes,
    degraded,
    readOnly: req.conn.readOnly,
  };
}
