/**
 * Prefect's own definition of a stale scheduled run, as one parameterised SQL predicate on
 * `flow_run fr`, shared by the plan (which freezes the matching ids) and by every delete batch (which
 * re-checks it on the locked row, so a run a worker just picked up is never deleted).
 *
 * Mirrors `_delete_scheduled_runs` in prefect/server/models/deployments.py: state_type SCHEDULED,
 * state_name Scheduled/Late (never AwaitingRetry / AwaitingConcurrencySlot / Resuming: those runs
 * already started or were already tried), run_count = 0. The cutoff compares
 * next_scheduled_start_time, which is non-NULL exactly while a run is SCHEDULED and is covered by
 * ix_flow_run__next_scheduled_start_time_asc and the partial scheduler indexes.
 */
import type { PurgeStateName } from '../../../shared/domain/purge';

export interface ResolvedPurgeFilter {
  /** Frozen cutoff, ISO 8601. */
  cutoff: string;
  stateNames: PurgeStateName[];
  includeManual: boolean;
  deploymentIds: string[];
  workQueueIds: string[];
  tags: string[];
  keepNewest: number;
}

export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/** Builds the predicate with placeholders starting at $<first>. */
export function stalePredicatePg(f: ResolvedPurgeFilter, first = 1): SqlFragment {
  const p = (i: number) => `$${first + i}`;
  const sql = `fr.state_type = 'SCHEDULED'
    AND fr.state_name = ANY(${p(0)}::text[])
    AND fr.run_count = 0
    AND fr.next_scheduled_start_time < ${p(1)}::timestamptz
    AND (${p(2)}::boolean OR fr.auto_scheduled)
    AND (cardinality(${p(3)}::uuid[]) = 0 OR fr.deployment_id = ANY(${p(3)}::uuid[]))
    AND (cardinality(${p(4)}::uuid[]) = 0 OR fr.work_queue_id = ANY(${p(4)}::uuid[]))
    AND fr.tags @> ${p(5)}::jsonb`;
  return {
    sql,
    params: [f.stateNames, f.cutoff, f.includeManual, f.deploymentIds, f.workQueueIds, JSON.stringify(f.tags)],
  };
}
