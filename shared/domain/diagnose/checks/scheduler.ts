/**
 * The scheduler and the schedules: a horizon too long for the schedules' frequencies, MAX_RUNS far
 * above what a schedule needs, sub-minute schedules, rrules walking from an old DTSTART.
 *
 * The keep rule is Prefect's (shared/schedules/scheduler.ts keptDates, restating
 * models/deployments.py _generate_scheduled_flow_runs); what a change would do is the scheduler
 * simulator's prediction from the runs the server holds now (Evidence.sim).
 */
import type { DeploymentRow, ScheduleRow } from '../../schedules';
import { presetById } from '../../profiles/presets';
import { everyText } from '../../../schedules/describe';
import { toSchedule, type Schedule } from '../../../schedules/occurrences';
import { recreateBody } from '../../../schedules/recreate';
import { parseRRule, walkCost } from '../../../schedules/rrule';
import { keptDates, type KeptLimit } from '../../../schedules/scheduler';
import { envNames, type SchedulerSettingKey, type SchedulerSettings } from '../../../schedules/settings';
import type { Evidence } from '../evidence';
import type { Action, Effect, SettingChange } from '../types';
import { duration, n, plural, SRC, unavailable, type CheckDef, type CheckResult } from './common';

const PRESET = 'high-frequency-schedules';
/** Below this many runs kept beyond need, a long horizon is not worth a finding. */
const MIN_KEPT = 200;

/**
 * The scheduler settings Housekeeper recommends for minute-scale schedules (the Profiles preset
 * high-frequency-schedules), never looser than what the server runs with now: only the keys that
 * would tighten are returned.
 */
export function recommendedScheduler(cur: SchedulerSettings): Partial<SchedulerSettings> {
  const out: Partial<SchedulerSettings> = {};
  if (cur.minScheduledTime > 900) out.minScheduledTime = 900;
  if (cur.maxScheduledTime > 86400) out.maxScheduledTime = 86400;
  if (cur.maxRuns > 20) out.maxRuns = 20;
  if (cur.loopSeconds > 30) out.loopSeconds = 30;
  return out;
}

/** Setting values as a profile writes them (durations in ISO 8601, which Prefect requires). */
function settingText(key: SchedulerSettingKey, v: number | boolean): string {
  if (key === 'minScheduledTime' || key === 'maxScheduledTime') {
    const s = Number(v);
    return s % 86400 === 0 ? `P${s / 86400}D` : s % 3600 === 0 ? `PT${s / 3600}H` : s % 60 === 0 ? `PT${s / 60}M` : `PT${s}S`;
  }
  return String(v);
}

/** The settings action for `rec`, with the preset's reason for each value. */
export function schedulerAction(rec: Partial<SchedulerSettings>): Action | null {
  const keys = Object.keys(rec) as SchedulerSettingKey[];
  if (keys.length === 0) return null;
  const preset = presetById(PRESET);
  const set: SettingChange[] = keys.map((k) => {
    const name = envNames(k)[0]!;
    const reason = preset?.settings.find((s) => s.name === name)?.reason ?? 'Keeps the scheduler from filling the run table.';
    return { name, value: settingText(k, rec[k]!), reason };
  });
  return { kind: 'settings', title: 'Shorter scheduler horizon and fewer runs per schedule (preset high-frequency-schedules)', preset: PRESET, scope: 'server', set, inputs: [] };
}

interface SchedInfo {
  deployment: DeploymentRow;
  row: ScheduleRow;
  schedule: Schedule;
  /** Runs per hour. */
  rate: number;
  kept: number;
  limitedBy: KeptLimit;
  /** Runs due in two scheduler loops, at least MIN_RUNS: what the scheduler needs to hold. */
  need: number;
}

/** Active schedules of running deployments: the ones the scheduler works on. */
function working(e: Evidence, st: SchedulerSettings): SchedInfo[] {
  const out: SchedInfo[] = [];
  for (const d of e.list?.deployments ?? []) {
    if (d.paused) continue;
    for (const row of d.schedules) {
      if (!row.active || row.runsPerHour === null) continue;
      let schedule: Schedule;
      try {
        schedule = toSchedule(row.stored.schedule);
      } catch {
        continue;
      }
      const k = keptDates(schedule, e.now, st);
      const need = Math.max(st.minRuns, Math.ceil((row.runsPerHour / 3600) * 2 * st.loopSeconds) + 1);
      out.push({ deployment: d, row, schedule, rate: row.runsPerHour, kept: k.dates.length, limitedBy: k.limitedBy, need });
    }
  }
  return out;
}

function label(s: SchedInfo): string {
  return `${s.deployment.fullName}${s.row.slug ? ` · ${s.row.slug}` : ''} (${s.row.description})`;
}

/** Held, inserts per loop and dates per loop: now (simulated from the held runs) and with `rec`. */
function simEffects(e: Evidence): Effect[] {
  const sim = e.sim;
  const held = e.list?.totals.heldFuture ?? null;
  if (!sim?.modified) return [];
  const b = sim.baseline.totals;
  const m = sim.modified.totals;
  return [
    { label: 'Future runs held', before: held, after: Math.round(m.held), unit: 'runs', basis: 'simulation', note: 'after one scheduler pass with the new settings' },
    { label: 'Runs inserted per scheduler loop', before: round1(b.insertsPerLoopAvg), after: round1(m.insertsPerLoopAvg), unit: 'runs', basis: 'simulation' },
    { label: 'Dates the scheduler computes per loop', before: Math.round(b.datesGeneratedPerLoopAvg), after: Math.round(m.datesGeneratedPerLoopAvg), unit: 'count', basis: 'simulation' },
  ];
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export const horizonCheck: CheckDef = {
  id: 'scheduler.horizon-too-long',
  title: 'Scheduler horizon (MIN_SCHEDULED_TIME) against the schedules’ frequencies',
  run(e) {
    const un = unavailable(e, ['schedules']);
    if (un) return un;
    const st = e.scheduler ?? e.list!.settings.settings;
    const all = working(e, st);
    const over = all.filter((s) => s.limitedBy === 'min_scheduled_time' && s.kept >= 10 && s.kept >= 3 * s.need);
    const keptSum = over.reduce((a, s) => a + s.kept, 0);
    const rec = e.recommended;
    const cut = e.sim?.modified ? e.sim.baseline.totals.held - e.sim.modified.totals.held : null;
    if (over.length === 0 || keptSum < MIN_KEPT || rec.minScheduledTime === undefined || (cut !== null && cut < Math.max(MIN_KEPT / 2, 0.3 * e.sim!.baseline.totals.held))) {
      return {
        status: 'clear',
        note: over.length
          ? `${plural(over.length, 'schedule')} keep more than three loops of runs, ${n(keptSum)} in all: not enough to matter.`
          : `${plural(all.length, 'active schedule')}: none keeps more than three scheduler loops of runs because of MIN_SCHEDULED_TIME (${duration(st.minScheduledTime)}).`,
      };
    }
    const top = [...over].sort((a, b) => b.kept - a.kept)[0]!;
    const action = schedulerAction(rec)!;
    return {
      status: 'raised',
      finding: {
        id: 'scheduler.horizon-too-long',
        severity: keptSum >= 1000 ? 'high' : 'medium',
        magnitude: Math.min(1, keptSum / 10_000),
        title: `A ${duration(st.minScheduledTime)} scheduler horizon keeps ${n(keptSum)} future runs for ${plural(over.length, 'frequent schedule')}`,
        measured: [
          { label: 'MIN_SCHEDULED_TIME', value: st.minScheduledTime, unit: 'seconds', source: SRC.scheduler('min_scheduled_time'), exact: true },
          { label: 'MAX_RUNS', value: st.maxRuns, unit: 'count', source: SRC.scheduler('max_runs'), exact: true },
          { label: 'LOOP_SECONDS', value: st.loopSeconds, unit: 'seconds', source: SRC.scheduler('loop_seconds'), exact: true },
          { label: 'Schedules kept beyond three loops', value: over.length, unit: 'count', source: SRC.kept, exact: true },
          { label: 'Future runs those schedules keep', value: keptSum, unit: 'runs', source: SRC.kept, exact: true },
          { label: `Largest: ${label(top)}`, value: top.kept, unit: 'runs', source: SRC.kept, exact: true },
          { label: 'Future runs held now (all schedules)', value: e.list!.totals.heldFuture, unit: 'runs', source: SRC.futureRuns, exact: true },
        ],
        why: `Every ${duration(st.loopSeconds)} the scheduler tops up each deployment whose latest future run is less than MIN_SCHEDULED_TIME ahead, generating runs until that horizon is covered; a schedule every ${everyText(Math.round(3600 / top.rate))} therefore holds ${n(top.kept)} rows in flow_run and flow_run_state, and all of them turn Late together when workers stop.`,
        refs: ['prefect/server/services/scheduler.py (schedule_deployments)', 'prefect/server/models/deployments.py (_generate_scheduled_flow_runs)', 'prefect/settings/models/server/services.py (ServerServicesSchedulerSettings)'],
        actions: [action],
        effect: simEffects(e),
        notes: ['Settings take effect when the server (and any separate `prefect server services start` process) restarts with them.'],
      },
    };
  },
};

export const maxRunsCheck: CheckDef = {
  id: 'scheduler.max-runs-above-need',
  title: 'MAX_RUNS against what each schedule needs between scheduler loops',
  run(e) {
    const un = unavailable(e, ['schedules']);
    if (un) return un;
    const st = e.scheduler ?? e.list!.settings.settings;
    const all = working(e, st);
    const capped = all.filter((s) => s.limitedBy === 'max_runs' && st.maxRuns >= 3 * s.need);
    if (capped.length === 0 || e.recommended.maxRuns === undefined) {
      return { status: 'clear', note: `MAX_RUNS ${n(st.maxRuns)}: ${capped.length ? 'already at the recommended cap' : `no active schedule reaches it with three times fewer runs needed (${plural(all.length, 'active schedule')})`}.` };
    }
    const extra = capped.reduce((a, s) => a + (s.kept - s.need), 0);
    const top = [...capped].sort((a, b) => b.rate - a.rate)[0]!;
    return {
      status: 'raised',
      finding: {
        id: 'scheduler.max-runs-above-need',
        severity: 'medium',
        magnitude: Math.min(1, extra / 5000),
        title: `MAX_RUNS ${n(st.maxRuns)} keeps ${plural(capped.length, 'schedule')} at ${n(st.maxRuns)} future runs where two loops need ${n(top.need)}`,
        measured: [
          { label: 'MAX_RUNS', value: st.maxRuns, unit: 'count', source: SRC.scheduler('max_runs'), exact: true },
          { label: 'Schedules held at MAX_RUNS', value: capped.length, unit: 'count', source: SRC.kept, exact: true },
          { label: `Runs due in two loops for ${label(top)}`, value: top.need, unit: 'runs', source: SRC.kept, exact: true },
          { label: 'Runs kept beyond that, all such schedules', value: extra, unit: 'runs', source: SRC.kept, exact: true },
        ],
        why: `MAX_RUNS caps how many runs one scheduler pass keeps per schedule; a schedule as frequent as ${top.row.description} always reaches it and holds ${n(st.maxRuns)} rows although the next ${duration(2 * st.loopSeconds)} only need ${n(top.need)}, and every extra row is a flow run with states that turns Late when nobody picks it up.`,
        refs: ['prefect/server/models/deployments.py (_generate_scheduled_flow_runs)', 'prefect/settings/models/server/services.py (max_runs)'],
        actions: [schedulerAction(e.recommended)!],
        effect: simEffects(e),
        notes: [],
      },
    };
  },
};

export const subMinuteCheck: CheckDef = {
  id: 'schedules.sub-minute',
  title: 'Schedules that run more than once a minute',
  run(e) {
    const un = unavailable(e, ['schedules']);
    if (un) return un;
    const st = e.scheduler ?? e.list!.settings.settings;
    const subs = working(e, st).filter((s) => s.row.flags.some((f) => f.code === 'sub-minute'));
    if (subs.length === 0) return { status: 'clear', note: 'No active schedule of a running deployment runs more than once a minute.' };
    const perDay = subs.reduce((a, s) => a + s.rate * 24, 0);
    const atMinute = subs.length * 24 * 60;
    const actions: Action[] = [];
    const capAction = schedulerAction(e.recommended.maxRuns !== undefined ? { maxRuns: e.recommended.maxRuns } : {});
    if (capAction) actions.push({ ...capAction, title: `Cap the runs kept per schedule at ${e.recommended.maxRuns} (MAX_RUNS)` });
    actions.push({
      kind: 'manual',
      title: 'Slow the schedules down, or loop inside one run',
      text: `Give ${subs.map(label).join(', ')} a schedule of a minute or more, or run the work in one long-running flow that loops (and sleeps) itself. Housekeeper does not change how often your flows run.`,
      command: null,
    });
    return {
      status: 'raised',
      finding: {
        id: 'schedules.sub-minute',
        severity: perDay >= 50_000 ? 'high' : 'medium',
        magnitude: Math.min(1, perDay / 200_000),
        title: `${plural(subs.length, 'schedule')} run more than once a minute: ${n(perDay)} flow runs a day`,
        measured: [
          { label: 'Sub-minute schedules', value: subs.length, unit: 'count', source: SRC.schedules, exact: true },
          ...subs.slice(0, 5).map((s) => ({ label: label(s), value: Math.round(s.rate), unit: 'per-hour' as const, source: SRC.schedules, exact: true })),
          { label: 'Flow runs they create per day', value: Math.round(perDay), unit: 'runs' as const, source: SRC.schedules, exact: true },
        ],
        why: 'Each scheduled run is its own flow_run row with its state rows and logs, inserted by the scheduler whether or not the previous run finished; at this rate the run tables grow by tens of thousands of rows a day, and every run a worker misses stays behind as a Late row until someone deletes it.',
        refs: ['prefect/server/services/scheduler.py', 'prefect/server/services/late_runs.py'],
        actions,
        effect: [{ label: 'Flow runs created per day by these schedules', before: Math.round(perDay), after: atMinute, unit: 'runs', basis: 'simulation', note: 'at one run a minute each' }],
        notes: [],
      },
    };
  },
};

export const rruleCheck: CheckDef = {
  id: 'schedules.rrule-old-dtstart',
  title: 'RRULE schedules that walk from an old DTSTART on every scheduler pass',
  run(e) {
    const un = unavailable(e, ['schedules']);
    if (un) return un;
    const hits: Array<{ d: DeploymentRow; row: ScheduleRow; cost: number; after: number | null; dtstart: string }> = [];
    for (const d of e.list!.deployments) {
      if (d.paused) continue;
      for (const row of d.schedules) {
        if (!row.active || row.kind !== 'rrule') continue;
        if (!row.flags.some((f) => f.code === 'dtstart-far-past' || f.code === 'rrule-no-dtstart')) continue;
        try {
          const s = toSchedule(row.stored.schedule);
          if (s.kind !== 'rrule') continue;
          const cost = walkCost(s, e.now) ?? 0;
          let after: number | null = null;
          try {
            const r = toSchedule(recreateBody(row.stored.schedule, e.now, e.now).body);
            after = r.kind === 'rrule' ? walkCost(r, e.now) : null;
          } catch {
            after = null;
          }
          const p = parseRRule(s.rrule);
          hits.push({ d, row, cost, after, dtstart: p.dtstartWall === null ? 'none (Prefect walks from 2020-01-01)' : new Date(p.dtstartWall).toISOString().slice(0, 16).replace('T', ' ') });
        } catch {
          // an rrule Housekeeper cannot read is shown on the Schedules screen as unpredictable
        }
      }
    }
    if (hits.length === 0) return { status: 'clear', note: 'No active rrule schedule walks more than 10,000 occurrences from its DTSTART.' };
    const total = hits.reduce((a, h) => a + h.cost, 0);
    const after = hits.reduce((a, h) => a + (h.after ?? h.cost), 0);
    const deployments = [...new Map(hits.map((h) => [h.d.id, { id: h.d.id, name: h.d.fullName }])).values()];
    return {
      status: 'raised',
      finding: {
        id: 'schedules.rrule-old-dtstart',
        severity: total > 200_000 ? 'high' : 'medium',
        magnitude: Math.min(1, total / 2_000_000),
        title: `${plural(hits.length, 'rrule schedule')} walk ${n(total)} occurrences from an old DTSTART on every scheduler pass`,
        measured: hits.slice(0, 8).map((h) => ({ label: `${h.d.fullName} · DTSTART ${h.dtstart}`, value: h.cost, unit: 'count' as const, source: SRC.schedules, exact: true })),
        why: "Prefect's rrule generator starts at the rule's DTSTART and steps through every occurrence up to now before it yields the first future one, on every pass of the scheduler (and on every read of the schedule's next runs), so a minute-level rule started in 2020 costs millions of steps each time.",
        refs: ['prefect/server/schemas/schedules.py (RRuleSchedule._get_dates_generator)', 'PrefectHQ/prefect#18861', 'PrefectHQ/prefect#21362'],
        actions: [{ kind: 'recreate', title: `Recreate ${plural(deployments.length, 'deployment')}’ schedules from now (DTSTART moved up, same run times)`, deployments }],
        effect: [{ label: 'Occurrences walked per scheduler pass', before: total, after, unit: 'count', basis: 'simulation', note: 'computed on the recreated rules' }],
        notes: [],
      },
    };
  },
};

export type { CheckResult };
