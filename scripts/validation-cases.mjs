/**
 * Setting values whose acceptance by Prefect we pin down, per Prefect line: used to build
 * test/fixtures/prefect-validation-<line>.json (gen-validation-fixture.mjs) and re-checked against
 * the harness's Prefect by test/integration/profiles-prefect-cli.test.ts. Cases with `values` set
 * several settings at once (the rules that span settings).
 */
const DURATIONS = [
  'PT10M', 'P100D', 'P1DT2H', 'P1W', 'P1M', 'P1Y', '-PT1H', '+PT1H', '01:00:00', '1:00:00', '00:10', '1:00', '100:00',
  '1 day, 01:00:00', '2d', '2D', '1 day', '2 days', '1 DAY', '1 dAy', '1  day', '1day,01:00:00', '2 days 03:04:05',
  '3600', '3600.5', '10m', '1h', 'pt10m', 'P1d', 'P', 'PT', 'P1DT', 'PT1H30M', 'PT1M1H', 'P1.5D', 'P1,5D', 'P.5D', 'P1.D',
  'PT1D', 'P1H', 'PT1.5S', '00:61:00', '00:00:61', '12:3', '12:30:1', '1:00:00.', '01:00:00,5', '10:00:00.5', 'P1D ',
  ' P1D', '', 'bad', '0', 'PT0S', '-1 day', '1 day , 1:00:00', '1 day,', '1d2h',
];
const SECONDS = ['15', '15.5', '-5', '1e3', ' 15 ', '1_000', 'inf', 'nan', 'PT10M', '10m', '01:00:00', '2d', '3600', '3601', 'PT1H', 'PT1H1S', 'P90D', '7776000', ''];
const BOOLS = ['true', 'True', 'TRUE', 'false', '1', '0', 'yes', 'no', 'on', 'off', 't', 'f', 'y', 'n', ' true', 'true ', '2', '', 'enabled'];
const INTS = ['5', '-5', ' 5', '5 ', '5.0', '5.5', '1e3', '0x10', '1_000', '+5', '', '05', '5.00', 'five'];
const FLOATS = ['5', '5.5', '1e3', 'inf', 'nan', '-1', ' 2 ', '1_000', '.5', '5.', '', '0x10', 'Infinity', 'abc'];

const cases = [];
const add = (env, values) => values.forEach((value) => cases.push({ env, value }));

add('PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME', DURATIONS);
add('PREFECT_API_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME', ['PT1H', '3600', 'bad']);
add('PREFECT_SERVER_EVENTS_RETENTION_PERIOD', ['P7D', '604800', '-PT1H']);
add('PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS', SECONDS);
add('PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD', SECONDS);
add('PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED', BOOLS);
add('PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS', INTS);
add('PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS', FLOATS);
add('PREFECT_SERVER_SERVICES_DB_VACUUM_LOOP_SECONDS', ['0', '-1', 'nan', 'inf', '0.5']);
add('PREFECT_SERVER_SERVICES_DB_VACUUM_BATCH_SIZE', ['0', '1', '-3']);
add('PREFECT_SERVER_API_MAX_PARAMETER_SIZE', ['-1', '0', '10']);
add('PREFECT_SERVER_CONCURRENCY_INITIAL_DEPLOYMENT_LEASE_DURATION', ['10', '30', '3600', '3601']);
add('PREFECT_TELEMETRY_RESOURCE_METRICS_INTERVAL_SECONDS', ['0', '1']);
add('PREFECT_SERVER_DATABASE_PORT', ['', 'null', '5432', '99999']);
add('PREFECT_SERVER_DATABASE_HOST', ['', 'db']);
add('PREFECT_SERVER_DATABASE_TIMEOUT', ['', '10', 'x']);
add('PREFECT_SERVER_DATABASE_DRIVER', ['postgresql+asyncpg', 'sqlite+aiosqlite', 'postgresql', 'POSTGRESQL+ASYNCPG']);
add('PREFECT_SERVER_DATABASE_CONNECTION_URL', ['postgresql://x', 'postgresql+asyncpg://u:p@h/db']);
add('PREFECT_LOGGING_LEVEL', ['debug', 'DEBUG', 'Warning', 'verbose', '']);
add('PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW', ['warn', 'WARN', 'ignore']);
add('PREFECT_LOGGING_TO_API_MAX_LOG_SIZE', ['5000000', '100']);
add('PREFECT_LOGGING_TO_API_BATCH_SIZE', ['100', '4000000']);
add('PREFECT_LOGGING_EXTRA_LOGGERS', ['a,b', '["a"]', '']);
add('PREFECT_PLUGINS_ALLOW', ['a,b', '["a"]']);
add('PREFECT_CLIENT_CUSTOM_HEADERS', ['a=b', '{"a":"b"}', '{"a":1}', '[]']);
add('PREFECT_CLIENT_RETRY_EXTRA_CODES', ['429,503', '429', '99', '[429, 503]', '', 'abc']);
add('PREFECT_FLOWS_DEFAULT_RETRY_DELAY_SECONDS', ['1,2', '[1,2]', '5', 'x']);
add('PREFECT_TASKS_DEFAULT_RETRY_DELAY_SECONDS', ['1,2', '[1,2]', '5', 'x', '']);
add('PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED', ['events,flow_runs', 'events', 'bogus', 'yes', 'true', 'false', '']);
add('PREFECT_SERVER_SERVICES_DB_VACUUM_EVENT_RETENTION_OVERRIDES', ['{"x": 3600}', '{"x": "PT1H"}', '{"x": 0}', '{"x": "bad"}', 'x=1', '[]']);
add('PREFECT_CLI_PROMPT', ['', 'true']);
add('PREFECT_API_URL', ['not a url', 'http://127.0.0.1:4200/api']);
add('PREFECT_SERVER_API_PORT', ['99999', '4200', 'http']);

// Rules that span settings (logging.py, _defaults.py), which differ by line.
const together = (values) => cases.push({ values });
together({ PREFECT_LOGGING_TO_API_BATCH_SIZE: '100', PREFECT_LOGGING_TO_API_MAX_LOG_SIZE: '1000' });
together({ PREFECT_LOGGING_TO_API_BATCH_SIZE: '1000', PREFECT_LOGGING_TO_API_MAX_LOG_SIZE: '1000' });
together({ PREFECT_LOGGING_TO_API_MAX_LOG_SIZE: '5000000' });
together({ PREFECT_SERVER_DATABASE_DRIVER: 'postgresql+asyncpg' });
together({ PREFECT_SERVER_DATABASE_DRIVER: 'postgresql+asyncpg', PREFECT_SERVER_DATABASE_HOST: 'db', PREFECT_SERVER_DATABASE_USER: 'u', PREFECT_SERVER_DATABASE_NAME: 'n' });
together({ PREFECT_SERVER_DATABASE_DRIVER: 'postgresql+asyncpg', PREFECT_SERVER_DATABASE_HOST: 'db', PREFECT_SERVER_DATABASE_USER: 'u', PREFECT_SERVER_DATABASE_NAME: 'n', PREFECT_SERVER_DATABASE_PASSWORD: 'p' });
together({ PREFECT_SERVER_DATABASE_DRIVER: 'postgresql+asyncpg', PREFECT_SERVER_DATABASE_CONNECTION_URL: 'postgresql+asyncpg://u:p@db/n' });
together({ PREFECT_SERVER_DATABASE_DRIVER: 'sqlite+aiosqlite' });
// Legacy names against canonical ones, and the README's import examples.
together({ PREFECT_API_SERVICES_SCHEDULER_MAX_RUNS: 'twenty' });
together({ PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME: '3600' });
together({ PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME: 'PT15M', PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS: '20' });

export const VALIDATION_CASES = cases;
