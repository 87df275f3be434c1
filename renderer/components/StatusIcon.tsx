/**
 * One status, one shape and one colour: a check (ok), a triangle (warn), a cross (fail), a dash
 * (skip), a spinner (pending). Shapes differ so the list reads without colour, too.
 */
export type Status = 'ok' | 'warn' | 'fail' | 'skip' | 'pending';

const LABELS: Record<Status, string> = {
  ok: 'OK',
  warn: 'Warning',
  fail: 'Failed',
  skip: 'Skipped',
  pending: 'Checking',
};

export function StatusIcon({ status, size = 16 }: { status: Status; size?: number }) {
  return (
    <svg
      className={`status-icon status-icon--${status}`}
      width={size}
      height={size}
      viewBox="0 0 16 16"
      role="img"
      aria-label={LABELS[status]}
    >
      {status === 'ok' && (
        <>
          <circle cx="8" cy="8" r="8" className="status-icon__bg" />
          <path d="M4.5 8.2l2.3 2.3 4.7-4.9" className="status-icon__fg" />
        </>
      )}
      {status === 'warn' && (
        <>
          <path d="M8 1.2l7.2 13.3H0.8z" className="status-icon__bg" />
          <path d="M8 6v3.8M8 11.9v.1" className="status-icon__fg" />
        </>
      )}
      {status === 'fail' && (
        <>
          <circle cx="8" cy="8" r="8" className="status-icon__bg" />
          <path d="M5.3 5.3l5.4 5.4M10.7 5.3l-5.4 5.4" className="status-icon__fg" />
        </>
      )}
      {status === 'skip' && (
        <>
          <circle cx="8" cy="8" r="7.25" className="status-icon__ring" />
          <path d="M5 8h6" className="status-icon__fg" />
        </>
      )}
      {status === 'pending' && (
        <>
          <circle cx="8" cy="8" r="6.5" className="status-icon__track" />
          <path d="M8 1.5a6.5 6.5 0 0 1 6.5 6.5" className="status-icon__spin" />
        </>
      )}
    </svg>
  );
}

export function statusLabel(status: Status): string {
  return LABELS[status];
}
