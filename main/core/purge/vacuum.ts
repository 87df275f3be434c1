/**
 * After a purge: VACUUM (ANALYZE) the touched tables so Postgres can reuse the space and the planner
 * sees the new row counts. Plain VACUUM never shrinks the files (only a rewrite such as pg_repack or
 * VACUUM FULL does) and takes no lock that blocks Prefect. Progress comes from
 * pg_stat_progress_vacuum, polled on a second connection. On SQLite, VACUUM rewrites the whole file
 * (it needs about the file's size in free disk and an exclusive lock), so free space is checked first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import type { ResolvedConnection } from '../connections/types';
import type { JobContext } from '../jobs/runner';
import { PostgresTarget } from '../targets/postgres';
import { SqliteTarget } from '../targets/sqlite';

export const PURGE_TABLES = ['flow_run', 'flow_run_state', 'task_run', 'task_run_state', 'log', 'artifact', 'flow_run_input'] as const;

export interface VacuumOutcome {
  tables: Array<{ table: string; status: 'vacuumed' | 'skipped'; reason?: string; durationMs: number }>;
  freedBytes: number | null;
}

export async function vacuumPg(db: Extract<ResolvedConnection['db'], { kind: 'postgres' }>, tables: readonly string[], ctx: JobContext): Promise<VacuumOutcome> {
  // No statement timeout for VACUUM itself: a big table legitimately takes minutes. Cancel still works.
  const worker = new PostgresTarget(db, { applicationName: 'housekeeper-vacuum', statementTimeoutMs: 0, maxConnections: 1 });
  const watcher = new PostgresTarget(db, { applicationName: 'housekeeper-vacuum-progress', maxConnections: 1 });
  const out: VacuumOutcome = { tables: [], freedBytes: null };
  try {
    const allowed = await watcher.readOnly((q) =>
      q<{ relname: string; ok: boolean }>(
        `SELECT c.relname,
                (pg_has_role(current_user, c.relowner, 'USAGE')
                 OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                 OR (current_setting('server_version_num')::int >= 170000 AND pg_has_role(current_user, 'pg_maintain', 'USAGE'))) AS ok
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname = ANY($1::text[])`,
        [tables],
      ),
    );
    const ok = new Map(allowed.map((r) => [r.relname, r.ok]));
    let i = 0;
    for (const table of tables) {
      ctx.report({ phase: `vacuum ${table}`, done: i, total: tables.length, message: null });
      const t0 = Date.now();
      if (!ok.has(table)) {
        out.tables.push({ table, status: 'skipped', reason: 'table not found', durationMs: 0 });
      } else if (!ok.get(table)) {
        out.tables.push({
          table,
          status: 'skipped',
          reason: 'only the table owner, a superuser or (PG 17+) pg_maintain may VACUUM it; autovacuum will still reclaim the space',
          durationMs: 0,
        });
      } else {
        const poll = setInterval(() => {
          void watcher
            .query<{ phase: string; total: number; scanned: number }>(
              `SELECT p.phase, p.heap_blks_total AS total, p.heap_blks_scanned AS scanned
                 FROM pg_stat_progress_vacuum p WHERE p.relid = $1::regclass`,
              [table],
            )
            .then((rows) => {
              const r = rows[0];
              if (r) ctx.report({ message: `${table}: ${r.phase}, ${r.total ? Math.round((100 * Number(r.scanned)) / Number(r.total)) : 0}% of heap scanned` });
            })
            .catch(() => undefined);
        }, 500);
        try {
          // Identifiers come from the fixed PURGE_TABLES list, never from input.
          if (!(PURGE_TABLES as readonly string[]).includes(table)) throw new AppError('VALIDATION', `Not a table Housekeeper vacuums: ${table}`);
          await worker.query(`VACUUM (ANALYZE) ${table}`, [], { signal: ctx.signal });
        } finally {
          clearInterval(poll);
        }
        out.tables.push({ table, status: 'vacuumed', durationMs: Date.now() - t0 });
      }
      i++;
    }
    ctx.report({ phase: 'done', done: tables.length, total: tables.length });
    return out;
  } finally {
    await Promise.allSettled([worker.close(), watcher.close()]);
  }
}

export async function vacuumSqlite(file: string, ctx: JobContext): Promise<VacuumOutcome> {
  const size = fs.statSync(file).size;
  const st = fs.statfsSync(path.dirname(file));
  const free = Number(st.bavail) * Number(st.bsize);
  if (free < size * 1.1) {
    throw new AppError('VALIDATION', `VACUUM needs about ${Math.ceil(size / 1e6)} MB free next to ${file}; only ${Math.floor(free / 1e6)} MB are free. Nothing was changed.`, {
      hint: 'Free some disk space first, or skip VACUUM: the deleted space is reused by SQLite anyway.',
    });
  }
  ctx.report({ phase: 'vacuum', done: 0, total: 1, message: 'Rewriting the database file (the Prefect server waits for the lock)' });
  const t0 = Date.now();
  const target = new SqliteTarget(file, { busyTimeoutMs: 30_000 });
  try {
    target.write(() => undefined); // proves we can take the write lock and that foreign keys are on
    target.vacuum();
  } finally {
    target.close();
  }
  const after = fs.statSync(file).size;
  ctx.report({ phase: 'done', done: 1, total: 1 });
  return { tables: [{ table: path.basename(file), status: 'vacuumed', durationMs: Date.now() - t0 }], freedBytes: size - after };
}
