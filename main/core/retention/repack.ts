/**
 * pg_repack as a cancellable job: an online rewrite of Prefect tables that gives their free space
 * back to the operating system while Prefect keeps reading and writing them.
 *
 * Before anything runs, rewrite.ts repackStatus checks that the extension is created in the Prefect
 * database and that a pg_repack client of exactly the extension's version is on this machine
 * (pg_repack itself refuses a mismatch, late and obscurely); otherwise the job refuses with what to
 * install (`postgresql-<major>-repack`, `CREATE EXTENSION pg_repack`).
 *
 * Locks (REPACK_LOCKS, said before it starts): ACCESS EXCLUSIVE briefly at the start (trigger and log
 * table) and at the end (swap), SHARE UPDATE EXCLUSIVE in between. `--no-kill-backend` with
 * `--wait-timeout`: when a Prefect session holds the table, pg_repack gives up instead of cancelling
 * it. The client runs as a child process writing to a file (so it outlives a killed Housekeeper and
 * finishes the table); the password travels in PGPASSWORD, never on the command line. Progress per table: the size of pg_repack's copy (repack.table_<oid>) against the original.
 * Cancel sends SIGINT (pg_repack drops its trigger and copy on the way out); whatever it leaves is
 * dropped here with its own repack.repack_drop(), so a cancelled table is as it was.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import { RETENTION_TABLES } from '../../../shared/domain/retention/maintenance';
import type { PgDb } from '../batches/vacuum-pg';
import type { JobContext } from '../jobs/runner';
import { createLogger } from '../log/logger';
import { PostgresTarget } from '../targets/postgres';
import { repackStatus } from './rewrite';

const log = createLogger('retention:repack');
/** Seconds pg_repack waits for Prefect's sessions to let go of a table before it gives up. */
export const REPACK_WAIT_TIMEOUT_S = 30;

export interface RepackTableOutcome {
  table: string;
  status: 'repacked' | 'failed';
  bytesBefore: number;
  bytesAfter: number | null;
  durationMs: number;
  message: string | null;
}

export interface RepackOutcome {
  clientVersion: string;
  tables: RepackTableOutcome[];
}

/** The table's oid and total size (heap, TOAST and indexes). */
async function measure(target: PostgresTarget, schema: string, table: string, signal: AbortSignal): Promise<{ oid: number; bytes: number } | null> {
  const [info] = await target.query<{ oid: string; bytes: string }>('SELECT c.oid::int8 AS oid, pg_total_relation_size(c.oid) AS bytes FROM pg_class c WHERE c.oid = to_regclass($1)', [`${schema}.${table}`], { signal });
  return info ? { oid: Number(info.oid), bytes: Number(info.bytes) } : null;
}

/** Drops what a stopped pg_repack left on a table (its trigger, log and copy), if anything. */
async function dropLeftovers(target: PostgresTarget, oid: number): Promise<boolean> {
  const [row] = await target.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM pg_trigger WHERE tgrelid = $1::oid AND tgname LIKE 'repack_trigger%')
          + (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'repack' AND c.relname IN ('log_' || $1::text, 'table_' || $1::text)) AS n`,
    [oid],
  );
  if (Number(row?.n ?? 0) === 0) return false;
  // repack_drop(oid, 4): the trigger, the log table, its type and the copy (pg_repack's own cleanup).
  await target.query('SELECT repack.repack_drop($1::oid, 4)', [oid]);
  return true;
}

export async function runRepack(db: PgDb, tables: readonly string[], ctx: JobContext): Promise<RepackOutcome> {
  for (const t of tables) if (!(RETENTION_TABLES as readonly string[]).includes(t)) throw new AppError('VALIDATION', `Not a table Housekeeper repacks: ${t}`, { hint: `Tables: ${RETENTION_TABLES.join(', ')}.` });
  const watcher = new PostgresTarget(db, { applicationName: 'housekeeper-repack-progress', maxConnections: 1 });
  try {
    const status = await repackStatus(watcher, ctx.signal);
    if (!status.usable || !status.client) throw new AppError('VALIDATION', `pg_repack cannot run here: ${status.reason}`, { hint: status.install.join(' ') });
    const client = status.client;
    const [{ schema } = { schema: 'public' }] = await watcher.query<{ schema: string }>('SELECT current_schema() AS schema');
    const out: RepackOutcome = { clientVersion: client.version, tables: [] };
    for (const [i, table] of tables.entries()) {
      if (ctx.signal.aborted) throw new AppError('CANCELLED', 'Cancelled by the user.');
      const before = await measure(watcher, schema, table, ctx.signal);
      if (!before) throw new AppError('NOT_FOUND', `Table ${schema}.${table} does not exist in this database.`, { hint: 'Is this the Prefect database?' });
      ctx.report({ phase: `pg_repack ${table}`, done: i, total: tables.length, message: `${table}: starting (brief ACCESS EXCLUSIVE lock to add the change trigger)` });
      const t0 = Date.now();
      const args = ['-h', db.host, '-p', String(db.port), '-U', db.user, '-d', db.database, '--no-kill-backend', `--wait-timeout=${REPACK_WAIT_TIMEOUT_S}`, '-t', `${schema}.${table}`];
      if (!status.superuser) args.push('--no-superuser-check');
      const env: NodeJS.ProcessEnv = { ...process.env, PGAPPNAME: 'housekeeper-pg_repack', PGSSLMODE: db.sslmode, PGCONNECT_TIMEOUT: '10' };
      if (db.password !== null) env.PGPASSWORD = db.password;
      else delete env.PGPASSWORD;
      if (db.caFile) env.PGSSLROOTCERT = db.caFile;
      const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
      const poll = setInterval(() => {
        void watcher
          .query<{ bytes: string | null }>(
            `SELECT pg_total_relation_size(c.oid) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'repack' AND c.relname = $1`,
            [`table_${before.oid}`],
          )
          .then((rows) => {
            const copied = rows[0]?.bytes;
            if (copied !== undefined && copied !== null) ctx.report({ message: `${table}: copied ${mb(Number(copied))} (the table is ${mb(before.bytes)} with its free space)` });
          })
          .catch(() => undefined);
      }, 1000);
      let result: { code: number | null; output: string; cancelled: boolean };
      try {
        result = await runChild(client.path, args, env, ctx.signal, (line) => ctx.report({ message: `${table}: ${line}` }));
      } finally {
        clearInterval(poll);
      }
      if (result.cancelled) {
        const cleaned = await dropLeftovers(watcher, before.oid).catch((e: unknown) => {
          log.warn(`pg_repack cleanup of ${table} failed: ${(e as Error).message}`);
          return null;
        });
        throw new AppError('CANCELLED', `Cancelled by the user: pg_repack of ${table} was stopped${cleaned ? ' and its trigger and copy were dropped' : ''}; the table is unchanged.`, {
          details: { repacked: out.tables.map((t) => t.table) },
        });
      }
      const after = await measure(watcher, schema, table, ctx.signal);
      const ok = result.code === 0;
      if (!ok) {
        log.warn(`pg_repack ${table} exited ${result.code}: ${result.output.slice(-500)}`);
        await dropLeftovers(watcher, before.oid).catch(() => null);
      }
      out.tables.push({
        table,
        status: ok ? 'repacked' : 'failed',
        bytesBefore: before.bytes,
        bytesAfter: after?.bytes ?? null,
        durationMs: Date.now() - t0,
        message: ok ? null : lastLines(result.output),
      });
      ctx.report({ phase: `pg_repack ${table}`, done: i + 1, total: tables.length, message: ok ? `${table}: ${mb(before.bytes)} -> ${mb(after?.bytes ?? 0)}` : `${table}: failed` });
    }
    const failed = out.tables.filter((t) => t.status === 'failed');
    if (failed.length) {
      throw new AppError('INTERNAL', `pg_repack failed on ${failed.map((t) => t.table).join(', ')}: ${failed[0]!.message ?? 'see the log'}`, {
        hint: 'The table is unchanged. A Prefect session holding it longer than the wait timeout makes pg_repack give up: try again in a quieter moment.',
        details: { tables: out.tables },
      });
    }
    ctx.report({ phase: 'done', done: tables.length, total: tables.length });
    return out;
  } finally {
    await watcher.close();
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' ').slice(0, 600);
}

/**
 * Runs the client with its output going to a file, not a pipe, so that nothing it writes depends on
 * Housekeeper being alive: a pg_repack stopped halfway would leave its trigger on Prefect's table,
 * logging every change; once started it finishes the table on its own (retention-repack.test.ts
 * kills Housekeeper mid-run). The file is read back once a second for progress.
 */
function runChild(bin: string, args: string[], env: NodeJS.ProcessEnv, signal: AbortSignal, onLine: (l: string) => void): Promise<{ code: number | null; output: string; cancelled: boolean }> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return resolve({ code: null, output: '', cancelled: true });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-repack-'));
    const file = path.join(dir, 'pg_repack.log');
    const fd = fs.openSync(file, 'a');
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(bin, args, { env, stdio: ['ignore', fd, fd] });
    } finally {
      fs.closeSync(fd);
    }
    let read = 0;
    let output = '';
    const drain = () => {
      try {
        const text = fs.readFileSync(file, 'utf8');
        const fresh = text.slice(read);
        read = text.length;
        output = (output + fresh).slice(-16_000);
        for (const line of fresh.split('\n').map((l) => l.trim()).filter(Boolean)) onLine(line.replace(/^(INFO|NOTICE):\s*/, ''));
      } catch {
        // the file is gone or unreadable: progress lines are a courtesy
      }
    };
    const tick = setInterval(drain, 1000);
    // pg_repack cleans up its trigger and copy on SIGINT; SIGKILL only if it does not exit.
    let hard: NodeJS.Timeout | undefined;
    const onAbort = () => {
      child.kill('SIGINT');
      hard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      clearInterval(tick);
      signal.removeEventListener('abort', onAbort);
      if (hard) clearTimeout(hard);
      drain();
      fs.rmSync(dir, { recursive: true, force: true });
    };
    child.on('error', (e) => {
      done();
      reject(new AppError('INTERNAL', `pg_repack could not start: ${e.message}`));
    });
    child.on('close', (code) => {
      done();
      resolve({ code, output, cancelled: signal.aborted });
    });
  });
}
