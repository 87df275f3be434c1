/** Words and numbers for retention plans and outcomes, shared by the CLI and the screen. */
import { formatInt } from '../../text/bytes';
import type { Count, RetentionImpact, RetentionTotals } from './index';

/** "12,345", or "≈12,300 ±450" for an estimate (the margin at 99 %). */
export function formatCountValue(c: Count | null): string {
  if (!c) return 'n/a';
  if (c.exact) return formatInt(c.value);
  return `≈${formatInt(c.value)}${c.margin !== null ? ` ±${formatInt(c.margin)}` : ''}`;
}

export interface ImpactRow {
  table: string;
  what: string;
  count: Count | null;
  /** Why it is not counted (null when it is). */
  absent: string | null;
}

/** One row per table the plan touches, in Prefect's delete order. */
export function impactRows(i: RetentionImpact, api: boolean): ImpactRow[] {
  const viaApi = (c: Count | null, why: string) => (c ? null : api ? why : 'not part of this plan');
  return [
    { table: 'flow_run', what: 'finished top-level runs', count: i.flowRuns, absent: null },
    { table: 'flow_run', what: 'their subflows (finished, old)', count: i.subflowRuns, absent: viaApi(i.subflowRuns, 'taken with their parent, counted as they go') },
    { table: 'flow_run_state', what: 'states', count: i.flowRunStates, absent: viaApi(i.flowRunStates, 'cascade inside Prefect, not countable through the API') },
    { table: 'task_run', what: 'task runs', count: i.taskRuns, absent: viaApi(i.taskRuns, 'not countable') },
    { table: 'task_run_state', what: 'task run states', count: i.taskRunStates, absent: viaApi(i.taskRunStates, 'cascade inside Prefect') },
    { table: 'log', what: 'flow-run logs', count: i.flowRunLogs, absent: viaApi(i.flowRunLogs, 'deleted by Prefect after each run') },
    { table: 'log', what: 'task-run logs', count: i.taskRunLogs, absent: viaApi(i.taskRunLogs, 'deleted by Prefect after each run') },
    { table: 'artifact', what: 'artifacts', count: i.artifacts, absent: viaApi(i.artifacts, 'not countable') },
    { table: 'artifact_collection', what: '"latest" pointers repointed or removed', count: i.artifactCollections, absent: viaApi(i.artifactCollections, 'repaired by Prefect per artifact') },
    { table: 'flow_run_input', what: 'flow run inputs', count: i.flowRunInputs, absent: viaApi(i.flowRunInputs, 'cascade inside Prefect') },
    { table: 'log', what: 'orphaned logs (run gone)', count: i.orphanLogs, absent: i.orphanLogs ? null : 'not part of this plan (--orphans)' },
    { table: 'artifact', what: 'orphaned artifacts (run gone)', count: i.orphanArtifacts, absent: i.orphanArtifacts ? null : 'not part of this plan (--orphans)' },
    { table: 'event_resources', what: 'event resources', count: i.eventResources, absent: i.eventResources ? null : api ? 'not deletable through the API' : 'not part of this plan' },
    { table: 'events', what: 'events', count: i.events, absent: i.events ? null : api ? 'not deletable through the API' : 'not part of this plan' },
  ];
}

export function totalsLine(t: RetentionTotals, api: boolean): string {
  const parts = [
    `${formatInt(t.runs)} runs`,
    t.subflows ? `${formatInt(t.subflows)} subflows` : '',
    api ? '' : `${formatInt(t.flowRunStates)} states`,
    api ? '' : `${formatInt(t.taskRuns)} task runs (${formatInt(t.taskRunStates)} states)`,
    api ? 'logs by Prefect' : `${formatInt(t.logs)} logs`,
    `${formatInt(t.artifacts)} artifacts`,
    t.collectionsRepointed || t.collectionsRemoved ? `${formatInt(t.collectionsRepointed)} artifact pointers repointed, ${formatInt(t.collectionsRemoved)} removed` : '',
    api ? '' : `${formatInt(t.flowRunInputs)} inputs`,
    t.orphanLogs || t.orphanArtifacts ? `${formatInt(t.orphanLogs)} orphaned logs, ${formatInt(t.orphanArtifacts)} orphaned artifacts` : '',
    t.events || t.eventResources ? `${formatInt(t.events)} events, ${formatInt(t.eventResources)} event resources` : '',
  ];
  return parts.filter(Boolean).join(', ');
}
