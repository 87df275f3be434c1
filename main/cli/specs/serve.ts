import type { CommandGroup } from '../spec';
import { usageError } from '../spec';
import * as V from '../validators';
import { isLoopback } from '../../transport/web-guard';

export const serveSpec: CommandGroup = {
  command: 'serve',
  subs: {
    '': {
      options: ['host', 'port', 'no-open', 'allow-remote'],
      values: { host: V.host, port: V.port },
      check: (f) => {
        // SECURITY: listening beyond this machine is an explicit choice (issue #12, item 4).
        if (f.host !== undefined && !isLoopback(f.host) && !f['allow-remote']) {
          throw usageError(`--host "${f.host}"`, 'a loopback address (127.0.0.1, ::1, localhost), or --allow-remote to listen beyond this machine', '--host 0.0.0.0 --allow-remote', 'that listens beyond this machine');
        }
        if (f['allow-remote'] && (f.host === undefined || isLoopback(f.host))) {
          throw usageError('--allow-remote', 'it together with --host ADDRESS (the interface to listen on)', '--host 0.0.0.0 --allow-remote', 'without a --host beyond loopback it does nothing');
        }
      },
    },
  },
};
