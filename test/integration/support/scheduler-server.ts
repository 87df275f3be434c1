/**
 * A Prefect server of its own with the scheduler service on and a short loop, on a fresh Postgres
 * database of the harness cluster (restored from the migrated template), for tests that watch the
 * real scheduler. The recent-deployments loop is slowed to an hour so only the main loop (the one
 * the simulator predicts) inserts runs; INFO logging makes every pass leave a "Scheduled N runs."
 * line with its time.
 */
import crypto from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { HarnessInfo } from '../../harness/types';
import type { PgCluster } from '../../harness/postgres';
import { restorePgTemplate } from '../../harness/db-template';
import { startPrefectServer, type PrefectServer } from '../../harness/prefect-server';
import { sql } from './schedules-fixture';

export interface SchedulerServer {
  server: PrefectServer;
  database: string;
  /** Times (epoch ms) of the main loop's passes, from the log. */
  passes(): Promise<Array<{ at: number; inserted: number }>>;
  stop(): Promise<void>;
}

export async function createDatabase(h: HarnessInfo, prefix: string): Promise<string> {
  const database = `${prefix}_${crypto.randomBytes(3).toString('hex')}`;
  await sql(h, `CREATE DATABASE ${database} OWNER ${h.pg.owner.user}`, [], 'postgres');
  // Cast: restorePgTemplate only reads the cluster's info.
  await restorePgTemplate({ info: h.pg } as unknown as PgCluster, database, h.prefectPg.version);
  return database;
}

export async function startSchedulerServer(h: HarnessInfo, env: Record<string, string>, name = 'sched'): Promise<SchedulerServer> {
  const database = await createDatabase(h, 'hk_sched');
  const url = `postgresql://${h.pg.owner.user}:${encodeURIComponent(h.pg.owner.password)}@${h.pg.host}:${h.pg.port}/${database}`;
  const server = await startPrefectServer({
    name,
    // The harness's release, whatever PREFECT_VERSION this process was started with.
    version: h.prefectPg.version,
    db: { kind: 'postgres', url, database },
    services: { scheduler: true, lateRuns: false },
    logLevel: 'INFO',
    parentDir: h.tmpDir,
    extraEnv: { PREFECT_SERVER_SERVICES_SCHEDULER_RECENT_DEPLOYMENTS_LOOP_SECONDS: '3600', ...env },
  });
  return {
    server,
    database,
    async passes() {
      const text = await readFile(server.logFile, 'utf8');
      const day = new Date().toISOString().slice(0, 10);
      const out: Array<{ at: number; inserted: number }> = [];
      for (const m of text.matchAll(/^(\d{2}:\d{2}:\d{2}\.\d{3}) \| INFO\s+\| prefect\.server\.services\.scheduler - Scheduled (\d+) runs\./gm)) {
        out.push({ at: Date.parse(`${day}T${m[1]}Z`), inserted: Number(m[2]) });
      }
      return out;
    },
    async stop() {
      await server.stop();
      await sql(h, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`, [], 'postgres').catch(() => undefined);
    },
  };
}
