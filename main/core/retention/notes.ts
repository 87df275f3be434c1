/**
 * The sentences a retention plan carries: what it deletes beyond Prefect's own db_vacuum (said
 * plainly, issue #14), the limits of the path it takes, and what the user should know before typing
 * the count.
 */
import { humanSeconds, type PrefectVacuumView, type RetentionFilter } from '../../../shared/domain/retention';
import type { BackendPlan, RetentionBackend } from './types';

export interface NotesInput {
  filter: RetentionFilter;
  backend: Pick<RetentionBackend, 'kind' | 'notes'>;
  r: BackendPlan;
  prefect: PrefectVacuumView;
  readOnly: boolean;
  eventsWanted: boolean;
}

export function composeNotes(i: NotesInput): { notes: string[]; beyondPrefect: string[] } {
  const { filter, backend, r, prefect } = i;
  const notes: string[] = [];
  const beyond: string[] = [];
  if (r.runs.value === 0) notes.push('No finished run matches: nothing older than the period in the chosen states.');
  if (!r.runs.exact) notes.push(`The run count is an estimate (±${(r.runs.margin ?? 0).toLocaleString('en-US')} at 99 %); the job deletes exactly what matches when each batch runs.`);
  if (filter.stateTypes.length < 4) notes.push(`Only ${filter.stateTypes.join(', ')} runs; Prefect's vacuum takes every finished state (Completed, Failed, Cancelled, Crashed).`);
  if (r.kept > 0) notes.push(`${r.kept.toLocaleString('en-US')} matching runs are kept: the newest ${filter.keepNewest} of each deployment.`);
  if (filter.deployments.length) notes.push('Only runs of the chosen deployments; their subflows go with them when finished and old, whatever deployment those belong to.');
  notes.push(...r.notes, ...backend.notes);
  if (i.readOnly) notes.push('This connection is read-only: the plan can be reviewed but not executed.');
  if (prefect.flowRunsOn && prefect.retentionSeconds !== null) {
    notes.push(`Prefect's own vacuum is already deleting finished runs older than ${humanSeconds(prefect.retentionSeconds)}; both can run, each batch re-checks what is still there.`);
  }
  if (i.eventsWanted && backend.kind === 'api') notes.push('Events are not part of this plan: they cannot be deleted through the API.');
  if (backend.kind !== 'api') {
    beyond.push("Logs of deleted runs are deleted in the same transaction as the runs (Prefect's vacuum deletes them afterwards, in separate batches, and leaves any it misses to its daily orphan pass).");
    beyond.push('Logs and artifacts that belong to a deleted run\'s task runs without naming the flow run are deleted too.');
    beyond.push('Subflows that are finished and older than the period go with their parent in the same batch (Prefect first turns them into top-level runs and takes them on a later pass).');
    if (filter.orphans) beyond.push("Orphaned logs and artifacts (whose flow run no longer exists) are deleted too, walked like Prefect's own orphan vacuum (which runs daily only when its flow-run vacuum is on).");
    if (filter.events && (filter.eventsOlderThan ?? filter.olderThan) !== filter.olderThan) beyond.push('Events use their own period, not the runs\'.');
  }
  notes.push('Events about these runs are not deleted with them: events go by age only (the events step), as in Prefect.');
  return { notes, beyondPrefect: beyond };
}
