/**
 * VACUUM of a chosen list of Prefect tables as a job, with live progress from
 * pg_stat_progress_vacuum (or pg_stat_progress_cluster for VACUUM FULL), polled on a second
 * connection. The generic form of main/core/purge/vacuum.ts `vacuumPg` (which purge can switch to):
 * the caller passes the tables it may touch, so identifiers never come from input.
 *
 * - VACUUM (ANALYZE): takes SHARE UPDATE EXCLUSIVE, which Prefect's reads and writes never wait
 *   for; it makes dead space reusable and refreshes the planner's statistics. Files do not shrink.
 * - VACUUM FULL: rewrites the table under ACCESS EXCLUSIVE for the whole rewrite: every query on it,
 *   reads included, waits. Only ever run after a typed confirmation (retention's rewrite.ts), with a
 *   short lock_timeout so it never queues in front of Prefect's own queries for long.
 */
import { AppError } from '../../../shared/errors';
import type { ResolvedConnection } from '../connections/types';
import type { JobContext } from '../jobs/runner';
import { PostgresTarget } from '../targets/postgres';

export type PgDb = Extract<ResolvedConnection['db'], { kind: 'postgres' }>;

export interface TableVacuum {
  table: string;
  status: 'vacuumed' | 'skipped' | 'failed';
  reason?: string;
  durationMs: number;
  bytesBefore: number | null;
  bytesAfter: number | null;
}

export interface VacuumTablesOutcome {
  mode: 'analyze' | 'full';
  tables: TableVacuum[];
}

export async function vacuumTablesPg(
  db: PgDb,
  tables: readonly string[],
  allowed: readonly string[],
  ctx: JobContext,
  opts: { mode?: 'analyze' | 'full'; lockTimeoutMs?: number } = {},
): Promise<VacuumTablesOutcome> {
  const mode = opts.mode ?? 'analyze';
  for (const t of tables) if (!allowed.includes(t)) throw new AppError('VALIDATION', `Not a table Housekeeper vacuums: ${t}`);
  // No statement timeout: a big table legitimately takes minutes. Cancel still works (pg_cancel_backend).
  const worker = new PostgresTarget(db, { applicationName: `housekeeper-vacuum${mode === 'full' ? '-full' : ''}`, statementTimeoutMs: 0, lockTimeoutMs: opts.lockTimeoutMs ?? 5_000, maxConnections: 1 });
  const watcher = new PostgresTarget(db, { applicationName: 'housekeeper-vacuum-progress', maxConnections: 1 });
  const out: VacuumTablesOutcome = { mode, tables: [] };
  try {
    const allowedRows = await watcher.readOnly((q) =>
      q<{ relname: string; ok: boolean; bytes: number }>(
        `SELECT c.relname, pg_total_relation_size(c.oid) AS bytes,
                (pg_has_role(current_user, c.relowner, 'USAGE')
                 OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                 OR (current_setting('server_version_num')::int >= 170000 AND pg_has_role(current_user, 'pg_maintain', 'USAGE'))) AS ok
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname = ANY($1::text[])`,
        [tables],
      ),
    );
    const info = new Map(allowedRows.map((r) => [r.relname, r]));
    let i = 0;
    for (const table of tables) {
      ctx.signal.throwIfAborted?.();
      ctx.report({ phase: `${mode === 'full' ? 'VACUUM FULL' : 'vacuum'} ${table}`, done: i, total: tables.length, message: null });
      const t0 = Date.now();
      const row = info.get(table);
      if (!row) {
        out.tables.push({ table, status: 'skipped', reason: 'table not found', durationMs: 0, bytesBefore: null, bytesAfter: null });
      } else if (!row.ok) {
        out.tables.push({
          table,
          status: 'skipped',
          reason: 'only the table owner, a superuser or (PG 17+) pg_maintain may VACUUM it; autovacuum still makes the space reusable',
          durationMs: 0,
          bytesBefore: Number(row.bytes),
          bytesAfter: null,
        });
      } else {
        const poll = setInterval(() => {
          const sql =
            mode === 'full'
              ? `SELECT p.phase, p.heap_blks_total AS total, p.heap_blks_scanned AS scanned FROM pg_stat_progress_cluster p WHERE p.relid = $1::regclass`
              : `SELECT p.phase, p.heap_blks_total AS total, p.heap_blks_scanned AS scanned FROM pg_stat_progress_vacuum p WHERE p.relid = $1::regclass`;
          void watcher
            .query<{ phase: string; total: number; scanned: number }>(sql, [table])
            .then((rows) => {
              const r = rows[0];
              if (r) ctx.report({ message: `${table}: ${r.phase}, ${r.total ? Math.round((100 * Number(r.scanned)) / Number(r.total)) : 0}% of heap scanned` });
            })
            .catch(() => undefined);
        }, 500);
        try {
          // The identifier is one of `allowed` (checked above), never free text.
          await worker.query(mode === 'full' ? `VACUUM (FULL, ANALYZE) ${table}` : `VACUUM (ANALYZE) ${table}`, [], { signal: ctx.signal });
          const [after] = await watcher.query<{ bytes: number }>('SELECT pg_total_relation_size($1::regclass) AS bytes', [table]);
          out.tables.push({ table, status: 'vacuumed', durationMs: Date.now() - t0, bytesBefore: Number(row.bytes), bytesAfter: after ? Number(after.bytes) : null });
        } catch (e) {
          if (e instanceof AppError && e.code === 'CANCELLED') throw e;
          const sqlstate = e instanceof AppError && typeof e.details?.sqlstate === 'string' ? e.details.sqlstate : '';
          if (sqlstate !== '55P03') throw e;
          // lock_timeout: another session holds the table; we gave up instead of queueing everyone behind us.
          out.tables.push({
            table,
            status: 'failed',
            reason: 'another session held a lock on the table, so Housekeeper gave up instead of making Prefect queue behind it; try again when it is quieter',
            durationMs: Date.now() - t0,
            bytesBefore: Number(row.bytes),
            bytesAfter: null,
          });
        } finally {
          clearInterval(poll);
        }
      }
      i++;
    }
    ctx.report({ phase: 'done', done: tables.length, total: tables.length });
    return out;
  } finally {
    await Promise.allSettled([worker.close(), watcher.close()]);
  }
}
