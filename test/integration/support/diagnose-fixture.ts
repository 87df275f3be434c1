/**
 * Servers seeded into the conditions Diagnose must find, on the harness's real PostgreSQL and real
 * Prefect 3.9.1: each scenario is a Prefect server of its own on a fresh database restored from the
 * harness's migrated template, with deployments made through Prefect's API, runs made by Prefect's own
 * generator (POST /deployments/{id}/schedule, the scheduler's code path), Late runs marked by Prefect's
 * late_runs service, and only the damage a real server gets from outside Prefect (a deployment row
 * deleted by hand) written with SQL.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../harness/postgres';
import { prefectApi, type HarnessApi } from '../../harness/prefect-api';
import { ensurePrefectVenv } from '../../harness/venv';
import { startPrefectServer, type PrefectServer } from '../../harness/prefect-server';
import type { DeploymentSpec, SeededDeployment } from '../../harness/seed-api';
import type { HarnessInfo } from '../../harness/types';
import type { ResolvedConnection } from '../../../main/core/connections/types';
import { readServerSettings, type ServerSettingsView } from '../../../shared/domain/diagnose';
import { createDeployments, runsOf, scheduleRuns, sql } from './schedules-fixture';
import { createDatabase } from './scheduler-server';

export interface DiagServer {
  server: PrefectServer;
  database: string;
  api: HarnessApi;
  conn(opts?: { readOnly?: boolean; id?: string | null; name?: string }): ResolvedConnection;
  stop(): Promise<void>;
}

/** A Prefect server on its own database; `env` is its extra environment (settings under test). */
export async function startDiagServer(h: HarnessInfo, name: string, env: Record<string, string> = {}, services: Parameters<typeof startPrefectServer>[0]['services'] = {}): Promise<DiagServer> {
  const database = await createDatabase(h, `hk_diag_${name.replace(/[^a-z0-9]/g, '_')}`);
  const url = `postgresql://${h.pg.owner.user}:${encodeURIComponent(h.pg.owner.password)}@${h.pg.host}:${h.pg.port}/${database}`;
  const server = await startPrefectServer({ name: `diag-${name}`, db: { kind: 'postgres', url, database }, services, parentDir: h.tmpDir, extraEnv: env });
  const api = prefectApi(server.info.apiUrl);
  return {
    server,
    database,
    api,
    conn: (o = {}) => ({
      id: o.id ?? null,
      name: o.name ?? `it-diag-${name}`,
      apiUrl: server.info.apiUrl,
      apiAuth: { kind: 'none' },
      db: { kind: 'postgres', host: h.pg.host, port: h.pg.port, database, user: h.pg.owner.user, password: h.pg.owner.password, sslmode: 'disable' },
      readOnly: o.readOnly ?? false,
    }),
    async stop() {
      await server.stop();
      await sql(h, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`, [], 'postgres').catch(() => undefined);
    },
  };
}

/**
 * The server's settings as Diagnose reads them (GET /admin/settings): what a line has (db_vacuum from
 * 3.6.19, Docket from 3.6, lease storage from 3.4) is taken from the server itself, not its number.
 */
export async function serverSettingsOf(apiUrl: string): Promise<ServerSettingsView> {
  const res = await fetch(`${apiUrl}/admin/settings`);
  if (!res.ok) throw new Error(`GET /admin/settings: ${res.status}`);
  return readServerSettings(await res.json());
}

/** Starts another Prefect server on the same database with other settings (the owner's restart). */
export async function restartWithEnv(h: HarnessInfo, s: DiagServer, env: Record<string, string>, services: Parameters<typeof startPrefectServer>[0]['services'] = {}): Promise<DiagServer> {
  await s.server.kill();
  const url = `postgresql://${h.pg.owner.user}:${encodeURIComponent(h.pg.owner.password)}@${h.pg.host}:${h.pg.port}/${s.database}`;
  const server = await startPrefectServer({ name: 'diag-restarted', db: { kind: 'postgres', url, database: s.database }, services, parentDir: h.tmpDir, extraEnv: env });
  const api = prefectApi(server.info.apiUrl);
  return {
    ...s,
    server,
    api,
    conn: (o = {}) => ({ ...s.conn(o), apiUrl: server.info.apiUrl }),
    async stop() {
      await server.stop();
      await s.server.stop().catch(() => undefined);
      await sql(h, `DROP DATABASE IF EXISTS ${s.database} WITH (FORCE)`, [], 'postgres').catch(() => undefined);
    },
  };
}

/** KEY=VALUE lines of an .env export (single-quoted values as Housekeeper writes them). */
export function readEnvFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!.replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
  }
  return out;
}

export interface SchedulingScenario {
  /** Every 2 minutes, 12 of them; the first 6 have an hour of Late backlog (a worker down for an hour). */
  frequent: SeededDeployment[];
  /** Every 10 seconds. */
  fast: SeededDeployment[];
  /** FREQ=HOURLY from 2020-01-01. */
  rrule: SeededDeployment;
  /** Paused, with an hour of past-due runs. */
  paused: SeededDeployment;
  /** Deleted with SQL after its runs were made. */
  goneId: string;
  /** Hourly, healthy. */
  hourly: SeededDeployment;
}

const ANCHOR = '2024-01-01T00:00:07Z';

/**
 * The situation in small: minute-scale schedules at Prefect's default scheduler settings, a
 * worker down for an hour (Late runs on deployments nobody polls), a paused deployment that kept its
 * backlog, a deployment deleted behind Prefect's back, sub-minute schedules, and an rrule walking from 2020.
 */
export async function seedScheduling(h: HarnessInfo, s: DiagServer): Promise<SchedulingScenario> {
  const specs: DeploymentSpec[] = [
    ...Array.from({ length: 12 }, (_, i) => ({ flow: 'etl', name: `sync-${String(i).padStart(2, '0')}`, schedules: [{ schedule: { kind: 'interval' as const, interval: 120, anchorDate: ANCHOR, timezone: 'UTC' } }] })),
    ...Array.from({ length: 2 }, (_, i) => ({ flow: 'fast', name: `tick-${i}`, schedules: [{ schedule: { kind: 'interval' as const, interval: 10, anchorDate: ANCHOR, timezone: 'UTC' } }] })),
    { flow: 'reports', name: 'hourly-rrule-2020', schedules: [{ schedule: { kind: 'rrule', rrule: 'DTSTART:20200101T000000\nRRULE:FREQ=HOURLY;INTERVAL=1', timezone: 'UTC' } }] },
    { flow: 'ops', name: 'paused-with-backlog', paused: true, schedules: [{ schedule: { kind: 'interval', interval: 300, anchorDate: ANCHOR, timezone: 'UTC' } }] },
    { flow: 'old', name: 'deleted-later', schedules: [{ schedule: { kind: 'interval', interval: 300, anchorDate: ANCHOR, timezone: 'UTC' } }] },
    { flow: 'daily', name: 'hourly-report', schedules: [{ schedule: { kind: 'cron', cron: '0 * * * *', timezone: 'UTC' } }] },
  ];
  const deps = await createDeployments(s.server.info.apiUrl, specs);
  const by = (n: string) => deps.find((d) => d.fullName === n)!;
  const now = Date.now();
  const pastWindow = { start_time: new Date(now - 3_600_000).toISOString(), end_time: new Date(now - 60_000).toISOString() };
  const frequent = deps.filter((d) => d.flowName === 'etl');
  // Future runs exactly as the scheduler keeps them at the server's (default) settings.
  for (const d of [...frequent, ...deps.filter((x) => x.flowName === 'fast'), by('daily/hourly-report'), by('old/deleted-later')]) await scheduleRuns(s.api, d.id);
  // The worker was down for an hour.
  for (const d of [...frequent.slice(0, 6), by('ops/paused-with-backlog'), by('old/deleted-later')]) await scheduleRuns(s.api, d.id, pastWindow);
  const gone = by('old/deleted-later');
  await markLate(s.api, [...frequent.slice(0, 6), by('ops/paused-with-backlog'), gone].map((d) => d.id));
  await sql(h, 'DELETE FROM deployment WHERE id = $1', [gone.id], s.database);
  return { frequent, fast: deps.filter((d) => d.flowName === 'fast'), rrule: by('reports/hourly-rrule-2020'), paused: by('ops/paused-with-backlog'), goneId: gone.id, hourly: by('daily/hourly-report') };
}

/**
 * Marks the past-due runs of these deployments Late the way Prefect's late_runs service does
 * (server/services/late_runs.py: a forced SCHEDULED/"Late" state keeping the scheduled time), through
 * the API. Done once instead of running the service, so runs that fall due while a test runs do not
 * turn Late under it.
 */
export async function markLate(api: HarnessApi, deploymentIds: string[]): Promise<number> {
  let n = 0;
  const before = new Date(Date.now() - 15_000).toISOString();
  for (const id of deploymentIds) {
    for (const r of await runsOf(api, id, { state: { name: { any_: ['Scheduled'] } }, next_scheduled_start_time: { before_: before } })) {
      await api.post(`/flow_runs/${r.id}/set_state`, { state: { type: 'SCHEDULED', name: 'Late', state_details: { scheduled_time: r.next_scheduled_start_time } }, force: true });
      n++;
    }
  }
  return n;
}


const FLOW = `
import time
from prefect import flow, get_run_logger

@flow(name="diag-logs")
def noisy(n: int = 40):
    log = get_run_logger()
    for i in range(n):
        log.info("line %d", i)
        time.sleep(0.01)

if __name__ == "__main__":
    noisy(40)
`;

/** Runs a flow that logs 40 lines with a real Prefect client against `apiUrl`, `env` on top of a clean environment. */
export async function runFlow(h: HarnessInfo, apiUrl: string, dir: string, env: Record<string, string> = {}): Promise<void> {
  const script = path.join(dir, 'noisy_flow.py');
  fs.writeFileSync(script, FLOW);
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PREFECT_')));
  await promisify(execFile)(h.venvPython, [script], { cwd: dir, env: { ...clean, PREFECT_HOME: dir, PREFECT_API_URL: apiUrl, PREFECT_CLI_PROMPT: 'false', ...env }, timeout: 120_000 });
}

export interface OldServer {
  apiUrl: string;
  dbPath: string;
  version: string;
  stop(): Promise<void>;
}

/**
 * A `prefect server start` of another Prefect release on its own SQLite file, for the known-fix
 * check (startPrefectServer runs the pinned release only). Same isolation as the harness: a clean
 * environment, its own PREFECT_HOME as the working directory, services that write runs switched off.
 */
export async function startOldPrefect(h: HarnessInfo, version: string): Promise<OldServer> {
  const venv = await ensurePrefectVenv(version);
  const home = fs.mkdtempSync(path.join(h.tmpDir, `hk-prefect-${version}-`));
  const dbPath = path.join(home, 'prefect.db');
  const port = await freePort();
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PREFECT_')));
  const child = spawn(venv.prefectBin, ['server', 'start', '--host', '127.0.0.1', '--port', String(port)], {
    cwd: home,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...clean,
      PREFECT_HOME: home,
      PREFECT_SERVER_DATABASE_CONNECTION_URL: `sqlite+aiosqlite:///${dbPath}`,
      PREFECT_SERVER_ANALYTICS_ENABLED: 'false',
      PREFECT_UI_ENABLED: 'false',
      PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED: 'false',
      PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED: 'false',
    },
  });
  let err = '';
  child.stderr?.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
  const apiUrl = `http://127.0.0.1:${port}/api`;
  const stop = async () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // gone
    }
    fs.rmSync(home, { recursive: true, force: true });
  };
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Prefect ${version} exited before it was healthy: ${err}`);
    const ok = await fetch(`${apiUrl}/health`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Prefect ${version} not healthy after 180 s: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { apiUrl, dbPath, version, stop };
}
