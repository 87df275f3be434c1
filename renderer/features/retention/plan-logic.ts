/** Pure reading of a retention plan: how much it deletes in all, and what the confirmation accepts. */
import type { RetentionImpact, RetentionPlan } from '../../../shared/domain/retention';

const PARTS: Array<keyof RetentionImpact> = [
  'flowRuns',
  'subflowRuns',
  'flowRunStates',
  'taskRuns',
  'taskRunStates',
  'flowRunLogs',
  'taskRunLogs',
  'artifacts',
  'flowRunInputs',
  'orphanLogs',
  'orphanArtifacts',
  'events',
  'eventResources',
];

/** Rows deleted in every table together (artifact_collection pointers are repaired, not counted here). */
export function plannedRows(impact: RetentionImpact): { rows: number; estimated: boolean } {
  let rows = 0;
  let estimated = false;
  for (const k of PARTS) {
    const c = impact[k];
    if (!c) continue;
    rows += c.value;
    if (!c.exact) estimated = true;
  }
  return { rows, estimated };
}

/** Something to delete: runs, or (with no run matching) events or orphans on their own. */
export function planHasWork(plan: Pick<RetentionPlan, 'confirmCount' | 'impact'>): boolean {
  return plan.confirmCount > 0 || plannedRows(plan.impact).rows > 0;
}

/** The run count typed back; thousands separators and spaces are forgiven, nothing else. */
export function confirmMatches(typed: string, confirmCount: number): boolean {
  const t = typed.replace(/[\s,\u00a0\u202f']/g, '');
  return /^\d+$/.test(t) && Number(t) === confirmCount;
}
