/**
 * The harness's baseline seed: what every integration/e2e test can rely on being there.
 * Tests refer to deployments by these names (BASELINE.pg.*) and read ids and exact counts from
 * `inject('harness').seed` (see types.ts), never from hard-coded numbers.
 *
 * Each deployment exists for a reason (the comment says which behaviour it exercises).
 */
import type { RunVolume } from './seed-plan';
import type { DeploymentSpec } from './seed-api';

/** Work pool every baseline deployment (except the pool-less one) uses, so runs carry a work queue. */
export const BASELINE_POOL = 'hk-process-pool';

/** Stable anchor so interval lattices (and idempotency keys) are reproducible across runs. */
const ANCHOR = '2026-01-01T00:00:00Z';

export const BASELINE_NAMES = {
  every2m: 'sync-every-2m',
  every5m: 'sync-every-5m',
  nyCron: 'ny-cron-15m',
  rruleDtstart: 'rrule-hourly-dtstart',
  rruleNoDtstart: 'rrule-10m-no-dtstart',
  paused: 'paused-nightly',
  inactive: 'inactive-schedule',
  params: 'score-with-params',
} as const;

export const BASELINE_PG_DEPLOYMENTS: DeploymentSpec[] = [
  // The classic high-frequency schedule whose Late backlog piles up when the worker dies.
  {
    flow: 'etl',
    name: BASELINE_NAMES.every2m,
    workPool: BASELINE_POOL,
    tags: ['team-data', 'prod'],
    schedules: [{ schedule: { kind: 'interval', interval: 120, anchorDate: ANCHOR, timezone: 'UTC' } }],
  },
  {
    flow: 'etl',
    name: BASELINE_NAMES.every5m,
    workPool: BASELINE_POOL,
    tags: ['team-data'],
    schedules: [{ schedule: { kind: 'interval', interval: 300, anchorDate: ANCHOR, timezone: 'UTC' } }],
  },
  // Non-UTC cron: idempotency keys and scheduled_time carry -05:00/-04:00 offsets.
  {
    flow: 'reports',
    name: BASELINE_NAMES.nyCron,
    workPool: BASELINE_POOL,
    tags: ['team-finance'],
    schedules: [{ schedule: { kind: 'cron', cron: '*/15 * * * *', timezone: 'America/New_York' } }],
  },
  // rrule with an explicit DTSTART (stored verbatim).
  {
    flow: 'reports',
    name: BASELINE_NAMES.rruleDtstart,
    workPool: BASELINE_POOL,
    schedules: [
      { schedule: { kind: 'rrule', rrule: 'DTSTART:20260101T000000\nRRULE:FREQ=HOURLY;INTERVAL=1', timezone: 'Europe/Berlin' } },
    ],
  },
  // rrule without DTSTART: Prefect injects one on write (a recent anchor for MINUTELY rules).
  {
    flow: 'reports',
    name: BASELINE_NAMES.rruleNoDtstart,
    workPool: BASELINE_POOL,
    schedules: [{ schedule: { kind: 'rrule', rrule: 'FREQ=MINUTELY;INTERVAL=10', timezone: 'UTC' } }],
  },
  // Paused: pausing deletes auto-scheduled runs, so it gets no seeded runs at all.
  {
    flow: 'maintenance',
    name: BASELINE_NAMES.paused,
    workPool: BASELINE_POOL,
    paused: true,
    schedules: [{ schedule: { kind: 'cron', cron: '0 2 * * *', timezone: 'UTC' } }],
  },
  // An inactive schedule keeps its old Late runs (deactivation only deletes future ones).
  {
    flow: 'ml',
    name: BASELINE_NAMES.inactive,
    workPool: BASELINE_POOL,
    schedules: [{ schedule: { kind: 'interval', interval: 600, anchorDate: ANCHOR, timezone: 'UTC' }, active: false }],
  },
  // Deployment parameters plus two slugged schedules with their own parameter overrides
  // (schedule PATCH resets parameters unless they are resent: docs/prefect.md §8.1).
  {
    flow: 'ml',
    name: BASELINE_NAMES.params,
    workPool: BASELINE_POOL,
    parameters: { model: 'v3', threshold: 0.8 },
    tags: ['team-ml'],
    schedules: [
      { schedule: { kind: 'interval', interval: 180, anchorDate: ANCHOR, timezone: 'UTC' }, slug: 'fast', parameters: { threshold: 0.9 } },
      { schedule: { kind: 'cron', cron: '30 1 * * *', timezone: 'UTC' }, slug: 'nightly', parameters: { full: true } },
    ],
  },
];

/** A few thousand runs on the Postgres server. */
export const BASELINE_PG_VOLUME: RunVolume = {
  late: 400,
  scheduledPast: 12,
  future: 60,
  running: 6,
  pending: 6,
  completedOld: 2000,
  failed: 200,
  cancelled: 40,
  crashed: 40,
  manual: 40,
  awaitingRetry: 8,
  statesPerTerminalRun: 4,
  logsPerRun: 3,
  taskRunsPerRun: 2,
  artifactEvery: 10,
};

/** The SQLite server: same deployments minus the rrule variants, light volume. */
export const BASELINE_SQLITE_DEPLOYMENTS: DeploymentSpec[] = BASELINE_PG_DEPLOYMENTS.filter(
  (d) => d.name !== BASELINE_NAMES.rruleDtstart && d.name !== BASELINE_NAMES.rruleNoDtstart,
);

export const BASELINE_SQLITE_VOLUME: RunVolume = {
  late: 60,
  scheduledPast: 4,
  future: 20,
  running: 2,
  pending: 2,
  completedOld: 200,
  failed: 20,
  cancelled: 5,
  crashed: 5,
  manual: 8,
  awaitingRetry: 2,
  statesPerTerminalRun: 4,
  logsPerRun: 2,
  taskRunsPerRun: 1,
  artifactEvery: 10,
};

/** The auth-protected server: just enough to prove every call carries credentials. */
export const BASELINE_AUTH_DEPLOYMENTS: DeploymentSpec[] = BASELINE_PG_DEPLOYMENTS.filter(
  (d) => d.name === BASELINE_NAMES.every2m || d.name === BASELINE_NAMES.paused,
);

export const BASELINE_AUTH_VOLUME: RunVolume = { late: 30, future: 5, completedOld: 50, failed: 5, logsPerRun: 1, taskRunsPerRun: 1 };

/** Basic-auth credentials of prefectAuth (PREFECT_SERVER_API_AUTH_STRING). */
export const AUTH_STRING = 'admin:s3cret-pass';
