/**
 * How far to trust a statistical bloat estimate. The failure modes are documented (docs/prefect.md
 * §12): within ~2 points with fresh statistics, 81 points off with stale ones, and a pg_monitor-only
 * role that cannot read pg_stats gets a confident-looking nonsense number from the classic query.
 * So: no pg_stats, no estimate; stale or small, say so and widen the margin.
 */
import type { Confidence } from '../../../shared/domain/inspect';

export interface ConfidenceInput {
  kind: 'table' | 'index';
  relBytes: number;
  /** Columns (or index keys) that have a pg_stats row visible to this role. */
  columnsWithStats: number;
  columns: number;
  reltuples: number;
  /** Latest of last_analyze / last_autoanalyze; null when never (or not readable). */
  lastAnalyzeAt: string | null;
  modsSinceAnalyze: number | null;
  toastBytes?: number;
  heapBytes?: number;
  /** Set for non-btree indexes and expression keys we cannot size. */
  unsupported?: string;
  now?: Date;
}

const MARGIN = { high: 0.1, medium: 0.25, low: 0.5 } as const;
type Level = Confidence['level'];
const ORDER: Level[] = ['none', 'low', 'medium', 'high'];
const MIB = 1024 * 1024;

export function estimateConfidence(i: ConfidenceInput): Confidence {
  const reasons: string[] = [];
  let level = 'high' as Level;
  const lower = (to: Level, why: string) => {
    reasons.push(why);
    if (ORDER.indexOf(to) < ORDER.indexOf(level)) level = to;
  };
  if (i.unsupported) lower('none', i.unsupported);
  if (i.reltuples < 0) lower('none', 'never vacuumed or analyzed: Postgres has no row count for it yet');
  if (i.columns > 0 && i.columnsWithStats === 0) {
    lower('none', 'no column statistics visible: the role lacks SELECT on the table (pg_stats hides them), or it was never analyzed');
  } else if (i.columnsWithStats < i.columns) {
    const share = i.columnsWithStats / i.columns;
    lower(share < 0.5 ? 'low' : 'medium', `statistics cover ${i.columnsWithStats} of ${i.columns} columns`);
  }
  if (level !== 'none') {
    const age = i.lastAnalyzeAt ? ((i.now ?? new Date()).getTime() - Date.parse(i.lastAnalyzeAt)) / 86_400_000 : null;
    if (i.modsSinceAnalyze !== null && i.reltuples > 0) {
      const changed = i.modsSinceAnalyze / i.reltuples;
      if (changed > 0.2) lower('low', `${Math.round(changed * 100)} % of rows changed since the last ANALYZE`);
      else if (changed > 0.05) lower('medium', `${Math.round(changed * 100)} % of rows changed since the last ANALYZE`);
    }
    if (age === null && i.kind === 'table') lower('medium', 'last ANALYZE time unknown');
    else if (age !== null && age > 30) lower('medium', `statistics are ${Math.floor(age)} days old`);
    if (i.relBytes < MIB) lower('low', 'small relation: page rounding dominates, so ratios look large while the bytes are tiny');
    if (i.kind === 'table' && (i.toastBytes ?? 0) > (i.heapBytes ?? 0)) {
      lower('medium', 'most of its data lives in TOAST, which the estimate does not cover (only the main heap)');
    }
  }
  return { level, margin: level === 'none' ? null : MARGIN[level], reasons };
}

/** Reasons `withPrecision` adds (grouped by the Overview's notes, so worded without numbers). */
export const PRECISION_REASONS = {
  none: 'the margin is larger than the estimate itself: it cannot be told from nothing (measure exactly to know)',
  half: 'the margin is more than half the estimate',
} as const;

/**
 * The level must agree with the margin it shows (issue #13 item 8): a "high" estimate of 632 KiB
 * carried ±49 MiB, because the margin is a share of the relation while the estimate can be a sliver
 * of it. The input-quality level above stays the ceiling; the margin in bytes against the estimate
 * lowers it: at least as large as the estimate -> low, more than half of it -> medium.
 */
export function withPrecision(c: Confidence, reclaimableBytes: number, relBytes: number): Confidence {
  if (c.level === 'none' || c.margin === null) return c;
  const margin = c.margin * relBytes;
  const order: Confidence['level'][] = ['none', 'low', 'medium', 'high'];
  const cap = margin >= reclaimableBytes ? 'low' : margin > reclaimableBytes / 2 ? 'medium' : 'high';
  if (order.indexOf(cap) >= order.indexOf(c.level)) return c;
  return { ...c, level: cap, reasons: [...c.reasons, cap === 'low' ? PRECISION_REASONS.none : PRECISION_REASONS.half] };
}
