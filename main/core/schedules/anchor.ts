/** The anchor of a recreate: "now" (the server's clock, whole seconds) or an ISO 8601 time. */
import { AppError } from '../../../shared/errors';
import { parseInstant } from '../../../shared/schedules/instant';

export function resolveAnchor(given: string | undefined, now: number): { anchor: number; given: string } {
  const text = (given ?? 'now').trim();
  if (text === '' || text.toLowerCase() === 'now') return { anchor: Math.floor(now / 1000) * 1000, given: 'now' };
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) {
    throw new AppError('VALIDATION', `The anchor "${text}" is not a date.`, { hint: 'Use now, or an ISO 8601 time such as 2026-11-30T09:00:00+01:00 (UTC when no offset is given).' });
  }
  const t = parseInstant(text, 'UTC');
  if (Number.isNaN(t)) {
    throw new AppError('VALIDATION', `The anchor "${text}" is not a date.`, { hint: 'Use now, or an ISO 8601 time such as 2026-11-30T09:00:00+01:00 (UTC when no offset is given).' });
  }
  return { anchor: t, given: text };
}
