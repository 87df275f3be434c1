/**
 * After a retention: the tables' state, and the jobs that give the space back.
 * - VACUUM (ANALYZE) of the retention tables (batches/vacuum-pg.ts), or VACUUM of the SQLite file
 *   with the free-disk check (purge/vacuum.ts vacuumSqlite);
 * - pg_repack when the extension is created in the Prefect database and a matching client is on
 *   this machine: an online rewrite, run as a child process with --no-kill-backend, progress from
 *   the size of its copy (repack.table_<oid>) against the original; the password travels in
 *   PGPASSWORD, never on the command line;
 * - otherwise what to install, and VACUUM FULL only after the table's name is typed back.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../../../shared/errors';
import {
  REPACK_LOCKS,
  RETENTION_TABLES,
  tableVerdict,
  VACUUM_FULL_LOCKS,
  type MaintenanceView,
  type RepackStatus,
  type TableState,
} from '../../../shared/domain/retention/maintenance';
import type { ResolvedConnection } from '../connections/types';
import type { JobContext } from '../jobs/runner';
import { createLogger } from '../log/logger';
import { PostgresTarget } from '../targets/postgres';
import type { PgDb } from '../batches/vacuum-pg';

const log = createLogger('retention:rewrite');
const execFileAsync = promisify(execFile);

/** pg_repack clients on this machine: $HOUSEKEEPER_PG_REPACK, PATH, then Debian's per-major dirs. */
export async function findRepackClients(): Promise<Array<{ path: string; version: string }>> {
  const candidates: string[] = [];
  if (process.env.HOUSEKEEPER_PG_REPACK) candidates.push(process.env.HOUSEKEEPER_PG_REPACK);
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir) candidates.push(path.join(dir, 'pg_repack'));
  const root = '/usr/lib/postgresql';
  if (fs.existsSync(root)) {
    for (const v of fs.readdirSync(root).filter((x) => /^\d+$/.test(x)).sort((a, b) => Number(b) - Number(a))) candidates.push(path.join(root, v, 'bin', 'pg_repack'));
  }
  const out: Array<{ path: string; version: string }> = [];
  for (const c of [...new Set(candidates)]) {
    if (!fs.existsSync(c)) continue;
    try {
      const { stdout } = await execFileAsync(c, ['--version'], { timeout: 5000 });
      const m = /pg_repack\s+([\d.]+)/.exec(stdout);
      if (m?.[1]) out.push({ path: c, version: m[1] });
    } catch {
      // not runnable here
    }
  }
  return out;
}

export async function repackStatus(target: PostgresTarget, signal?: AbortSignal): Promise<RepackStatus> {
  const [row] = await target.readOnly(
    (q) =>
      q<{ ext: string | null; avail: string | null; superuser: boolean; major: number }>(
        `SELECT (SELECT extversion FROM pg_extension WHERE extname = 'pg_repack') AS ext,
                (SELECT default_version FROM pg_available_extensions WHERE name = 'pg_repack') AS avail,
                (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
                current_setting('server_version_num')::int / 10000 AS major`,
      ),
    signal ? { signal } : {},
  );
  const ext = row?.ext ?? null;
  const major = Number(row?.major ?? 15);
  const clients = await findRepackClients();
  const client = clients.find((c) => c.version === ext) ?? clients[0] ?? null;
  const install = [
    `On the database server: apt-get install postgresql-${major}-repack (Debian/Ubuntu; or your platform's pg_repack package for PostgreSQL ${major}).`,
    'In the Prefect database, as a superuser: CREATE EXTENSION pg_repack;',
    `On this machine: the pg_repack client of the same version (Debian: the same postgresql-${major}-repack package), on PATH or in HOUSEKEEPER_PG_REPACK.`,
  ];
  let reason: string;
  let usable = false;
  if (!ext) reason = row?.avail ? 'The pg_repack extension is installed on the server but not created in this database.' : 'The pg_repack extension is not installed on the database server.';
  else if (!client) reason = `The extension (version ${ext}) is created, but no pg_repack client was found on this machine.`;
  else if (client.version !== ext) reason = `The client here is pg_repack ${client.version} but the extension is ${ext}; pg_repack refuses mismatched versions.`;
  else if (!row?.superuser) {
    reason = 'Ready, but the connection\'s role is not a superuser: pg_repack is run with --no-superuser-check and may still be refused; a superuser connection is the sure way.';
    usable = true;
  } else {
    reason = `Ready: extension and client ${ext}.`;
    usable = true;
  }
  return { extension: ext, available: !!row?.avail, client, superuser: !!row?.superuser, usable, reason, install, locks: REPACK_LOCKS };
}

export async function maintenanceView(conn: ResolvedConnection, signal?: AbortSignal): Promise<MaintenanceView> {
  const db = conn.db;
  if (db.kind === 'none') {
    return { backend: 'api', tables: [], repack: null, vacuumFullLocks: VACUUM_FULL_LOCKS, sqlite: null, notes: ['No database access: space cannot be inspected or given back from here (Prefect Cloud manages its own database).'] };
  }
  if (db.kind === 'sqlite') {
    const st = fs.statSync(db.path);
    const { default: Database } = await import('better-sqlite3');
    const h = new Database(db.path, { readonly: true, fileMustExist: true });
    let freeBytes = 0;
    try {
      freeBytes = Number(h.pragma('freelist_count', { simple: true })) * Number(h.pragma('page_size', { simple: true }));
    } finally {
      h.close();
    }
    const fsStat = fs.statfsSync(path.dirname(db.path));
    return {
      backend: 'sqlite',
      tables: [],
      repack: null,
      vacuumFullLocks: VACUUM_FULL_LOCKS,
      sqlite: { file: db.path, bytes: st.size, freeBytes, diskFreeBytes: Number(fsStat.bavail) * Number(fsStat.bsize) },
      notes: ['SQLite reuses the freed pages for new rows. VACUUM rewrites the file to shrink it: it needs about the file\'s size in free disk and holds the write lock while it runs (the Prefect server waits).'],
    };
  }
  const target = new PostgresTarget(db, { applicationName: 'housekeeper-retention', maxConnections: 1 });
  try {
    const rows = await target.readOnly(
      (q) =>
        q<{ relname: string; total: number; heap: number; live: number; dead: number; lastv: string | null; width: number | null }>(
          `SELECT c.relname, pg_total_relation_size(c.oid) AS total, pg_relation_size(c.oid) AS heap,
                  coalesce(s.n_live_tup, 0) AS live, coalesce(s.n_dead_tup, 0) AS dead,
                  to_char(greatest(s.last_vacuum, s.last_autovacuum) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS lastv,
                  (SELECT sum(st.avg_width) FROM pg_stats st WHERE st.schemaname = n.nspname AND st.tablename = c.relname) AS width
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
            WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname = ANY($1::text[])
            ORDER BY pg_total_relation_size(c.oid) DESC`,
          [RETENTION_TABLES],
        ),
      signal ? { signal } : {},
    );
    const tables: TableState[] = rows.map((r) => {
      const heap = Number(r.heap);
      const live = Number(r.live);
      // Live bytes from the planner's average row width (+ tuple header and line pointer).
      const liveBytes = r.width === null ? null : live * (Number(r.width) + 28);
      const freeBytes = liveBytes === null ? null : Math.max(0, Math.round(heap - liveBytes * 1.1));
      const v = tableVerdict(heap, freeBytes, Number(r.dead), live);
      return { table: r.relname, totalBytes: Number(r.total), heapBytes: heap, liveRows: live, deadRows: Number(r.dead), lastVacuum: r.lastv, freeBytes, verdict: v.verdict, reason: v.reason };
    });
    const repack = await repackStatus(target, signal);
    const notes = ['Free space is estimated from row counts and average row widths (pg_stats); run "Measure exactly" on the Overview for pgstattuple figures.'];
    return { backend: 'postgres', tables, repack, vacuumFullLocks: VACUUM_FULL_LOCKS, sqlite: null, notes };
  } finally {
    await target.close();
  }
}

export interface RepackOutcome {
  tables: Array<{ table: string; status: 'repacked' | 'failed'; bytesBefore: number; bytesAfter: number | null; durationMs: number; message: string | null }>;
}

/** Runs pg_repack on each table in turn (a job: progress, cancel = SIGTERM to the client). */
export async function runRepack(db: PgDb, tables: readonly string[], ctx: JobContext): Promise<RepackOutcome> {
  for (const t of tables) if (!(RETENTION_TABLES as readonly string[]).includes(t)) throw new AppError('VALIDATION', `Not a table Housekeeper repacks: ${t}`);
  const watcher = new PostgresTarget(db, { applicationName: 'housekeeper-repack-progress', maxConnections: 1 });
  const out: RepackOutcome = { tables: [] };
  try {
    const status = await repackStatus(watcher, ctx.signal);
    if (!status.usable || !status.client) throw new AppError('VALIDATION', `pg_repack cannot run here: ${status.reason}`, { hint: status.install.join(' ') });
    const [{ schema } = { schema: 'public' }] = await watcher.query<{ schema: string }>('SELECT current_schema() AS schema');
    let i = 0;
    for (const table of tables) {
      const [info] = await watcher.query<{ oid: number; bytes: number }>('SELECT c.oid::int8 AS oid, pg_total_relation_size(c.oid) AS bytes FROM pg_class c WHERE c.oid = to_regclass($1)', [`${schema}.${table}`]);
      if (!info) {
        out.tables.push({ table, status: 'failed', bytesBefore: 0, bytesAfter: null, durationMs: 0, message: 'table not found' });
        continue;
      }
      ctx.report({ phase: `pg_repack ${table}`, done: i, total: tables.length, message: 'starting' });
      const t0 = Date.now();
      const args = ['-h', db.host, '-p', String(db.port), '-U', db.user, '-d', db.database, '--no-kill-backend', '--wait-timeout=30', '--no-order', '-t', `${schema}.${table}`];
      if (!status.superuser) args.push('--no-superuser-check');
      const env: NodeJS.ProcessEnv = { ...process.env, PGAPPNAME: 'housekeeper-pg_repack', PGSSLMODE: db.sslmode, PGCONNECT_TIMEOUT: '10' };
      if (db.password !== null) env.PGPASSWORD = db.password;
      if (db.caFile) env.PGSSLROOTCERT = db.caFile;
      const poll = setInterval(() => {
        void watcher
          .query<{ bytes: number | null }>(
            `SELECT pg_total_relation_size(c.oid) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'repack' AND c.relname = $1`,
            [`table_${info.oid}`],
          )
          .then((rows) => {
            const copied = rows[0]?.bytes;
            if (copied !== undefined && copied !== null) ctx.report({ message: `${table}: copied ${Math.round(Number(copied) / 1e6)} MB of at most ${Math.round(Number(info.bytes) / 1e6)} MB` });
          })
          .catch(() => undefined);
      }, 1000);
      let result: { code: number | null; stderr: string };
      try {
        result = await runChild(status.client.path, args, env, ctx.signal, (line) => ctx.report({ message: `${table}: ${line}` }));
      } finally {
        clearInterval(poll);
      }
      const [after] = await watcher.query<{ bytes: number }>('SELECT pg_total_relation_size(to_regclass($1)) AS bytes', [`${schema}.${table}`]);
      const ok = result.code === 0;
      if (!ok) log.warn(`pg_repack ${table} exited ${result.code}: ${result.stderr.slice(-500)}`);
      out.tables.push({
        table,
        status: ok ? 'repacked' : 'failed',
        bytesBefore: Number(info.bytes),
        bytesAfter: after ? Number(after.bytes) : null,
        durationMs: Date.now() - t0,
        message: ok ? null : lastLines(result.stderr),
      });
      i++;
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

function runChild(bin: string, args: string[], env: NodeJS.ProcessEnv, signal: AbortSignal, onLine: (l: string) => void): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new AppError('CANCELLED', 'Cancelled by the user.'));
    const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const take = (buf: Buffer) => {
      const text = buf.toString('utf8');
      stderr = (stderr + text).slice(-16_000);
      for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) onLine(line.replace(/^INFO:\s*/, ''));
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    // pg_repack cleans up its trigger and copy on SIGTERM/SIGINT.
    const onAbort = () => child.kill('SIGINT');
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => reject(new AppError('INTERNAL', `pg_repack could not start: ${e.message}`)));
    child.on('close', (code) => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) reject(new AppError('CANCELLED', 'Cancelled by the user; pg_repack was stopped and cleans up after itself.'));
      else resolve({ code, stderr });
    });
  });
}
