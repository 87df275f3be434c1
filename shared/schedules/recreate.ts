/**
 * The schedule "recreate from now" writes, per kind, keeping everything but the anchor (kind,
 * interval, cron or rule, timezone; active, parameters and slug are kept by the caller):
 *
 * - interval: `anchor_date` = the anchor. The lattice becomes anchor + k * interval. For whole-day
 *   intervals this also sets the time of day runs happen at, which the plan says out loud.
 * - rrule: an explicit DTSTART close to the anchor that keeps the occurrences from the anchor on
 *   exactly as they are (whole periods forward, or the latest occurrence before it). Taking DTSTART =
 *   the anchor itself would move times of day and seconds (FREQ=DAILY;BYHOUR=9 at 09:00:37).
 *   Prefect then stops walking from 2020 on every pass (PrefectHQ/prefect#18861, #21362). Rules
 *   where moving DTSTART would change them (COUNT, several rules) keep theirs, made explicit.
 * - cron: nothing to re-anchor; written back unchanged (the change is the cleared runs).
 */
import { parseCron } from './cron';
import { everyText } from './describe';
import { formatInstant } from './instant';
import { dates, toSchedule, type ScheduleBody } from './occurrences';
import { DEFAULT_DTSTART_WALL, parseRRule, phaseKeepingDtstart, withDtstart } from './rrule';

export interface Recreated {
  body: ScheduleBody;
  notes: string[];
}

const SAME_CHECK = 50;

export function recreateBody(body: ScheduleBody, anchor: number, now: number): Recreated {
  const s = toSchedule(body);
  switch (s.kind) {
    case 'interval': {
      const notes: string[] = [];
      const tz = s.timezone ?? 'UTC';
      if (s.interval >= 86400) {
        notes.push(`Every ${everyText(s.interval)}: runs will happen at ${formatInstant(anchor, tz).slice(11, 19)} (${tz}), the anchor's time of day. Give an anchor at the time you want to keep another.`);
      }
      if (anchor > now + 1000) notes.push('The anchor is in the future: Prefect does not wait for it; runs start at the next lattice point from now (the lattice extends backwards).');
      return { body: { ...body, anchor_date: formatInstant(anchor, 'UTC') }, notes };
    }
    case 'cron':
      // Checked here so a cron Housekeeper cannot predict (and so cannot verify) is refused up front.
      parseCron(s);
      return { body: { ...body }, notes: ['Cron schedules have no anchor: only their runs are cleared and recreated.'] };
    case 'rrule': {
      const p = parseRRule(s.rrule);
      const moved = phaseKeepingDtstart(s, anchor);
      if (moved.wall === null) {
        if (p.dtstartWall !== null) return { body: { ...body }, notes: [`DTSTART kept: ${moved.reason}.`] };
        return {
          body: { ...body, rrule: withDtstart(s.rrule, DEFAULT_DTSTART_WALL) },
          notes: [`DTSTART made explicit at Prefect's implicit 2020-01-01 (${moved.reason}).`],
        };
      }
      const candidate = { ...body, rrule: withDtstart(s.rrule, moved.wall) };
      // Belt and braces: the next occurrences must not change.
      const from = Math.min(anchor, now);
      const before = [...dates(s, { start: from, n: SAME_CHECK })];
      const after = [...dates(toSchedule(candidate), { start: from, n: SAME_CHECK })];
      if (before.length !== after.length || before.some((d, i) => d !== after[i])) {
        return {
          body: p.dtstartWall === null ? { ...body, rrule: withDtstart(s.rrule, DEFAULT_DTSTART_WALL) } : { ...body },
          notes: ['DTSTART kept: moving it would change the rule\'s next occurrences.'],
        };
      }
      return {
        body: candidate,
        notes: [
          `DTSTART moved to ${new Date(moved.wall).toISOString().slice(0, 19).replace('T', ' ')} (${s.timezone ?? 'UTC'}): the same runs, without walking from ${new Date(p.dtstartWall ?? DEFAULT_DTSTART_WALL).toISOString().slice(0, 10)} on every scheduler pass.`,
        ],
      };
    }
  }
}
