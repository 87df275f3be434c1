/** Hand-made diagnosis evidence for the checks' unit tests: nothing read, then what a test sets. */
import type { Evidence } from '../../../shared/domain/diagnose';

export function evidenceWith(parts: Partial<Evidence> = {}): Evidence {
  return {
    now: Date.now(),
    version: null,
    olderThan: {},
    database: 'none',
    settings: null,
    scheduler: null,
    list: null,
    sim: null,
    recommended: {},
    report: null,
    pg: null,
    logs: null,
    api: null,
    processes: { count: 1, basis: 'assumed', evidence: 'x' },
    pauseDeletesBacklog: null,
    missing: {},
    ...parts,
  };
}
