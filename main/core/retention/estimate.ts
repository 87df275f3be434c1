/**
 * How a plan counts what goes with millions of runs without visiting each: exact counts where they
 * are cheap, else a random sample of the plan's runs (TABLESAMPLE pages) whose children are counted
 * exactly, scaled to the plan's run count: mean per run × runs, with the 99 % margin of that mean
 * (finite-population corrected). Pure arithmetic, unit-tested.
 */
import type { Count } from '../../../shared/domain/retention';
import { Z99 } from '../inspect/stats-math';

export function exact(value: number): Count {
  return { value, exact: true, margin: 0, how: null };
}

/**
 * `perRun`: the children of each sampled run (one number per run). `runs`: the plan's run count
 * (exact or estimated, with its own margin). Returns the estimated total with a 99 % margin that
 * includes the run count's uncertainty.
 */
export function scaleSample(perRun: readonly number[], runs: Count, what = 'runs'): Count {
  const n = perRun.length;
  if (n === 0) return { value: 0, exact: runs.value === 0, margin: runs.value === 0 ? 0 : null, how: runs.value === 0 ? null : `no ${what} sampled` };
  const N = Math.max(runs.value, n);
  const mean = perRun.reduce((a, b) => a + b, 0) / n;
  if (n >= N && runs.exact) return exact(Math.round(mean * N));
  const variance = n > 1 ? perRun.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1) : mean;
  const fpc = Math.sqrt(Math.max(0, 1 - n / N));
  const meanMargin = (Z99 * Math.sqrt(variance / n)) * fpc;
  // Product of two uncertain factors: margins add in quadrature (relative), a fair first-order bound.
  const relMean = mean > 0 ? meanMargin / mean : 0;
  const relRuns = runs.value > 0 && runs.margin ? runs.margin / runs.value : 0;
  const value = Math.round(mean * N);
  const margin = mean > 0 ? Math.round(value * Math.sqrt(relMean ** 2 + relRuns ** 2)) : Math.round(meanMargin * N);
  return { value, exact: false, margin, how: `${n.toLocaleString('en-US')} sampled ${what}` };
}

/** A sampled count (inspect's cluster extrapolation) as a plan Count. */
export function fromSampled(s: { count: number; exact: boolean; margin: number | null; sampledRows: number }, what: string): Count {
  return s.exact ? exact(s.count) : { value: s.count, exact: false, margin: s.margin, how: `${s.sampledRows.toLocaleString('en-US')} sampled ${what}` };
}

/** TABLESAMPLE SYSTEM percentage that should draw about `want` of `matching` rows. */
export function samplePercentFor(want: number, matching: number): number {
  if (matching <= 0) return 100;
  return Math.min(100, Math.max(0.001, (100 * want) / matching));
}

export function addCounts(a: Count | null, b: Count | null): Count | null {
  if (!a) return b;
  if (!b) return a;
  const margin = a.margin === null || b.margin === null ? null : Math.round(Math.sqrt(a.margin ** 2 + b.margin ** 2));
  return { value: a.value + b.value, exact: a.exact && b.exact, margin, how: a.how ?? b.how };
}
