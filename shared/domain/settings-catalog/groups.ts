/** Catalog groups in display order, each explained in our own words, and the rule that files a setting. */
import type { SettingGroup, SettingGroupId } from './types';

export const SETTING_GROUPS: readonly SettingGroup[] = [
  {
    id: 'scheduler',
    title: 'Scheduler',
    explain:
      'How far ahead the server creates scheduled runs and how often it looks. Every deployment gets at least MIN_RUNS runs and MIN_SCHEDULED_TIME of future runs, and at most MAX_RUNS or MAX_SCHEDULED_TIME, whichever stops first. High-frequency schedules with large values fill the flow_run table.',
  },
  {
    id: 'late-runs',
    title: 'Late runs',
    explain: 'When a scheduled run that nobody picked up is marked Late. Only the label changes; the run stays until a worker takes it or it is deleted.',
  },
  {
    id: 'database',
    title: 'Database',
    explain:
      "Where the server keeps its data. Use the canonical PREFECT_SERVER_DATABASE_* names: the PREFECT_API_DATABASE_* aliases still work but are easy to override by mistake. The connection URL must use an async driver (postgresql+asyncpg:// or sqlite+aiosqlite://).",
  },
  {
    id: 'database-pool',
    title: 'Database pool',
    explain:
      'SQLAlchemy connection pool per server process (Postgres only). Each API worker and the services hold up to POOL_SIZE + MAX_OVERFLOW connections, so size them against Postgres max_connections.',
  },
  {
    id: 'api',
    title: 'API server',
    explain: 'The web server itself: address, base path, page size limit, basic auth, CSRF and CORS.',
  },
  {
    id: 'logging',
    title: 'Logging',
    explain:
      "Log levels for Prefect's loggers and the server, and how flow-run logs are shipped to the API. Verbose levels and large batches show up as rows in the log table.",
  },
  {
    id: 'messaging',
    title: 'Messaging and coordination',
    explain:
      'The event broker, cache, causal ordering, lease storage and task queue (docket). The in-memory defaults only work for a single server process; scaled servers need Redis (prefect-redis).',
  },
  {
    id: 'db-vacuum',
    title: 'Database vacuum (retention)',
    explain:
      "Prefect's own retention service: deletes old events and, when 'flow_runs' is enabled, terminal flow runs older than the retention period, in batches. It runs only where server services run.",
  },
  {
    id: 'events',
    title: 'Events',
    explain: 'Event size limits, retention of the events table and the services that persist and act on events (triggers, automations).',
  },
  { id: 'ui', title: 'UI', explain: 'The web UI served by the server: on or off, the API URL it calls and its base path.' },
  {
    id: 'services',
    title: 'Other services',
    explain: 'Background loops of the server (foreman, cancellation cleanup, pause expirations, repossessor, ...): each can be switched off and tuned.',
  },
  { id: 'server-other', title: 'Server, other', explain: 'Server settings that do not belong to a group above.' },
  {
    id: 'client-api',
    title: 'Client: API connection',
    explain:
      'How clients, workers and the CLI reach the server (PREFECT_API_URL, auth). Admins put these in server env files too; basic auth needs the same value in PREFECT_SERVER_API_AUTH_STRING (server) and PREFECT_API_AUTH_STRING (clients).',
  },
  { id: 'client', title: 'Client, workers and runs', explain: 'Settings read by clients, workers, flows and tasks rather than the server.' },
  { id: 'testing', title: 'Testing', explain: "Prefect's own test switches. Never set them on a real server." },
];

const RULES: ReadonlyArray<[RegExp, SettingGroupId]> = [
  [/^server\.services\.scheduler\.|^server\.deployment_schedule_max_scheduled_runs$/, 'scheduler'],
  [/^server\.services\.late_runs\./, 'late-runs'],
  [/^server\.database\.sqlalchemy\./, 'database-pool'],
  [/^server\.database\./, 'database'],
  [/^server\.api\./, 'api'],
  [/^(logging\.|server\.logging_level$|internal\.logging_level$|server\.logs\.|server\.log_retryable_errors$)/, 'logging'],
  [
    /^(server\.events\.messaging_|server\.events\.causal_ordering$|server\.concurrency\.lease_storage$|server\.docket\.|server\.worker_channel\.cleanup_queue_storage$|redis\.)/,
    'messaging',
  ],
  [/^server\.services\.db_vacuum\./, 'db-vacuum'],
  [/^(server\.events\.|server\.services\.(event_persister|event_logger|triggers|task_run_recorder)\.)/, 'events'],
  [/^(server\.ui\.|ui_url$)/, 'ui'],
  [/^server\.services\./, 'services'],
  [/^server\./, 'server-other'],
  [/^api\./, 'client-api'],
  [/^testing\./, 'testing'],
];

export function groupOf(key: string): SettingGroupId {
  for (const [re, id] of RULES) if (re.test(key)) return id;
  return 'client';
}

/** home, profiles_path and logging are read by the server and by clients alike. */
export function scopeOf(key: string): 'server' | 'client' | 'both' {
  if (key.startsWith('server.') || key.startsWith('redis.')) return 'server';
  if (/^(home|profiles_path|debug_mode|logging\.|internal\.)/.test(key)) return 'both';
  return 'client';
}
