/**
 * "Export the deleted runs first" on a confirm step, and the result line after the job. Presentational:
 * the feature passes the face and the calls (renderer/api/exports.ts does the choosing and the download).
 * Test ids are prefixed with the feature (`purge-export-toggle`, `retention-export-toggle`, ...).
 */
import { useState } from 'react';
import { ErrorNotice, type ErrorLike } from './ErrorNotice';

export type ExportRequest = { exportFile?: string; keepExport?: boolean };

export function ExportChoice({ prefix, noun, desktop, onChoose, onChange, toError }: {
  /** Test id prefix and the job's name in the text: "purge", "retention". */
  prefix: string;
  noun: string;
  desktop: boolean;
  /** Desktop only: the save dialog; the chosen path or null when cancelled. */
  onChoose: () => Promise<string | null>;
  onChange: (req: ExportRequest, ready: boolean) => void;
  toError: (e: unknown) => ErrorLike;
}) {
  const [on, setOn] = useState(false);
  const [file, setFile] = useState<string | null>(null);
  const [error, setError] = useState<ErrorLike | null>(null);

  const toggle = (checked: boolean) => {
    setOn(checked);
    if (!checked) onChange({}, true);
    else if (desktop) onChange(file ? { exportFile: file } : {}, file !== null);
    else onChange({ keepExport: true }, true);
  };

  const choose = async () => {
    setError(null);
    try {
      const chosen = await onChoose();
      if (chosen) {
        setFile(chosen);
        onChange({ exportFile: chosen }, true);
      }
    } catch (e) {
      setError(toError(e));
    }
  };

  return (
    <div className="purge-export" data-testid={`${prefix}-export`}>
      <label className="check-line">
        <input type="checkbox" checked={on} onChange={(e) => toggle(e.target.checked)} data-testid={`${prefix}-export-toggle`} />
        First export the deleted runs and their states to a JSON-lines file
      </label>
      {on && desktop && (
        <div className="form__actions">
          <button type="button" className="btn btn--small" onClick={() => void choose()} data-testid={`${prefix}-export-choose`}>
            {file ? 'Change file…' : 'Choose file…'}
          </button>
          <span className="muted">{file ?? 'No file chosen yet.'}</span>
        </div>
      )}
      {on && !desktop && (
        <p className="muted" data-testid={`${prefix}-export-note`}>
          Kept in Housekeeper&apos;s data folder as the runs are deleted; download it when the {noun} ends.
        </p>
      )}
      {error && <ErrorNotice error={error} />}
    </div>
  );
}

/** After the job: the download of a kept export (web), or where the export was written. */
export function ExportResult({ prefix, file, downloadable, onDownload, toError }: {
  prefix: string;
  file: string;
  /** A kept export in the web face: offer the download instead of naming a path on the server. */
  downloadable: boolean;
  /** Downloads it; resolves to the name it was saved as. */
  onDownload: () => Promise<string>;
  toError: (e: unknown) => ErrorLike;
}) {
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<ErrorLike | null>(null);
  if (!downloadable) return <li data-testid={`${prefix}-export-file`}>Exported to {file}.</li>;

  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      setDone(await onDownload());
    } catch (e) {
      setError(toError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <li>
      Exported the deleted runs.{' '}
      <button type="button" className="btn btn--small" disabled={busy} onClick={() => void download()} data-testid={`${prefix}-export-download`}>
        {busy ? 'Preparing…' : 'Download the export'}
      </button>
      {done && <span className="muted"> Downloaded as {done}.</span>}
      {error && <ErrorNotice error={error} />}
    </li>
  );
}
