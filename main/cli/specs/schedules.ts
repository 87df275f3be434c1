import type { CommandGroup, CommandSpec } from '../spec';
import { usageError } from '../spec';
import * as V from '../validators';
import { targetSpec } from './common';

const deployment = V.text('a deployment as flow/name', 'etl/orders-every-2m', 500);
const settingsFrom = (f: { defaults?: boolean; profile?: string[] }) => {
  if (f.defaults && f.profile?.length) throw usageError('--profile', 'either --profile NAME or --defaults, not both', '--defaults', 'given together with --defaults');
  if ((f.profile?.length ?? 0) > 1) throw usageError('--profile', 'one saved profile', '--profile production', 'given more than once');
};
const profile = V.text('a saved profile name', 'production', 100);

const list: CommandSpec = targetSpec({ options: ['deployment', 'profile', 'defaults'], values: { deployment, profile }, check: settingsFrom });

const change = (withAnchor: boolean): CommandSpec =>
  targetSpec({
    options: ['deployment', 'keep-newest', 'dry-run', 'yes', ...(withAnchor ? (['anchor'] as const) : [])],
    values: { deployment, 'keep-newest': V.int(0, 10_000, '1'), anchor: V.anchor },
  });

export const schedulesSpec: CommandGroup = {
  command: 'schedules',
  subs: {
    '': list,
    list,
    simulate: targetSpec({
      options: ['deployment', 'profile', 'defaults', 'set', 'horizon'],
      values: { deployment, profile, set: V.schedulerOverride, horizon: V.horizonHours },
      check: settingsFrom,
    }),
    changes: targetSpec({ options: ['limit'], values: { limit: V.int(1, 500, '50') } }),
    status: { options: [], positionals: [{ name: 'PLAN_ID', validator: V.id }] },
    recreate: change(true),
    reset: change(true),
    pause: change(false),
    resume: change(false),
    restore: targetSpec({
      options: ['change', 'dry-run', 'yes', 'deployment', 'keep-newest'],
      positionals: [{ name: 'CHANGE_ID', validator: V.id, optional: true }],
      values: { change: V.id, deployment, 'keep-newest': V.int(0, 10_000, '1') },
      check: (f, p) => {
        if (!f.change && p[0] === undefined) throw usageError('--change', 'the id of a change (see `housekeeper schedules changes`)', '--change 3f2a…', 'missing');
        if (f.change && p[0] !== undefined) throw usageError('--change', 'the change id once (--change ID or ID)', '--change 3f2a…', 'given twice');
      },
    }),
  },
};
