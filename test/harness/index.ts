/**
 * startHarness(): a throwaway PostgreSQL cluster and three real Prefect servers, seeded.
 *
 *   prefectPg     Postgres database `prefect`, baseline deployments + a few thousand runs
 *   prefectSqlite its own SQLite file, light seed
 *   prefectAuth   Postgres database `prefect_auth`, PREFECT_SERVER_API_AUTH_STRING=admin:s3cret-pass
 *
 * Startup is parallel where the dependencies allow: the venv check and PG start together; the SQLite
 * server does not wait for PG; both PG-backed servers start together; each server is seeded as soon
 * as it is healthy. Everything waits on signals (pg_isready, /api/health), never on sleeps.
 *
 * Safety net: a process 'exit' hook SIGKILLs the servers and stops PG synchronously, so a crashed or
 * interrupted test run does not leave daemons behind.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AUTH_STRING,
  BASELINE_AUTH_DEPLOYMENTS,
  BASELINE_AUTH_VOLUME,
  BASELINE_PG_DEPLOYMENTS,
  BASELINE_PG_VOLUME,
  BASELINE_POOL,
  BASELINE_SQLITE_DEPLOYMENTS,
  BASELINE_SQLITE_VOLUME,
} from './baseline';
import { prefectApi } from './prefect-api';
import { startPrefectServer, type PrefectServer, type PrefectServices } from './prefect-server';
import { startPostgres, type PgCluster } from './postgres';
import { createWorkPool, seedDeployments, type DeploymentSpec } from './seed-api';
import { planSeed, targetsFromDeployments, type RunVolume } from './seed-plan';
import { seedRunsPg } from './seed-sql';
import { seedRunsSqlite } from './seed-sqlite';
import { serverFacts, type ServerFacts } from './server-facts';
import type { HarnessInfo, HarnessSeedInfo } from './types';
import { ensurePrefectVenv } from './venv';
import { restorePgTemplate, restoreSqliteTemplate, savePgTemplate, saveSqliteTemplate } from './db-template';

export * from './baseline';
export type { HarnessInfo, HarnessSeedInfo, PgClusterInfo, PrefectServerInfo, PgRoleInfo } from './types';
export { startPostgres, freePort, findPgBinDir } from './postgres';
export type { PgCluster } from './postgres';
export { startPrefectServer } from './prefect-server';
export type { PrefectServer, PrefectServices, StartPrefectOptions } from './prefect-server';
export { prefectApi, PrefectHttpError } from './prefect-api';
export type { HarnessApi } from './prefect-api';
export { ensurePrefectVenv } from './venv';
export { PREFECT_VERSION, PINNED_PREFECT_VERSION, resolvedPrefectVersion } from './prefect-version';
export { serverFacts } from './server-facts';
export type { ServerFacts } from './server-facts';

export interface StartHarnessOptions {
  /** Seed the baseline (default true). */
  seed?: boolean;
  /** Override the baseline run volumes. */
  volume?: { pg?: RunVolume; sqlite?: RunVolume; auth?: RunVolume };
  /** Services for all three servers (default: scheduler and late runs off, see prefect-server.ts). */
  services?: PrefectServices;
  /** Parent of the harness temp dir (default os.tmpdir()). */
  parentDir?: string;
}

export interface Harness {
  info: HarnessInfo;
  pg: PgCluster;
  servers: { prefectPg: PrefectServer; prefectSqlite: PrefectServer; prefectAuth: PrefectServer };
  stop(): Promise<void>;
}

function log(msg: string): void {
  process.stderr.write(`[harness] ${msg}\n`);
}

async function seedServer(
  server: PrefectServer,
  facts: ServerFacts,
  deployments: DeploymentSpec[],
  volume: RunVolume,
  writeRuns: (plan: ReturnType<typeof planSeed>) => Promise<HarnessSeedInfo['counts']>,
): Promise<HarnessSeedInfo> {
  const api = prefectApi(server.info.apiUrl, server.info.authString);
  const workPool = await createWorkPool(api, BASELINE_POOL);
  const seeded = await seedDeployments(api, deployments, { scheduleFields: facts.scheduleFields });
  const plan = planSeed(targetsFromDeployments(seeded, { runsAttributed: facts.runsAttributed }), volume);
  const t0 = Date.now();
  const counts = await writeRuns(plan);
  log(`seeded ${server.info.apiUrl}: ${seeded.length} deployments, ${counts.flowRuns} runs (${Date.now() - t0} ms of SQL)`);
  return { deployments: seeded, counts, now: plan.now.toISOString(), workPool };
}

export async function startHarness(opts: StartHarnessOptions = {}): Promise<Harness> {
  const t0 = Date.now();
  const tmpDir = await mkdtemp(path.join(opts.parentDir ?? os.tmpdir(), 'hk-harness-'));
  // The postgres OS user must traverse into the cluster dir below this one.
  await chmod(tmpDir, 0o711);

  const started: { pg?: PgCluster; servers: PrefectServer[] } = { servers: [] };
  const inFlight: Promise<unknown>[] = [];
  const onExit = (): void => {
    for (const s of started.servers) s.killSync();
    started.pg?.stopSync();
    rmSync(tmpDir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  const stopAll = async (): Promise<void> => {
    process.removeListener('exit', onExit);
    await Promise.allSettled(started.servers.map((s) => s.stop()));
    await started.pg?.stop().catch((e: unknown) => log(`pg stop: ${String(e)}`));
    await rm(tmpDir, { recursive: true, force: true });
  };

  try {
    const track = <T extends PrefectServer>(p: Promise<T>): Promise<T> =>
      p.then((s) => {
        started.servers.push(s);
        return s;
      });
    const venvP = ensurePrefectVenv();
    const pgP = startPostgres({ parentDir: tmpDir }).then((c) => (started.pg = c));
    const common = { parentDir: tmpDir, services: opts.services };
    // The venv must exist before any server; PG only before the PG-backed ones.
    // Databases start from the cached migrated template when there is one (db-template.ts); a
    // server that had to migrate from scratch donates its database as the template for next time.
    const sqlitePath = path.join(tmpDir, 'prefect-sqlite.db');
    const sqliteP = venvP.then(async (venv) => {
      const fromTemplate = await restoreSqliteTemplate(sqlitePath, venv.version);
      const s = await track(startPrefectServer({ ...common, name: 'prefect-sqlite', db: { kind: 'sqlite', path: sqlitePath } }));
      if (!fromTemplate) await saveSqliteTemplate(sqlitePath, venv.version);
      return s;
    });
    // What this release accepts and writes (seeds differ per line; see server-facts.ts).
    const factsP = sqliteP.then((s) => serverFacts(prefectApi(s.info.apiUrl), s.info.version));
    const pgServersP = Promise.all([venvP, pgP]).then(async ([venv, pg]) => {
      const t1 = Date.now();
      const [pgTpl] = await Promise.all([restorePgTemplate(pg, 'prefect', venv.version), restorePgTemplate(pg, 'prefect_auth', venv.version)]);
      if (pgTpl) log(`restored migrated template into prefect, prefect_auth in ${Date.now() - t1} ms`);
      return Promise.all([
        track(
          startPrefectServer({
            ...common,
            name: 'prefect-pg',
            db: { kind: 'postgres', url: pg.url(pg.info.owner, 'prefect'), database: 'prefect' },
          }),
        ).then(async (s) => {
          if (!pgTpl) await savePgTemplate(pg, 'prefect', venv.version);
          return s;
        }),
        track(
          startPrefectServer({
            ...common,
            name: 'prefect-auth',
            authString: AUTH_STRING,
            db: { kind: 'postgres', url: pg.url(pg.info.owner, 'prefect_auth'), database: 'prefect_auth' },
          }),
        ),
      ]);
    });

    const seed = opts.seed ?? true;
    const superConn = (pg: PgCluster, database: string) => ({
      host: pg.info.host,
      port: pg.info.port,
      user: pg.info.superuser.user,
      password: pg.info.superuser.password,
      database,
    });
    const sqliteSeedP = Promise.all([sqliteP, factsP]).then(async ([s, facts]) =>
      seed
        ? seedServer(s, facts, BASELINE_SQLITE_DEPLOYMENTS, opts.volume?.sqlite ?? BASELINE_SQLITE_VOLUME, async (plan) => {
            if (s.info.db.kind !== 'sqlite') throw new Error('unreachable');
            return seedRunsSqlite(s.info.db.path, plan);
          })
        : undefined,
    );
    const pgSeedP = Promise.all([pgServersP, factsP]).then(async ([[prefectPg, prefectAuth], facts]) => {
      const pg = await pgP;
      // Prefect 3.0 has no PREFECT_SERVER_API_AUTH_STRING: that server runs open, and says so.
      if (!facts.basicAuth) {
        delete prefectAuth.info.authString;
        log(`Prefect ${facts.version} has no basic auth (PREFECT_SERVER_API_AUTH_STRING came in 3.1): prefectAuth runs without it`);
      }
      // Prefect has migrated both databases once healthy; now the monitor role can see the tables.
      await Promise.all([pg.grantMonitor('prefect'), pg.grantMonitor('prefect_auth')]);
      // pg_repack in Prefect's database (not prefect_auth: the repack test's "not created" case), after
      // the template dump above so restores as the owner role never meet it.
      await pg.createRepackExtension('prefect');
      if (!seed) return undefined;
      return Promise.all([
        seedServer(prefectPg, facts, BASELINE_PG_DEPLOYMENTS, opts.volume?.pg ?? BASELINE_PG_VOLUME, (plan) =>
          seedRunsPg(superConn(pg, 'prefect'), plan),
        ),
        seedServer(prefectAuth, facts, BASELINE_AUTH_DEPLOYMENTS, opts.volume?.auth ?? BASELINE_AUTH_VOLUME, (plan) =>
          seedRunsPg(superConn(pg, 'prefect_auth'), plan, { workers: 1 }),
        ),
      ]);
    });

    inFlight.push(venvP, pgP, sqliteP, factsP, pgServersP, sqliteSeedP, pgSeedP);
    const [venv, pg, prefectSqlite, [prefectPg, prefectAuth], sqliteSeed, pgSeeds, facts] = await Promise.all([
      venvP,
      pgP,
      sqliteP,
      pgServersP,
      sqliteSeedP,
      pgSeedP,
      factsP,
    ]);

    const info: HarnessInfo = {
      pg: pg.info,
      prefectPg: prefectPg.info,
      prefectSqlite: prefectSqlite.info,
      prefectAuth: prefectAuth.info,
      prefect: {
        version: venv.version,
        line: venv.version.split('.').slice(0, 2).join('.'),
        basicAuth: facts.basicAuth,
        runsAttributed: facts.runsAttributed,
        updatesKeepPastDue: facts.updatesKeepPastDue,
        perScheduleSelection: facts.perScheduleSelection,
        schedulerLoopHonoured: facts.schedulerLoopHonoured,
        scheduleFields: [...facts.scheduleFields].sort(),
      },
      venvPython: venv.python,
      prefectBin: venv.prefectBin,
      tmpDir,
      ...(sqliteSeed && pgSeeds
        ? { seed: { prefectPg: pgSeeds[0], prefectAuth: pgSeeds[1], prefectSqlite: sqliteSeed } }
        : {}),
      startupSeconds: (Date.now() - t0) / 1000,
    };
    log(`ready in ${info.startupSeconds?.toFixed(1)} s`);
    return { info, pg, servers: { prefectPg, prefectSqlite, prefectAuth }, stop: stopAll };
  } catch (err) {
    // Let in-flight starts settle before tearing down, so nothing started later is left running.
    await Promise.allSettled(inFlight);
    await stopAll().catch(() => {});
    throw err;
  }
}
