/**
 * Presets: named sets of changes with the reason for each value. A preset never applies silently:
 * the UI and the CLI show the diff (changes.ts diffValues) and save it as a new revision only when
 * the user confirms. Values are our recommendations for self-hosted servers, grounded in
 * docs/prefect.md §5, §9-§11.
 */
import type { ProfileChanges } from './changes';

export interface PresetSetting {
  name: string;
  value: string;
  reason: string;
}

export interface Preset {
  id: 'high-frequency-schedules' | 'busy-postgres' | 'quiet-logging' | 'retention-vacuum';
  title: string;
  summary: string;
  settings: readonly PresetSetting[];
}

export const PRESETS: readonly Preset[] = [
  {
    id: 'high-frequency-schedules',
    title: 'High-frequency schedules',
    summary:
      'For many deployments on schedules of a few minutes or less (the situation this app was built for: ~80 deployments every 2-5 minutes). At the defaults every such schedule keeps an hour of future runs (MIN_SCHEDULED_TIME wins over MAX_RUNS), so thousands of Scheduled rows pile up and turn Late when workers stall. A short horizon, topped up more often, keeps the table small.',
    settings: [
      { name: 'PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME', value: 'PT15M', reason: 'Keep 15 minutes of runs ahead instead of an hour: a 2-minute schedule holds 8 runs instead of 31.' },
      { name: 'PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME', value: 'P1D', reason: 'Never schedule more than a day ahead; 100 days only matters for rare schedules.' },
      { name: 'PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS', value: '20', reason: 'Cap future runs per schedule, so a 10-second schedule holds 20 rows, not 100.' },
      { name: 'PREFECT_SERVER_SERVICES_SCHEDULER_MIN_RUNS', value: '3', reason: "Prefect's default: rare schedules still show their next few runs." },
      { name: 'PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS', value: '30', reason: 'Top up twice a minute so the short horizon never runs dry.' },
      { name: 'PREFECT_SERVER_SERVICES_SCHEDULER_DEPLOYMENT_BATCH_SIZE', value: '100', reason: 'All ~80 deployments in one pass.' },
    ],
  },
  {
    id: 'busy-postgres',
    title: 'Busy Postgres',
    summary:
      'For a server with many workers and API clients on Postgres, when logs show "QueuePool limit of size 5 overflow 10 reached" (Prefect #6492). Size the pool per server process and check that all processes together stay below Postgres max_connections.',
    settings: [
      { name: 'PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE', value: '20', reason: 'Connections kept open per process (default 5).' },
      { name: 'PREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW', value: '20', reason: 'Burst capacity above the pool (default 10).' },
      { name: 'PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_TIMEOUT', value: '60', reason: 'Wait longer for a free connection before a request fails (default 30 s).' },
      { name: 'PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_RECYCLE', value: '1800', reason: 'Replace connections every 30 minutes; proxies and load balancers drop long-idle ones.' },
      { name: 'PREFECT_SERVER_DATABASE_TIMEOUT', value: '30', reason: 'Per-statement timeout (default 10 s): large deletes and busy tables need more.' },
      { name: 'PREFECT_SERVER_DATABASE_CONNECTION_TIMEOUT', value: '10', reason: 'Allow slower connection setup under load (default 5 s).' },
    ],
  },
  {
    id: 'quiet-logging',
    title: 'Quiet logging',
    summary: 'Fewer rows in the log table and quieter server output: flow logs at WARNING, prints not captured.',
    settings: [
      { name: 'PREFECT_LOGGING_LEVEL', value: 'WARNING', reason: 'Flow and task logs below WARNING are not sent to the log table.' },
      { name: 'PREFECT_SERVER_LOGGING_LEVEL', value: 'WARNING', reason: "The server's own output at Prefect's default level." },
      { name: 'PREFECT_LOGGING_LOG_PRINTS', value: 'false', reason: 'print() in flows is not captured as log rows.' },
      { name: 'PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW', value: 'ignore', reason: 'No warning for logs outside a flow run.' },
    ],
  },
  {
    id: 'retention-vacuum',
    title: 'Retention with the database vacuum',
    summary:
      "Let Prefect's db_vacuum service delete old terminal flow runs (with their states, task runs and logs) and old events. It deletes permanently, only terminal runs, in batches, and only where server services run.",
    settings: [
      { name: 'PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED', value: 'events,flow_runs', reason: "Add flow_runs to the default 'events'; orphaned logs and artifacts are then cleaned up too." },
      { name: 'PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD', value: 'P30D', reason: 'Keep 30 days of finished runs (default 90).' },
      { name: 'PREFECT_SERVER_SERVICES_DB_VACUUM_BATCH_SIZE', value: '200', reason: "Prefect's default: short transactions that do not block the scheduler." },
      { name: 'PREFECT_SERVER_SERVICES_DB_VACUUM_LOOP_SECONDS', value: '3600', reason: 'Once an hour.' },
      { name: 'PREFECT_SERVER_EVENTS_RETENTION_PERIOD', value: 'P7D', reason: 'Events for a week; per-type overrides can only shorten this.' },
      { name: 'PREFECT_SERVER_SERVICES_DB_VACUUM_EVENT_RETENTION_OVERRIDES', value: '{"prefect.flow-run.heartbeat": 86400}', reason: 'Heartbeats are the noisiest events: keep them one day.' },
    ],
  },
];

export function presetById(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}

export function presetChanges(p: Preset): ProfileChanges {
  return { set: Object.fromEntries(p.settings.map((s) => [s.name, s.value])) };
}
