/**
 * Pieces every report rendering shares (Markdown, CSV, CLI text): which rows are worth showing and
 * how a few values read. Pure.
 */
import type { IndexSpace, InspectReport, TableSpace } from '../../../shared/domain/inspect';
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

export function reclaimText(t: { bloat: TableSpace['bloat']; exact: TableSpace['exact'] }, size: number): string {
  if (t.exact) return `${formatBytes(t.exact.reclaimableBytes)} (exact)`;
  const b = t.bloat;
  if (b.reclaimableBytes === null || b.confidence.margin === null) return 'unknown';
  return `${formatBytes(b.reclaimableBytes)} ±${formatBytes(b.confidence.margin * size)}`;
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
