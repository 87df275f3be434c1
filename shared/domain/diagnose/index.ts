export * from './types';
export * from './session';
export * from './evidence';
export { readServerSettings, inMemoryParts, MEMORY_BROKER } from './server-settings';
export { runChecks, CHECKS, recommendedScheduler, schedulerAction, HOT_TABLES, VACUUM_TABLES, KNOWN_FIXES, perProcessConnections, PREFECT_DEFAULT_LIMIT, POLL_STALE_MS, HISTORY_MIN_RUNS, HISTORY_RETENTION_DAYS } from './checks';
export { metricsOf, factsOf } from './summary';
export { combine, AFTER_PURGE_TABLES, type Combined, type CombineOptions } from './combine';
export { diagnosisMarkdown, sessionMarkdown, findingMarkdown, formatValue, actionText } from './markdown';
