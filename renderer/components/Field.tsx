import type { ReactNode } from 'react';

/** A labelled form row: label, control, one line of help, and the error for this field. */
export function Field({
  label,
  htmlFor,
  help,
  error,
  children,
  wide,
}: {
  label: string;
  htmlFor?: string;
  help?: ReactNode;
  error?: string | undefined;
  children: ReactNode;
  wide?: boolean;
}) {
  return (
    <div className={`field${wide ? ' field--wide' : ''}${error ? ' field--invalid' : ''}`}>
      <label className="field__label" htmlFor={htmlFor}>
        {label}
      </label>
      <div className="field__control">{children}</div>
      {error && <div className="field__error">{error}</div>}
      {help && <div className="field__help">{help}</div>}
    </div>
  );
}
