/**
 * Reads everything the checks need, once, mostly in parallel, reusing what Housekeeper already
 * computes: the inspection (InspectService.run: space, bloat, vacuum state, run health, orphans), the
 * schedules list and the scheduler simulator (SchedulesService), GET /api/admin/settings, plus the few
 * reads only Diagnose needs (probe-*.ts). A part that fails becomes a reason in `missing` and the
 * checks that need it say "unavailable"; the diagnosis itself does not fail.
 */
import type { Evidence, EvidencePart, LogSample, PgProbe, Processes, ServerSettingsView } from '../../../shared/domain/diagnose';
import { KNOWN_FIXES, readServerSettings, recommendedScheduler } from '../../../shared/domain/diagnose';
import type { InspectReport } from '../../../shared/domain/inspect';
import type { ScheduleList, Simulation } from '../../../shared/domain/schedules';
import { SETTING_FIELDS, fromAdminSettings, type SchedulerSettings } from '../../../shared/schedules/settings';
import { AppError, toAppError } from '../../../shared/errors';
import type { ResolvedConnection } from '../connections/types';
import type { InspectService } from '../inspect/service';
import { SchedulesApi } from '../schedules/api';
import type { ScheduleData } from '../schedules/list';
import type { SchedulesService } from '../schedules/service';
import { PostgresTarget } from '../targets/postgres';
import { apiCapabilities } from '../targets/capabilities';
import { PrefectApi } from '../targets/prefect-api';
import { versionAtLeast } from '../targets/prefect-version';
import { probeApi } from './probe-api';
import { backlogPg, futureRunsPg, probePg, sampleLogsPg } from './probe-pg';
import { sampleLogsSqlite } from './probe-sqlite';

export interface GatherRequest {
  conn: ResolvedConnection;
  inspect: InspectService;
  schedules: SchedulesService;
  /** The number of server processes (API replicas + background-service processes), when the user knows it. */
  serverProcesses?: number;
  signal?: AbortSignal;
}

export interface Gathered {
  evidence: Evidence;
  inspectionId: string | null;
  timings: Record<string, number>;
  notes: string[];
}

/** Hours the simulator looks ahead: long enough for a steady state, short enough to stay fast. */
const SIM_HOURS = 6;

function why(e: unknown): string {
  const ae = toAppError(e);
  return ae.message.replace(/\.$/, '');
}

export async function gather(req: GatherRequest): Promise<Gathered> {
  const { conn, signal } = req;
  const o = signal ? { signal } : {};
  const timings: Record<string, number> = {};
  const missing: Partial<Record<EvidencePart, string>> = {};
  const notes: string[] = [];
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timings[name] = Math.round(performance.now() - t0);
    }
  };
  const soft = async <T>(part: EvidencePart, name: string, fn: () => Promise<T>): Promise<T | null> => {
    try {
      return await timed(name, fn);
    } catch (e) {
      if (e instanceof AppError && e.code === 'CANCELLED') throw e;
      missing[part] = `${name} could not be read: ${why(e)}.`;
      return null;
    }
  };

  const api = new PrefectApi(conn);
  const versionP = api.serverVersion(o).then((v) => v.version, () => null);
  // One capability probe serves the backlog query and the pause rule (not the version number).
  const capsP = apiCapabilities(api, signal);
  const pauseDeletesP = capsP.then((c) => !c.schedules.updatesKeepPastDue, () => null);
  const settingsJsonP = soft('settings', 'GET /api/admin/settings', () => api.adminSettings(o) as Promise<unknown>);
  const reportP = soft('inspection', 'inspection', () => req.inspect.run({ conn, ...o }));
  // Deployments and future runs are read once, for the list and the simulation both; with the
  // database, the future runs in one indexed query instead of API pages of 200.
  const dataP = soft('schedules', 'deployments and future runs', async (): Promise<ScheduleData> => {
    const sapi = new SchedulesApi(api);
    const [deployments, now, caps] = await Promise.all([sapi.deployments(signal), sapi.serverNow(signal), capsP]);
    const ids = deployments.map((d) => d.id);
    if (conn.db.kind !== 'postgres') return { deployments, now, future: await sapi.futureRuns(ids, now, signal) };
    const target = new PostgresTarget(conn.db, { applicationName: 'housekeeper-diagnose', maxConnections: 1 });
    try {
      return await target.readOnly(
        async (q) => {
          const [future, b] = [await futureRunsPg(q, ids, now), await backlogPg(q, now, caps.filters.flowRunCreatedBy)];
          // Deployments without scheduled runs are not in the pass: nothing past due, nothing left behind.
          for (const d of deployments) if (!b.backlog.has(d.id)) b.backlog.set(d.id, { pastDue: 0, leftBehind: 0 });
          return { deployments, now, future, backlog: b.backlog, orphaned: b.orphaned };
        },
        { ...o, statementTimeoutMs: 15_000 },
      );
    } finally {
      await target.close();
    }
  });
  const listP = dataP.then((data) => (data ? soft('schedules', 'schedules', () => req.schedules.list({ conn, settings: { kind: 'live' }, data, ...o })) : null));
  const pgP: Promise<PgProbe | null> =
    conn.db.kind === 'postgres'
      ? reportP.then((report) => {
          const db = conn.db as Extract<ResolvedConnection['db'], { kind: 'postgres' }>;
          const gone = (report?.runs?.orphans.deploymentGone?.count ?? 0) > 0;
          const tables = new Set((report?.space?.tables ?? []).map((t) => t.name));
          return soft('pg', 'database probe', async () => {
            const target = new PostgresTarget(db, { applicationName: 'housekeeper-diagnose', maxConnections: 2 });
            try {
              return await target.readOnly((q) => probePg(q, { tables, lookForGone: gone }), { ...o, statementTimeoutMs: 10_000 });
            } finally {
              await target.close();
            }
          });
        })
      : Promise.resolve(null);
  const logsP: Promise<LogSample | null> =
    conn.db.kind === 'postgres'
      ? soft('logs', 'log sample', async () => {
          const db = conn.db as Extract<ResolvedConnection['db'], { kind: 'postgres' }>;
          const target = new PostgresTarget(db, { applicationName: 'housekeeper-diagnose', maxConnections: 1 });
          try {
            return await target.readOnly((q) => sampleLogsPg(q), { ...o, statementTimeoutMs: 10_000 });
          } finally {
            await target.close();
          }
        })
      : conn.db.kind === 'sqlite'
        ? soft('logs', 'log sample', async () => sampleLogsSqlite((conn.db as { path: string }).path))
        : Promise.resolve(null);

  const settingsJson = await settingsJsonP;
  const settings: ServerSettingsView | null = settingsJson ? readServerSettings(settingsJson) : null;
  const apiP = soft('api', 'work queues', () => probeApi(api, { defaultLimit: settings?.defaultLimit ?? null, ...o }));

  const scheduler: SchedulerSettings | null = settingsJson ? fromAdminSettings(settingsJson).settings : null;
  const recommended = scheduler ? recommendedScheduler(scheduler) : {};
  // The simulation reads the same deployments and runs as the list; side by side they cost one wait.
  const overrides = Object.fromEntries(Object.entries(recommended).map(([k, v]) => [SETTING_FIELDS[k as keyof SchedulerSettings], v as number]));
  const simP = dataP.then((data) => (data ? soft('simulation', 'scheduler simulation', () => req.schedules.simulate({ conn, settings: { kind: 'live' }, overrides, horizonHours: SIM_HOURS, data, ...o })) : null));
  const list: ScheduleList | null = await listP;
  let sim: Simulation | null = await simP;
  if (!list) missing.simulation ??= missing.schedules;
  if (list && list.totals.activeSchedules === 0) sim = null;
  const [report, pg, logs, apiProbe, version, pauseDeletesBacklog] = await Promise.all([reportP, pgP, logsP, apiP, versionP, pauseDeletesP]);
  if (report) {
    const failed = (id: string) => report.sections.find((s) => s.id === id && (s.status === 'failed' || s.status === 'unavailable'));
    const space = failed('space');
    if (space) missing.space = `Space: ${space.message ?? space.status}`;
    const runs = failed('runs');
    if (runs) missing.runs = `Run health: ${runs.message ?? runs.status}`;
  } else {
    missing.space = missing.inspection;
    missing.runs = missing.inspection;
  }
  if (conn.db.kind === 'none') missing.space ??= 'Needs database access: the API does not report table sizes.';

  const olderThan: Record<string, boolean> = {};
  // VERSION-DEPENDENT: the only version comparison Diagnose makes (checks/version.ts KNOWN_FIXES).
  if (version) for (const f of KNOWN_FIXES) olderThan[f.fixedIn] = !versionAtLeast(version, f.fixedIn);

  const evidence: Evidence = {
    now: list ? Date.parse(list.serverNow) : Date.now(),
    version,
    olderThan,
    database: conn.db.kind,
    settings,
    scheduler: scheduler ?? list?.settings.settings ?? null,
    list,
    sim,
    recommended,
    report: report as InspectReport | null,
    pg,
    logs,
    api: apiProbe,
    processes: processesOf(req.serverProcesses, pg),
    pauseDeletesBacklog,
    missing,
  };
  return { evidence, inspectionId: report?.id ?? null, timings, notes };
}

/**
 * How many server processes share this database: what the user said, else what the sessions show
 * (sessions from several client addresses: replicas on different hosts or pods), else one. The
 * session count alone proves nothing: a Prefect 3.9 process keeps one engine, and so one pool, per
 * event loop (server/database/configurations.py ENGINES is keyed by loop), so one process can hold
 * more than POOL_SIZE + MAX_OVERFLOW connections.
 */
export function processesOf(stated: number | undefined, pg: PgProbe | null): Processes {
  if (stated !== undefined) return { count: stated, basis: 'stated', evidence: `${stated} given for this diagnosis` };
  const addrs = pg?.sessions.addresses ?? [];
  if (addrs.length > 1) return { count: addrs.length, basis: 'inferred', evidence: `Prefect database sessions from ${addrs.length} client addresses (${addrs.join(', ')})` };
  return { count: 1, basis: 'assumed', evidence: pg?.sessions.addresses ? `all Prefect database sessions come from ${addrs[0] ?? 'one address'}` : 'nothing seen suggests more than one' };
}
