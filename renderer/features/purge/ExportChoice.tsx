/**
 * Where the export of the deleted runs goes, per face. The page never types a path on the machine
 * that runs Housekeeper: in local web mode that is refused (main/transport/web-policy.ts), so the
 * purge keeps its export in Housekeeper's data folder and the page downloads it afterwards
 * (purge.exportChunk); in the desktop window the operating system's save dialog picks the file.
 * Either way the export is written before each batch commits and a resume keeps adding to it.
 */
import { useState } from 'react';
import { call, face, type ClientError } from '../../api/client';
import { toClientError } from '../../api/errors';
import { saveTextFile } from '../../api/files';
import { ErrorNotice } from '../../components/ErrorNotice';

/** What the confirm step adds to purge.execute. */
export type ExportRequest = { exportFile?: string; keepExport?: boolean };

export function ExportChoice({ planId, onChange }: { planId: string; onChange: (req: ExportRequest, ready: boolean) => void }) {
  const [on, setOn] = useState(false);
  const [file, setFile] = useState<string | null>(null);
  const [error, setError] = useState<ClientError | null>(null);
  const desktop = face() === 'electron';

  const toggle = (checked: boolean) => {
    setOn(checked);
    if (!checked) onChange({}, true);
    else if (desktop) onChange(file ? { exportFile: file } : {}, file !== null);
    else onChange({ keepExport: true }, true);
  };

  const choose = async () => {
    setError(null);
    try {
      // The dialog creates the (empty) file now; the purge appends each batch's runs to it.
      const r = await saveTextFile({
        suggestedName: `purge-${planId.slice(0, 8)}-deleted-runs.jsonl`,
        content: '',
        title: 'Export the deleted runs to',
        filters: [{ name: 'JSON lines', extensions: ['jsonl'] }],
      });
      if (r?.kind === 'saved') {
        setFile(r.path);
        onChange({ exportFile: r.path }, true);
      }
    } catch (e) {
      setError(toClientError(e));
    }
  };

  return (
    <div className="purge-export" data-testid="purge-export">
      <label className="check-line">
        <input type="checkbox" checked={on} onChange={(e) => toggle(e.target.checked)} data-testid="purge-export-toggle" />
        First export the deleted runs and their states to a JSON-lines file
      </label>
      {on && desktop && (
        <div className="form__actions">
          <button type="button" className="btn btn--small" onClick={() => void choose()} data-testid="purge-export-choose">
            {file ? 'Change file…' : 'Choose file…'}
          </button>
          <span className="muted">{file ?? 'No file chosen yet.'}</span>
        </div>
      )}
      {on && !desktop && (
        <p className="muted" data-testid="purge-export-note">
          Kept in Housekeeper&apos;s data folder as the runs are deleted; download it when the purge ends.
        </p>
      )}
      {error && <ErrorNotice error={error} />}
    </div>
  );
}

/** After the purge: the download of a kept export (web), or where the export was written. */
export function ExportResult({ planId, file }: { planId: string; file: string }) {
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<ClientError | null>(null);
  const kept = /[\\/]purge-exports[\\/]purge-[0-9a-f-]+\.jsonl$/i.test(file) && file.includes(planId);
  if (face() === 'electron' || !kept) return <li>Exported to {file}.</li>;

  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      const parts: string[] = [];
      let offset: number | null = 0;
      let name = 'deleted-runs.jsonl';
      while (offset !== null) {
        const c: { name: string; content: string; nextOffset: number | null } = await call('purge.exportChunk', { planId, offset });
        parts.push(c.content);
        name = c.name;
        offset = c.nextOffset;
      }
      await saveTextFile({ suggestedName: name, content: parts.join(''), mime: 'application/x-ndjson' });
      setDone(name);
    } catch (e) {
      setError(toClientError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <li>
      Exported the deleted runs.{' '}
      <button type="button" className="btn btn--small" disabled={busy} onClick={() => void download()} data-testid="purge-export-download">
        {busy ? 'Preparing…' : 'Download the export'}
      </button>
      {done && <span className="muted"> Downloaded as {done}.</span>}
      {error && <ErrorNotice error={error} />}
    </li>
  );
}
