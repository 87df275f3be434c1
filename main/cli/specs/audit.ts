import type { CommandGroup } from '../spec';
import * as V from '../validators';

export const auditSpec: CommandGroup = {
  command: 'audit',
  subs: { '': { options: ['connection', 'limit'], values: { connection: V.connectionRef, limit: V.int(1, 1000, '50') } } },
};
