/**
 * The scheduler, simulated pass by pass (prefect/server/services/scheduler.py `schedule_deployments`
 * with models/deployments.py `_generate_scheduled_flow_runs`, 3.9.1):
 *
 * 1. A pass at time t selects each non-paused deployment with an active schedule that holds fewer
 *    than min_runs future runs, or whose latest future run is earlier than t + min_scheduled_time
 *    (per schedule since 3.6.19; runs counted by created_by.id, state SCHEDULED, at or after t).
 * 2. For a selected deployment *every* active schedule generates its K dates (scheduler.ts) and the
 *    ones not already held are inserted (idempotency keys: ON CONFLICT DO NOTHING).
 * 3. Nothing is ever deleted by the scheduler; held runs fall away as their time passes.
 *
 * Older servers (the `model` argument, from the server's capabilities):
 * - before 3.6.19 step 1 looks at the deployment as a whole: fewer than min_runs future
 *   auto-scheduled runs of the deployment, or its latest one earlier than t + min_scheduled_time
 *   (services/scheduler.py `_get_select_deployments_to_schedule_query`, 3.6.18);
 * - before 3.2.2 the idempotency key names the deployment and the time only
 *   (`scheduled <deployment> <time>`), so an instant two schedules share gets one run.
 *
 * The recent-deployments loop (every 5 s, only for deployments updated in the last seconds) inserts
 * the same dates sooner after a change and is left out: it changes when, not what.
 *
 * Dates come from one occurrence list per schedule, generated once from the window's start and long
 * enough for the last pass; equal to calling the generator at every pass (unit-tested), and fast
 * enough for a day of 60-second passes over hundreds of schedules.
 */
import { dates, type Schedule } from './occurrences';
import type { SchedulerSettings } from './settings';

/** The generator's own cap: it stops after ~1000 candidates (MAX_ITERATIONS + 2 yields). */
export const GENERATOR_CAP = 1002;

export interface SimInputSchedule {
  key: string;
  deploymentId: string;
  active: boolean;
  paused: boolean;
  schedule: Schedule | null;
  /** Future runs the server already holds for this schedule (epoch ms). */
  held?: number[];
}

/** How the simulated scheduler selects and keys runs (defaults: the newest Prefect). */
export interface SchedulerModel {
  /** Select per schedule (3.6.19+) or per deployment. */
  perScheduleSelection: boolean;
  /** Runs keyed by schedule and time (3.2.2+) or by deployment and time. */
  keyedBySchedule: boolean;
}

export const NEWEST_SCHEDULER: SchedulerModel = { perScheduleSelection: true, keyedBySchedule: true };

export interface SimPass {
  at: number;
  selectedDeployments: string[];
  /** Per schedule key: dates inserted by this pass. */
  inserted: Map<string, number[]>;
}

export interface SimScheduleStats {
  key: string;
  kept: number;
  limitedBy: 'max_runs' | 'max_scheduled_time' | 'min_runs' | 'min_scheduled_time' | 'iteration_cap' | 'inactive';
  horizonMs: number | null;
  heldMin: number;
  heldMax: number;
  insertsPerLoopAvg: number;
  insertsPerLoopMax: number;
  selectedShare: number;
  error: string | null;
}

export interface SimOutcome {
  passes: SimPass[];
  schedules: SimScheduleStats[];
  totals: {
    loops: number;
    held: number;
    insertsPerLoopAvg: number;
    insertsPerLoopMax: number;
    insertsPerDay: number;
    deploymentsPerLoopAvg: number;
    deploymentsPerLoopMax: number;
    deploymentPagesMax: number;
    insertTransactionsMax: number;
    datesGeneratedPerLoopAvg: number;
  };
}

/** Occurrences from `start`, in chained generator calls (each capped near 1000), until `count` or `until`. */
export function occurrenceList(s: Schedule, start: number, count: number, until: number): number[] {
  const out: number[] = [];
  let from = start;
  for (let guard = 0; guard < 10_000 && out.length < count; guard++) {
    const chunk = [...dates(s, { start: from, end: until, n: Math.min(1000, count - out.length) })];
    const fresh = out.length ? chunk.filter((d) => d > out[out.length - 1]!) : chunk;
    if (fresh.length === 0) break;
    out.push(...fresh);
    from = fresh[fresh.length - 1]! + 0.001;
  }
  return out;
}

/** One list that serves every pass in [first, last]: enough for the last pass to see its K dates. */
export function occurrencesForPasses(s: Schedule, first: number, last: number, settings: Pick<SchedulerSettings, 'maxRuns' | 'maxScheduledTime'>): number[] {
  const cap = Math.min(settings.maxRuns, GENERATOR_CAP);
  return occurrenceList(s, first, estimateCount(s, first, last) + cap + 2, last + settings.maxScheduledTime * 1000);
}

function lowerBound(a: number[], t: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** K dates at `t` from a precomputed occurrence list (same rule as scheduler.ts keptDates). */
export function keptFromList(occ: number[], t: number, st: Pick<SchedulerSettings, 'minRuns' | 'maxRuns' | 'minScheduledTime' | 'maxScheduledTime'>): { dates: number[]; limitedBy: SimScheduleStats['limitedBy'] } {
  const end = t + st.maxScheduledTime * 1000;
  const minEnd = t + st.minScheduledTime * 1000;
  const cap = Math.min(st.maxRuns, GENERATOR_CAP);
  const out: number[] = [];
  for (let i = lowerBound(occ, t); i < occ.length && out.length < cap; i++) {
    const d = occ[i]!;
    if (d > end) break;
    out.push(d);
    if (out.length >= st.minRuns && d >= minEnd) return { dates: out, limitedBy: out.length > st.minRuns ? 'min_scheduled_time' : 'min_runs' };
  }
  if (out.length >= st.maxRuns) return { dates: out, limitedBy: 'max_runs' };
  if (out.length >= cap) return { dates: out, limitedBy: 'iteration_cap' };
  return { dates: out, limitedBy: 'max_scheduled_time' };
}

export function passTimes(from: number, horizonMs: number, loopSeconds: number, maxPasses = 20_000): number[] {
  const step = loopSeconds * 1000;
  const n = Math.min(maxPasses, Math.max(1, Math.floor(horizonMs / step) + 1));
  return Array.from({ length: n }, (_, i) => from + i * step);
}

export function simulate(input: SimInputSchedule[], settings: SchedulerSettings, at: number[], model: SchedulerModel = NEWEST_SCHEDULER): SimOutcome {
  const first = at[0] ?? 0;
  const last = at[at.length - 1] ?? first;
  const occ = new Map<string, number[]>();
  const errors = new Map<string, string>();
  for (const s of input) {
    if (!s.schedule || !s.active) continue;
    try {
      occ.set(s.key, occurrencesForPasses(s.schedule, first, last, settings));
    } catch (e) {
      errors.set(s.key, (e as Error).message);
    }
  }
  const held = new Map<string, number[]>(input.map((s) => [s.key, [...(s.held ?? [])].sort((a, b) => a - b)]));
  const byDeployment = new Map<string, SimInputSchedule[]>();
  for (const s of input) byDeployment.set(s.deploymentId, [...(byDeployment.get(s.deploymentId) ?? []), s]);

  const passes: SimPass[] = [];
  const stats = new Map<string, { inserts: number[]; selected: number; heldAfter: number[]; heldBefore: number[] }>(
    input.map((s) => [s.key, { inserts: [], selected: 0, heldAfter: [], heldBefore: [] }]),
  );
  let generated = 0;
  for (const t of at) {
    const pass: SimPass = { at: t, selectedDeployments: [], inserted: new Map() };
    for (const [depId, scheds] of byDeployment) {
      const active = scheds.filter((s) => s.active && !s.paused && occ.has(s.key));
      for (const s of scheds) {
        const h = held.get(s.key)!;
        stats.get(s.key)!.heldBefore.push(h.length - lowerBound(h, t));
      }
      if (active.length === 0) continue;
      const low = (h: number[]): boolean => {
        const c = h.length - lowerBound(h, t);
        const m = c > 0 ? h[h.length - 1]! : null;
        return c < settings.minRuns || (m !== null && m < t + settings.minScheduledTime * 1000);
      };
      // Per deployment: every held run of it counts, active schedule or not (the query joins runs
      // to the deployment, not to a schedule).
      const needs = model.perScheduleSelection
        ? active.some((s) => low(held.get(s.key)!))
        : low(scheds.flatMap((s) => held.get(s.key)!).sort((a, b) => a - b));
      if (!needs) continue;
      pass.selectedDeployments.push(depId);
      // Keyed by deployment and time: an instant held by any schedule of it is not inserted again.
      const depHave = model.keyedBySchedule ? null : new Set(scheds.flatMap((s) => held.get(s.key)!));
      for (const s of active) {
        const k = keptFromList(occ.get(s.key)!, t, settings).dates;
        generated += k.length;
        const h = held.get(s.key)!;
        const have = depHave ?? new Set(h);
        const fresh = k.filter((d) => !have.has(d));
        if (fresh.length) {
          pass.inserted.set(s.key, fresh);
          held.set(s.key, [...h, ...fresh].sort((a, b) => a - b));
          if (depHave) for (const d of fresh) depHave.add(d);
        }
        stats.get(s.key)!.selected += 1;
      }
    }
    for (const s of input) {
      const st = stats.get(s.key)!;
      st.inserts.push(pass.inserted.get(s.key)?.length ?? 0);
      const h = held.get(s.key)!;
      st.heldAfter.push(h.length - lowerBound(h, t));
    }
    passes.push(pass);
  }

  const steady = <T>(xs: T[]): T[] => (xs.length > 1 ? xs.slice(1) : xs);
  const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const schedules: SimScheduleStats[] = input.map((s) => {
    const st = stats.get(s.key)!;
    const list = occ.get(s.key);
    const k = list ? keptFromList(list, first, settings) : null;
    const live = s.active && !s.paused && !!list;
    return {
      key: s.key,
      kept: live && k ? k.dates.length : 0,
      limitedBy: live && k ? k.limitedBy : 'inactive',
      horizonMs: live && k && k.dates.length ? k.dates[k.dates.length - 1]! - first : null,
      heldMin: Math.min(...steady(st.heldBefore), ...st.heldAfter),
      heldMax: Math.max(...st.heldAfter),
      insertsPerLoopAvg: avg(steady(st.inserts)),
      insertsPerLoopMax: Math.max(0, ...steady(st.inserts)),
      selectedShare: at.length ? st.selected / at.length : 0,
      error: errors.get(s.key) ?? null,
    };
  });
  const perPassInserts = passes.map((p) => [...p.inserted.values()].reduce((n, d) => n + d.length, 0));
  const perPassDeps = passes.map((p) => p.selectedDeployments.length);
  const insertsAvg = avg(steady(perPassInserts));
  return {
    passes,
    schedules,
    totals: {
      loops: at.length,
      held: schedules.reduce((n, s) => n + s.kept, 0),
      insertsPerLoopAvg: insertsAvg,
      insertsPerLoopMax: Math.max(0, ...steady(perPassInserts)),
      insertsPerDay: insertsAvg * (86400 / settings.loopSeconds),
      deploymentsPerLoopAvg: avg(steady(perPassDeps)),
      deploymentsPerLoopMax: Math.max(0, ...steady(perPassDeps)),
      deploymentPagesMax: Math.max(1, Math.ceil(Math.max(0, ...perPassDeps) / settings.deploymentBatchSize)),
      insertTransactionsMax: Math.ceil(Math.max(0, ...perPassInserts) / settings.insertBatchSize),
      datesGeneratedPerLoopAvg: at.length ? generated / at.length : 0,
    },
  };
}

/** Roughly how many occurrences fall in [from, to] (to size the list), from the first 1000. */
function estimateCount(s: Schedule, from: number, to: number): number {
  if (to <= from) return 0;
  const sample = [...dates(s, { start: from, end: to, n: 1000 })];
  if (sample.length < 1000) return sample.length;
  const span = sample[sample.length - 1]! - from || 1;
  return Math.ceil(((to - from) / span) * sample.length) + 10;
}
