import type { CommandGroup, CommandSpec } from '../spec';
import { usageError } from '../spec';
import * as V from '../validators';
import { checkTarget, targetSpec, TARGET_VALUES } from './common';

const list: CommandSpec = { options: [] };

export const connectionsSpec: CommandGroup = {
  command: 'connections',
  subs: {
    '': list,
    list,
    add: {
      options: ['name', 'api', 'api-auth', 'api-key', 'db', 'read-only', 'allow-cleartext-password', 'test'],
      values: { ...TARGET_VALUES, name: V.connectionName },
      check: (f) => {
        if (!f.name) throw usageError('--name', 'a name for the connection', '--name prod', 'missing');
        if (!f.api) throw usageError('--api', 'the Prefect API URL', '--api http://127.0.0.1:4200/api', 'missing');
        checkTarget(f, true);
      },
    },
    test: targetSpec({ options: [] }),
    remove: {
      options: ['connection', 'yes'],
      positionals: [{ name: 'NAME', validator: V.connectionRef, optional: true }],
      values: { connection: V.connectionRef },
      check: (f, p) => {
        if (p[0] === undefined && !f.connection) throw usageError('NAME', V.connectionRef.expected, 'housekeeper connections remove prod', 'missing');
        if (p[0] !== undefined && f.connection) throw usageError('--connection', 'the name once (NAME or --connection NAME)', 'housekeeper connections remove prod', 'given twice');
      },
    },
  },
};
