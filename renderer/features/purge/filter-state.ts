/** The Purge form's state and how it becomes the contract's PurgeFilter. */
import type { PurgeFilterInput, PurgeStateName } from '../../../shared/domain/purge';

export interface FilterState {
  olderThan: string;
  deployments: string[];
  workPools: string[];
  workQueues: string[];
  tags: string;
  states: Record<PurgeStateName, boolean>;
  includeManual: boolean;
  keepNewest: string;
  executor: 'auto' | 'sql' | 'api';
}

export const INITIAL_FILTER: FilterState = {
  olderThan: '30m',
  deployments: [],
  workPools: [],
  workQueues: [],
  tags: '',
  states: { Scheduled: true, Late: true },
  includeManual: false,
  keepNewest: '0',
  executor: 'auto',
};

export function toFilter(s: FilterState): PurgeFilterInput {
  const keep = Number(s.keepNewest || '0');
  return {
    olderThan: s.olderThan,
    deployments: s.deployments,
    workPools: s.workPools,
    workQueues: s.workQueues,
    tags: s.tags
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
    stateNames: (Object.keys(s.states) as PurgeStateName[]).filter((k) => s.states[k]),
    includeManual: s.includeManual,
    keepNewest: Number.isFinite(keep) ? Math.max(0, Math.floor(keep)) : 0,
  };
}
