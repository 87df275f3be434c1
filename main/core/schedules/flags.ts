/**
 * What deserves an admin's attention in a schedule or deployment, with why (the Prefect behaviour or
 * issue behind each flag). Pure: computed from the stored schedule, the runs the server holds and
 * the scheduler settings.
 */
import type { ScheduleFlag } from '../../../shared/domain/schedules';
import { everyText } from '../../../shared/schedules/describe';
import { formatInstant } from '../../../shared/schedules/instant';
import type { Schedule } from '../../../shared/schedules/occurrences';
import { parseRRule, walkCost } from '../../../shared/schedules/rrule';
import type { SchedulerSettings } from '../../../shared/schedules/settings';

const YEAR_MS = 365 * 86_400_000;

export function scheduleFlags(
  s: Schedule,
  storedBody: Record<string, unknown>,
  input: {
    now: number;
    active: boolean;
    kept: number | null;
    heldFuture: number;
    offLattice: number;
    settings: SchedulerSettings;
    /** The server writes a DTSTART into rules saved without one (3.6.26+, targets/capabilities.ts). Default true. */
    injectsDtstart?: boolean;
  },
): ScheduleFlag[] {
  const flags: ScheduleFlag[] = [];
  const { now } = input;
  if (!input.active) flags.push({ code: 'inactive', severity: 'info', message: 'Inactive: the scheduler ignores it.' });
  if (s.kind === 'interval') {
    if (s.interval < 60) {
      const k = input.kept ?? input.settings.maxRuns;
      flags.push({
        code: 'sub-minute',
        severity: 'warn',
        message: `Every ${everyText(s.interval)}: at most ${k} runs are kept, ${everyText(Math.round(k * s.interval))} ahead; every run nobody picks up becomes a Late row.`,
      });
    }
    if (s.anchor < now - YEAR_MS) {
      flags.push({ code: 'anchor-far-past', severity: 'info', message: `Anchored at ${formatInstant(s.anchor, s.timezone ?? 'UTC')}: only the phase matters, but recreating from now gives runs an obvious lattice.` });
    }
  }
  if (s.kind === 'cron') {
    const f = s.cron.trim().split(/\s+/);
    if (f.length === 6 && f[5] !== '0') flags.push({ code: 'sub-minute', severity: 'warn', message: `The cron has a seconds field (${f[5]}): runs more than once a minute.` });
  }
  if (s.kind === 'rrule') {
    try {
      const p = parseRRule(s.rrule);
      if (p.freq === 6) flags.push({ code: 'sub-minute', severity: 'warn', message: 'FREQ=SECONDLY: runs more than once a minute.' });
      if (p.dtstartWall === null) {
        flags.push({
          code: 'rrule-no-dtstart',
          severity: 'danger',
          message:
            input.injectsDtstart === false
              ? 'No DTSTART: Prefect walks every occurrence since 2020-01-01 on each scheduler pass (PrefectHQ/prefect#18861), and this server (before 3.6.26) keeps rules as they are written. Recreate it from now: Housekeeper writes an explicit DTSTART, which the server keeps.'
              : 'No DTSTART: Prefect walks every occurrence since 2020-01-01 on each scheduler pass (PrefectHQ/prefect#18861). Recreate it from now.',
        });
      }
      const cost = walkCost(s, now);
      if (cost !== null && cost > 10_000) {
        flags.push({
          code: 'dtstart-far-past',
          severity: cost > 200_000 ? 'danger' : 'warn',
          // A rule without DTSTART is walked from 2020-01-01 (the flag above): say that, not an empty "DTSTART :".
          message: `${(typeof storedBody.rrule === 'string' ? /DTSTART[^\n]*/i.exec(storedBody.rrule)?.[0] : undefined) ?? 'Walked from 2020-01-01'}: the scheduler walks ~${cost.toLocaleString('en-US')} occurrences on every pass to reach today (PrefectHQ/prefect#21362). Recreating from now moves DTSTART up without changing the runs.`,
        });
      }
    } catch {
      // reported as unpredictable by the caller
    }
  }
  if (input.active && input.kept !== null && input.heldFuture > input.kept) {
    flags.push({
      code: 'over-kept',
      severity: 'warn',
      message: `The server holds ${input.heldFuture} future runs for it; the scheduler keeps at most ${input.kept} with these settings (leftovers of an earlier configuration, or duplicates).`,
    });
  }
  if (input.offLattice > 0) {
    flags.push({ code: 'off-lattice', severity: 'warn', message: `${input.offLattice} held future runs are not on this schedule's times (created before a change, or by a scheduler pass that raced one: PrefectHQ/prefect#17703).` });
  }
  return flags;
}

export function deploymentFlags(d: { paused: boolean; schedules: number; pastDue: number; leftBehind: number }): ScheduleFlag[] {
  const flags: ScheduleFlag[] = [];
  if (d.paused && d.pastDue > 0) {
    flags.push({ code: 'paused-backlog', severity: 'danger', message: `Paused, but ${d.pastDue} past-due runs are still queued: a worker would start them all.` });
  } else if (d.pastDue > 0) {
    flags.push({ code: 'late-backlog', severity: d.pastDue >= 100 ? 'danger' : 'warn', message: `${d.pastDue} past-due runs (Late) wait for a worker; the backlog reset clears them and recreates the schedules from now.` });
  }
  if (d.leftBehind > 0) {
    flags.push({ code: 'left-behind', severity: 'warn', message: `${d.leftBehind} scheduled runs were made by schedules that no longer exist (PrefectHQ/prefect#17703).` });
  }
  if (d.schedules > 1) flags.push({ code: 'multi-schedule', severity: 'info', message: `${d.schedules} schedules: any change to one deletes the future runs of all (Prefect works per deployment).` });
  return flags;
}
