/**
 * A throwaway PostgreSQL cluster from Debian's binaries (`/usr/lib/postgresql/<N>/bin`).
 *
 * Why not a container or an embedded PG: the CI machine has no Docker and no network beyond the
 * package registries, but `apt-get install postgresql` works, and a real cluster gives us real
 * roles, real permissions (pg_monitor vs DELETE) and real bloat statistics.
 *
 * Speed: fsync/synchronous_commit/full_page_writes off (data is disposable), readiness by polling
 * `pg_isready` (no fixed sleeps), `pg_ctl stop -m immediate` on teardown.
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { PgClusterInfo, PgRoleInfo } from './types';

const execFileAsync = promisify(execFile);

export interface StartPgOptions {
  /** Parent directory for the cluster's temp dir (default os.tmpdir()). */
  parentDir?: string;
}

export interface PgCluster {
  info: PgClusterInfo;
  /** The unix socket directory (inside the temp dir). */
  socketDir: string;
  /**
   * Creates the pg_repack extension in `database` when the server has it (Debian:
   * postgresql-<major>-repack, which .ci/run installs); returns whether it did. Call after the
   * migrated-template dump: the template is restored as the owner role, which cannot create it.
   */
  createRepackExtension(database?: string): Promise<boolean>;
  /** Grants the monitor role SELECT on Prefect's tables; call after Prefect migrated `database`. */
  grantMonitor(database?: string): Promise<void>;
  /** A pg client as the superuser on the given database (caller ends it). */
  connect(database?: string, role?: PgRoleInfo): Promise<pg.Client>;
  /** Connection URL for any role/database, e.g. for Prefect or for the app under test. */
  url(role: PgRoleInfo, database: string, driver?: 'postgresql' | 'postgresql+asyncpg'): string;
  stop(): Promise<void>;
  /** Immediate stop + removal, synchronously (for process 'exit' handlers). */
  stopSync(): void;
}

function log(msg: string): void {
  process.stderr.write(`[harness:pg] ${msg}\n`);
}

/** Newest `/usr/lib/postgresql/<N>/bin` (Debian layout); HK_PG_BIN_DIR overrides. */
export function findPgBinDir(): string {
  const override = process.env.HK_PG_BIN_DIR;
  if (override) {
    if (!existsSync(path.join(override, 'initdb'))) throw new Error(`HK_PG_BIN_DIR=${override} has no initdb`);
    return override;
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v) && existsSync(path.join(root, v, 'bin', 'initdb')))
        .map(Number)
        .sort((a, b) => b - a)
    : [];
  if (versions.length === 0) {
    throw new Error(
      `No PostgreSQL server binaries under ${root}/<N>/bin. Install them with ` +
        `'apt-get install -y postgresql' (or set HK_PG_BIN_DIR).`,
    );
  }
  return path.join(root, String(versions[0]), 'bin');
}

/** A free TCP port on 127.0.0.1 (the OS picks it; tiny race window is acceptable for tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export function randomPassword(): string {
  // URL-safe so it can go into connection URLs unescaped.
  return randomBytes(18).toString('base64url');
}

/**
 * initdb/postgres refuse to run as root, so as root we run them as the `postgres` OS user
 * (created by Debian's package). As a normal user we run them directly.
 */
function asPgUser(bin: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

async function runPg(bin: string, args: string[], timeoutMs = 120_000): Promise<string> {
  const [cmd, argv] = asPgUser(bin, args);
  try {
    const { stdout, stderr } = await execFileAsync(cmd, argv, { timeout: timeoutMs, cwd: '/' });
    return stdout + stderr;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${path.basename(bin)} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

async function chownToPostgres(p: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const { stdout } = await execFileAsync('id', ['-u', 'postgres']);
  const { stdout: gid } = await execFileAsync('id', ['-g', 'postgres']);
  await chown(p, Number(stdout.trim()), Number(gid.trim()));
}

async function waitReady(binDir: string, socketDir: string, port: number, logFile: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await execFileAsync(path.join(binDir, 'pg_isready'), ['-q', '-h', socketDir, '-p', String(port)]);
      return;
    } catch {
      if (Date.now() > deadline) {
        const tail = await readFile(logFile, 'utf8').catch(() => '');
        throw new Error(`PostgreSQL did not become ready within 60 s. Server log:\n${tail.slice(-4000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export async function startPostgres(opts: StartPgOptions = {}): Promise<PgCluster> {
  const started = Date.now();
  const pgBinDir = findPgBinDir();
  const tmp = await mkdtemp(path.join(opts.parentDir ?? os.tmpdir(), 'hk-pg-'));
  const dataDir = path.join(tmp, 'data');
  const socketDir = path.join(tmp, 'sock');
  const logFile = path.join(tmp, 'postgres.log');
  const pwFile = path.join(tmp, 'pwfile');
  await mkdir(socketDir);
  const superuser: PgRoleInfo = { user: 'postgres', password: randomPassword() };
  const owner: PgRoleInfo = { user: 'prefect', password: randomPassword() };
  const monitor: PgRoleInfo = { user: 'hk_monitor', password: randomPassword() };
  await writeFile(pwFile, `${superuser.password}\n`, { mode: 0o600 });
  for (const p of [tmp, socketDir, pwFile]) await chownToPostgres(p);

  let running = false;
  const cleanup = async (): Promise<void> => {
    if (running) {
      await runPg(path.join(pgBinDir, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'immediate', '-w'], 30_000).catch(
        (e: unknown) => log(`pg_ctl stop: ${String(e)}`),
      );
      running = false;
    }
    await rm(tmp, { recursive: true, force: true });
  };

  try {
    await runPg(path.join(pgBinDir, 'initdb'), [
      '-D', dataDir,
      '-U', 'postgres',
      '--auth=scram-sha-256',
      `--pwfile=${pwFile}`,
      '--encoding=UTF8',
      '--locale=C.UTF-8',
      '--no-sync', // disposable cluster: skip fsync of the new data dir
    ]);
    await rm(pwFile);
    const port = await freePort();
    // Settings go on the command line (-o) so postgresql.conf stays initdb's default.
    const serverOpts = [
      `-p ${port}`,
      `-c listen_addresses=127.0.0.1`,
      `-c unix_socket_directories=${socketDir}`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c shared_buffers=256MB',
      // Prefect's servers each hold a pool (5 + 10 overflow) and the app's tests open more.
      '-c max_connections=200',
      // Bulk seeding writes GBs of WAL; fewer checkpoints keep it fast.
      '-c max_wal_size=2GB',
      '-c checkpoint_timeout=30min',
    ].join(' ');
    await runPg(path.join(pgBinDir, 'pg_ctl'), ['start', '-D', dataDir, '-l', logFile, '-o', serverOpts, '-W']);
    running = true;
    await waitReady(pgBinDir, socketDir, port, logFile);

    const base = { host: '127.0.0.1', port };
    const info: PgClusterInfo = {
      host: '127.0.0.1',
      port,
      superuser,
      owner,
      monitor,
      database: 'prefect',
      otherDatabase: 'not_prefect',
      pgBinDir,
      dataDir,
    };

    const connect = async (database = 'postgres', role: PgRoleInfo = superuser): Promise<pg.Client> => {
      const c = new pg.Client({ ...base, user: role.user, password: role.password, database });
      // A client still open at teardown gets "terminated unexpectedly"; without a listener that
      // 'error' event would crash the process instead of failing the query that is waiting.
      c.on('error', () => {});
      await c.connect();
      return c;
    };

    // Roles and databases. Identifiers/passwords are ours (random base64url), not user input.
    const su = await connect();
    try {
      await su.query(`CREATE ROLE ${owner.user} LOGIN PASSWORD '${owner.password}'`);
      await su.query(`CREATE ROLE ${monitor.user} LOGIN PASSWORD '${monitor.password}'`);
      await su.query(`GRANT pg_monitor TO ${monitor.user}`);
      await su.query(`CREATE DATABASE prefect OWNER ${owner.user}`);
      await su.query(`CREATE DATABASE prefect_auth OWNER ${owner.user}`);
      await su.query(`CREATE DATABASE not_prefect`);
    } finally {
      await su.end();
    }
    const other = await connect('not_prefect');
    try {
      await other.query(
        `CREATE TABLE inventory (id serial PRIMARY KEY, sku text NOT NULL, qty int NOT NULL DEFAULT 0);
         INSERT INTO inventory (sku, qty) SELECT 'sku-' || g, g FROM generate_series(1, 100) g;`,
      );
    } finally {
      await other.end();
    }

    log(`PostgreSQL ${path.basename(path.dirname(pgBinDir))} on 127.0.0.1:${port} ready in ${Date.now() - started} ms`);

    return {
      info,
      socketDir,
      connect,
      url: (role, database, driver = 'postgresql') =>
        `${driver}://${encodeURIComponent(role.user)}:${encodeURIComponent(role.password)}@127.0.0.1:${port}/${database}`,
      async createRepackExtension(database = 'prefect') {
        const c = await connect(database);
        try {
          const { rows } = await c.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'pg_repack'`);
          if (!rows.length) {
            log(`pg_repack is not installed for PostgreSQL ${path.basename(path.dirname(pgBinDir))} (apt-get install postgresql-<major>-repack): the repack tests will fail`);
            return false;
          }
          await c.query('CREATE EXTENSION IF NOT EXISTS pg_repack');
          return true;
        } finally {
          await c.end();
        }
      },
      async grantMonitor(database = 'prefect') {
        const c = await connect(database);
        try {
          // Read-only on existing tables, and on tables Prefect adds later (future migrations run
          // as the owner role, hence FOR ROLE).
          await c.query(`GRANT CONNECT ON DATABASE ${database} TO ${monitor.user}`);
          await c.query(`GRANT USAGE ON SCHEMA public TO ${monitor.user}`);
          await c.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${monitor.user}`);
          await c.query(
            `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner.user} IN SCHEMA public GRANT SELECT ON TABLES TO ${monitor.user}`,
          );
        } finally {
          await c.end();
        }
      },
      stop: cleanup,
      stopSync() {
        if (running) {
          const [cmd, argv] = asPgUser(path.join(pgBinDir, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'immediate', '-w']);
          spawnSync(cmd, argv, { cwd: '/', stdio: 'ignore', timeout: 20_000 });
          running = false;
        }
        rmSync(tmp, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
