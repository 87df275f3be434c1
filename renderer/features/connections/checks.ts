import { CHECK_LABELS, type CheckId } from '../../../shared/domain/connection';

/** Check labels come from shared/domain/connection.ts (main's report uses the same ones). */
export { CHECK_LABELS };

export const CHECK_ORDER = Object.keys(CHECK_LABELS) as CheckId[];

export function checkRank(id: string): number {
  const i = CHECK_ORDER.indexOf(id as CheckId);
  return i < 0 ? CHECK_ORDER.length : i;
}
