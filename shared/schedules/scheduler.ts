/**
 * How many runs one scheduler pass keeps for a schedule, restated from
 * prefect/server/models/deployments.py `_generate_scheduled_flow_runs` (3.9.1):
 *
 *     for dt in schedule._get_dates_generator(n=max_runs, start=now, end=now + max_scheduled_time):
 *         dates.append(dt)
 *         if len(dates) >= min_runs and dt >= now + min_scheduled_time: break
 *
 * Hence K = min(max_runs, N_end, max(min_runs, N_lt + 1)), where N_end counts occurrences in
 * [now, now + max_scheduled_time] and N_lt those in [now, now + min_scheduled_time); the generator's
 * own cap (~1000 candidates) also applies. `max_scheduled_runs` on the schedule plays no part.
 */
import { dates, type Schedule } from './occurrences';
import type { SchedulerSettings } from './settings';

export type KeptLimit = 'max_runs' | 'max_scheduled_time' | 'min_runs' | 'min_scheduled_time' | 'iteration_cap';

export interface Kept {
  dates: number[];
  /** Which setting decided the count. */
  limitedBy: KeptLimit;
}

export function keptDates(s: Schedule, now: number, st: Pick<SchedulerSettings, 'minRuns' | 'maxRuns' | 'minScheduledTime' | 'maxScheduledTime'>): Kept {
  const end = now + st.maxScheduledTime * 1000;
  const minEnd = now + st.minScheduledTime * 1000;
  const out: number[] = [];
  let satisfied = false;
  for (const d of dates(s, { start: now, end, n: st.maxRuns })) {
    out.push(d);
    if (out.length >= st.minRuns && d >= minEnd) {
      satisfied = true;
      break;
    }
  }
  let limitedBy: KeptLimit;
  if (satisfied) limitedBy = out.length > st.minRuns ? 'min_scheduled_time' : 'min_runs';
  else if (out.length >= st.maxRuns) limitedBy = 'max_runs';
  else if (out.length >= 1000 && out.length < st.maxRuns) limitedBy = 'iteration_cap';
  else limitedBy = 'max_scheduled_time';
  return { dates: out, limitedBy };
}
