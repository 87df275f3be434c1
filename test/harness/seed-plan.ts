/**
 * What bulk seeding creates, independent of the database: run "recipes" (the state history a run in
 * each category has, modelled on rows observed from a real Prefect 3.9.1 server) and a plan that
 * spreads requested counts over deployments/schedules on each schedule's time lattice.
 *
 * Why a shared plan: the Postgres writer (seed-sql.ts, set-based SQL for volume) and the SQLite
 * writer (seed-sqlite.ts, row by row) must produce the same semantics, and the tests compare the
 * database against the counts computed here (`expectedCounts`), not against what the writer says.
 *
 * Time model: every auto-scheduled run sits on its schedule's lattice (`base - k*step`), so
 * idempotency keys (`scheduled <deployment> <schedule> <time>`) are unique and look like the
 * scheduler's. Categories get disjoint k-bands, newest first: scheduledPast, pending, running,
 * awaitingRetry, late, then (at least `terminalMinAgeHours` back) the terminal runs, interleaved.
 */
import type { SeededDeployment } from './seed-api';

export type StateType =
  | 'SCHEDULED'
  | 'PENDING'
  | 'RUNNING'
  | 'COMPLETED'
  | 'FAILED'
  | 'CANCELLED'
  | 'CRASHED'
  | 'PAUSED'
  | 'CANCELLING';

/** The knobs of bulk seeding. Counts are totals, spread over the targets (see `distribute`). */
export interface RunVolume {
  /** SCHEDULED/Late, auto-scheduled, never started, expected start in the past (the backlog). */
  late?: number;
  /** SCHEDULED/Scheduled, auto-scheduled, past due but not (yet) marked Late. */
  scheduledPast?: number;
  /** SCHEDULED/Scheduled, auto-scheduled, in the future (what the scheduler keeps refilling). */
  future?: number;
  running?: number;
  pending?: number;
  /** COMPLETED runs at least `terminalMinAgeHours` old. */
  completedOld?: number;
  failed?: number;
  cancelled?: number;
  crashed?: number;
  /** auto_scheduled=false, created_by null: split over Late, future Scheduled, Completed, Failed. */
  manual?: number;
  /** SCHEDULED/AwaitingRetry with run_count 1 (already ran once). */
  awaitingRetry?: number;
  /** flow_run_state rows per terminal run (default 4: Scheduled, Pending, Running, final). */
  statesPerTerminalRun?: number;
  /** log rows per run that started (default 3). */
  logsPerRun?: number;
  /** task runs per terminal run (default 2), each with 3 task_run_state rows. */
  taskRunsPerRun?: number;
  /** One artifact per this many completed runs (default 10; 0 = none). */
  artifactEvery?: number;
  /** Terminal runs are at least this old (default 48 h). */
  terminalMinAgeHours?: number;
}

export type RunCategory = Exclude<
  keyof RunVolume,
  'statesPerTerminalRun' | 'logsPerRun' | 'taskRunsPerRun' | 'artifactEvery' | 'terminalMinAgeHours'
>;

export const RUN_CATEGORIES: RunCategory[] = [
  'late',
  'scheduledPast',
  'future',
  'running',
  'pending',
  'completedOld',
  'failed',
  'cancelled',
  'crashed',
  'manual',
  'awaitingRetry',
];

/** One run-producing unit: a deployment schedule (auto runs) or a deployment alone (manual runs only). */
export interface SeedTarget {
  deploymentId: string;
  deploymentName: string;
  flowId: string;
  flowName: string;
  /** null: only manual runs are seeded for this target. */
  scheduleId: string | null;
  /** flow_run.created_by.display_value: schedule slug, else the schedule class name. */
  displayValue: string;
  /** IANA zone the scheduler formats idempotency keys in. */
  timezone: string;
  /** Lattice step in seconds (interval, or the cron/rrule's typical period). */
  stepSeconds: number;
  workQueueName: string | null;
  workQueueId: string | null;
  tags: string[];
  /** Deployment parameters merged with the schedule's. */
  parameters: Record<string, unknown>;
  /** Relative share of the totals (default 1). */
  weight?: number;
  /**
   * The scheduler records the schedule in `created_by` and in the idempotency key (Prefect 3.2+;
   * default true). False writes what 3.0/3.1 write: created_by NULL, `scheduled <deployment> <time>`.
   */
  attributed?: boolean;
}

export interface TimeRef {
  /** Relative to the run's expected start, or to seeding time. */
  from: 'expected' | 'now';
  /** Seconds. */
  off: number;
  /** Plus this fraction of the run's duration (20..299 s, varies per run). */
  frac: number;
}

export interface StateStep {
  type: StateType;
  name: string;
  message: string | null;
  at: TimeRef;
  /** state_details.scheduled_time (SCHEDULED-type states only). */
  scheduledTime?: TimeRef;
  /** Format scheduled_time in the schedule's zone (scheduler-written) rather than UTC. */
  scheduledTimeLocal?: boolean;
  /** The scheduler's bulk insert leaves state_details.flow_run_id null; orchestration sets it. */
  detailsFlowRunId: boolean;
}

export interface TaskFinal {
  type: StateType;
  name: string;
}

export interface Recipe {
  id: string;
  category: RunCategory;
  auto: boolean;
  /** future: expected = base + k*step; past: base - k*step. */
  when: 'past' | 'future';
  /** Manual runs are not on the lattice (+17 s). */
  offLattice: boolean;
  states: StateStep[];
  runCount: number;
  /** Offset of the first RUNNING state (start_time), if the run ever started. */
  startAt: TimeRef | null;
  /** end_time = last state's time. */
  terminal: boolean;
  /** Rows written only by the scheduler never get state_timestamp. */
  stateTimestamp: boolean;
  /** next_scheduled_start_time (SCHEDULED-type current state). */
  nextScheduled: TimeRef | null;
  /** total_run_time as a fraction of duration. */
  runTimeFrac: number;
  tasks: { finalLast: TaskFinal } | null;
  logs: { final: { level: number; message: string } | null } | null;
  artifacts: boolean;
  /** Extra empirical_policy (retries). */
  retries: number;
}

/** Seconds; deterministic per run so SQL and JS agree: 20 + (g*7919) % 280. */
export function durationOf(g: number): number {
  return 20 + ((g * 7919) % 280);
}
export const MAX_DURATION = 299;

export const STATE_DETAILS_TEMPLATE: Record<string, unknown> = {
  flow_run_id: null,
  task_run_id: null,
  child_flow_run_id: null,
  scheduled_time: null,
  cache_key: null,
  cache_expiration: null,
  deferred: false,
  untrackable_result: false,
  pause_timeout: null,
  pause_reschedule: false,
  pause_key: null,
  run_input_keyset: null,
  refresh_cache: null,
  retriable: null,
  transition_id: null,
  task_parameters_id: null,
  traceparent: null,
  deployment_concurrency_lease_id: null,
};

export function empiricalPolicy(retries: number): Record<string, unknown> {
  return {
    retries: retries || null,
    resuming: false,
    pause_keys: [],
    retry_type: null,
    max_retries: 0,
    retry_delay: retries ? 30 : null,
    retry_delay_seconds: 0,
  };
}

const E = (off: number, frac = 0): TimeRef => ({ from: 'expected', off, frac });
const NOW = (off: number): TimeRef => ({ from: 'now', off, frac: 0 });

/** The scheduler's own insert: created about an hour ahead of the run (K runs ≈ 1 h horizon). */
const schedulerScheduled = (at: TimeRef = E(-3600)): StateStep => ({
  type: 'SCHEDULED',
  name: 'Scheduled',
  message: 'Flow run scheduled',
  at,
  scheduledTime: E(0),
  scheduledTimeLocal: true,
  detailsFlowRunId: false,
});
const manualScheduled = (at: TimeRef): StateStep => ({
  type: 'SCHEDULED',
  name: 'Scheduled',
  message: null,
  at,
  scheduledTime: E(0),
  detailsFlowRunId: true,
});
const late = (off = 17): StateStep => ({
  type: 'SCHEDULED',
  name: 'Late',
  message: null,
  at: E(off),
  scheduledTime: E(0),
  detailsFlowRunId: true,
});
const st = (type: StateType, name: string, at: TimeRef, message: string | null = null): StateStep => ({
  type,
  name,
  message,
  at,
  detailsFlowRunId: true,
});

const FINALS = {
  completed: { type: 'COMPLETED', name: 'Completed', message: null, log: { level: 20, message: 'Finished in state Completed()' } },
  failed: {
    type: 'FAILED',
    name: 'Failed',
    message: 'Flow run encountered an exception: RuntimeError: upstream API returned 502',
    log: {
      level: 40,
      message: "Finished in state Failed('Flow run encountered an exception: RuntimeError: upstream API returned 502')",
    },
  },
  cancelled: {
    type: 'CANCELLED',
    name: 'Cancelled',
    message: 'Flow run was cancelled.',
    log: { level: 20, message: "Finished in state Cancelled('Flow run was cancelled.')" },
  },
  crashed: {
    type: 'CRASHED',
    name: 'Crashed',
    message: 'Flow run infrastructure exited with non-zero status code 137.',
    log: { level: 40, message: 'Crash detected! Execution was interrupted by an unexpected exception: SIGKILL (exit 137).' },
  },
} as const;

/**
 * A terminal run's history with exactly `n` states: Scheduled, [Late], Pending, Running,
 * (AwaitingRetry, Retrying)*, final. n < 4 keeps the last n of the basic four.
 */
function terminalHistory(
  n: number,
  final: (typeof FINALS)[keyof typeof FINALS],
  first: StateStep,
): { states: StateStep[]; runCount: number; startAt: TimeRef } {
  const withLate = n >= 5 && (n - 4) % 2 === 1;
  const shift = withLate ? 20 : 0;
  const retries = n >= 4 ? Math.floor((n - 4) / 2) : 0;
  const states: StateStep[] = [first];
  if (withLate) states.push(late());
  states.push(st('PENDING', 'Pending', E(2 + shift)), st('RUNNING', 'Running', E(5 + shift)));
  for (let i = 1; i <= retries; i++) {
    const frac = i / (retries + 1);
    states.push({
      ...st('SCHEDULED', 'AwaitingRetry', E(5 + shift + (i - 1) * 2, frac), `Retry ${i}/${retries} will start 1 second(s) from now`),
      scheduledTime: E(6 + shift + (i - 1) * 2, frac),
    });
    states.push(st('RUNNING', 'Retrying', E(6 + shift + (i - 1) * 2, frac)));
  }
  states.push(st(final.type, final.name, E(5 + shift + retries * 2, 1), final.message));
  return { states: n >= 4 ? states : states.slice(-Math.max(1, n)), runCount: 1 + retries, startAt: E(5 + shift) };
}

/** All recipes for a volume (the terminal ones depend on statesPerTerminalRun). */
export function buildRecipes(v: RunVolume): Recipe[] {
  const n = v.statesPerTerminalRun ?? 4;
  if (!Number.isInteger(n) || n < 1) throw new Error(`statesPerTerminalRun must be an integer >= 1, got ${n}`);
  const base = {
    offLattice: false,
    terminal: false,
    stateTimestamp: true,
    nextScheduled: null,
    runTimeFrac: 0,
    tasks: null,
    logs: null,
    artifacts: false,
    retries: 0,
    startAt: null,
    runCount: 0,
  };
  const terminal = (
    id: string,
    category: RunCategory,
    auto: boolean,
    final: (typeof FINALS)[keyof typeof FINALS],
    taskFinal: TaskFinal,
  ): Recipe => {
    const h = terminalHistory(n, final, auto ? schedulerScheduled() : manualScheduled(E(0)));
    return {
      ...base,
      id,
      category,
      auto,
      when: 'past',
      offLattice: !auto,
      states: h.states,
      runCount: h.runCount,
      startAt: h.startAt,
      terminal: true,
      runTimeFrac: 1,
      tasks: { finalLast: taskFinal },
      logs: { final: final.log },
      artifacts: final.type === 'COMPLETED',
      retries: h.runCount > 1 ? h.runCount - 1 : 0,
    };
  };
  return [
    { ...base, id: 'scheduledPast', category: 'scheduledPast', auto: true, when: 'past', states: [schedulerScheduled()], stateTimestamp: false, nextScheduled: E(0) },
    { ...base, id: 'pending', category: 'pending', auto: true, when: 'past', states: [schedulerScheduled(), st('PENDING', 'Pending', E(2))] },
    {
      ...base,
      id: 'running',
      category: 'running',
      auto: true,
      when: 'past',
      states: [schedulerScheduled(), st('PENDING', 'Pending', E(2)), st('RUNNING', 'Running', E(5))],
      runCount: 1,
      startAt: E(5),
      logs: { final: null },
    },
    {
      ...base,
      id: 'awaitingRetry',
      category: 'awaitingRetry',
      auto: true,
      when: 'past',
      states: [
        schedulerScheduled(),
        st('PENDING', 'Pending', E(2)),
        st('RUNNING', 'Running', E(5)),
        { ...st('SCHEDULED', 'AwaitingRetry', E(5, 1), 'Retry 1/2 will start 30 second(s) from now'), scheduledTime: E(35, 1) },
      ],
      runCount: 1,
      startAt: E(5),
      nextScheduled: E(35, 1),
      runTimeFrac: 1,
      logs: { final: { level: 40, message: 'Encountered exception during execution: ConnectionError: database is unavailable. Retry 1/2 will start 30 second(s) from now.' } },
      retries: 2,
    },
    { ...base, id: 'late', category: 'late', auto: true, when: 'past', states: [schedulerScheduled(), late()], nextScheduled: E(0) },
    // The scheduler keeps future runs topped up; it wrote them shortly before "now".
    { ...base, id: 'future', category: 'future', auto: true, when: 'future', states: [schedulerScheduled(NOW(-30))], stateTimestamp: false, nextScheduled: E(0) },
    terminal('completedOld', 'completedOld', true, FINALS.completed, { type: 'COMPLETED', name: 'Completed' }),
    terminal('failed', 'failed', true, FINALS.failed, { type: 'FAILED', name: 'Failed' }),
    terminal('cancelled', 'cancelled', true, FINALS.cancelled, { type: 'CANCELLED', name: 'Cancelled' }),
    terminal('crashed', 'crashed', true, FINALS.crashed, { type: 'CRASHED', name: 'Crashed' }),
    // Manual runs ("Run now"/"Run later" in the UI, `prefect deployment run`): no idempotency key.
    { ...base, id: 'manualLate', category: 'manual', auto: false, when: 'past', offLattice: true, states: [manualScheduled(E(0)), late(16)], nextScheduled: E(0) },
    { ...base, id: 'manualScheduled', category: 'manual', auto: false, when: 'future', offLattice: true, states: [manualScheduled(NOW(-120))], nextScheduled: E(0) },
    terminal('manualCompleted', 'manual', false, FINALS.completed, { type: 'COMPLETED', name: 'Completed' }),
    terminal('manualFailed', 'manual', false, FINALS.failed, { type: 'FAILED', name: 'Failed' }),
  ];
}

/** Largest-remainder split of `total` by weights (deterministic, sums exactly to total). */
export function distribute(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (total <= 0 || sum <= 0) return weights.map(() => 0);
  const raw = weights.map((w) => (total * w) / sum);
  const out = raw.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left-- <= 0) break;
    out[i]! += 1;
  }
  return out;
}

export interface PlanRow {
  /** Index into targets. */
  t: number;
  recipe: string;
  n: number;
  /** expected = base ∓ (k0 + stride*(g-1) [+1 for future]) * step, g = 1..n */
  k0: number;
  stride: number;
}

export interface SeedPlan {
  now: Date;
  /** Columns the target schema has where releases differ (set by the writer from the catalog). */
  columns?: { flowRunLabels: boolean };
  targets: SeedTarget[];
  recipes: Recipe[];
  rows: PlanRow[];
  logsPerRun: number;
  taskRunsPerRun: number;
  artifactEvery: number;
}

const MANUAL_SPLIT = ['manualLate', 'manualScheduled', 'manualCompleted', 'manualFailed'];
const TERMINAL_ORDER = ['completedOld', 'failed', 'cancelled', 'crashed', 'manualCompleted', 'manualFailed'];
const PAST_ORDER = ['scheduledPast', 'pending', 'running', 'awaitingRetry', 'late', 'manualLate'];
const FUTURE_ORDER = ['future', 'manualScheduled'];

function maxAfterExpected(r: Recipe): number {
  const refs = [...r.states.map((s) => s.at), ...r.states.flatMap((s) => (s.scheduledTime ? [s.scheduledTime] : []))];
  // Logs of a run that started are spread over its duration after start.
  if (r.logs && r.startAt) refs.push({ ...r.startAt, frac: 1 });
  return Math.max(0, ...refs.filter((x) => x.from === 'expected').map((x) => x.off + x.frac * MAX_DURATION)) + (r.offLattice ? 17 : 0);
}

/** Distributes the volume over targets and lays out each target's lattice bands. */
export function planSeed(targets: SeedTarget[], volume: RunVolume, now = new Date()): SeedPlan {
  if (targets.length === 0) throw new Error('planSeed: no targets');
  const recipes = buildRecipes(volume);
  const byId = new Map(recipes.map((r) => [r.id, r]));
  const weights = targets.map((t) => t.weight ?? 1);
  const autoWeights = targets.map((t, i) => (t.scheduleId ? weights[i]! : 0));

  // Per-recipe totals → per-target counts.
  const counts = new Map<string, number[]>();
  for (const r of recipes) {
    if (r.category === 'manual') continue;
    counts.set(r.id, distribute(volume[r.category] ?? 0, r.auto ? autoWeights : weights));
  }
  const manualParts = distribute(volume.manual ?? 0, [1, 1, 1, 1]);
  MANUAL_SPLIT.forEach((id, i) => counts.set(id, distribute(manualParts[i]!, weights)));

  const rows: PlanRow[] = [];
  const minAgeS = (volume.terminalMinAgeHours ?? 48) * 3600;
  targets.forEach((target, t) => {
    const step = target.stepSeconds;
    const n = (id: string): number => counts.get(id)?.[t] ?? 0;
    // Past bands, newest first; each starts late enough that all its state times are <= now.
    let cursor = 0;
    for (const id of PAST_ORDER) {
      const r = byId.get(id)!;
      const k0 = Math.max(cursor, Math.ceil((maxAfterExpected(r) + 1) / step));
      if (n(id) > 0) rows.push({ t, recipe: id, n: n(id), k0, stride: 1 });
      cursor = k0 + n(id);
    }
    // Terminal runs interleaved (stride = number of terminal recipes present), old enough.
    const present = TERMINAL_ORDER.filter((id) => n(id) > 0);
    const tk0 = Math.max(cursor, Math.ceil((minAgeS + MAX_DURATION + 60) / step));
    present.forEach((id, i) => rows.push({ t, recipe: id, n: n(id), k0: tk0 + i, stride: present.length }));
    let fcursor = 0;
    for (const id of FUTURE_ORDER) {
      if (n(id) > 0) rows.push({ t, recipe: id, n: n(id), k0: fcursor, stride: 1 });
      fcursor += n(id);
    }
  });
  return {
    now,
    targets,
    recipes,
    rows,
    logsPerRun: volume.logsPerRun ?? 3,
    taskRunsPerRun: volume.taskRunsPerRun ?? 2,
    artifactEvery: volume.artifactEvery ?? 10,
  };
}

/** `expected_start_time` of run g (1-based) of a plan row, in epoch seconds. */
export function expectedEpoch(plan: SeedPlan, row: PlanRow, g: number): number {
  const target = plan.targets[row.t]!;
  const step = target.stepSeconds;
  const base = Math.floor(plan.now.getTime() / 1000 / step) * step;
  const recipe = plan.recipes.find((r) => r.id === row.recipe)!;
  const k = row.k0 + row.stride * (g - 1);
  const e = recipe.when === 'future' ? base + (k + 1) * step : base - k * step;
  return e + (recipe.offLattice ? 17 : 0);
}

export interface SeedCounts {
  flowRuns: number;
  flowRunStates: number;
  taskRuns: number;
  taskRunStates: number;
  logs: number;
  artifacts: number;
  byCategory: Record<RunCategory, number>;
  /** Keyed "STATE_TYPE/State name" of the current state. */
  byState: Record<string, number>;
  /** auto_scheduled=true runs. */
  autoScheduled: number;
  byDeployment: Record<string, { total: number; byCategory: Partial<Record<RunCategory, number>>; byState: Record<string, number> }>;
}

/** What a plan writes, computed without touching a database (the tests' source of truth). */
export function expectedCounts(plan: SeedPlan): SeedCounts {
  const byCategory = Object.fromEntries(RUN_CATEGORIES.map((c) => [c, 0])) as Record<RunCategory, number>;
  const c: SeedCounts = {
    flowRuns: 0,
    flowRunStates: 0,
    taskRuns: 0,
    taskRunStates: 0,
    logs: 0,
    artifacts: 0,
    byCategory,
    byState: {},
    autoScheduled: 0,
    byDeployment: {},
  };
  for (const row of plan.rows) {
    const r = plan.recipes.find((x) => x.id === row.recipe)!;
    const last = r.states[r.states.length - 1]!;
    const key = `${last.type}/${last.name}`;
    const dep = plan.targets[row.t]!.deploymentId;
    const d = (c.byDeployment[dep] ??= { total: 0, byCategory: {}, byState: {} });
    c.flowRuns += row.n;
    c.flowRunStates += row.n * r.states.length;
    c.byCategory[r.category] += row.n;
    c.byState[key] = (c.byState[key] ?? 0) + row.n;
    if (r.auto) c.autoScheduled += row.n;
    d.total += row.n;
    d.byCategory[r.category] = (d.byCategory[r.category] ?? 0) + row.n;
    d.byState[key] = (d.byState[key] ?? 0) + row.n;
    if (r.tasks) {
      c.taskRuns += row.n * plan.taskRunsPerRun;
      c.taskRunStates += row.n * plan.taskRunsPerRun * 3;
    }
    if (r.logs) c.logs += row.n * plan.logsPerRun;
    if (r.artifacts && plan.artifactEvery > 0) c.artifacts += Math.floor(row.n / plan.artifactEvery);
  }
  return c;
}

/** Typical period of a schedule, used as its lattice step. */
export function scheduleStepSeconds(schedule: Record<string, unknown>): number {
  if (typeof schedule.interval === 'number') return Math.max(1, Math.round(schedule.interval));
  if (typeof schedule.cron === 'string') {
    const [min, hour] = schedule.cron.trim().split(/\s+/);
    const every = /^\*\/(\d+)$/.exec(min ?? '');
    if (every) return Number(every[1]) * 60;
    if (min === '*') return 60;
    const hourEvery = /^\*\/(\d+)$/.exec(hour ?? '');
    if (hourEvery) return Number(hourEvery[1]) * 3600;
    return hour === '*' ? 3600 : 86400;
  }
  if (typeof schedule.rrule === 'string') {
    const freq = /FREQ=(\w+)/.exec(schedule.rrule)?.[1];
    const interval = Number(/INTERVAL=(\d+)/.exec(schedule.rrule)?.[1] ?? 1);
    const unit = { SECONDLY: 1, MINUTELY: 60, HOURLY: 3600, DAILY: 86400, WEEKLY: 604800 }[freq ?? ''] ?? 86400;
    return Math.max(60, unit * interval);
  }
  return 3600;
}

/**
 * One target per schedule of each deployment (paused deployments are skipped unless asked: pausing
 * deletes a deployment's auto-scheduled runs, so a paused deployment realistically has none).
 * Inactive schedules keep their old Late runs in real life, so they are included.
 */
export function targetsFromDeployments(
  deployments: SeededDeployment[],
  opts: {
    includePaused?: boolean;
    weight?: (stepSeconds: number, deployment: SeededDeployment) => number;
    /** False for Prefect < 3.2 (see SeedTarget.attributed). Default: what seedDeployments found. */
    runsAttributed?: boolean;
  } = {},
): SeedTarget[] {
  // Default: fast schedules get proportionally more runs (as in real life), slow ones a trickle,
  // which also keeps a daily schedule's old runs within weeks rather than years.
  const weightOf = opts.weight ?? ((step: number) => Math.max(0.05, Math.min(1, 600 / step)));
  const out: SeedTarget[] = [];
  for (const d of deployments) {
    if (d.paused && !opts.includePaused) continue;
    const attributed = opts.runsAttributed ?? d.runsAttributed ?? true;
    const common = {
      deploymentId: d.id,
      deploymentName: d.name,
      flowId: d.flowId,
      flowName: d.flowName,
      workQueueName: d.workQueueName,
      workQueueId: d.workQueueId,
      tags: d.tags,
    };
    if (d.schedules.length === 0) {
      out.push({ ...common, scheduleId: null, displayValue: '', timezone: 'UTC', stepSeconds: 3600, parameters: d.parameters, weight: weightOf(3600, d) });
    }
    // Before 3.2 the idempotency key has no schedule id, so two schedules of one deployment that
    // meet at one instant made one run: seed the first schedule only, keeping every key unique.
    for (const s of attributed ? d.schedules : d.schedules.slice(0, 1)) {
      const stepSeconds = scheduleStepSeconds(s.schedule);
      out.push({
        ...common,
        weight: weightOf(stepSeconds, d),
        scheduleId: s.id,
        displayValue: s.displayValue,
        timezone: typeof s.schedule.timezone === 'string' ? s.schedule.timezone : 'UTC',
        stepSeconds,
        parameters: attributed ? { ...d.parameters, ...s.parameters } : d.parameters,
        attributed,
      });
    }
  }
  return out;
}

const ADJECTIVES = ['amber', 'brave', 'calm', 'daring', 'eager', 'fuzzy', 'gentle', 'hidden', 'icy', 'jolly', 'keen', 'lively', 'mellow', 'nimble', 'olive', 'proud', 'quiet', 'rustic', 'silver', 'tidy', 'upbeat', 'vivid', 'witty', 'zesty'];
const ANIMALS = ['aardvark', 'badger', 'caribou', 'dolphin', 'egret', 'ferret', 'gecko', 'heron', 'impala', 'jackal', 'koala', 'lemur', 'marmot', 'narwhal', 'ocelot', 'puffin', 'quail', 'raccoon', 'salamander', 'tapir', 'urchin', 'vole', 'walrus', 'yak'];
export const NAME_WORDS = { adjectives: ADJECTIVES, animals: ANIMALS };
export const TASK_FUNCS = ['extract', 'transform', 'load', 'validate', 'notify'];
