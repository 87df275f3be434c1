/**
 * `npm run demo`: a real Prefect server on a real PostgreSQL with the damage Housekeeper exists to
 * repair, then Housekeeper's web UI pointed at it. One command for a newcomer to see it work.
 *
 * The damage (what a self-hosted server looks like after months of high-frequency schedules and a
 * dead worker): ~80 deployments on 2–5 minute schedules, thousands of Late runs, a quarter of a
 * million old terminal runs with their states, task runs and logs.
 *
 * Unlike the test harness, the scheduler and late-runs services are ON here, as on a real server:
 * the scheduler keeps refilling future runs (so the demo seeds none itself, which also avoids racing
 * it on idempotency keys) and new Late runs keep appearing while you watch.
 *
 * Ctrl-C stops Housekeeper, the Prefect server and PostgreSQL and removes every temp file.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { restorePgTemplate, savePgTemplate } from './db-template';
import { prefectApi } from './prefect-api';
import { startPrefectServer, type PrefectServer } from './prefect-server';
import { startPostgres, type PgCluster } from './postgres';
import { createWorkPool, seedDeployments, type DeploymentSpec, type ScheduleSpec } from './seed-api';
import { planSeed, targetsFromDeployments, type RunVolume } from './seed-plan';
import { seedRunsPg, type SeedResult } from './seed-sql';
import { ensurePrefectVenv, REPO_ROOT } from './venv';

export const DEMO_POOL = 'demo-process-pool';

const FLOWS = ['etl', 'ingest', 'reports', 'ml', 'billing', 'sync', 'notify', 'dbt'];
const SUBJECTS = ['orders', 'customers', 'invoices', 'events', 'inventory', 'payments', 'shipments', 'clicks', 'sessions', 'refunds'];
const ZONES = ['UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Tokyo'];

/** ~80 deployments on 2–5 minute schedules; a couple paused, a few with an inactive second schedule. */
export function demoDeployments(count = 80): DeploymentSpec[] {
  const specs: DeploymentSpec[] = [];
  for (let i = 0; i < count; i++) {
    const flow = FLOWS[i % FLOWS.length]!;
    const subject = SUBJECTS[Math.floor(i / FLOWS.length) % SUBJECTS.length]!;
    const minutes = 2 + (i % 4); // 2..5
    const schedule: ScheduleSpec =
      i % 3 === 0
        ? { kind: 'cron', cron: `*/${minutes} * * * *`, timezone: ZONES[i % ZONES.length] }
        : { kind: 'interval', interval: minutes * 60, anchorDate: '2026-01-01T00:00:00Z', timezone: ZONES[i % ZONES.length] };
    specs.push({
      flow,
      name: `${flow}-${subject}-every-${minutes}m`,
      workPool: DEMO_POOL,
      tags: [`team-${flow}`, i % 5 === 0 ? 'critical' : 'batch'],
      paused: i % 37 === 36,
      parameters: { subject, batch_size: 500 + (i % 5) * 100 },
      schedules: [
        { schedule, slug: 'main' },
        ...(i % 11 === 5
          ? [{ schedule: { kind: 'cron', cron: '0 3 * * *', timezone: 'UTC' } as ScheduleSpec, slug: 'nightly-backfill', active: false }]
          : []),
      ],
    });
  }
  return specs;
}

export const DEMO_VOLUME: RunVolume = {
  late: 9000,
  scheduledPast: 40,
  future: 0,
  running: 12,
  pending: 8,
  completedOld: 200_000,
  failed: 12_000,
  cancelled: 2_500,
  crashed: 1_500,
  manual: 300,
  awaitingRetry: 20,
  statesPerTerminalRun: 4,
  logsPerRun: 3,
  taskRunsPerRun: 1,
  artifactEvery: 50,
};

export interface Demo {
  pg: PgCluster;
  server: PrefectServer;
  seed: SeedResult;
  tmpDir: string;
  stop(): Promise<void>;
}

function log(msg: string): void {
  process.stderr.write(`[demo] ${msg}\n`);
}

/** PG + one Prefect server with the demo damage. */
export async function startDemo(volume: RunVolume = DEMO_VOLUME): Promise<Demo> {
  const t0 = Date.now();
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'hk-demo-'));
  await chmod(tmpDir, 0o711);
  let pg: PgCluster | undefined;
  let server: PrefectServer | undefined;
  const stop = async (): Promise<void> => {
    await server?.stop().catch(() => {});
    await pg?.stop().catch(() => {});
    await rm(tmpDir, { recursive: true, force: true });
  };
  const onExit = (): void => {
    server?.killSync();
    pg?.stopSync();
  };
  process.once('exit', onExit);
  try {
    const [venv, cluster] = await Promise.all([ensurePrefectVenv(), startPostgres({ parentDir: tmpDir })]);
    pg = cluster;
    const fromTemplate = await restorePgTemplate(pg, 'prefect', venv.version);
    server = await startPrefectServer({
      name: 'prefect-demo',
      parentDir: tmpDir,
      services: { scheduler: true, lateRuns: true },
      db: { kind: 'postgres', url: pg.url(pg.info.owner, 'prefect'), database: 'prefect' },
    });
    if (!fromTemplate) await savePgTemplate(pg, 'prefect', venv.version);
    await pg.grantMonitor('prefect');
    const api = prefectApi(server.info.apiUrl);
    await createWorkPool(api, DEMO_POOL);
    const t1 = Date.now();
    const deployments = await seedDeployments(api, demoDeployments(), { concurrency: 4 });
    log(`created ${deployments.length} deployments via the API in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    const plan = planSeed(targetsFromDeployments(deployments), volume);
    log(`writing ${plan.rows.reduce((a, r) => a + r.n, 0).toLocaleString('en')} flow runs with states, task runs and logs...`);
    const seed = await seedRunsPg(
      { host: pg.info.host, port: pg.info.port, user: pg.info.superuser.user, password: pg.info.superuser.password, database: 'prefect' },
      plan,
    );
    log(`seeded in ${(seed.ms / 1000).toFixed(1)} s; demo ready ${((Date.now() - t0) / 1000).toFixed(1)} s after start`);
    return { pg, server, seed, tmpDir, stop: async () => {
      process.removeListener('exit', onExit);
      await stop();
    } };
  } catch (err) {
    await stop();
    throw err;
  }
}

function housekeeper(args: string[], env: NodeJS.ProcessEnv, inherit: boolean): ChildProcess | ReturnType<typeof spawnSync> {
  const bin = path.join(REPO_ROOT, 'bin', 'housekeeper.cjs');
  return inherit
    ? spawn(process.execPath, [bin, ...args], { env, stdio: 'inherit' })
    : spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
}

async function main(): Promise<void> {
  const demo = await startDemo();
  const { pg, server, seed } = demo;
  const ownerUrl = pg.url(pg.info.owner, 'prefect');
  const monitorUrl = pg.url(pg.info.monitor, 'prefect');
  const hkHome = path.join(demo.tmpDir, 'housekeeper-home');
  const env = { ...process.env, HOUSEKEEPER_HOME: hkHome };

  const fmt = (n: number): string => n.toLocaleString('en');
  process.stdout.write(
    [
      '',
      'Housekeeper demo',
      `  Prefect ${server.info.version} API   ${server.info.apiUrl}   (scheduler and late-runs services on)`,
      `  PostgreSQL            ${ownerUrl}`,
      `  read-only monitor     ${monitorUrl}`,
      `  seeded                ${fmt(seed.flowRuns)} flow runs: ${fmt(seed.byCategory.late)} Late, ` +
        `${fmt(seed.byCategory.completedOld + seed.byCategory.failed + seed.byCategory.cancelled + seed.byCategory.crashed)} old terminal, ` +
        `${fmt(seed.flowRunStates)} states, ${fmt(seed.taskRuns)} task runs, ${fmt(seed.logs)} logs`,
      `  HOUSEKEEPER_HOME      ${hkHome}`,
      '',
    ].join('\n'),
  );

  let child: ChildProcess | undefined;
  const bin = path.join(REPO_ROOT, 'bin', 'housekeeper.cjs');
  if (!existsSync(bin)) {
    process.stdout.write(`bin/housekeeper.cjs not found; connect by hand with the details above.\n`);
  } else {
    const add = housekeeper(['connections', 'add', '--name', 'demo', '--api', server.info.apiUrl, '--db', ownerUrl], env, false) as ReturnType<typeof spawnSync>;
    if (add.status === 0) {
      process.stdout.write(`Added connection "demo" to Housekeeper.\n`);
    } else {
      process.stdout.write(`'housekeeper connections add' failed (exit ${add.status}):\n${String(add.stderr ?? '')}${String(add.stdout ?? '')}\n`);
    }
    process.stdout.write(`Starting 'housekeeper serve' (Ctrl-C stops everything)...\n\n`);
    child = housekeeper(['serve'], env, true) as ChildProcess;
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) {
        process.stdout.write(`\n'housekeeper serve' exited with ${code}; Prefect and PostgreSQL keep running until Ctrl-C.\n`);
      }
    });
  }
  process.stdout.write('Ctrl-C to stop.\n');

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping demo...\n');
    if (child?.exitCode === null) child.kill('SIGTERM');
    await demo.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  setInterval(() => {}, 1 << 30);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(REPO_ROOT, 'test', 'harness', 'demo.ts')) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
