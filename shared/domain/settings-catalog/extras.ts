/**
 * Settings that are not in the vendored schema (../shared/prefect/settings.schema.json, Prefect
 * 3.8.4.dev6) but that admins set on servers: two added in Prefect 3.9 (verified in the installed
 * 3.9.1 source), and the Redis connection of the prefect-redis package
 * (prefect_redis/client.py RedisMessagingSettings), needed when the messaging group points at Redis.
 * The catalog test checks none of these is in the schema: when the schema is updated, move them out.
 */
import type { GeneratedSetting } from './types';

type Extra = GeneratedSetting & { origin: 'prefect-3.9' | 'prefect-redis' };

const redis = (field: string, e: Omit<GeneratedSetting, 'key' | 'env' | 'aliases' | 'secret' | 'nullable'> & { secret?: boolean; nullable?: boolean }): Extra => ({
  key: `redis.messaging.${field}`,
  env: `PREFECT_REDIS_MESSAGING_${field.toUpperCase()}`,
  aliases: [],
  secret: e.secret ?? false,
  nullable: e.nullable ?? false,
  origin: 'prefect-redis',
  ...e,
});

export const EXTRA_SETTINGS: readonly Extra[] = [
  {
    key: 'deployments.clear_schedules_on_empty',
    env: 'PREFECT_DEPLOYMENTS_CLEAR_SCHEDULES_ON_EMPTY',
    aliases: [],
    kind: 'boolean',
    nullable: false,
    secret: false,
    default: false,
    description: 'Clear existing schedules when an empty schedules list is passed to RunnerDeployment.apply or aapply, including via prefect deploy.',
    origin: 'prefect-3.9',
  },
  {
    key: 'server.services.db_vacuum.orphan_cleanup_loop_seconds',
    env: 'PREFECT_SERVER_SERVICES_DB_VACUUM_ORPHAN_CLEANUP_LOOP_SECONDS',
    aliases: [],
    kind: 'number',
    nullable: false,
    secret: false,
    default: 86400,
    exclusiveMin: 0,
    description: 'The database vacuum service will scan for orphaned logs and artifacts this often, in seconds. Defaults to 86400 (24 hours).',
    origin: 'prefect-3.9',
  },
  redis('url', { kind: 'string', nullable: true, secret: true, default: null, description: 'Full Redis URL (redis://user:password@host:6379/0); wins over host, port, db, username and password.' }),
  redis('host', { kind: 'string', default: 'localhost', description: 'Redis host.' }),
  redis('port', { kind: 'integer', default: 6379, description: 'Redis port.' }),
  redis('db', { kind: 'integer', default: 0, description: 'Redis database number.' }),
  redis('username', { kind: 'string', default: 'default', description: 'Redis user.' }),
  redis('password', { kind: 'string', secret: true, default: '', description: 'Redis password.' }),
  redis('ssl', { kind: 'boolean', default: false, description: 'Use TLS to reach Redis.' }),
];
