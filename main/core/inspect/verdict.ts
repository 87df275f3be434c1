/**
 * The plain verdict per table: nothing to do / (auto)vacuum will make the space reusable / only a
 * rewrite gives the disk back. The distinction users keep asking about (Prefect #22839: "files do
 * not shrink"): plain VACUUM turns dead rows into free space inside the file, which new rows reuse,
 * while pg_repack / VACUUM FULL (or PG 19 REPACK) rewrite the file to return it to the OS.
 */
import type { AutovacuumState, Confidence, Verdict } from '../../../shared/domain/inspect';
import { formatBytes, formatInt, formatShare } from '../../../shared/text/bytes';

const MIB = 1024 * 1024;
/** Below this a table is not worth a maintenance action whatever its ratios say. */
export const SMALL_TABLE_BYTES = 8 * MIB;
/** Free space that only a rewrite returns: at least half the table and at least this much. */
export const REWRITE_MIN_BYTES = 64 * MIB;
export const REWRITE_MIN_RATIO = 0.5;
export const REUSE_DEAD_SHARE = 0.1;
export const REUSE_RATIO = 0.2;

export interface VerdictInput {
  heapBytes: number;
  deadTuples: number | null;
  deadShare: number | null;
  /** Best known reclaimable bytes: exact measurement if any, else the estimate. */
  reclaimableBytes: number | null;
  ratio: number | null;
  exact: boolean;
  confidence: Confidence['level'];
  autovacuum: AutovacuumState | null;
}

export function tableVerdict(v: VerdictInput): Verdict {
  if (v.heapBytes < SMALL_TABLE_BYTES) {
    return { kind: 'fine', summary: `Small (${formatBytes(v.heapBytes)}): not worth a maintenance action.` };
  }
  const dead = v.deadTuples ?? 0;
  const deadShare = v.deadShare ?? 0;
  const avNote = autovacuumNote(v.autovacuum);
  const trusted = v.exact || v.confidence === 'high' || v.confidence === 'medium';
  const known = v.reclaimableBytes !== null && v.ratio !== null && (v.exact || v.confidence !== 'none');

  if (known && trusted && v.ratio! >= REWRITE_MIN_RATIO && v.reclaimableBytes! >= REWRITE_MIN_BYTES) {
    return {
      kind: 'rewrite',
      summary:
        `About ${formatBytes(v.reclaimableBytes)} (${formatShare(v.ratio)}) of the file is free or dead space. ` +
        'Vacuum makes it reusable for new rows, but only a rewrite (pg_repack, or VACUUM FULL in a maintenance window) shrinks the file.',
    };
  }
  if (deadShare >= REUSE_DEAD_SHARE || (known && v.ratio! >= REUSE_RATIO)) {
    const parts: string[] = [];
    if (deadShare >= REUSE_DEAD_SHARE) parts.push(`${formatInt(dead)} dead rows (${formatShare(deadShare)}) wait for vacuum`);
    if (known && v.ratio! >= REUSE_RATIO) parts.push(`about ${formatBytes(v.reclaimableBytes)} (${formatShare(v.ratio)}) is reusable space`);
    const caveat = known && !trusted && v.ratio! >= REWRITE_MIN_RATIO ? ' The estimate is uncertain: measure exactly before planning a rewrite.' : '';
    return {
      kind: 'reuse',
      summary: `${capitalise(parts.join('; '))}. ${avNote} New rows reuse the space; the file does not shrink.${caveat}`,
    };
  }
  if (!known) {
    return { kind: 'unknown', summary: 'Cannot estimate reclaimable space here (see the confidence notes); dead rows are few.' };
  }
  return { kind: 'fine', summary: `Little to reclaim (about ${formatBytes(v.reclaimableBytes)}, ${formatShare(v.ratio)}).` };
}

function autovacuumNote(a: AutovacuumState | null): string {
  if (!a) return 'Autovacuum state unknown.';
  if (!a.enabled) return 'Autovacuum is OFF for this table: run VACUUM (ANALYZE) yourself.';
  if (a.vacuumProgress >= 1) return 'Autovacuum is due now.';
  return `Autovacuum starts at ${formatInt(a.vacuumTrigger)} dead rows (${Math.round(a.vacuumProgress * 100)} % there).`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** SQLite: free pages are reused by new rows; only VACUUM (a full rewrite) returns them to the disk. */
export function sqliteVerdict(fileBytes: number, freeBytes: number): Verdict {
  const ratio = fileBytes > 0 ? freeBytes / fileBytes : 0;
  if (fileBytes < SMALL_TABLE_BYTES || freeBytes < 4 * MIB) {
    return { kind: 'fine', summary: `Little free space (${formatBytes(freeBytes)} of ${formatBytes(fileBytes)}).` };
  }
  if (ratio >= 0.25 && freeBytes >= REWRITE_MIN_BYTES) {
    return {
      kind: 'rewrite',
      summary: `${formatBytes(freeBytes)} (${formatShare(ratio)}) of the file is free pages. SQLite reuses them for new rows; only VACUUM (a rewrite that needs about the file's size in free disk and locks out the Prefect server) shrinks the file.`,
    };
  }
  return { kind: 'reuse', summary: `${formatBytes(freeBytes)} (${formatShare(ratio)}) of free pages will be reused by new rows.` };
}
