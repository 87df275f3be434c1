/**
 * After a retention: the tables' state, and the jobs that give the space back.
 * - VACUUM (ANALYZE) of the retention tables (batches/vacuum-pg.ts), or VACUUM of the SQLite file
 *   with the free-disk check (purge/vacuum.ts vacuumSqlite);
 * - whether pg_repack can rewrite online here (extension created in the Prefect database and a
 *   client of the same version on this machine), else what to install; the job is repack.ts;
 * - otherwise what to install, and VACUUM FULL only after the table's name is typed back.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
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
import { PostgresTarget } from '../targets/postgres';

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
