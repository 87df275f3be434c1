/**
 * Everything the checks read, gathered once per diagnosis by main/core/diagnose/gather.ts. Pure data:
 * the checks (checks/*.ts) are pure functions over it, so each is unit-tested with hand-made evidence
 * and integration-tested on a real server seeded into the condition. A part that could not be read
 * is null, and the checks that need it report "unavailable" with the reason in `missing`.
 */
import type { InspectReport } from '../inspect';
import type { ScheduleList, Simulation } from '../schedules';
import type { SchedulerSettings } from '../../schedules/settings';
import type { Processes } from './types';

/** The fields of GET /api/admin/settings the checks use (Prefect 3.9.1 names; null when absent). */
export interface ServerSettingsView {
  poolSize: number | null;
  maxOverflow: number | null;
  poolTimeout: number | null;
  /** server.database.timeout: asyncpg's statement timeout, seconds. */
  statementTimeout: number | null;
  defaultLimit: number | null;
  logging: { toApi: boolean | null; batchInterval: number | null; batchSize: number | null; maxLogSize: number | null };
  messaging: { broker: string | null; cache: string | null; causalOrdering: string | null; leaseStorage: string | null; docketUrl: string | null };
  eventsRetentionSeconds: number | null;
  dbVacuum: string[] | null;
  lateRunsAfterSeconds: number | null;
  services: Array<{ name: string; enabled: boolean }>;
}

export interface XminHolder {
  kind: 'session' | 'prepared' | 'slot';
  /** pid and role, gid, or slot name. */
  name: string;
  /** Transactions the horizon is held back by. */
  age: number;
  since: string | null;
  state: string | null;
}

/** Read-only catalog reads Postgres-only checks need beyond the inspection. */
export interface PgProbe {
  maxConnections: number;
  /** superuser_reserved_connections (+ reserved_connections on PG 16+). */
  reserved: number;
  sessions: {
    /** Client backends in the whole cluster (max_connections is per cluster). */
    total: number;
    /** In the Prefect database, not Housekeeper's own. */
    prefect: number;
    ours: number;
    idleInTransaction: number;
    /** Distinct client addresses of the Prefect sessions (null: not visible to this role). */
    addresses: string[] | null;
  };
  /** Effective autovacuum_freeze_max_age per table that sets its own (reloptions). */
  tableFreezeMaxAge: Record<string, number>;
  xminHolders: XminHolder[];
  /** Scheduled runs whose deployment no longer exists, per deployment id (null when not looked up). */
  goneDeployments: Array<{ id: string; runs: number; pastDue: number }> | null;
  /** Oldest row in `events` (null: empty or no such table). */
  oldestEvent: string | null;
}

/**
 * How logs arrived, from the newest log rows: consecutive rows of one flow run whose client
 * timestamps are within a second of each other ("close"), and how many of those were written by
 * separate inserts (their server-side `updated` more than a few ms apart). Batched logging writes
 * close logs in one insert; one-by-one logging writes each in its own.
 */
export interface LogSample {
  sampled: number;
  runs: number;
  closePairs: number;
  splitPairs: number;
  /** The run with the most logs in the sample and how many inserts they took. */
  example: { flowRunId: string; logs: number; inserts: number; spanSeconds: number } | null;
}

export interface WorkQueueView {
  id: string;
  name: string;
  pool: string | null;
  lastPolled: string | null;
  paused: boolean;
}

export interface ApiProbe {
  queues: WorkQueueView[] | null;
  /** deployment id -> its work queue id (null: none). */
  deploymentQueues: Record<string, string | null> | null;
  /** Timed only when default_limit is raised: POST /flow_runs/filter without and with limit 200. */
  listLatency: { defaultLimit: number; rowsDefault: number; msDefault: number; rows200: number; ms200: number } | null;
}

export interface Evidence {
  now: number;
  version: string | null;
  /**
   * VERSION-DEPENDENT, computed in main: for each release in checks/version.ts KNOWN_FIXES, whether
   * this server is older (null version: no entries).
   */
  olderThan: Record<string, boolean>;
  database: 'postgres' | 'sqlite' | 'none';
  settings: ServerSettingsView | null;
  scheduler: SchedulerSettings | null;
  list: ScheduleList | null;
  /** Baseline and, when `recommended` changes anything, the what-if with it. */
  sim: Simulation | null;
  /** Scheduler settings (SchedulerSettings keys) the what-if changed, with their values. */
  recommended: Partial<SchedulerSettings>;
  report: InspectReport | null;
  pg: PgProbe | null;
  logs: LogSample | null;
  api: ApiProbe | null;
  processes: Processes;
  /** Pausing a deployment deletes its past-due auto runs too (Prefect before 3.3.4); null: not probed. */
  pauseDeletesBacklog: boolean | null;
  /** Why a part is missing, by part name. */
  missing: Partial<Record<EvidencePart, string>>;
}

export type EvidencePart = 'settings' | 'schedules' | 'simulation' | 'inspection' | 'space' | 'runs' | 'pg' | 'logs' | 'api';
