/**
 * What a rewrite would give back, added up the way the screen shows it (issue #13 item 8). The
 * Overview's headline said "≈84 MiB ±178 MiB" while its per-table column added up to about 3 MiB: the
 * rest was index bloat that only the JSON showed. Here every number has one source: per table, its
 * heap and its indexes side by side (a measurement when there is one, else the estimate with its
 * margin), and the headline is the sum of exactly those rows. One function for the Overview, the CLI,
 * Markdown and CSV, so they cannot disagree.
 */
import type { IndexSpace, PostgresSpace, TableSpace } from './inspect';

export interface ReclaimPart {
  /** Best known reclaimable bytes (measured where measured, else estimated). */
  bytes: number;
  /** ± bytes of the estimated part (0 when everything was measured). */
  marginBytes: number;
  /** Relations in this part with no number at all (no statistics, not a btree, ...). */
  unknown: number;
  /** Relations in this part measured exactly (pgstattuple). */
  measured: number;
  /** Relations in this part with a number (measured or estimated). */
  known: number;
}

export interface TableReclaim {
  name: string;
  heap: ReclaimPart;
  indexes: ReclaimPart;
  total: ReclaimPart;
}

export interface SpaceReclaim {
  tables: ReclaimPart;
  indexes: ReclaimPart;
  total: ReclaimPart;
  perTable: TableReclaim[];
}

const empty = (): ReclaimPart => ({ bytes: 0, marginBytes: 0, unknown: 0, measured: 0, known: 0 });

function add(a: ReclaimPart, b: ReclaimPart): ReclaimPart {
  return { bytes: a.bytes + b.bytes, marginBytes: a.marginBytes + b.marginBytes, unknown: a.unknown + b.unknown, measured: a.measured + b.measured, known: a.known + b.known };
}

/** A table's heap: the measurement, or the estimate ± its margin × the heap size, or unknown. */
export function heapReclaim(t: Pick<TableSpace, 'exact' | 'bloat' | 'heapBytes'>): ReclaimPart {
  if (t.exact) return { bytes: t.exact.reclaimableBytes, marginBytes: 0, unknown: 0, measured: 1, known: 1 };
  const b = t.bloat;
  if (b.reclaimableBytes === null || b.confidence.margin === null) return { ...empty(), unknown: 1 };
  return { bytes: b.reclaimableBytes, marginBytes: b.confidence.margin * t.heapBytes, unknown: 0, measured: 0, known: 1 };
}

export function indexReclaim(i: Pick<IndexSpace, 'exact' | 'bloat' | 'bytes'>): ReclaimPart {
  if (i.exact) return { bytes: i.exact.reclaimableBytes, marginBytes: 0, unknown: 0, measured: 1, known: 1 };
  const b = i.bloat;
  if (!b || b.reclaimableBytes === null || b.confidence.margin === null) return { ...empty(), unknown: 1 };
  return { bytes: b.reclaimableBytes, marginBytes: b.confidence.margin * i.bytes, unknown: 0, measured: 0, known: 1 };
}

/** Per table (heap and its indexes) and in total; the totals are the sums of the rows. */
export function spaceReclaim(space: Pick<PostgresSpace, 'tables' | 'indexes'>): SpaceReclaim {
  const byTable = new Map<string, ReclaimPart>();
  for (const i of space.indexes) byTable.set(i.table, add(byTable.get(i.table) ?? empty(), indexReclaim(i)));
  const perTable = space.tables.map((t) => {
    const heap = heapReclaim(t);
    const indexes = byTable.get(t.name) ?? empty();
    return { name: t.name, heap, indexes, total: add(heap, indexes) };
  });
  const tables = perTable.reduce((s, r) => add(s, r.heap), empty());
  const indexes = perTable.reduce((s, r) => add(s, r.indexes), empty());
  return { tables, indexes, total: add(tables, indexes), perTable };
}

/**
 * How to say one amount: "1.2 MiB measured", "≈84 MiB ±12 MiB", or, when the margin is as large as
 * the estimate, "up to 262 MiB" (the estimate cannot tell it from nothing, and "≈84 MiB ±178 MiB"
 * only invites a misreading).
 */
export function describeReclaim(p: ReclaimPart, formatBytes: (n: number) => string): string {
  if (p.known === 0) return 'unknown';
  if (p.marginBytes === 0) return p.measured === p.known ? `${formatBytes(p.bytes)} measured` : formatBytes(p.bytes);
  if (p.marginBytes >= p.bytes) return `up to ${formatBytes(p.bytes + p.marginBytes)}`;
  return `≈${formatBytes(p.bytes)} ±${formatBytes(p.marginBytes)}`;
}
