/**
 * `housekeeper retention`: plan and run a retention on a server's database, or through the Prefect
 * API where there is none (issue #14), then `status|resume PLAN_ID`, `maintenance` (what VACUUM and
 * a rewrite would give back), `vacuum`, `repack` (pg_repack, online) and `vacuum-full` (one table,
 * its name typed back).
 */
import { usageError, type CommandGroup, type CommandSpec } from '../spec';
import * as V from '../validators';
import { targetSpec } from './common';

const tuning = {
  'batch-size': V.int(1, 5000, '500'),
  'batch-target-ms': V.int(10, 10_000, '200'),
  'batch-pause-ms': V.int(0, 10_000, '0'),
};

const run: CommandSpec = targetSpec({
  options: ['older-than', 'deployment', 'state', 'keep-newest', 'events-older-than', 'no-events', 'orphans', 'executor', 'export', 'vacuum', 'batch-size', 'batch-target-ms', 'batch-pause-ms', 'dry-run', 'yes'],
  values: {
    executor: V.oneOf(['auto', 'sql', 'api']),
    'older-than': V.olderThan,
    'events-older-than': V.olderThan,
    deployment: V.text('a deployment as flow/name, a unique deployment name, or its id', 'etl/orders-every-2m', 500),
    state: V.oneOf(['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED'], { caseInsensitive: true }),
    'keep-newest': V.int(0, 10_000, '10'),
    export: V.outputFile('deleted-runs.jsonl', { createsFolders: true }),
    ...tuning,
  },
});

const plan = { name: 'PLAN_ID', validator: V.id };

const tables = V.oneOf(['flow_run', 'flow_run_state', 'task_run', 'task_run_state', 'log', 'artifact', 'artifact_collection', 'flow_run_input', 'events', 'event_resources']);

export const retentionSpec: CommandGroup = {
  command: 'retention',
  subs: {
    '': run,
    run,
    status: { options: [], positionals: [plan] },
    resume: targetSpec({ options: ['batch-size', 'batch-target-ms', 'batch-pause-ms', 'vacuum'], positionals: [plan], values: tuning }, { required: false }),
    maintenance: targetSpec({ options: [] }),
    vacuum: targetSpec({ options: ['table'], values: { table: tables } }),
    repack: targetSpec({
      options: ['table', 'yes'],
      values: { table: tables },
      check: (f) => {
        if (!(f.table ?? []).length) throw usageError('--table', 'the tables pg_repack rewrites (one or more)', '--table log', 'missing');
      },
    }),
    'vacuum-full': targetSpec({
      options: ['table', 'confirm'],
      values: { table: tables, confirm: V.text("the table's name, typed back", 'log', 100) },
      check: (f) => {
        if ((f.table ?? []).length !== 1) throw usageError('--table', 'exactly one table (VACUUM FULL rewrites one table at a time under an exclusive lock)', '--table log', 'missing or repeated');
      },
    }),
  },
};
