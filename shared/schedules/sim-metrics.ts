/**
 * The scheduler prediction's totals, named once: the Simulate panel, the profile's What-if and the CLI
 * label the same metric the same way (issue #13 item 14) and compute its change the same way.
 */
import type { SimResult } from '../domain/schedules';

export interface SimMetric {
  key: string;
  label: string;
  /** What the number counts, for a tooltip. */
  help: string;
  /** The value of one prediction. */
  value: (r: SimResult) => number;
  /** Counts are whole; averages keep fractions. */
  whole: boolean;
}

export const SIM_METRICS: readonly SimMetric[] = [
  { key: 'held', label: 'Future runs held after a pass', help: 'scheduled runs waiting in flow_run right after a scheduler pass', value: (r) => r.totals.held, whole: true },
  { key: 'insertsPerLoopAvg', label: 'Runs inserted per loop (average)', help: 'rows each scheduler pass writes, on average', value: (r) => r.totals.insertsPerLoopAvg, whole: false },
  { key: 'insertsPerLoopMax', label: 'Runs inserted per loop (most)', help: 'rows the busiest pass writes', value: (r) => r.totals.insertsPerLoopMax, whole: true },
  { key: 'insertsPerDay', label: 'Runs inserted per day', help: 'rows written in a day at this pace', value: (r) => r.totals.insertsPerDay, whole: true },
  { key: 'deploymentsPerLoopAvg', label: 'Deployments selected per loop (average)', help: 'deployments a pass tops up, on average', value: (r) => r.totals.deploymentsPerLoopAvg, whole: false },
  { key: 'deploymentsPerLoopMax', label: 'Deployments selected per loop (most)', help: 'deployments the busiest pass tops up', value: (r) => r.totals.deploymentsPerLoopMax, whole: true },
  { key: 'datesGeneratedPerLoopAvg', label: 'Dates computed per loop (scheduler CPU)', help: 'schedule dates computed per pass; old rrules without DTSTART make this large', value: (r) => r.totals.datesGeneratedPerLoopAvg, whole: false },
  { key: 'insertTransactionsMax', label: 'Insert transactions in the busiest loop', help: 'INSERT batches of the busiest pass', value: (r) => r.totals.insertTransactionsMax, whole: true },
];

/** The change from `before` to `after`: the difference and, when `before` is not 0, the ratio. */
export function delta(before: number, after: number): { diff: number; ratio: number | null } {
  return { diff: after - before, ratio: before !== 0 ? (after - before) / Math.abs(before) : null };
}
