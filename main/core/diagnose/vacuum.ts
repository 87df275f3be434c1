/**
 * The session's VACUUM step. Purge's own runner (purge/vacuum.ts) covers the tables a purge touches
 * with VACUUM (ANALYZE); Diagnose also needs FREEZE (transaction ID age) and the events tables, so it
 * runs the same statement shape here: one table at a time, no statement timeout (a big table takes
 * minutes), progress from pg_stat_progress_vacuum on a second connection, cancel through the job's
 * signal. Plain VACUUM takes no lock that blocks Prefect; it never shrinks the files.
 */
import { AppError } from '../../../shared/errors';
import { VACUUM_TABLES } from '../../../shared/domain/diagnose';
import type { ResolvedConnection } from '../connections/types';
import type { JobContext } from '../jobs/runner';
import { PostgresTarget } from '../targets/postgres';

export interface VacuumStepOutcome {
  tables: Array<{ table: string; status: 'vacuumed' | 'skipped'; reason?: string; durationMs: number }>;
}

const allowed = new Set<string>(VACUUM_TABLES);

export async function vacuumTables(db: Extract<ResolvedConnection['db'], { kind: 'postgres' }>, tables: readonly string[], freeze: boolean, ctx: JobContext): Promise<VacuumStepOutcome> {
  const worker = new PostgresTarget(db, { applicationName: 'housekeeper-vacuum', statementTimeoutMs: 0, maxConnections: 1 });
  const watcher = new PostgresTarget(db, { applicationName: 'housekeeper-vacuum-progress', maxConnections: 1 });
  const out: VacuumStepOutcome = { tables: [] };
  try {
    const owned = await watcher.readOnly((q) =>
      q<{ relname: string; ok: boolean }>(
        `SELECT c.relname::text AS relname,
                (pg_has_role(current_user, c.relowner, 'USAGE')
                 OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                 OR (current_setting('server_version_num')::int >= 170000 AND pg_has_role(current_user, 'pg_maintain', 'USAGE'))) AS ok
           FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND c.relname = ANY($1::text[])`,
        [tables],
      ),
    );
    const may = new Map(owned.map((r) => [r.relname, r.ok]));
    for (const [i, table] of tables.entries()) {
      ctx.report({ phase: `vacuum ${table}`, done: i, total: tables.length, message: null });
      const t0 = Date.now();
      if (!allowed.has(table)) throw new AppError('VALIDATION', `Not a table Housekeeper vacuums: ${table}`);
      if (!may.has(table)) {
        out.tables.push({ table, status: 'skipped', reason: 'no such table in this Prefect version', durationMs: 0 });
        continue;
      }
      if (!may.get(table)) {
        out.tables.push({ table, status: 'skipped', reason: 'only the table owner, a superuser or (PG 17+) pg_maintain may VACUUM it; autovacuum still does', durationMs: 0 });
        continue;
      }
      const poll = setInterval(() => {
        void watcher
          .query<{ phase: string; total: number; scanned: number }>('SELECT phase, heap_blks_total AS total, heap_blks_scanned AS scanned FROM pg_stat_progress_vacuum WHERE relid = $1::regclass', [table])
          .then((rows) => {
            const r = rows[0];
            if (r) ctx.report({ message: `${table}: ${r.phase}, ${r.total ? Math.round((100 * Number(r.scanned)) / Number(r.total)) : 0}% of the heap scanned` });
          })
          .catch(() => undefined);
      }, 500);
      try {
        // The identifier is one of VACUUM_TABLES (checked above), never input.
        await worker.query(`VACUUM (${freeze ? 'FREEZE, ' : ''}ANALYZE) ${table}`, [], { signal: ctx.signal });
      } finally {
        clearInterval(poll);
      }
      out.tables.push({ table, status: 'vacuumed', durationMs: Date.now() - t0 });
    }
    ctx.report({ phase: 'done', done: tables.length, total: tables.length });
    return out;
  } finally {
    await Promise.allSettled([worker.close(), watcher.close()]);
  }
}
