/** Colour classes and labels shared by the Overview's parts (colours themselves live in overview.css). */
import type { Tone } from '../../components/Badge';
import type { Verdict } from '../../../shared/domain/inspect';

const KNOWN_TYPES = new Set(['SCHEDULED', 'PENDING', 'RUNNING', 'PAUSED', 'CANCELLING', 'COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED']);

export function stateClass(type: string | null): string {
  return `ov-state ov-state--${type && KNOWN_TYPES.has(type) ? type : 'OTHER'}`;
}

/** "COMPLETED" -> "Completed". */
export function typeLabel(type: string | null): string {
  if (!type) return 'Other';
  return type.charAt(0) + type.slice(1).toLowerCase();
}

export const VERDICT_TONE: Record<Verdict['kind'], Tone> = { fine: 'ok', reuse: 'accent', rewrite: 'warn', unknown: 'skip' };
export const VERDICT_LABEL: Record<Verdict['kind'], string> = {
  fine: 'fine',
  reuse: 'vacuum reuses it',
  rewrite: 'needs a rewrite',
  unknown: 'unknown',
};
