/**
 * Pure arithmetic over planner statistics and samples: how the overview turns catalog numbers into
 * counts without scanning the big tables. Each function mirrors what Postgres' own planner does
 * (selfuncs.c: MCV frequencies, then linear interpolation inside the equi-depth histogram), so our
 * estimates are exactly as good as the planner's, and come with the same caveats.
 */
import type { AutovacuumState, SampledCount } from '../../../shared/domain/inspect';
import { parseReloptions } from './bloat-math';

/** Two-sided 99 % normal quantile: sample margins are stated at 99 %, so "within the margin" is a promise kept. */
export const Z99 = 2.576;
/** -ln(0.01): with nothing found in n draws, a share above this / n would have shown up 99 times in 100. */
export const ZERO_FOUND_99 = 4.605;

export interface AutovacuumDefaults {
  enabled: boolean;
  vacuumThreshold: number;
  vacuumScaleFactor: number;
  analyzeThreshold: number;
  analyzeScaleFactor: number;
}

/**
 * When autovacuum will next visit a table: per-table storage parameters win over the server
 * settings; the trigger is threshold + scale_factor × reltuples (autovacuum.c relation_needs_vacanalyze).
 */
export function autovacuumState(
  defaults: AutovacuumDefaults,
  reloptions: readonly string[] | null,
  reltuples: number,
  deadTuples: number | null,
  modsSinceAnalyze: number | null,
): AutovacuumState {
  const o = parseReloptions(reloptions);
  const num = (k: string, d: number) => {
    const v = o.get(k);
    const n = v === undefined ? NaN : Number(v);
    return Number.isFinite(n) ? n : d;
  };
  const custom = [...o.keys()].some((k) => k.startsWith('autovacuum_'));
  const enabledOpt = o.get('autovacuum_enabled');
  const enabled = defaults.enabled && (enabledOpt === undefined || !['false', 'off', '0', 'no'].includes(enabledOpt.toLowerCase()));
  const vacuumThreshold = num('autovacuum_vacuum_threshold', defaults.vacuumThreshold);
  const vacuumScaleFactor = num('autovacuum_vacuum_scale_factor', defaults.vacuumScaleFactor);
  const analyzeThreshold = num('autovacuum_analyze_threshold', defaults.analyzeThreshold);
  const analyzeScaleFactor = num('autovacuum_analyze_scale_factor', defaults.analyzeScaleFactor);
  const rows = Math.max(0, reltuples);
  const vacuumTrigger = vacuumThreshold + vacuumScaleFactor * rows;
  const analyzeTrigger = analyzeThreshold + analyzeScaleFactor * rows;
  return {
    enabled,
    custom,
    vacuumThreshold,
    vacuumScaleFactor,
    analyzeThreshold,
    analyzeScaleFactor,
    vacuumTrigger: Math.round(vacuumTrigger),
    vacuumProgress: vacuumTrigger > 0 ? (deadTuples ?? 0) / vacuumTrigger : 0,
    analyzeTrigger: Math.round(analyzeTrigger),
    analyzeProgress: modsSinceAnalyze === null ? null : analyzeTrigger > 0 ? modsSinceAnalyze / analyzeTrigger : 0,
  };
}

/** Share (0..1) of a histogram's population below x: whole buckets plus linear interpolation in one. */
export function histogramFractionBelow(bounds: readonly number[], x: number): number {
  const n = bounds.length;
  if (n < 2) return 0;
  if (x <= bounds[0]!) return 0;
  if (x > bounds[n - 1]!) return 1;
  const buckets = n - 1;
  for (let i = 0; i < buckets; i++) {
    const lo = bounds[i]!;
    const hi = bounds[i + 1]!;
    if (x <= hi) {
      const within = hi > lo ? (x - lo) / (hi - lo) : 1;
      return (i + within) / buckets;
    }
  }
  return 1;
}

export interface ColumnDistribution {
  nullFrac: number;
  /** Most common values (as numbers, e.g. epoch ms) and their frequencies. */
  mcv: readonly number[];
  mcf: readonly number[];
  /** Histogram bounds of the non-MCV, non-null values, ascending. */
  histogram: readonly number[];
}

/** Rows with value < x, estimated like the planner's scalarltsel. */
export function estimateBelow(d: ColumnDistribution, rows: number, x: number): number {
  let mcvBelow = 0;
  let mcvTotal = 0;
  d.mcv.forEach((v, i) => {
    const f = d.mcf[i] ?? 0;
    mcvTotal += f;
    if (v < x) mcvBelow += f;
  });
  const rest = Math.max(0, 1 - d.nullFrac - mcvTotal);
  const frac = mcvBelow + rest * histogramFractionBelow(d.histogram, x);
  return Math.round(Math.max(0, rows) * Math.min(1, frac));
}

/** Rows per distinct value from an MCV list: {value: frequency × rows}, plus what the list leaves over. */
export function estimateByValue(
  values: readonly string[],
  freqs: readonly number[],
  nullFrac: number,
  rows: number,
): { counts: Map<string, number>; others: number } {
  const counts = new Map<string, number>();
  let covered = 0;
  values.forEach((v, i) => {
    const f = freqs[i] ?? 0;
    covered += f;
    counts.set(v, Math.round(f * Math.max(0, rows)));
  });
  return { counts, others: Math.round(Math.max(0, 1 - nullFrac - covered) * Math.max(0, rows)) };
}

/**
 * Extrapolates a count found in a sample of `sampled` rows out of `population`, with a 99 % margin
 * (normal approximation with finite-population correction). A sample covering the whole table is exact.
 */
export function extrapolateSample(found: number, sampled: number, population: number): SampledCount {
  const pop = Math.max(population, sampled);
  if (sampled <= 0) return { count: 0, exact: pop === 0, sampledRows: 0, foundInSample: 0, margin: pop === 0 ? 0 : null };
  if (sampled >= pop) return { count: found, exact: true, sampledRows: sampled, foundInSample: found, margin: 0 };
  const p = found / sampled;
  const fpc = Math.sqrt((pop - sampled) / Math.max(1, pop - 1));
  // With nothing found, the normal approximation says ±0; the "rule of three" (at 99 %: ln 100 / n)
  // gives an honest upper bound instead.
  const margin = found === 0 ? (ZERO_FOUND_99 / sampled) * pop : Z99 * Math.sqrt((p * (1 - p)) / sampled) * fpc * pop;
  return { count: Math.round(p * pop), exact: false, sampledRows: sampled, foundInSample: found, margin: Math.round(margin) };
}

/** Parses a Postgres array literal of simple values ("{a,b,\"c d\"}") as text, for pg_stats anyarray columns. */
export function parsePgArray(text: string | null | undefined): string[] {
  if (!text || text.length < 2 || text[0] !== '{') return [];
  const out: string[] = [];
  let i = 1;
  while (i < text.length - 1) {
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text[i] === '"') {
      let s = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') i++;
        s += text[i] ?? '';
        i++;
      }
      i++;
      out.push(s);
    } else {
      let j = i;
      while (j < text.length - 1 && text[j] !== ',') j++;
      out.push(text.slice(i, j));
      i = j;
    }
  }
  return out;
}

/**
 * The same extrapolation for a block sample (TABLESAMPLE SYSTEM reads whole pages, and rows on one
 * page tend to belong to the same run): a ratio estimator over pages, whose variance is computed
 * between pages, so clustering widens the margin instead of being ignored.
 */
export function extrapolateClusters(
  clusters: ReadonlyArray<{ n: number; k: number }>,
  population: number,
  totalClusters: number,
): SampledCount {
  const m = clusters.length;
  const sampled = clusters.reduce((s, c) => s + c.n, 0);
  const found = clusters.reduce((s, c) => s + c.k, 0);
  const pop = Math.max(population, sampled);
  if (m === 0 || sampled === 0) return { count: 0, exact: pop === 0, sampledRows: 0, foundInSample: 0, margin: pop === 0 ? 0 : null };
  if (sampled >= pop || m >= totalClusters) return { count: found, exact: true, sampledRows: sampled, foundInSample: found, margin: 0 };
  const p = found / sampled;
  const fpc = Math.sqrt(Math.max(0, 1 - m / Math.max(m, totalClusters)));
  let margin: number;
  if (found === 0) {
    // Nothing found in m pages: orphans may still sit together on pages we did not draw. The rule of
    // three over pages (not rows) bounds the share of such pages, and so of rows.
    margin = (ZERO_FOUND_99 / m) * pop;
  } else if (m < 2) {
    margin = Z99 * Math.sqrt((p * (1 - p)) / sampled) * fpc * pop;
  } else {
    const mean = sampled / m;
    const ss = clusters.reduce((s, c) => s + (c.k - p * c.n) ** 2, 0);
    margin = Z99 * (Math.sqrt(ss / (m - 1) / m) / mean) * fpc * pop;
  }
  return { count: Math.round(p * pop), exact: false, sampledRows: sampled, foundInSample: found, margin: Math.round(margin) };
}
