/**
 * A wait stated honestly (issue #13 item 13): what it waits for, how long it has waited, the most it
 * will wait (the request's one stated timeout, after which main gives up and cancels the work), and a
 * Cancel that stops it now. Presentational: the caller passes what useRequest / useAction expose.
 */
import { useEffect, useState } from 'react';

export function Waiting({ label, startedAt, timeoutMs, onCancel, testId }: { label: string; startedAt: number | null; timeoutMs: number; onCancel?: () => void; testId?: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const waited = startedAt === null ? 0 : Math.max(0, Math.floor((now - startedAt) / 1000));
  return (
    <div className="waiting" role="status" data-testid={testId ?? 'waiting'}>
      <span className="spinner__dot" aria-hidden="true" />
      <span className="waiting__label">{label}</span>
      <span className="waiting__time">
        {waited} s, gives up after {Math.round(timeoutMs / 1000)} s
      </span>
      {onCancel && (
        <button type="button" className="btn btn--small" onClick={onCancel} data-testid="waiting-cancel">
          Cancel
        </button>
      )}
    </div>
  );
}
