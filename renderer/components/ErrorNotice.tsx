/**
 * How every error looks: what went wrong (the message), what to do about it (the hint, in bold
 * enough type to find during an incident), and the code small for bug reports and scripts.
 */
import type { ReactNode } from 'react';

export interface ErrorLike {
  code: string;
  message: string;
  hint?: string | undefined;
}

export function ErrorNotice({
  error,
  title,
  onDismiss,
  children,
}: {
  error: ErrorLike;
  title?: string;
  onDismiss?: () => void;
  children?: ReactNode;
}) {
  return (
    <div className="notice notice--fail" role="alert" data-testid="error">
      <div className="notice__body">
        {title && <div className="notice__title">{title}</div>}
        <div className="notice__message" data-testid="error-message">
          {error.message}
        </div>
        {error.hint && (
          <div className="notice__hint" data-testid="error-hint">
            {error.hint}
          </div>
        )}
        {children}
        <div className="notice__code" data-testid="error-code">
          {error.code}
        </div>
      </div>
      {onDismiss && (
        <button type="button" className="notice__close" onClick={onDismiss} aria-label="Dismiss">
          ×
        </button>
      )}
    </div>
  );
}
