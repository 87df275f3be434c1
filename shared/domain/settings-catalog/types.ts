/**
 * The shape of one Prefect setting in Housekeeper's catalog. Generated fields come from Prefect's
 * settings schema (generated.ts); group, scope and our own explanation are added in index.ts.
 */

/**
 * How a value is parsed, mirroring Prefect 3.9.1 / pydantic 2:
 * - duration: plain `timedelta`; from an env string only ISO 8601 (PT10M), [D days,]HH:MM[:SS] or "2d";
 *   a bare number string ("3600") is rejected.
 * - seconds-duration: Prefect's `SecondsTimeDelta`; numbers are seconds, other strings as `duration`.
 * - vacuum-types: db_vacuum.enabled, a comma-separated set or a legacy boolean.
 * - seconds-map: JSON object of event type -> SecondsTimeDelta (> 0).
 * - json-object: JSON object of strings (client.custom_headers).
 * - status-codes: comma-separated HTTP status codes 100-599.
 * - retry-delays: a number or comma-separated numbers; retry-delays-json: a number or a JSON list.
 * - string-list: comma-separated strings (or a JSON list).
 */
export type SettingKind =
  | 'boolean'
  | 'integer'
  | 'number'
  | 'string'
  | 'path'
  | 'enum'
  | 'duration'
  | 'seconds-duration'
  | 'vacuum-types'
  | 'seconds-map'
  | 'json-object'
  | 'status-codes'
  | 'retry-delays'
  | 'retry-delays-json'
  | 'string-list'
  | 'any';

/** Exactly what the generator extracts from the schema (names, types, defaults, aliases, bounds). */
export interface GeneratedSetting {
  /** Dotted path in Prefect's settings model, e.g. server.services.scheduler.max_runs. */
  key: string;
  /** Canonical environment variable (the first of supported_environment_variables). */
  env: string;
  /** Legacy names Prefect still accepts, e.g. PREFECT_API_SERVICES_SCHEDULER_MAX_RUNS. */
  aliases: readonly string[];
  kind: SettingKind;
  nullable: boolean;
  /** SecretStr in Prefect: masked by /api/admin/settings, encrypted in our store, left out of exports. */
  secret: boolean;
  /** The schema's default in JSON form; absent when Prefect computes it (e.g. paths under PREFECT_HOME). */
  default?: unknown;
  enum?: readonly string[];
  min?: number;
  max?: number;
  exclusiveMin?: number;
  exclusiveMax?: number;
  /** Prefect's own description, whitespace collapsed. */
  description: string;
}

export type SettingGroupId =
  | 'scheduler'
  | 'late-runs'
  | 'database'
  | 'database-pool'
  | 'api'
  | 'logging'
  | 'messaging'
  | 'db-vacuum'
  | 'events'
  | 'ui'
  | 'services'
  | 'server-other'
  | 'client-api'
  | 'client'
  | 'testing';

export interface SettingGroup {
  id: SettingGroupId;
  title: string;
  /** Our words: what this group controls and when an admin touches it. */
  explain: string;
}

export interface SettingEntry extends GeneratedSetting {
  group: SettingGroupId;
  /** Who reads it: the server process, clients/workers, or both. */
  scope: 'server' | 'client' | 'both';
  /** Our own short explanation, for the settings that matter most to server admins. */
  note?: string;
  /** Where the setting comes from: Prefect's schema, a newer Prefect than the schema, or an integration package. */
  origin: 'schema' | 'prefect-3.9' | 'prefect-redis';
}
