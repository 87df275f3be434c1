/**
 * A real `prefect server start` from the pinned venv, on a free port, with its own PREFECT_HOME.
 *
 * Why a real server: Housekeeper's correctness depends on what Prefect actually does (migrations,
 * API validation, cascades, scheduler refill). Mocks would encode our assumptions twice.
 *
 * Isolation: the child gets a clean environment (every inherited PREFECT_* variable is dropped, so a
 * developer's PREFECT_API_URL or profile cannot leak in) and runs with cwd = its PREFECT_HOME,
 * because Prefect also reads `.env` and `prefect.toml` from the current directory.
 *
 * Determinism: the scheduler and late-runs services are OFF by default, so seeded rows stay exactly
 * as seeded. Tests that need them turn them on with `services`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './postgres';
import type { PrefectServerInfo } from './types';
import { ensurePrefectVenv } from './venv';

/**
 * Server services that can be toggled. Each maps to PREFECT_SERVER_SERVICES_<NAME>_ENABLED
 * (canonical names in prefect/settings/models/server/services.py, 3.9.1). `dbVacuum` is a set in
 * Prefect (e.g. "events,flow_runs"), so it also takes a string.
 */
export interface PrefectServices {
  scheduler?: boolean;
  lateRuns?: boolean;
  foreman?: boolean;
  cancellationCleanup?: boolean;
  pauseExpirations?: boolean;
  repossessor?: boolean;
  cleanupReconciler?: boolean;
  eventPersister?: boolean;
  eventLogger?: boolean;
  taskRunRecorder?: boolean;
  triggers?: boolean;
  dbVacuum?: boolean | string;
}

const SERVICE_ENV: Record<keyof PrefectServices, string> = {
  scheduler: 'PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED',
  lateRuns: 'PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED',
  foreman: 'PREFECT_SERVER_SERVICES_FOREMAN_ENABLED',
  cancellationCleanup: 'PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_ENABLED',
  pauseExpirations: 'PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_ENABLED',
  repossessor: 'PREFECT_SERVER_SERVICES_REPOSSESSOR_ENABLED',
  cleanupReconciler: 'PREFECT_SERVER_SERVICES_CLEANUP_RECONCILER_ENABLED',
  eventPersister: 'PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED',
  eventLogger: 'PREFECT_SERVER_SERVICES_EVENT_LOGGER_ENABLED',
  taskRunRecorder: 'PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED',
  triggers: 'PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED',
  dbVacuum: 'PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED',
};

export type PrefectDbOption =
  /** `url` is a plain postgresql:// URL; the driver is switched to asyncpg here. */
  | { kind: 'postgres'; url: string; database: string }
  /** Path of the SQLite file (created and migrated by Prefect). Default: <home>/prefect.db. */
  | { kind: 'sqlite'; path?: string };

export interface StartPrefectOptions {
  db: PrefectDbOption;
  /** `user:password`; sets PREFECT_SERVER_API_AUTH_STRING so every API call needs HTTP Basic. */
  authString?: string;
  /** Defaults: scheduler and lateRuns false, everything else Prefect's default. */
  services?: PrefectServices;
  /** Extra environment (wins over everything the harness sets), e.g. scheduler tuning. */
  extraEnv?: Record<string, string>;
  /** Fixed port (default: a free one; kept across restart()). */
  port?: number;
  /** Parent directory for PREFECT_HOME (default os.tmpdir()). */
  parentDir?: string;
  /** Prefect's server log level (default WARNING, Prefect's own default). */
  logLevel?: 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';
  /** How long to wait for /api/health (default 90 s). */
  readyTimeoutMs?: number;
  /** Label for log lines. */
  name?: string;
  /** Prefect release or minor line (default: this run's PREFECT_VERSION); its venv is built if missing. */
  version?: string;
}

export interface PrefectServer {
  /** Live object: `pid` changes on restart(). */
  info: PrefectServerInfo;
  logFile: string;
  /** Stops (SIGTERM to the process group, SIGKILL after `graceMs`); keeps PREFECT_HOME. */
  kill(graceMs?: number): Promise<void>;
  /** Starts again with the same home, port, database and env; resolves when healthy. */
  start(): Promise<void>;
  /** kill() + start(). */
  restart(): Promise<void>;
  /** kill() and remove PREFECT_HOME (and the SQLite file if it lives there). */
  stop(): Promise<void>;
  /** SIGKILL the process group right now (for process 'exit' handlers, which cannot await). */
  killSync(): void;
  /** Last `n` lines of the server's output. */
  tail(n?: number): Promise<string>;
}

function log(name: string, msg: string): void {
  process.stderr.write(`[harness:${name}] ${msg}\n`);
}

function toAsyncpgUrl(url: string): string {
  return url.replace(/^postgres(ql)?(\+\w+)?:\/\//, 'postgresql+asyncpg://');
}

/** Whether `port` can be bound without SO_REUSEADDR, as older `prefect server start` checks it. */
function bindable(python: string, port: number): Promise<boolean> {
  const code = `import socket\ns = socket.socket()\ntry:\n    s.bind(("127.0.0.1", ${port}))\nexcept OSError:\n    raise SystemExit(1)`;
  return new Promise((resolve) => {
    const p = spawn(python, ['-S', '-c', code], { stdio: 'ignore' });
    p.on('error', () => resolve(true));
    p.on('exit', (c) => resolve(c === 0));
  });
}

/** Whether any process of the group led by `pid` still exists. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PREFECT_')) env[k] = v;
  return env;
}

export async function startPrefectServer(opts: StartPrefectOptions): Promise<PrefectServer> {
  const name = opts.name ?? 'prefect';
  const venv = await ensurePrefectVenv(opts.version);
  const home = await mkdtemp(path.join(opts.parentDir ?? os.tmpdir(), `hk-${name}-`));
  await chmod(home, 0o700);
  const port = opts.port ?? (await freePort());
  const logFile = path.join(home, 'server.log');
  const sqlitePath = opts.db.kind === 'sqlite' ? (opts.db.path ?? path.join(home, 'prefect.db')) : undefined;
  const connectionUrl =
    opts.db.kind === 'postgres' ? toAsyncpgUrl(opts.db.url) : `sqlite+aiosqlite:///${sqlitePath}`;

  const services: PrefectServices = { scheduler: false, lateRuns: false, ...opts.services };
  const env: NodeJS.ProcessEnv = {
    ...cleanEnv(),
    PREFECT_HOME: home,
    PREFECT_SERVER_DATABASE_CONNECTION_URL: connectionUrl,
    PREFECT_SERVER_ANALYTICS_ENABLED: 'false',
    PREFECT_SERVER_UI_ENABLED: 'false',
    PREFECT_SERVER_LOGGING_LEVEL: opts.logLevel ?? 'WARNING',
    // The CLI would otherwise probe for an interactive terminal and colourise the log.
    PREFECT_CLI_PROMPT: 'false',
    PREFECT_CLI_COLORS: 'false',
    NO_COLOR: '1',
    PYTHONUNBUFFERED: '1',
  };
  if (opts.authString) env.PREFECT_SERVER_API_AUTH_STRING = opts.authString;
  for (const [key, value] of Object.entries(services)) {
    if (value !== undefined) env[SERVICE_ENV[key as keyof PrefectServices]] = String(value);
  }
  Object.assign(env, opts.extraEnv);

  const info: PrefectServerInfo = {
    apiUrl: `http://127.0.0.1:${port}/api`,
    home,
    version: venv.version,
    db:
      opts.db.kind === 'postgres'
        ? { kind: 'postgres', database: opts.db.database }
        : { kind: 'sqlite', path: sqlitePath as string },
    ...(opts.authString ? { authString: opts.authString } : {}),
    pid: 0,
  };

  let child: ChildProcess | undefined;
  let out: WriteStream | undefined;
  let exited: Promise<void> = Promise.resolve();

  // The last output also kept in memory: on an early exit the file stream may not be flushed yet.
  let recent = '';
  const remember = (chunk: Buffer): void => {
    recent = (recent + chunk.toString('utf8')).slice(-64_000);
  };
  const tail = async (n = 40): Promise<string> => {
    const text = recent || (await readFile(logFile, 'utf8').catch(() => ''));
    return text.split('\n').slice(-n - 1).join('\n');
  };

  // Older releases' `prefect server start` refuses a port it cannot bind without SO_REUSEADDR
  // (cli/server.py "Port N is already in use"), which is the case for up to a minute after a restart
  // while the old server's closed connections sit in TIME_WAIT. So a restart first waits until that
  // bind succeeds, checked the same way with the venv's bare Python (fast: no Prefect import).
  let restarted = false;
  const start = async (): Promise<void> => {
    if (restarted) {
      const deadline = Date.now() + 90_000;
      let logged = false;
      while (Date.now() < deadline && !(await bindable(venv.python, port))) {
        if (!logged) log(name, `port ${port} is still held by the previous server's closed connections; waiting`);
        logged = true;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    restarted = true;
    await startOnce();
  };

  const startOnce = async (): Promise<void> => {
    const t0 = Date.now();
    out = createWriteStream(logFile, { flags: 'a' });
    const args = ['server', 'start', '--host', '127.0.0.1', '--port', String(port), '--no-ui'];
    // detached: own process group, so kill(-pid) also reaches anything uvicorn spawns.
    const proc = spawn(venv.prefectBin, args, { cwd: home, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout?.pipe(out, { end: false });
    proc.stderr?.pipe(out, { end: false });
    proc.stdout?.on('data', remember);
    proc.stderr?.on('data', remember);
    let exitInfo: string | undefined;
    exited = new Promise<void>((resolve) => {
      // 'close' (not 'exit'): fires after the output pipes drained, so tail() has the last words.
      proc.on('close', (code, signal) => {
        exitInfo = `exited with ${code ?? signal}`;
        resolve();
      });
      proc.on('error', (err) => {
        exitInfo = `failed to spawn: ${err.message}`;
        resolve();
      });
    });
    info.pid = proc.pid ?? 0;

    const deadline = t0 + (opts.readyTimeoutMs ?? 90_000);
    for (;;) {
      if (exitInfo) {
        throw new Error(`Prefect server '${name}' ${exitInfo} before becoming healthy. Last output:\n${await tail()}`);
      }
      try {
        // /health is exempt from the auth string, so no credentials needed here.
        const res = await fetch(`${info.apiUrl}/health`, { signal: AbortSignal.timeout(2_000) });
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await kill(0);
        throw new Error(
          `Prefect server '${name}' not healthy at ${info.apiUrl}/health after ${
            (opts.readyTimeoutMs ?? 90_000) / 1000
          } s. Last output:\n${await tail()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    log(name, `${info.apiUrl} healthy in ${Date.now() - t0} ms (pid ${info.pid})`);
  };

  const kill = async (graceMs = 10_000): Promise<void> => {
    const proc = child;
    if (!proc?.pid || proc.exitCode !== null || proc.signalCode !== null) {
      out?.end();
      return;
    }
    const signalGroup = (sig: NodeJS.Signals): void => {
      try {
        process.kill(-proc.pid!, sig);
      } catch {
        // already gone
      }
    };
    signalGroup(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
    const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    // Children of the group (if any) that outlived the leader: up to 3.1 `prefect server start` runs
    // uvicorn as a child process, which holds the port until it is gone, so wait for the group to be
    // empty before a restart binds the same port.
    signalGroup('SIGKILL');
    for (let i = 0; i < 100 && groupAlive(proc.pid!); i++) await new Promise((r) => setTimeout(r, 50));
    child = undefined;
    await new Promise<void>((r) => (out ? out.end(r) : r()));
  };

  const server: PrefectServer = {
    info,
    logFile,
    kill,
    start,
    async restart() {
      await kill();
      await start();
    },
    async stop() {
      await kill();
      await rm(home, { recursive: true, force: true });
    },
    tail,
    killSync() {
      if (child?.pid && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    },
  };

  try {
    await start();
  } catch (err) {
    await kill(0);
    if (process.env.HK_KEEP_FAILED !== '1') await rm(home, { recursive: true, force: true }).catch(() => {});
    throw err;
  }
  return server;
}
