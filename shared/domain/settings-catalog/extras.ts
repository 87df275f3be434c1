/**
 * Settings that are not in Prefect's own Settings model but that admins set on servers: the Redis
 * connection of the prefect-redis package (prefect_redis/client.py RedisMessagingSettings), needed
 * when the messaging group points at Redis. They are part of every line's catalog. The catalog test
 * checks none of these is in a line's model: if Prefect adopts one, remove it here.
 */
import type { GeneratedSetting } from './types';

type Extra = GeneratedSetting & { origin: 'prefect-redis' };

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
  redis('url', { kind: 'string', nullable: true, secret: true, default: null, description: 'Full Redis URL (redis://user:password@host:6379/0); wins over host, port, db, username and password.' }),
  redis('host', { kind: 'string', default: 'localhost', description: 'Redis host.' }),
  redis('port', { kind: 'integer', default: 6379, description: 'Redis port.' }),
  redis('db', { kind: 'integer', default: 0, description: 'Redis database number.' }),
  redis('username', { kind: 'string', default: 'default', description: 'Redis user.' }),
  redis('password', { kind: 'string', secret: true, default: '', description: 'Redis password.' }),
  redis('ssl', { kind: 'boolean', default: false, description: 'Use TLS to reach Redis.' }),
];
