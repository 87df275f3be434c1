/** Pure rules of the maintenance view: which tables come first, and when VACUUM FULL may start. */
import type { TableState } from '../../../shared/domain/retention/maintenance';

const RANK: Record<TableState['verdict'], number> = { rewrite: 0, vacuum: 1, fine: 2 };

/** Tables that need something first, then the biggest. */
export function orderTables(tables: readonly TableState[]): TableState[] {
  return [...tables].sort((a, b) => RANK[a.verdict] - RANK[b.verdict] || b.totalBytes - a.totalBytes || a.table.localeCompare(b.table));
}

/** VACUUM FULL starts only when the table's exact name was typed back (surrounding spaces aside). */
export function vacuumFullArmed(typed: string, table: string | null): boolean {
  return table !== null && typed.trim() === table;
}

/** Share of the rows that are dead, 0..1 (null when the table has no rows at all). */
export function deadShare(t: Pick<TableState, 'deadRows' | 'liveRows'>): number | null {
  const all = t.deadRows + t.liveRows;
  return all === 0 ? null : t.deadRows / all;
}

export interface TableVacuum {
  table: string;
  status: string;
  reason?: string;
  durationMs?: number;
  bytesBefore?: number | null;
  bytesAfter?: number | null;
}

/** The job's result is untyped in the jobs store; read only the fields this view shows. */
export function vacuumTables(result: unknown): TableVacuum[] {
  const tables = (result as { tables?: unknown } | null)?.tables;
  return Array.isArray(tables) ? (tables.filter((t) => t && typeof (t as TableVacuum).table === 'string') as TableVacuum[]) : [];
}

/** The tables pg_repack is offered for first: those whose file only a rewrite shrinks, biggest first. */
export function repackDefaults(tables: readonly TableState[]): string[] {
  return orderTables(tables)
    .filter((t) => t.verdict === 'rewrite')
    .map((t) => t.table);
}
