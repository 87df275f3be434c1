/**
 * Export a revision: pick a format, preview the exact text, copy or download it, or write it to a
 * file on this machine. profiles.toml is merged into an existing file (other profiles kept, backup
 * made); the write is refused if the file changed since the preview.
 */
import { useState } from 'react';
import type { ExportPreviewView } from '../../../shared/contracts/profiles';
import { EXPORT_FORMATS, type ExportFormat, type ProfileView } from '../../../shared/domain/profiles';
import { saveLabel, saveTextFile } from '../../api/files';
import { useAction } from '../../api/hooks';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice } from '../../components/ErrorNotice';

const LABEL: Record<ExportFormat, string> = { toml: 'profiles.toml', env: '.env', compose: 'Compose', k8s: 'Kubernetes', helm: 'Helm', systemd: 'systemd' };

export function ExportPanel({ view }: { view: ProfileView }) {
  const [format, setFormat] = useState<ExportFormat>('toml');
  const [includeSecrets, setIncludeSecrets] = useState(false);
  const [path, setPath] = useState('');
  const [table, setTable] = useState(view.name);
  const [service, setService] = useState('');
  const [preview, setPreview] = useState<ExportPreviewView | null>(null);
  const [confirm, setConfirm] = useState(false);
  const [written, setWritten] = useState<string[] | null>(null);
  const previewAction = useAction('profiles.exportPreview');
  const write = useAction('profiles.exportWrite');

  const request = () => ({
    id: view.id,
    format,
    includeSecrets,
    options: { ...(format === 'toml' && table ? { profileName: table } : {}), ...(service ? { serviceName: service } : {}) },
    ...(path.trim() ? { path: path.trim() } : {}),
  });
  const doPreview = async () => {
    setWritten(null);
    setPreview(await previewAction.run(request()));
  };
  // Native Save dialog in the window, a download in the browser (renderer/api/files.ts).
  const save = async () => {
    if (!preview) return;
    try {
      const r = await saveTextFile({ suggestedName: preview.fileName, content: preview.content, title: 'Export settings' });
      if (r?.kind === 'saved') setWritten([`Saved ${r.path}.`]);
    } catch (e) {
      setWritten([`Could not save: ${(e as Error).message}`]);
    }
  };

  return (
    <div className="export" data-testid="export">
      <div className="field-grid">
        <label className="field">
          <span className="field__label">Format</span>
          <select className="input" value={format} onChange={(e) => { setFormat(e.target.value as ExportFormat); setPreview(null); }} data-testid="export-format">
            {EXPORT_FORMATS.map((f) => (
              <option key={f} value={f}>
                {LABEL[f]}
              </option>
            ))}
          </select>
        </label>
        {format === 'toml' ? (
          <label className="field">
            <span className="field__label">Profile name in the file</span>
            <input className="input" value={table} onChange={(e) => setTable(e.target.value)} />
          </label>
        ) : format !== 'env' && format !== 'systemd' ? (
          <label className="field">
            <span className="field__label">{format === 'compose' ? 'Service name' : 'Resource name prefix'}</span>
            <input className="input" value={service} placeholder={format === 'compose' ? 'prefect-server' : view.name} onChange={(e) => setService(e.target.value)} />
          </label>
        ) : null}
        <label className="field field--wide">
          <span className="field__label">Write to a file on this machine (optional)</span>
          <input className="input mono" value={path} placeholder={format === 'toml' ? '~/.prefect/profiles.toml' : 'leave empty to copy or download'} onChange={(e) => { setPath(e.target.value); setPreview(null); }} data-testid="export-path" />
        </label>
      </div>
      <label className="check-line">
        <input type="checkbox" checked={includeSecrets} onChange={(e) => { setIncludeSecrets(e.target.checked); setPreview(null); }} data-testid="export-secrets" />
        Include secret values (database URL, passwords, auth strings) in the output
      </label>
      <button type="button" className="btn btn--primary" onClick={() => void doPreview()} disabled={previewAction.running} data-testid="export-preview">
        Preview
      </button>
      {previewAction.error && <ErrorNotice error={previewAction.error} onDismiss={previewAction.clearError} />}
      {preview && (
        <div className="export__preview">
          {preview.errors.length > 0 && <div className="notice--warn">Prefect would reject {preview.errors.length} value(s); writing needs a forced export. Fix them in Settings first.</div>}
          {preview.notes.length > 0 && (
            <ul className="purge-notes">
              {preview.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
          {preview.target && (
            <p className="table-note">
              {preview.target.exists
                ? format === 'toml'
                  ? `${preview.target.path} exists: this ${preview.target.replaced ? 'replaces' : 'adds'} profile "${table}" and keeps ${preview.target.otherProfiles.length} other profile(s). A backup is made.`
                  : `${preview.target.path} exists and will be replaced (a backup is kept).`
                : `${preview.target.path} will be created (readable only by you).`}
            </p>
          )}
          <pre className="export__text mono" data-testid="export-text">{preview.content}</pre>
          <div className="page__actions">
            <button type="button" className="btn btn--small" onClick={() => void navigator.clipboard.writeText(preview.content)}>Copy</button>
            <button type="button" className="btn btn--small" onClick={() => void save()} data-testid="export-save">{saveLabel(preview.fileName)}</button>
            {preview.target && (
              <button type="button" className="btn btn--small btn--primary" onClick={() => setConfirm(true)} data-testid="export-write">
                Write {preview.target.path}
              </button>
            )}
          </div>
        </div>
      )}
      {written && <div className="notice notice--ok" data-testid="export-written">{written.join(' ')}</div>}
      {confirm && preview?.target && (
        <ConfirmDialog
          title={`Write ${preview.target.path}?`}
          confirmLabel={preview.errors.length ? 'Write anyway' : 'Write'}
          danger={preview.errors.length > 0}
          busy={write.running}
          error={write.error}
          onCancel={() => { setConfirm(false); write.clearError(); }}
          onConfirm={() =>
            void write
              .run({ ...request(), path: preview.target!.path, fingerprint: preview.target!.fingerprint, force: preview.errors.length > 0, overwrite: true })
              .then((r) => r && (setConfirm(false), setWritten([`Wrote ${r.path}.`, ...r.notes, 'Restart the server to apply.'])))
          }
        >
          {preview.target.exists ? 'The current file is backed up next to it first. ' : ''}
          If the file changed since the preview, nothing is written.
        </ConfirmDialog>
      )}
    </div>
  );
}
