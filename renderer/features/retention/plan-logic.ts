/** Pure reading of a retention plan: how much it deletes in all, and what the confirmation accepts. */
import type { RetentionImpact, RetentionPlan, RetentionTotals } from '../../../shared/domain/retention';

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

export interface PlannedVsDone {
  key: string;
  label: string;
  /** The plan's count (null: not part of the plan, or not countable). */
  planned: number | null;
  plannedExact: boolean;
  done: number;
}

/** Planned rows beside the rows deleted, table by table (what the admin checks after, or while stopped). */
export function plannedVsDone(impact: RetentionImpact, t: RetentionTotals): PlannedVsDone[] {
  const sum = (...cs: Array<RetentionImpact[keyof RetentionImpact]>) => {
    const there = cs.filter((c): c is NonNullable<typeof c> => c !== null);
    return there.length ? { value: there.reduce((s, c) => s + c.value, 0), exact: there.every((c) => c.exact) } : null;
  };
  const rows: Array<[string, string, { value: number; exact: boolean } | null, number]> = [
    ['runs', 'flow_run: runs', impact.flowRuns, t.runs],
    ['subflows', 'flow_run: subflows', impact.subflowRuns, t.subflows],
    ['flowRunStates', 'flow_run_state', impact.flowRunStates, t.flowRunStates],
    ['taskRuns', 'task_run', impact.taskRuns, t.taskRuns],
    ['taskRunStates', 'task_run_state', impact.taskRunStates, t.taskRunStates],
    ['logs', 'log', sum(impact.flowRunLogs, impact.taskRunLogs), t.logs],
    ['artifacts', 'artifact', impact.artifacts, t.artifacts],
    ['collections', 'artifact_collection: repointed or removed', impact.artifactCollections, t.collectionsRepointed + t.collectionsRemoved],
    ['flowRunInputs', 'flow_run_input', impact.flowRunInputs, t.flowRunInputs],
    ['orphanLogs', 'log: orphaned', impact.orphanLogs, t.orphanLogs],
    ['orphanArtifacts', 'artifact: orphaned', impact.orphanArtifacts, t.orphanArtifacts],
    ['eventResources', 'event_resources', impact.eventResources, t.eventResources],
    ['events', 'events', impact.events, t.events],
  ];
  return rows
    .filter(([, , c, done]) => c !== null || done > 0)
    .map(([key, label, c, done]) => ({ key, label, planned: c ? c.value : null, plannedExact: c ? c.exact : true, done }));
}
