/**
 * The numbers a diagnosis keeps for the before/after comparison, and the facts it read, as lines for
 * the screen and the report. Pure: computed from the same evidence the checks saw.
 */
import { formatBytes, formatInt } from '../../text/bytes';
import type { Evidence } from './evidence';
import { HOT_TABLES } from './checks/space';
import { inMemoryParts } from './server-settings';
import type { Fact, Metric } from './types';

const hot = new Set<string>(HOT_TABLES);

export function metricsOf(e: Evidence, findings: number): Metric[] {
  const space = e.report?.space ?? null;
  const pg = space?.kind === 'postgres' ? space : null;
  const runs = e.report?.runs ?? null;
  const flowRun = space?.tables.find((t) => t.name === 'flow_run') ?? null;
  const deadHot = pg ? pg.tables.filter((t) => hot.has(t.name)).reduce((a, t) => a + (t.deadTuples ?? 0), 0) : null;
  const sim = e.sim?.baseline.totals ?? null;
  return [
    { key: 'findings', label: 'Findings', value: findings, unit: 'count', source: 'this diagnosis' },
    { key: 'late', label: 'Late runs', value: runs?.late?.count ?? null, unit: 'runs', source: 'Inspect (run health)' },
    { key: 'pastDue', label: 'Past-due scheduled runs', value: e.list?.totals.pastDue ?? null, unit: 'runs', source: 'POST /api/flow_runs/count' },
    { key: 'futureHeld', label: 'Future runs held', value: e.list?.totals.heldFuture ?? null, unit: 'runs', source: 'POST /api/flow_runs/filter' },
    { key: 'orphaned', label: 'Scheduled runs of deleted deployments', value: runs?.orphans.deploymentGone?.count ?? e.list?.totals.orphaned ?? null, unit: 'runs', source: 'Inspect / Schedules' },
    { key: 'predictedHeld', label: 'Future runs the scheduler keeps (simulated)', value: sim ? Math.round(sim.held) : null, unit: 'runs', source: 'scheduler simulator, live settings' },
    { key: 'predictedInsertsPerLoop', label: 'Runs inserted per scheduler loop (simulated)', value: sim ? Math.round(sim.insertsPerLoopAvg * 10) / 10 : null, unit: 'runs', source: 'scheduler simulator, live settings' },
    { key: 'flowRunBytes', label: 'flow_run size', value: flowRun?.totalBytes ?? null, unit: 'bytes', source: 'pg_total_relation_size / dbstat' },
    { key: 'databaseBytes', label: 'Database size', value: pg?.databaseBytes ?? (space?.kind === 'sqlite' ? space.fileBytes : null), unit: 'bytes', source: 'pg_database_size / file size' },
    { key: 'deadTuplesHot', label: 'Dead rows on the hot tables', value: deadHot, unit: 'rows', source: 'pg_stat_user_tables.n_dead_tup' },
    { key: 'reclaimableBytes', label: 'Space a rewrite would give back', value: pg ? pg.reclaimableBytes : null, unit: 'bytes', source: 'bloat estimate (Inspect)' },
  ];
}

const yes = (b: boolean | null | undefined) => (b === null || b === undefined ? '—' : b ? 'yes' : 'no');
const sec = (s: number | null | undefined) => (s === null || s === undefined ? '—' : `${formatInt(s)} s`);

export function factsOf(e: Evidence): Fact[] {
  const out: Fact[] = [];
  const add = (group: string, label: string, value: string, source: string) => out.push({ group, label, value, source });
  const adminS = 'GET /api/admin/settings';
  add('Server', 'Prefect version', e.version ?? 'unknown', 'GET /api/admin/version');
  add('Server', 'Server processes', `${e.processes.count} (${e.processes.basis}: ${e.processes.evidence})`, e.processes.basis === 'stated' ? 'given' : 'pg_stat_activity');
  if (e.report?.server.database) add('Server', 'Database', e.report.server.database, 'Inspect');
  const st = e.scheduler;
  if (st) {
    add('Scheduler', 'Enabled', yes(st.enabled), adminS);
    add('Scheduler', 'LOOP_SECONDS', sec(st.loopSeconds), adminS);
    add('Scheduler', 'MIN_SCHEDULED_TIME / MAX_SCHEDULED_TIME', `${sec(st.minScheduledTime)} / ${sec(st.maxScheduledTime)}`, adminS);
    add('Scheduler', 'MIN_RUNS / MAX_RUNS', `${st.minRuns} / ${st.maxRuns}`, adminS);
  }
  if (e.list) {
    add('Scheduler', 'Deployments / active schedules', `${formatInt(e.list.totals.deployments)} / ${formatInt(e.list.totals.activeSchedules)}`, 'GET /api/deployments/filter');
    add('Scheduler', 'Scheduled load', `${formatInt(e.list.totals.runsPerHour)} runs/h`, 'computed from the stored schedules');
  }
  const s = e.settings;
  if (s) {
    const on = s.services.filter((x) => x.enabled).map((x) => x.name);
    const off = s.services.filter((x) => !x.enabled).map((x) => x.name);
    add('Services', 'Enabled', on.join(', ') || 'none', adminS);
    add('Services', 'Disabled', off.join(', ') || 'none', adminS);
    add('Services', 'db_vacuum types', s.dbVacuum?.join(', ') || 'none', adminS);
    const mem = inMemoryParts(s);
    add('Messaging', 'Broker / cache', `${s.messaging.broker ?? '—'} / ${s.messaging.cache ?? '—'}`, adminS);
    add('Messaging', 'Causal ordering / lease storage', `${s.messaging.causalOrdering ?? '—'} / ${s.messaging.leaseStorage ?? '—'}`, adminS);
    add('Messaging', 'Docket', s.messaging.docketUrl ?? '—', adminS);
    add('Messaging', 'In-memory parts', mem.length ? mem.map((m) => m.part).join(', ') : 'none', adminS);
    add('Database pool', 'POOL_SIZE / MAX_OVERFLOW', `${s.poolSize ?? '—'} / ${s.maxOverflow ?? '—'}`, adminS);
    add('Database pool', 'POOL_TIMEOUT / statement timeout', `${sec(s.poolTimeout)} / ${sec(s.statementTimeout)}`, adminS);
    add('API', 'DEFAULT_LIMIT', s.defaultLimit === null ? '—' : formatInt(s.defaultLimit), adminS);
    add('Logging to the API', 'Enabled', yes(s.logging.toApi), adminS);
    add('Logging to the API', 'BATCH_INTERVAL / BATCH_SIZE / MAX_LOG_SIZE', `${s.logging.batchInterval ?? '—'} s / ${formatInt(s.logging.batchSize)} / ${formatInt(s.logging.maxLogSize)}`, adminS);
    add('Events', 'Retention period', sec(s.eventsRetentionSeconds), adminS);
  }
  if (e.pg) {
    add('Postgres', 'max_connections (reserved)', `${formatInt(e.pg.maxConnections)} (${e.pg.reserved})`, 'pg_settings');
    add('Postgres', 'Sessions: all / Prefect database', `${formatInt(e.pg.sessions.total)} / ${formatInt(e.pg.sessions.prefect)}`, 'pg_stat_activity');
    if (e.pg.oldestEvent) add('Events', 'Oldest event', e.pg.oldestEvent, 'events.occurred');
  }
  const space = e.report?.space;
  if (space?.kind === 'postgres') {
    add('Postgres', 'Database size', formatBytes(space.databaseBytes), 'pg_database_size');
    add('Postgres', 'Transaction ID age', `${formatInt(space.xidAge)} of ${formatInt(space.xidFreezeMaxAge)}`, 'age(datfrozenxid)');
  } else if (space?.kind === 'sqlite') {
    add('SQLite', 'File size', formatBytes(space.fileBytes), 'stat');
  }
  const runs = e.report?.runs;
  if (runs) {
    add('Runs', 'Total', formatInt(runs.total), 'Inspect');
    add('Runs', 'Late', formatInt(runs.late?.count ?? null), 'Inspect');
  }
  if (e.list) add('Runs', 'Future held / past due', `${formatInt(e.list.totals.heldFuture)} / ${formatInt(e.list.totals.pastDue)}`, 'POST /api/flow_runs/filter, /count');
  return out;
}
