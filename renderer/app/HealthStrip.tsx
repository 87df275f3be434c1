/**
 * The health strip at the top of every screen: is the Prefect API answering, is the database, and
 * when each last answered. During an incident this is the line that says "the API is hung" before
 * anything else on the page can mislead (a saved report still naming "Prefect 3.9.1", say).
 */
import type { HealthPart } from '../../shared/domain/health';
import { useCurrentConnection } from '../api/connections';
import { checkHealth, HEALTH_POLL_MS, useHealth } from '../api/health';
import { formatDateTime, formatRelative } from '../lib/format';

const WORD: Record<HealthPart['status'], string> = {
  ok: 'answering',
  slow: 'slow',
  down: 'not answering',
  auth: 'refused the credentials',
  error: 'error',
  none: 'not configured',
};

const TONE: Record<HealthPart['status'], string> = { ok: 'ok', slow: 'warn', down: 'fail', auth: 'fail', error: 'fail', none: 'skip' };

function Part({ name, part, testId }: { name: string; part: HealthPart; testId: string }) {
  const bad = part.status !== 'ok' && part.status !== 'none';
  return (
    <div className={`health__part health__part--${TONE[part.status]}`} data-testid={testId} data-status={part.status} title={part.message ?? undefined}>
      <span className="health__dot" aria-hidden="true" />
      <span className="health__name">{name}</span>
      <span className="health__value">
        {part.status === 'ok' ? part.label : WORD[part.status]}
        {part.latencyMs !== null && part.status === 'ok' ? <span className="health__ms"> · {part.latencyMs} ms</span> : null}
      </span>
      {bad && (
        <span className="health__since">
          {part.message ? `${part.message} ` : ''}
          {part.lastOkAt ? `Last answered ${formatDateTime(part.lastOkAt)} (${formatRelative(part.lastOkAt)}).` : 'No good answer since Housekeeper started.'}
        </span>
      )}
    </div>
  );
}

export function HealthStrip() {
  const conn = useCurrentConnection();
  const { health, checking, error } = useHealth(conn?.id ?? null);
  if (!conn) return null;
  return (
    <div className="health" role="status" aria-label={`Health of ${conn.name}`} data-testid="health-strip">
      {health ? (
        <>
          <Part name="API" part={health.api} testId="health-api" />
          <Part name="Database" part={health.database} testId="health-db" />
          <span className="health__checked" title={`Checked every ${HEALTH_POLL_MS / 1000} s; each part gets ${health.timeoutMs / 1000} s to answer`} data-testid="health-checked">
            checked {formatRelative(health.checkedAt)}
          </span>
        </>
      ) : error ? (
        <span className="health__part health__part--fail">Could not check: {error.message}</span>
      ) : (
        <span className="health__checked">Checking {conn.name}…</span>
      )}
      <button type="button" className="health__refresh" onClick={() => void checkHealth()} disabled={checking} data-testid="health-refresh">
        {checking ? 'checking…' : 'check now'}
      </button>
    </div>
  );
}
