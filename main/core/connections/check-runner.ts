/**
 * Runs one connection check: times it, and turns a thrown error into a 'fail' with the error's message
 * and hint, so a check body only describes success and the expected failures.
 */
import { CHECK_LABELS, type Check, type CheckId, type CheckStatus } from '../../../shared/domain/connection';
import { AppError, toAppError } from '../../../shared/errors';
import { redact } from '../log/redact';

export interface CheckOutcome {
  status: CheckStatus;
  detail: string;
  hint?: string;
}

export { CHECK_LABELS };

export function skip(detail: string): CheckOutcome {
  return { status: 'skip', detail };
}

export function failFrom(e: unknown): CheckOutcome {
  const a = toAppError(e);
  return { status: 'fail', detail: a.message, ...(a.hint ? { hint: a.hint } : {}) };
}

export async function runCheck(id: CheckId, body: () => Promise<CheckOutcome> | CheckOutcome, signal?: AbortSignal): Promise<Check> {
  const started = performance.now();
  let outcome: CheckOutcome;
  try {
    outcome = await body();
  } catch (e) {
    // A cancel stops the whole test: it is not a failed check.
    if ((e instanceof AppError && e.code === 'CANCELLED') || signal?.aborted) throw new AppError('CANCELLED', 'The connection test was cancelled.');
    outcome = failFrom(e);
  }
  const check: Check = {
    id,
    label: CHECK_LABELS[id],
    status: outcome.status,
    detail: redact(outcome.detail),
    durationMs: Math.round(performance.now() - started),
  };
  if (outcome.hint) check.hint = redact(outcome.hint);
  return check;
}
