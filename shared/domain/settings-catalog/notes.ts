/**
 * Our own short explanations for the settings server admins actually tune, keyed by canonical env
 * name. Prefect's description is shown too; these say what it means in practice. A test checks every
 * key here exists in the catalog. The Prefect behaviour they rest on is written down, with the
 * Prefect source it comes from, in docs/prefect.md (§9-§9.1 scheduler, §5 late runs, §10 db_vacuum,
 * §11 settings and profiles).
 */
export const SETTING_NOTES: Readonly<Record<string, string>> = {
  // scheduler: docs/prefect.md §9, §9.1 (how many runs a schedule gets)
  PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS: 'How often the scheduler wakes up to top up future runs. Lower values do not make runs start sooner.',
  PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS:
    'Upper bound of future runs per deployment schedule. At the defaults MIN_SCHEDULED_TIME decides first: a one-minute schedule holds about 61 future runs, an hourly one 3 (docs/prefect.md §9.1).',
  PREFECT_SERVER_SERVICES_SCHEDULER_MIN_RUNS: 'Lower bound of future runs per schedule, even for rare schedules.',
  PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME:
    'How far into the future runs are created. ISO 8601 only from env or profiles (P100D, PT2H): "3600" is rejected by Prefect.',
  PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME: 'Runs are created at least this far ahead, even past MAX_RUNS. ISO 8601 (PT1H).',
  PREFECT_SERVER_SERVICES_SCHEDULER_DEPLOYMENT_BATCH_SIZE: 'Deployments visited per scheduler pass before the next batch.',
  PREFECT_SERVER_SERVICES_SCHEDULER_INSERT_BATCH_SIZE: 'Rows per INSERT when the scheduler writes runs.',
  PREFECT_SERVER_DEPLOYMENT_SCHEDULE_MAX_SCHEDULED_RUNS: 'Runs created right away when a deployment or schedule is created or updated (not by the loop).',
  // late runs: docs/prefect.md §5
  PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS: 'Grace period before a run nobody picked up becomes Late. Accepts plain seconds ("15") or ISO 8601 (PT15S).',
  PREFECT_SERVER_SERVICES_LATE_RUNS_LOOP_SECONDS: 'How often the late-runs service looks.',
  // database
  PREFECT_SERVER_DATABASE_CONNECTION_URL:
    'Full async URL, e.g. postgresql+asyncpg://prefect:***@db:5432/prefect. Set in a profile it is easily overridden by an env var of the same or the legacy name (Prefect #15815). Stored encrypted here.',
  PREFECT_SERVER_DATABASE_TIMEOUT: 'Per-statement timeout (seconds) on the client side. Long API deletes can exceed the default 10 s.',
  PREFECT_SERVER_DATABASE_CONNECTION_TIMEOUT: 'Seconds to wait for a new database connection.',
  PREFECT_SERVER_DATABASE_MIGRATE_ON_START: 'Run Alembic migrations at startup. Turn off when several server replicas start together and migrate separately.',
  PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE: 'Connections kept open per server process. Busy servers raise it together with MAX_OVERFLOW; check Postgres max_connections.',
  PREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW: 'Extra connections allowed above POOL_SIZE under load.',
  PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_TIMEOUT: 'Seconds a request waits for a free pooled connection before failing.',
  PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_RECYCLE: 'Seconds after which a pooled connection is replaced (-1 never). Lower it behind proxies that drop idle connections.',
  PREFECT_SERVER_DATABASE_SQLALCHEMY_CONNECT_ARGS_STATEMENT_CACHE_SIZE: 'Set 0 behind PgBouncer in transaction mode.',
  // api
  PREFECT_SERVER_API_DEFAULT_LIMIT: 'The largest page the API returns; clients asking for more get 422. Housekeeper reads it to page correctly.',
  PREFECT_SERVER_API_AUTH_STRING: 'user:password for HTTP basic auth on the whole API. Clients need the same value in PREFECT_API_AUTH_STRING.',
  PREFECT_SERVER_API_CSRF_PROTECTION_ENABLED: 'Require CSRF tokens on mutating requests (clients fetch them automatically).',
  PREFECT_SERVER_API_HOST: 'Bind address. 127.0.0.1 is unreachable from other machines and containers; use 0.0.0.0 there.',
  PREFECT_SERVER_API_BASE_PATH: 'Serve the API under a prefix (behind a reverse proxy), e.g. /prefect/api.',
  // logging
  PREFECT_LOGGING_LEVEL: 'Default level of Prefect loggers in flows and workers. DEBUG floods the log table through logging-to-API.',
  PREFECT_SERVER_LOGGING_LEVEL: 'Level of the server process logs (stdout), not flow-run logs.',
  PREFECT_LOGGING_TO_API_ENABLED: 'Ship flow and task logs to the server (the log table). Off keeps them local only.',
  PREFECT_LOGGING_TO_API_BATCH_SIZE: 'Bytes per log batch sent to the API. Must be at least MAX_LOG_SIZE.',
  PREFECT_LOGGING_TO_API_MAX_LOG_SIZE: 'Largest single log message in characters; Prefect refuses a value above BATCH_SIZE.',
  // messaging
  PREFECT_SERVER_EVENTS_MESSAGING_BROKER: 'prefect.server.utilities.messaging.memory for one process; prefect_redis.messaging when the server is scaled out.',
  PREFECT_SERVER_EVENTS_MESSAGING_CACHE: 'Must match the broker: memory or prefect_redis.messaging.',
  PREFECT_SERVER_EVENTS_CAUSAL_ORDERING: 'prefect_redis.ordering when scaled out.',
  PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE: 'prefect_redis.lease_storage when scaled out, so concurrency leases are shared.',
  PREFECT_SERVER_DOCKET_URL: 'memory:// for one process, redis://host:6379/1 when scaled out.',
  // db vacuum: docs/prefect.md §10
  PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED:
    "Comma-separated: events, flow_runs (and orphans in 3.9). 'events' only trims old events; add 'flow_runs' to delete old terminal runs. Legacy 'true' means events,flow_runs.",
  PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD: 'Age (by end time) after which terminal flow runs are deleted. More than one hour. Seconds ("7776000") or ISO 8601 (P90D).',
  PREFECT_SERVER_SERVICES_DB_VACUUM_BATCH_SIZE: 'Rows deleted per transaction. Larger batches finish sooner but hold locks longer.',
  PREFECT_SERVER_SERVICES_DB_VACUUM_LOOP_SECONDS: 'How often the vacuum runs.',
  PREFECT_SERVER_SERVICES_DB_VACUUM_EVENT_RETENTION_OVERRIDES: 'JSON, e.g. {"prefect.flow-run.heartbeat": 86400}: shorter retention for noisy event types.',
  // events
  PREFECT_SERVER_EVENTS_RETENTION_PERIOD: 'How long events are kept. ISO 8601 (P7D); a bare number of seconds is rejected.',
  PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED: 'Writes events to the database. Event vacuum needs it on.',
  // ui
  PREFECT_SERVER_UI_API_URL: 'The API URL the browser uses. Set it when the server is reached through another host name or a proxy.',
  PREFECT_SERVER_UI_ENABLED: 'Serve the web UI from this server.',
  // client
  PREFECT_API_URL: 'Where clients and workers find the server, ending in /api. Missing in a pod means Prefect silently starts a temporary server (Prefect #15597).',
  PREFECT_API_AUTH_STRING: 'Client side of basic auth: the same user:password as PREFECT_SERVER_API_AUTH_STRING.',
  PREFECT_API_KEY: 'Prefect Cloud only.',
};
