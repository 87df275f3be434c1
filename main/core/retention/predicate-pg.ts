/**
 * The retention predicate on Postgres, as Prefect's db_vacuum states it (services/db_vacuum.py
 * `vacuum_old_flow_runs`): parent_task_run_id IS NULL, state_type terminal, end_time not null and
 * older than the cutoff; narrowed by the user's states and deployments, minus the runs kept by
 * --keep-newest. All values travel as bind parameters; `p()` numbers them.
 */
import type { ResolvedRetention } from './types';

export class Params {
  readonly values: unknown[] = [];
  p(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/**
 * The run-level conditions shared by top-level runs and their subflows (alias `fr`).
 * state_type is compared as Prefect's enum (`state_type`, the type's name in every 3.x schema), not
 * as text: a cast column has no statistics, so the planner took "state_type::text = ANY(...)" to keep
 * 2 % of the runs, judged the end_time index walk too dear, and read the whole of flow_run to sort it
 * for every batch (90 ms a batch at 200k runs, growing with the table; docs/bench-retention.md).
 */
export function finishedOldPg(r: ResolvedRetention, ps: Params, keep: readonly string[]): string {
  const parts = [`fr.state_type = ANY(${ps.p(r.stateTypes)}::state_type[])`, `fr.end_time < ${ps.p(r.cutoff)}::timestamptz`];
  if (keep.length) parts.push(`NOT (fr.id = ANY(${ps.p(keep)}::uuid[]))`);
  return parts.join(' AND ');
}

/** Top-level runs of the plan (alias `fr`). */
export function topLevelPg(r: ResolvedRetention, ps: Params, keep: readonly string[]): string {
  const parts = [finishedOldPg(r, ps, keep), 'fr.parent_task_run_id IS NULL'];
  if (r.deploymentIds.length) parts.push(`fr.deployment_id = ANY(${ps.p(r.deploymentIds)}::uuid[])`);
  return parts.join(' AND ');
}

/** ISO text with microseconds, so a cursor round-trips exactly (a JS Date keeps milliseconds only). */
export const END_TEXT = `to_char(fr.end_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
