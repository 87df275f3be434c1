/**
 * The scheduler simulator's totals, named once: Schedules > Simulate and Profiles > What-if show the
 * same numbers and must call them the same (issue #13 item 14). `pick` reads one number of a
 * simulation result; `pair` joins an average and a maximum under one label.
 */
import type { SimResult } from '../domain/schedules';

export interface SimMetric {
  label: string;
  /** What the number counts, for a tooltip or a second line. */
  help: string;
  pick: (r: SimResult) => number;
}

export const SIM_METRICS = {
  held: { label: 'Runs held after a pass', help: 'scheduled runs waiting in flow_run right after a scheduler pass', pick: (r) => r.totals.held },
  insertsPerLoopAvg: { label: 'Inserted per loop (avg)', help: 'rows each scheduler pass writes, on average', pick: (r) => r.totals.insertsPerLoopAvg },
  insertsPerLoopMax: { label: 'Inserted per loop (max)', help: 'rows the busiest pass writes', pick: (r) => r.totals.insertsPerLoopMax },
  insertsPerDay: { label: 'Inserted per day', help: 'rows written in a day at this pace', pick: (r) => r.totals.insertsPerDay },
  deploymentsPerLoopAvg: { label: 'Deployments selected per loop (avg)', help: 'deployments a pass tops up, on average', pick: (r) => r.totals.deploymentsPerLoopAvg },
  deploymentsPerLoopMax: { label: 'Deployments selected per loop (max)', help: 'deployments the busiest pass tops up', pick: (r) => r.totals.deploymentsPerLoopMax },
  datesGeneratedPerLoopAvg: { label: 'Dates generated per loop (CPU)', help: 'schedule dates computed per pass; old rrules without DTSTART make this large', pick: (r) => r.totals.datesGeneratedPerLoopAvg },
  insertTransactionsMax: { label: 'Insert transactions in the busiest loop', help: 'INSERT batches of the busiest pass', pick: (r) => r.totals.insertTransactionsMax },
} as const satisfies Record<string, SimMetric>;

export type SimMetricId = keyof typeof SIM_METRICS;

/** "Inserted per loop (avg / max)" for a row that shows both numbers. */
export function pairLabel(avg: SimMetricId, max: SimMetricId): string {
  const a = SIM_METRICS[avg].label;
  const b = SIM_METRICS[max].label;
  const base = a.replace(/ \(avg\)$/, '');
  return b === `${base} (max)` ? `${base} (avg / max)` : `${a} / ${b}`;
}
