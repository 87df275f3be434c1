import type { CheckId } from '../../../shared/domain/connection';

/**
 * Labels for the checks while a test runs; the report brings main's own labels, which these mirror
 * (main/core/connections/check-runner.ts). Keys are in CHECK_IDS order, and the Record type makes a
 * check added to the contract fail to compile here until it has a label.
 */
export const CHECK_LABELS: Record<CheckId, string> = {
  'api.url': 'API URL',
  'api.reachable': 'API reachable',
  'api.health': 'API health',
  'api.version': 'Prefect version',
  'api.auth': 'Authentication',
  'db.reachable': 'Database reachable',
  'db.prefect': 'Prefect database',
  'db.same-server': 'Database belongs to this server',
  'db.permissions': 'Database permissions',
};

export const CHECK_ORDER = Object.keys(CHECK_LABELS) as CheckId[];

export function checkRank(id: string): number {
  const i = CHECK_ORDER.indexOf(id as CheckId);
  return i < 0 ? CHECK_ORDER.length : i;
}
