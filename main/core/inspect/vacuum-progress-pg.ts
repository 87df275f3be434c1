/**
 * Vacuums and analyzes running right now in this database, with progress: pg_stat_progress_vacuum
 * (plain VACUUM and autovacuum), pg_stat_progress_cluster (VACUUM FULL / CLUSTER, PG 12+) and
 * pg_stat_progress_analyze (PG 13+), joined to pg_stat_activity for the start time, the kind of
 * backend and what it waits on. pghero shows only the phase (#170); the heap block counters give a
 * real percentage for the scanning and vacuuming phases.
 *
 * A role without pg_read_all_stats sees other roles' rows with most columns NULL: we say so rather
 * than show an empty list as "nothing running". That includes `phase`: the views compute it with a
 * CASE over a counter that is NULL for such rows, so an autovacuum (run by the bootstrap superuser)
 * reaches a Prefect-owner role as a row without a phase. The first Overview after a big seed or purge
 * met exactly that while autovacuum ran, and failed the contract ("unexpected shape for
 * inspect.maintenance", issue #13); a refresh after autovacuum ended looked fine. Every column that the
 * view may hide is read as nullable here and mapped to words.
 */
import type { Maintenance, MaintenanceActivity } from '../../../shared/domain/inspect';
import type { PostgresTarget, Query } from '../targets/postgres';
import { iso, optional } from './pg-util';

export const PROGRESS_VACUUM_SQL = `
SELECT p.pid, p.relid::regclass::text AS relname, p.phase,
       p.heap_blks_total AS total, p.heap_blks_scanned AS scanned, p.heap_blks_vacuumed AS vacuumed,
       p.index_vacuum_count AS index_passes,
       a.backend_type, a.query, a.query_start, a.xact_start, a.wait_event_type, a.wait_event
  FROM pg_stat_progress_vacuum p
  LEFT JOIN pg_stat_activity a ON a.pid = p.pid
 WHERE p.datid = (SELECT oid FROM pg_database WHERE datname = current_database())`;

export const PROGRESS_CLUSTER_SQL = `
SELECT p.pid, p.relid::regclass::text AS relname, p.command, p.phase,
       p.heap_blks_total AS total, p.heap_blks_scanned AS scanned,
       a.query_start, a.wait_event_type, a.wait_event
  FROM pg_stat_progress_cluster p
  LEFT JOIN pg_stat_activity a ON a.pid = p.pid
 WHERE p.datid = (SELECT oid FROM pg_database WHERE datname = current_database())`;

export const PROGRESS_ANALYZE_SQL = `
SELECT p.pid, p.relid::regclass::text AS relname, p.phase,
       p.sample_blks_total AS total, p.sample_blks_scanned AS scanned,
       a.backend_type, a.query_start, a.wait_event_type, a.wait_event
  FROM pg_stat_progress_analyze p
  LEFT JOIN pg_stat_activity a ON a.pid = p.pid
 WHERE p.datid = (SELECT oid FROM pg_database WHERE datname = current_database())`;

/** What a hidden phase is called (pg_stat_progress_* show NULL to roles without pg_read_all_stats). */
export const HIDDEN_PHASE = 'phase hidden from this role';

interface VacuumRow {
  pid: number;
  relname: string | null;
  phase: string | null;
  total: number | null;
  scanned: number | null;
  vacuumed: number | null;
  index_passes: number | null;
  backend_type: string | null;
  query: string | null;
  query_start: Date | null;
  xact_start: Date | null;
  wait_event_type: string | null;
  wait_event: string | null;
}

const waiting = (t: string | null, e: string | null) => (t ? `${t}${e ? `: ${e}` : ''}` : null);

/**
 * Progress through the heap: scanning counts scanned blocks, vacuuming counts vacuumed blocks; the
 * index and cleanup phases have no block counter, so they report null (shown as the phase name).
 */
export function vacuumProgress(phase: string | null, total: number | null, scanned: number | null, vacuumed: number | null): number | null {
  if (!total || total <= 0) return null;
  if (phase === 'scanning heap') return Math.min(1, (scanned ?? 0) / total);
  if (phase === 'vacuuming heap') return Math.min(1, (vacuumed ?? 0) / total);
  return null;
}

export async function readMaintenancePg(q: Query, readAllStats: boolean): Promise<Maintenance> {
  const notes: string[] = [];
  const activities: MaintenanceActivity[] = [];
  const vac = await optional(q, 'hk_prog_vac', () => q<VacuumRow>(PROGRESS_VACUUM_SQL));
  if (vac.ok) {
    for (const r of vac.value) {
      const auto = r.backend_type === 'autovacuum worker' || (r.query ?? '').startsWith('autovacuum:');
      activities.push({
        pid: r.pid,
        kind: auto ? 'autovacuum' : 'vacuum',
        table: r.relname,
        phase: r.phase ?? HIDDEN_PHASE,
        startedAt: iso(r.xact_start ?? r.query_start),
        progress: vacuumProgress(r.phase, r.total, r.scanned, r.vacuumed),
        heapBlocksTotal: r.total,
        heapBlocksScanned: r.scanned,
        heapBlocksVacuumed: r.vacuumed,
        indexVacuumCount: r.index_passes,
        waiting: waiting(r.wait_event_type, r.wait_event),
      });
    }
  } else {
    notes.push(`pg_stat_progress_vacuum is not readable: ${vac.error.message}`);
  }
  // CLUSTER / VACUUM FULL and ANALYZE report the same shape: blocks scanned of a total, no vacuum pass.
  type ScanRow = { pid: number; relname: string | null; phase: string | null; total: number | null; scanned: number | null; query_start: Date | null; wait_event_type: string | null; wait_event: string | null };
  const scanActivity = (r: ScanRow, kind: string): MaintenanceActivity => ({
    pid: r.pid,
    kind,
    table: r.relname,
    phase: r.phase ?? HIDDEN_PHASE,
    startedAt: iso(r.query_start),
    progress: r.total ? Math.min(1, (r.scanned ?? 0) / r.total) : null,
    heapBlocksTotal: r.total,
    heapBlocksScanned: r.scanned,
    heapBlocksVacuumed: null,
    indexVacuumCount: null,
    waiting: waiting(r.wait_event_type, r.wait_event),
  });
  const cl = await optional(q, 'hk_prog_cluster', () => q<ScanRow & { command: string | null }>(PROGRESS_CLUSTER_SQL));
  if (cl.ok) for (const r of cl.value) activities.push(scanActivity(r, (r.command ?? 'vacuum full or cluster').toLowerCase()));
  const an = await optional(q, 'hk_prog_analyze', () => q<ScanRow & { backend_type: string | null }>(PROGRESS_ANALYZE_SQL));
  if (an.ok) for (const r of an.value) activities.push(scanActivity(r, r.backend_type === 'autovacuum worker' ? 'autoanalyze' : 'analyze'));
  if (!readAllStats) {
    notes.push("This role is not in pg_monitor / pg_read_all_stats: other roles' vacuums (autovacuum included) may show without table or progress.");
  }
  activities.sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? ''));
  return { at: new Date().toISOString(), available: vac.ok, activities, notes };
}

/** For the screen's refresh loop: one short read-only transaction. */
export function maintenanceNow(target: PostgresTarget, readAllStats: boolean, signal?: AbortSignal): Promise<Maintenance> {
  return target.readOnly((q) => readMaintenancePg(q, readAllStats), { signal, statementTimeoutMs: 5_000 });
}
