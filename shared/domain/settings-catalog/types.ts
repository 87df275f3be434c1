/**
 * The shape of one Prefect setting in Housekeeper's catalog. Generated fields come from each Prefect
 * line's own `Settings` model (generated.ts, by scripts/gen-settings-catalog.mjs); group, scope and
 * our own explanation are added in index.ts.
 */

/** The Prefect 3 minor lines Housekeeper has a catalog for, oldest first. */
export const PREFECT_LINES = ['3.0', '3.1', '3.2', '3.3', '3.4', '3.5', '3.6', '3.7', '3.8', '3.9'] as const;
export type PrefectLine = (typeof PREFECT_LINES)[number];

/**
 * How a value is parsed, mirroring Prefect / pydantic 2 (which kind a field has can change between
 * lines: late_runs.after_seconds is a plain timedelta up to 3.x and SecondsTimeDelta later; the
 * generator finds out by probing each line's model):
 * - duration: plain `timedelta`; from an env string only ISO 8601 (PT10M), [D days,]HH:MM[:SS] or "2d";
 *   a bare number string ("3600") is rejected.
 * - seconds-duration: Prefect's `SecondsTimeDelta`; numbers are seconds, other strings as `duration`.
 * - vacuum-types: db_vacuum.enabled, a comma-separated set or a legacy boolean.
 * - seconds-map: JSON object of event type -> SecondsTimeDelta (> 0).
 * - json-object: JSON object of strings (client.custom_headers).
 * - status-codes: comma-separated HTTP status codes 100-599.
 * - retry-delays: a number or comma-separated numbers; retry-delays-json: a number or a JSON list.
 * - string-list: comma-separated strings (or a JSON list); string-list-csv: comma-separated only (a
 *   JSON list crashes the validator of older lines).
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
  | 'string-list-csv'
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
  /** The default in JSON form (the schema's, or the model's default_factory); absent when computed. */
  default?: unknown;
  /** Prefect computes the default at start (paths under PREFECT_HOME, SSL_CERT_FILE, URLs from URLs). */
  computed?: boolean;
  /** enum: the Literal values; vacuum-types: the names db_vacuum accepts in this line. */
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
  /** Where the setting comes from: Prefect's own Settings model, or an integration package. */
  origin: 'schema' | 'prefect-redis';
}

/** Facts about one line that are not a single setting, found by the generator with the real model. */
export interface PrefectLineInfo {
  line: PrefectLine;
  /** The release the catalog was generated from (the newest patch of the line). */
  version: string;
  pydantic: string;
  /** Parser differences of the pydantic-core that release installs with. */
  quirks: {
    /** "1 dAy" is a duration (older speedate matched the day word case-insensitively). */
    dayWordAnyCase: boolean;
  };
  /** Rules spanning settings that this line's model enforces (refuses to start otherwise). */
  rules: {
    /**
     * What DRIVER=postgresql+asyncpg without CONNECTION_URL needs, as PREFECT_SERVER_DATABASE_<part>
     * (_defaults.py default_database_connection_url): HOST, USER, NAME; Prefect 3.0 also PASSWORD.
     */
    postgresDriverRequires: readonly string[];
    /** LOGGING_TO_API_MAX_LOG_SIZE must not exceed LOGGING_TO_API_BATCH_SIZE (logging.py). */
    maxLogSizeWithinBatchSize: boolean;
  };
}
