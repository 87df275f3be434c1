/**
 * Which schedule made a run. From Prefect 3.2 the scheduler writes it into the run
 * (`created_by = {id: <schedule id>, type: "SCHEDULE"}`); before, it wrote nothing
 * (models/deployments.py `_generate_scheduled_flow_runs`, 3.1.15), so on those servers a run is
 * matched to the schedule of its deployment whose times it falls on. When two schedules of one
 * deployment share an instant, Prefect < 3.2.2 made a single run for it (the idempotency key named
 * only the deployment); it is given to the first active schedule, as the scheduler's insert did.
 */
import { parseInstant } from '../../../shared/schedules/instant';
import { datesBetween, toSchedule, type Schedule } from '../../../shared/schedules/occurrences';
import type { ApiRun, DeploymentInfo } from './api';

/** Whether a run time lies on a schedule's lattice (its own occurrence), to the microsecond. */
export function onLattice(s: Schedule, t: number): boolean {
  const hit = datesBetween(s, t - 0.5, t + 0.5, 2);
  return hit.some((d) => Math.abs(d - t) < 0.01);
}

function parsed(d: DeploymentInfo): Array<{ id: string; active: boolean; s: Schedule }> {
  const out: Array<{ id: string; active: boolean; s: Schedule }> = [];
  for (const x of d.schedules) {
    try {
      out.push({ id: x.id, active: x.active, s: toSchedule(x.schedule) });
    } catch {
      // An unreadable schedule cannot claim runs; the list reports it as unpredictable.
    }
  }
  // Active first: the scheduler only runs those, so a shared instant was theirs.
  return out.sort((a, b) => Number(b.active) - Number(a.active));
}

/** The schedule of `d` whose times `t` falls on, or null. */
export function scheduleAt(d: DeploymentInfo, t: number, cache?: Map<string, ReturnType<typeof parsed>>): string | null {
  let list = cache?.get(d.id);
  if (!list) {
    list = parsed(d);
    cache?.set(d.id, list);
  }
  for (const x of list) {
    try {
      if (onLattice(x.s, t)) return x.id;
    } catch {
      // as above
    }
  }
  return null;
}

/**
 * Runs grouped by the schedule that made them: by `created_by.id` where the server records it
 * (`attributed`), else by time. Manual runs and runs on no schedule's times are left out.
 */
export function runsBySchedule(runs: readonly ApiRun[], deployments: readonly DeploymentInfo[], attributed: boolean): Map<string, ApiRun[]> {
  const out = new Map<string, ApiRun[]>();
  const add = (sid: string, r: ApiRun) => {
    const list = out.get(sid);
    if (list) list.push(r);
    else out.set(sid, [r]);
  };
  if (attributed) {
    for (const r of runs) if (r.created_by?.id) add(r.created_by.id, r);
    return out;
  }
  const byId = new Map(deployments.map((d) => [d.id, d]));
  const cache = new Map<string, ReturnType<typeof parsed>>();
  for (const r of runs) {
    const d = r.deployment_id ? byId.get(r.deployment_id) : undefined;
    const t = parseInstant(r.next_scheduled_start_time ?? '');
    if (!d || !r.auto_scheduled || Number.isNaN(t)) continue;
    const sid = scheduleAt(d, t, cache);
    if (sid) add(sid, r);
  }
  return out;
}
