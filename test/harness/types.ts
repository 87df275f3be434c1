/**
 * What the harness hands to integration and e2e tests (via vitest's provide/inject, key 'harness').
 * Everything here is real: a throwaway PostgreSQL cluster and real Prefect servers started from the
 * pinned `prefect` package in a cached venv.
 */
export interface PgRoleInfo {
  user: string;
  password: string;
}

export interface PgClusterInfo {
  host: string; // always 127.0.0.1
  port: number;
  /** Superuser (postgres) for setup/teardown and assertions. */
  superuser: PgRoleInfo;
  /** The role the Prefect server uses; owns the prefect database. */
  owner: PgRoleInfo;
  /** A role with only pg_monitor plus SELECT on Prefect's tables (no DELETE). */
  monitor: PgRoleInfo;
  /** Database the Postgres-backed Prefect server uses. */
  database: string;
  /** A database in the same cluster that is not Prefect's (for negative tests). */
  otherDatabase: string;
  pgBinDir: string;
  dataDir: string;
}

export interface PrefectServerInfo {
  apiUrl: string; // e.g. http://127.0.0.1:4321/api
  home: string; // PREFECT_HOME of that server
  version: string; // pinned Prefect package version
  db: { kind: 'postgres'; database: string } | { kind: 'sqlite'; path: string };
  /** Set when the server requires PREFECT_SERVER_API_AUTH_STRING (never on Prefect 3.0, which lacks it). */
  authString?: string;
  pid: number;
}

export interface HarnessInfo {
  pg: PgClusterInfo;
  /** Prefect server on the Postgres cluster, seeded (see test/harness/seed-*.ts). */
  prefectPg: PrefectServerInfo;
  /** Prefect server on its own SQLite file, seeded lightly. */
  prefectSqlite: PrefectServerInfo;
  /** Prefect server with basic auth (PREFECT_SERVER_API_AUTH_STRING), on its own Postgres database. */
  prefectAuth: PrefectServerInfo;
  /** The Prefect release every server of this harness runs, and what it supports (server-facts.ts). */
  prefect: {
    version: string;
    /** Minor line, "3.4". */
    line: string;
    /** PREFECT_SERVER_API_AUTH_STRING is honoured (3.1+); without it prefectAuth has no authString. */
    basicAuth: boolean;
    /** The scheduler records which schedule made a run (3.2+). */
    runsAttributed: boolean;
    /** Pausing or changing a schedule keeps the Late backlog (3.3.4+); before, Prefect deletes it too. */
    updatesKeepPastDue: boolean;
    /** The scheduler tops up each schedule on its own (3.6.19+), else whole deployments. */
    perScheduleSelection: boolean;
    /** The main scheduler loop honours loop_seconds (else every 60 s: 3.1.13 to 3.6.6). */
    schedulerLoopHonoured: boolean;
    /** Fields of DeploymentScheduleCreate (slug and parameters from 3.2). */
    scheduleFields: string[];
  };
  venvPython: string;
  prefectBin: string;
  /** Directory for the harness's temp files (removed on teardown). */
  tmpDir: string;
  /** Baseline seed per server (absent when the harness was started with seed: false). */
  seed?: {
    prefectPg: HarnessSeedInfo;
    prefectSqlite: HarnessSeedInfo;
    prefectAuth: HarnessSeedInfo;
  };
  /** Seconds the harness took to start (PG + servers + seed), for the curious. */
  startupSeconds?: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    harness: HarnessInfo;
  }
}

/** What the harness seeded on one server (deployments via the API, runs via SQL). */
export interface HarnessSeedInfo {
  /** SeededDeployment[] from seed-api.ts (ids, schedule ids, queue ids). */
  deployments: import('./seed-api').SeededDeployment[];
  /** Exact counts computed from the seed plan (seed-plan.ts expectedCounts). */
  counts: import('./seed-plan').SeedCounts;
  /** The "now" the runs were laid out against (ISO). */
  now: string;
  workPool?: import('./seed-api').SeededWorkPool;
}
