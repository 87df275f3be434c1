import type { CommandGroup, CommandSpec } from '../spec';
import * as V from '../validators';
import { targetSpec } from './common';

const deployment = V.text('a deployment as flow/name, a unique deployment name, or its id', 'etl/orders-every-2m', 500);

const run: CommandSpec = targetSpec({
  options: ['older-than', 'deployment', 'work-pool', 'work-queue', 'tag', 'state', 'include-manual', 'keep-newest', 'executor', 'export', 'vacuum', 'batch-size', 'batch-target-ms', 'dry-run', 'yes'],
  values: {
    'older-than': V.olderThan,
    deployment,
    'work-pool': V.text('a work pool name', 'default-pool', 500),
    'work-queue': V.text('a work queue as pool/queue, or a unique queue name', 'default-pool/default', 500),
    tag: V.text('a tag', 'nightly', 500),
    state: V.oneOf(['Scheduled', 'Late'], { caseInsensitive: true }),
    'keep-newest': V.int(0, 100_000, '1'),
    executor: V.oneOf(['auto', 'sql', 'api']),
    export: V.outputFile('deleted-runs.jsonl', { createsFolders: true }),
    'batch-size': V.int(1, 5000, '500'),
    'batch-target-ms': V.int(10, 10_000, '200'),
  },
});

const plan = { name: 'PLAN_ID', validator: V.id };

export const purgeSpec: CommandGroup = {
  command: 'purge',
  subs: {
    '': run,
    run,
    status: { options: [], positionals: [plan] },
    resume: targetSpec(
      { options: ['batch-size', 'batch-target-ms'], positionals: [plan], values: { 'batch-size': V.int(1, 5000, '500'), 'batch-target-ms': V.int(10, 10_000, '200') } },
      { required: false },
    ),
  },
};
