/**
 * The server's configuration against what it runs on: the connection pools of all server processes
 * against Postgres max_connections, a raised API default limit, clients that send logs one by one,
 * and in-memory messaging shared by more than one process.
 */
import { inMemoryParts } from '../server-settings';
import type { Action } from '../types';
import { duration, n, plural, SRC, unavailable, type CheckDef } from './common';

/** Prefect's default page size (server.api.default_limit) and the point a raise is worth a look. */
export const PREFECT_DEFAULT_LIMIT = 200;

/** Connections one server process may open: its pool, the overflow, and db_vacuum's own engine. */
export function perProcessConnections(poolSize: number, maxOverflow: number, dbVacuum: string[] | null): number {
  // db_vacuum runs maintenance on a dedicated engine with pool_size 1 and no overflow
  // (server/services/db_vacuum.py _maintenance_database_config), beside the main pool.
  return poolSize + maxOverflow + (dbVacuum && dbVacuum.length ? 1 : 0);
}

export const poolCheck: CheckDef = {
  id: 'database.pool-over-max-connections',
  title: 'Connection pools of all server processes against Postgres max_connections',
  run(e) {
    if (e.database !== 'postgres') return { status: 'unavailable', note: e.database === 'sqlite' ? 'SQLite has no connection limit to check.' : 'Needs database access to read max_connections.' };
    const un = unavailable(e, ['settings', 'pg']);
    if (un) return un;
    const s = e.settings!;
    const pg = e.pg!;
    if (s.poolSize === null || s.maxOverflow === null) return { status: 'unavailable', note: 'The server does not report its pool settings.' };
    const per = perProcessConnections(s.poolSize, s.maxOverflow, s.dbVacuum);
    const p = e.processes.count;
    const budget = per * p;
    const others = Math.max(0, pg.sessions.total - pg.sessions.prefect - pg.sessions.ours);
    const available = pg.maxConnections - pg.reserved - others;
    if (budget <= available) {
      return { status: 'clear', note: `${plural(p, 'server process', 'server processes')} × ${n(per)} connections = ${n(budget)}, within the ${n(available)} Postgres has for them (max_connections ${n(pg.maxConnections)}).` };
    }
    // Keep the ratio of pool to overflow, and room for one process more than now (a rolling restart).
    const allowed = Math.max(2, Math.floor((available * 0.9) / p) - (s.dbVacuum?.length ? 1 : 0));
    const pool = Math.max(1, Math.round((allowed * s.poolSize) / Math.max(1, s.poolSize + s.maxOverflow)));
    const overflow = Math.max(0, allowed - pool);
    const newBudget = p * perProcessConnections(pool, overflow, s.dbVacuum);
    const actions: Action[] = [
      {
        kind: 'settings',
        title: `Size each process's pool to fit: POOL_SIZE ${pool}, MAX_OVERFLOW ${overflow}`,
        preset: null,
        scope: 'server',
        set: [
          { name: 'PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE', value: String(pool), reason: `${p} processes × (${pool} + ${overflow}) stay within the ${available} connections Postgres has for Prefect.` },
          { name: 'PREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW', value: String(overflow), reason: 'Burst capacity, counted in the same budget.' },
        ],
        inputs: [],
      },
      { kind: 'manual', title: 'Or give Postgres more connections', text: 'Raising max_connections (a server restart of PostgreSQL, and memory per connection) or putting PgBouncer in front of Prefect are the alternatives.', command: `ALTER SYSTEM SET max_connections = ${budget + pg.reserved + others + 10};  -- then restart PostgreSQL` },
    ];
    return {
      status: 'raised',
      finding: {
        id: 'database.pool-over-max-connections',
        severity: 'high',
        magnitude: Math.min(1, budget / Math.max(1, available) - 1),
        title: `${plural(p, 'server process', 'server processes')} may open ${n(budget)} connections; Postgres has ${n(available)} for them`,
        measured: [
          { label: 'POOL_SIZE', value: s.poolSize, unit: 'connections', source: SRC.settings('server.database.sqlalchemy.pool_size'), exact: true },
          { label: 'MAX_OVERFLOW', value: s.maxOverflow, unit: 'connections', source: SRC.settings('server.database.sqlalchemy.max_overflow'), exact: true },
          { label: `Server processes (${e.processes.basis}: ${e.processes.evidence})`, value: p, unit: 'count', source: e.processes.basis === 'stated' ? 'given for this diagnosis' : SRC.activity, exact: e.processes.basis === 'stated' },
          { label: 'max_connections', value: pg.maxConnections, unit: 'connections', source: SRC.pgSettings, exact: true },
          { label: 'Reserved for superusers', value: pg.reserved, unit: 'connections', source: SRC.pgSettings, exact: true },
          { label: 'Sessions of other clients now', value: others, unit: 'connections', source: SRC.activity, exact: true },
          { label: 'Prefect sessions open now', value: pg.sessions.prefect, unit: 'connections', source: SRC.activity, exact: true },
        ],
        why: `Each server process keeps its own SQLAlchemy pool of up to POOL_SIZE + MAX_OVERFLOW connections, one per event loop it runs, so this budget is a lower bound (server/database/configurations.py); together they can ask for more than Postgres allows, and under load new connections fail with "remaining connection slots are reserved" while requests wait up to POOL_TIMEOUT (${s.poolTimeout ?? 30} s) for a free one.`,
        refs: ['prefect/server/database/configurations.py (AsyncPostgresConfiguration.engine)', 'prefect/settings/models/server/database.py (SQLAlchemySettings)', 'PrefectHQ/prefect#17344'],
        actions,
        effect: [{ label: 'Connections all processes may open', before: budget, after: newBudget, unit: 'connections', basis: 'measurement', note: `of ${available} available` }],
        notes: e.processes.basis === 'assumed' ? ['Housekeeper assumed one server process; give the real number (API replicas + background-service processes) for an exact budget.'] : [],
      },
    };
  },
};

export const defaultLimitCheck: CheckDef = {
  id: 'api.default-limit-high',
  title: 'PREFECT_SERVER_API_DEFAULT_LIMIT and how long list calls take',
  run(e) {
    const un = unavailable(e, ['settings']);
    if (un) return un;
    const limit = e.settings!.defaultLimit;
    if (limit === null) return { status: 'unavailable', note: 'The server does not report server.api.default_limit.' };
    if (limit <= PREFECT_DEFAULT_LIMIT) return { status: 'clear', note: `default_limit ${n(limit)} (Prefect's default is ${PREFECT_DEFAULT_LIMIT}).` };
    const m = e.api?.listLatency;
    if (!m) return { status: 'unavailable', note: `default_limit is ${n(limit)}, but list calls could not be timed${e.missing.api ? `: ${e.missing.api}` : ''}.` };
    const slower = m.rowsDefault > PREFECT_DEFAULT_LIMIT && m.msDefault >= 2 * m.ms200 && m.msDefault - m.ms200 >= 50;
    if (!slower) return { status: 'clear', note: `default_limit is ${n(limit)}, but a list call without a limit returned ${n(m.rowsDefault)} runs in ${Math.round(m.msDefault)} ms (${Math.round(m.ms200)} ms with 200): not slow yet.` };
    return {
      status: 'raised',
      finding: {
        id: 'api.default-limit-high',
        severity: m.msDefault >= 1000 ? 'high' : 'medium',
        magnitude: Math.min(1, m.msDefault / 10_000),
        title: `DEFAULT_LIMIT ${n(limit)}: a list call without a limit returns ${n(m.rowsDefault)} runs in ${Math.round(m.msDefault)} ms`,
        measured: [
          { label: 'server.api.default_limit', value: limit, unit: 'count', source: SRC.settings('server.api.default_limit'), exact: true },
          { label: 'Runs returned without a limit', value: m.rowsDefault, unit: 'runs', source: SRC.latency, exact: true },
          { label: 'Time without a limit (median of 3)', value: Math.round(m.msDefault), unit: 'ms', source: SRC.latency, exact: true },
          { label: 'Time with limit 200 (median of 3)', value: Math.round(m.ms200), unit: 'ms', source: SRC.latency, exact: true },
        ],
        why: 'Every list endpoint (flows, runs, deployments, logs…) returns default_limit rows when the caller gives no limit, and Prefect’s own clients and many scripts do not; each such call reads, serializes and sends that many rows, holding a database connection the whole time.',
        refs: ['prefect/settings/models/server/api.py (default_limit)', 'prefect/server/api/dependencies.py (LimitBody)'],
        actions: [
          {
            kind: 'settings',
            title: `Back to Prefect's default page size (${PREFECT_DEFAULT_LIMIT})`,
            preset: null,
            scope: 'server',
            set: [{ name: 'PREFECT_SERVER_API_DEFAULT_LIMIT', value: String(PREFECT_DEFAULT_LIMIT), reason: 'Unbounded list calls return 200 rows; callers page for more.' }],
            inputs: [],
          },
        ],
        effect: [
          { label: 'Rows per list call without a limit', before: m.rowsDefault, after: Math.min(m.rowsDefault, PREFECT_DEFAULT_LIMIT), unit: 'runs', basis: 'measurement' },
          { label: 'Time of such a call', before: Math.round(m.msDefault), after: Math.round(m.ms200), unit: 'ms', basis: 'measurement' },
        ],
        notes: [`The limit is also the most a caller may ask for: scripts that request more than ${PREFECT_DEFAULT_LIMIT} per call get HTTP 422 afterwards and must page.`],
      },
    };
  },
};

export const logsCheck: CheckDef = {
  id: 'client.logs-one-by-one',
  title: 'Flow logs sent to the API in batches',
  run(e) {
    if (e.database === 'none') return { status: 'unavailable', note: 'Seeing how logs arrived needs database access.' };
    const un = unavailable(e, ['logs']);
    if (un) return un;
    const l = e.logs!;
    if (l.closePairs < 20) return { status: 'clear', note: `Too few logs written close together to judge (${n(l.sampled)} recent logs of ${plural(l.runs, 'flow run')}).` };
    const share = l.splitPairs / l.closePairs;
    if (share < 0.8) return { status: 'clear', note: `${Math.round((1 - share) * 100)} % of logs written within a second of each other arrived in the same insert (${n(l.sampled)} recent logs).` };
    const s = e.settings?.logging;
    const serverSide = s && s.batchSize !== null && s.maxLogSize !== null && (s.batchSize <= s.maxLogSize + 1 || (s.batchInterval !== null && s.batchInterval < 0.1));
    const ex = l.example;
    const predicted = ex ? Math.max(1, Math.ceil(ex.spanSeconds / 2)) : null;
    return {
      status: 'raised',
      finding: {
        id: 'client.logs-one-by-one',
        severity: 'medium',
        magnitude: Math.min(1, l.splitPairs / 10_000),
        title: `Flow logs arrive one by one: ${Math.round(share * 100)} % of logs written within a second of each other took separate inserts`,
        measured: [
          { label: 'Recent logs sampled', value: l.sampled, unit: 'rows', source: SRC.logs, exact: true },
          { label: 'Pairs of logs within a second (client time)', value: l.closePairs, unit: 'count', source: SRC.logs, exact: true },
          { label: 'Of those, written by separate inserts', value: l.splitPairs, unit: 'count', source: SRC.logs, exact: true },
          ...(ex ? [{ label: `Flow run ${ex.flowRunId.slice(0, 8)}: ${n(ex.logs)} logs over ${duration(Math.max(0.1, Math.round(ex.spanSeconds * 10) / 10))}, inserts`, value: ex.inserts, unit: 'count' as const, source: SRC.logs, exact: true }] : []),
          ...(s ? [{ label: "The server process's own PREFECT_LOGGING_TO_API_BATCH_SIZE / MAX_LOG_SIZE / BATCH_INTERVAL", value: `${s.batchSize ?? '?'} / ${s.maxLogSize ?? '?'} / ${s.batchInterval ?? '?'} s`, unit: 'text' as const, source: SRC.settings('logging.to_api'), exact: true }] : []),
        ],
        why: "Prefect's APILogWorker queues log records and sends them as one POST /api/logs/ every PREFECT_LOGGING_TO_API_BATCH_INTERVAL seconds, or sooner when BATCH_SIZE minus MAX_LOG_SIZE bytes are queued (logging/handlers.py); with a batch size no bigger than the largest log, or no interval, every record is its own request and its own insert into the log table.",
        refs: ['prefect/logging/handlers.py (APILogWorker.max_batch_size, min_interval)', 'prefect/settings/models/logging.py (LoggingToAPISettings)'],
        actions: [
          {
            kind: 'settings',
            title: "Prefect's batching for the processes that run flows (workers, serve)",
            preset: null,
            scope: 'clients',
            set: [
              { name: 'PREFECT_LOGGING_TO_API_BATCH_INTERVAL', value: '2.0', reason: 'Send queued logs every 2 s (Prefect’s default).' },
              { name: 'PREFECT_LOGGING_TO_API_BATCH_SIZE', value: '4000000', reason: 'Up to ~4 MB per request (Prefect’s default), well above MAX_LOG_SIZE.' },
              { name: 'PREFECT_LOGGING_TO_API_MAX_LOG_SIZE', value: '1000000', reason: 'Prefect’s default; must stay below BATCH_SIZE for logs to batch.' },
            ],
            inputs: [],
          },
        ],
        effect: ex && predicted !== null ? [{ label: `Inserts for a run like ${ex.flowRunId.slice(0, 8)}`, before: ex.inserts, after: Math.min(ex.inserts, predicted), unit: 'count', basis: 'measurement', note: 'one per 2-second batch' }] : [],
        notes: [serverSide ? "The server process's own settings are set this way too: the clients probably share its environment or profile." : "These are client settings: they go into the environment of the workers and processes that run flows, not only the server's."],
      },
    };
  },
};

export const messagingCheck: CheckDef = {
  id: 'messaging.in-memory-multi-process',
  title: 'In-memory messaging with more than one server process',
  run(e) {
    const un = unavailable(e, ['settings']);
    if (un) return un;
    const parts = inMemoryParts(e.settings!);
    if (parts.length === 0) return { status: 'clear', note: 'Messaging, cache, causal ordering, lease storage and Docket are not in-memory.' };
    if (e.processes.count < 2) {
      return { status: 'clear', note: `In-memory messaging (${parts.length} parts) with ${e.processes.basis === 'assumed' ? 'one server process assumed' : `one server process (${e.processes.evidence})`}: fine for a single process.` };
    }
    const p = e.processes.count;
    const m = e.settings!.messaging;
    // Only the settings this server has: causal ordering and lease storage came in Prefect 3.4, Docket
    // in 3.6 (prefect/settings/models/server/{events,concurrency,docket}.py of each line); a setting the
    // server does not know would be saved into a profile that its Prefect ignores.
    const redis = [
      { key: 'server.events.messaging_broker', has: m.broker !== null, name: 'PREFECT_SERVER_EVENTS_MESSAGING_BROKER', value: 'prefect_redis.messaging', reason: 'Events reach every server process.' },
      { key: 'server.events.messaging_cache', has: m.cache !== null, name: 'PREFECT_SERVER_EVENTS_MESSAGING_CACHE', value: 'prefect_redis.messaging', reason: 'One de-duplication cache for all processes.' },
      { key: 'server.events.causal_ordering', has: m.causalOrdering !== null, name: 'PREFECT_SERVER_EVENTS_CAUSAL_ORDERING', value: 'prefect_redis.ordering', reason: 'Ordering across processes (without it task states can wait, PrefectHQ/prefect#18774).' },
      { key: 'server.concurrency.lease_storage', has: m.leaseStorage !== null, name: 'PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE', value: 'prefect_redis.lease_storage', reason: 'Concurrency leases visible to every process.' },
      { key: 'server.docket.url', has: m.docketUrl !== null, name: 'PREFECT_SERVER_DOCKET_URL', value: 'redis://{PREFECT_REDIS_MESSAGING_HOST}:6379/1', reason: 'One task queue for the background services instead of one per process.' },
    ];
    const missing = redis.filter((x) => !x.has);
    return {
      status: 'raised',
      finding: {
        id: 'messaging.in-memory-multi-process',
        severity: 'high',
        magnitude: Math.min(1, p / 10),
        title: `${p} server processes share a database but each has its own in-memory messaging`,
        measured: [
          ...parts.map((x) => ({ label: x.part, value: x.value, unit: 'text' as const, source: SRC.settings('server.events, server.concurrency, server.docket'), exact: true })),
          { label: `Server processes (${e.processes.basis}: ${e.processes.evidence})`, value: p, unit: 'count', source: e.processes.basis === 'stated' ? 'given for this diagnosis' : SRC.activity, exact: e.processes.basis === 'stated' },
        ],
        why: "The in-memory broker, cache and causal ordering live inside one process (server/utilities/messaging/memory.py): events, automations' triggers and task-run states published in one process never reach the others, and on Docket's memory:// every process runs its own copy of the background services. Prefect refuses `prefect server start --workers N` on this configuration for that reason.",
        refs: ['prefect/cli/_server_utils.py (_validate_multi_worker)', 'prefect/settings/models/server/docket.py (url)', 'prefect/settings/models/server/events.py (messaging_broker, messaging_cache, causal_ordering)', 'PrefectHQ/prefect#18774'],
        actions: [
          {
            kind: 'settings',
            title: 'Move messaging, ordering, leases and Docket to Redis (prefect-redis)',
            preset: null,
            scope: 'server',
            set: redis.filter((x) => x.has).map(({ has: _has, key: _key, ...x }) => x),
            inputs: [{ name: 'PREFECT_REDIS_MESSAGING_HOST', label: 'Redis host', placeholder: 'redis.internal' }],
          },
          { kind: 'manual', title: 'Install prefect-redis and run Redis', text: 'The server image needs the prefect-redis package, and a Redis every server process can reach.', command: 'pip install prefect-redis' },
        ],
        effect: [{ label: 'Processes that see every event', before: 1, after: p, unit: 'count', basis: 'measurement' }],
        notes: [
          ...(e.processes.basis === 'inferred' ? [`The process count was inferred from the database sessions: ${e.processes.evidence}.`] : []),
          ...(missing.length ? [`${e.version ? `Prefect ${e.version}` : 'This server'} has no ${missing.map((x) => x.key).join(', ')} setting${missing.length === 1 ? '' : 's'} (${missing.length === 1 ? 'it' : 'they'} came in a later Prefect release): ${missing.length === 1 ? 'it is' : 'they are'} left out.`] : []),
        ],
      },
    };
  },
};
