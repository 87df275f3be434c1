/**
 * The parts of GET /api/admin/settings the checks read, by their nested path in Prefect 3.9.1
 * (prefect/settings/models/server/{database,api,events,docket,concurrency,services}.py and
 * models/logging.py). Older servers may lack a field: it is null, and a check that needs it says so.
 */
import { durationSeconds } from '../../schedules/settings';
import type { ServerSettingsView } from './evidence';

export const MEMORY_BROKER = 'prefect.server.utilities.messaging.memory';

type Json = Record<string, unknown>;

function at(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const k of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || !(k in cur)) return undefined;
    cur = (cur as Json)[k];
  }
  return cur;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);

/** SQLAlchemy's QueuePool defaults, what a 3.0 server uses when its pool settings are unset. */
const SQLALCHEMY_POOL_SIZE = 5;
const SQLALCHEMY_MAX_OVERFLOW = 10;

/**
 * The pool settings: `server.database.sqlalchemy.<name>` from Prefect 3.1; 3.0 has them flat
 * (`server.database.sqlalchemy_<name>`, Optional, unset by default) and then passes nothing to
 * SQLAlchemy, whose QueuePool default applies (3.0.11 server/database/configurations.py engine()).
 */
function poolSetting(json: unknown, name: 'pool_size' | 'max_overflow', sqlalchemyDefault: number): number | null {
  const nested = num(at(json, `server.database.sqlalchemy.${name}`));
  if (nested !== null) return nested;
  const database = at(json, 'server.database');
  const flat = `sqlalchemy_${name}`;
  if (database && typeof database === 'object' && flat in database) return num((database as Json)[flat]) ?? sqlalchemyDefault;
  return null;
}

export function readServerSettings(json: unknown): ServerSettingsView {
  const services: ServerSettingsView['services'] = [];
  const svc = at(json, 'server.services');
  if (svc && typeof svc === 'object') {
    for (const [name, v] of Object.entries(svc as Json)) {
      const enabled = at(v, 'enabled');
      // db_vacuum's `enabled` is a set of vacuum types ("events", "flow_runs"), not a boolean.
      if (typeof enabled === 'boolean') services.push({ name, enabled });
      else if (Array.isArray(enabled)) services.push({ name, enabled: enabled.length > 0 });
    }
  }
  const vacuum = at(json, 'server.services.db_vacuum.enabled');
  return {
    poolSize: poolSetting(json, 'pool_size', SQLALCHEMY_POOL_SIZE),
    maxOverflow: poolSetting(json, 'max_overflow', SQLALCHEMY_MAX_OVERFLOW),
    poolTimeout: num(at(json, 'server.database.sqlalchemy.pool_timeout')),
    statementTimeout: num(at(json, 'server.database.timeout')),
    defaultLimit: num(at(json, 'server.api.default_limit')),
    logging: {
      toApi: bool(at(json, 'logging.to_api.enabled')),
      batchInterval: num(at(json, 'logging.to_api.batch_interval')),
      batchSize: num(at(json, 'logging.to_api.batch_size')),
      maxLogSize: num(at(json, 'logging.to_api.max_log_size')),
    },
    messaging: {
      broker: str(at(json, 'server.events.messaging_broker')),
      cache: str(at(json, 'server.events.messaging_cache')),
      causalOrdering: str(at(json, 'server.events.causal_ordering')),
      leaseStorage: str(at(json, 'server.concurrency.lease_storage')),
      docketUrl: str(at(json, 'server.docket.url')),
    },
    eventsRetentionSeconds: durationSeconds(at(json, 'server.events.retention_period')),
    dbVacuum: Array.isArray(vacuum) ? vacuum.map(String) : typeof vacuum === 'boolean' ? (vacuum ? ['events', 'flow_runs'] : []) : null,
    lateRunsAfterSeconds: durationSeconds(at(json, 'server.services.late_runs.after_seconds')),
    services: services.sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** The in-process implementations configured (each lives inside one process only). */
export function inMemoryParts(s: ServerSettingsView): Array<{ part: string; value: string }> {
  const m = s.messaging;
  const out: Array<{ part: string; value: string }> = [];
  if (m.broker?.includes('memory')) out.push({ part: 'Messaging broker', value: m.broker });
  if (m.cache?.includes('memory')) out.push({ part: 'Messaging cache', value: m.cache });
  if (m.causalOrdering?.includes('memory')) out.push({ part: 'Causal ordering', value: m.causalOrdering });
  if (m.leaseStorage?.includes('memory')) out.push({ part: 'Lease storage', value: m.leaseStorage });
  if (m.docketUrl?.startsWith('memory://')) out.push({ part: 'Docket URL', value: m.docketUrl });
  return out;
}
