import type { CommandGroup } from '../spec';
import { usageError } from '../spec';
import * as V from '../validators';
import { targetSpec } from './common';

export const inspectSpec: CommandGroup = {
  command: 'inspect',
  subs: {
    '': targetSpec({
      options: ['format', 'output', 'exact'],
      values: { format: V.oneOf(['json', 'md', 'csv']), output: V.outputFile('report.md') },
      check: (f) => {
        if (f.output && !f.format) throw usageError('--output', '--format json|md|csv with it', '--format md --output report.md', 'needs --format');
      },
    }),
    history: targetSpec({ options: ['limit'], values: { limit: V.int(1, 2000, '30') } }),
  },
};
