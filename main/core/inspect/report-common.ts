/**
 * Pieces every report rendering shares (Markdown, CSV, CLI text): which rows are worth showing and
 * how a few values read. Pure.
 */
import type { IndexSpace, InspectReport, PostgresSpace, TableSpace } from '../../../shared/domain/inspect';
import { describeReclaim, heapReclaim, spaceReclaim, type ReclaimPart } from '../../../shared/domain/reclaim';
import { formatBytes, formatInt, formatShare } from '../../../shared/text/bytes';

const MIB = 1024 * 1024;

/** Prefect's tables that hold rows, and anything of at least 1 MiB, biggest first. */
export function notableTables(tables: readonly TableSpace[]): TableSpace[] {
  return tables.filter((t) => (t.prefect && (t.rowsEstimate ?? 0) > 0) || t.totalBytes >= MIB);
}

/**
 * Indexes worth a look: invalid ones always; duplicates and never-used ones only when they are big
 * enough to matter. Most are Prefect's own, so they are reported, not condemned: dropping one is the
 * admin's call, and a Prefect upgrade may create it again.
 */
export function flaggedIndexes(indexes: readonly IndexSpace[]): IndexSpace[] {
  return indexes.filter((i) => !i.valid || (i.duplicateOf !== null && i.bytes >= MIB) || (i.unused && i.bytes >= 8 * MIB));
}

export function indexFlag(i: IndexSpace): string {
  const flags: string[] = [];
  if (!i.valid) flags.push('INVALID');
  if (i.duplicateOf) flags.push(`duplicate of ${i.duplicateOf}`);
  if (i.unused) flags.push('never used');
  return flags.join(', ');
}

/** A table's heap: "1.2 MiB measured", "≈4 MiB ±1 MiB", "up to 50 MiB", or "unknown". */
export function reclaimText(t: Pick<TableSpace, 'bloat' | 'exact' | 'heapBytes'>): string {
  return describeReclaim(heapReclaim(t), formatBytes);
}

export const reclaimPartText = (p: ReclaimPart): string => describeReclaim(p, formatBytes);

/**
 * The reclaimable numbers of a report as its tables show them: per shown table (heap and indexes),
 * the tables not shown as one line, and the total (the headline), which is the sum of those lines.
 */
export function reclaimLines(space: Pick<PostgresSpace, 'tables' | 'indexes'>, shown: readonly TableSpace[]) {
  const r = spaceReclaim(space);
  const names = new Set(shown.map((t) => t.name));
  const zero: ReclaimPart = { bytes: 0, marginBytes: 0, unknown: 0, measured: 0, known: 0 };
  const sum = (a: ReclaimPart, b: ReclaimPart): ReclaimPart => ({ bytes: a.bytes + b.bytes, marginBytes: a.marginBytes + b.marginBytes, unknown: a.unknown + b.unknown, measured: a.measured + b.measured, known: a.known + b.known });
  const rest = r.perTable.filter((t) => !names.has(t.name));
  const other = { count: rest.length, heap: rest.reduce((a, t) => sum(a, t.heap), zero), indexes: rest.reduce((a, t) => sum(a, t.indexes), zero) };
  return { byTable: new Map(r.perTable.map((t) => [t.name, t])), other, tables: r.tables, indexes: r.indexes, total: r.total };
}

/** The headline: "tables ≈3 MiB ±1 MiB + indexes ≈81 MiB ±20 MiB = ≈84 MiB ±21 MiB". */
export function reclaimHeadline(space: Pick<PostgresSpace, 'tables' | 'indexes'>): string {
  const r = spaceReclaim(space);
  return `tables ${reclaimPartText(r.tables)} + indexes ${reclaimPartText(r.indexes)} = ${reclaimPartText(r.total)}`;
}

export function deadText(t: TableSpace): string {
  if (t.deadTuples === null) return '—';
  return `${formatInt(t.deadTuples)} (${formatShare(t.deadShare)})`;
}

export function nextAutovacuumText(t: TableSpace): string {
  const a = t.autovacuum;
  if (!a) return '—';
  if (!a.enabled) return 'OFF';
  if (a.vacuumProgress >= 1) return 'due now';
  return `${Math.round(a.vacuumProgress * 100)} % of ${formatInt(a.vacuumTrigger)} dead`;
}

export function xidText(r: InspectReport): string | null {
  const s = r.space;
  if (!s || s.kind !== 'postgres' || s.xidAge === null) return null;
  const max = s.xidFreezeMaxAge ?? 200_000_000;
  return `${formatInt(s.xidAge)} (${formatShare(s.xidAge / max)} of autovacuum_freeze_max_age ${formatInt(max)})`;
}

export function shortDate(iso: string | null): string {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/:\d\dZ$/, 'Z');
}
