/**
 * Import profiles.toml (one or all profiles), .env, a compose service's environment, Kubernetes
 * ConfigMap/Secret, Helm values or a systemd EnvironmentFile. The file is picked with the native
 * dialog in the window or the browser's picker in web mode (renderer/api/files.ts); its text is
 * parsed in main; a preview shows each profile found with Prefect's verdict before anything is saved.
 */
import { useState } from 'react';
import type { ImportPreview } from '../../../shared/contracts/profiles';
import { IMPORT_FORMATS, type ImportFormat } from '../../../shared/domain/profiles';
import { openTextFile } from '../../api/files';
import { useAction } from '../../api/hooks';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { plural } from '../../lib/format';

function guess(name: string): ImportFormat | null {
  const f = name.toLowerCase();
  if (f.endsWith('.toml')) return 'toml';
  if (f.includes('compose')) return 'compose';
  if (f.includes('values')) return 'helm';
  if (/\.ya?ml$/.test(f)) return 'k8s';
  if (f.endsWith('.env') || f.startsWith('.env')) return 'env';
  return null;
}

export function ImportDialog({ onClose, onImported }: { onClose: () => void; onImported: (id: string) => void }) {
  const [format, setFormat] = useState<ImportFormat>('toml');
  const [content, setContent] = useState('');
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [chosen, setChosen] = useState<Record<string, boolean>>({});
  const [names, setNames] = useState<Record<string, string>>({});
  const [asRevision, setAsRevision] = useState(false);
  const previewAction = useAction('profiles.importPreview');
  const importAction = useAction('profiles.import');

  const [fileName, setFileName] = useState<string | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const chooseFile = async () => {
    setFileError(null);
    try {
      const f = await openTextFile({ title: 'Import settings', filters: [{ name: 'Settings files', extensions: ['toml', 'env', 'yaml', 'yml', 'conf'] }] });
      if (!f) return;
      const g = guess(f.name);
      if (g) setFormat(g);
      setFileName(f.name);
      setContent(f.content);
      setPreview(null);
    } catch (e) {
      setFileError((e as Error).message);
    }
  };
  const doPreview = async () => {
    const p = await previewAction.run({ format, content });
    setPreview(p);
    if (p) {
      setChosen(Object.fromEntries(p.profiles.map((x) => [x.name, true])));
      setNames(Object.fromEntries(p.profiles.map((x) => [x.name, x.name])));
    }
  };
  const doImport = async () => {
    if (!preview) return;
    const select = preview.profiles.filter((p) => chosen[p.name]).map((p) => p.name);
    const rename = Object.fromEntries(select.filter((n) => names[n] && names[n] !== n).map((n) => [n, names[n]!]));
    const r = await importAction.run({ source: { format, content }, select, rename, onExisting: asRevision ? 'revision' : 'refuse' });
    if (r && r.imported[0]) onImported(r.imported[0].id);
  };

  return (
    <ConfirmDialog
      title="Import settings"
      confirmLabel={preview ? 'Import' : 'Preview'}
      busy={previewAction.running || importAction.running}
      error={previewAction.error ?? importAction.error}
      onCancel={onClose}
      onConfirm={() => void (preview ? doImport() : doPreview())}
    >
      <div className="import" data-testid="import-dialog">
        <label className="field">
          <span className="field__label">File</span>
          <span className="page__actions">
            <button type="button" className="btn btn--small" onClick={() => void chooseFile()} data-testid="import-file">
              Choose a file…
            </button>
            {fileName && <span className="muted mono">{fileName}</span>}
          </span>
          {fileError && <span className="notice--warn">{fileError}</span>}
        </label>
        <label className="field">
          <span className="field__label">Format</span>
          <select className="input" value={format} onChange={(e) => { setFormat(e.target.value as ImportFormat); setPreview(null); }} data-testid="import-format">
            {IMPORT_FORMATS.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">…or paste it</span>
          <textarea className="input mono import__text" rows={6} value={content} onChange={(e) => { setContent(e.target.value); setPreview(null); }} data-testid="import-text" />
        </label>
        {preview && (
          <div className="import__preview" data-testid="import-preview">
            {preview.notes.length > 0 && (
              <ul className="purge-notes">
                {preview.notes.map((n) => (
                  <li key={n}>{n}</li>
                ))}
              </ul>
            )}
            {preview.profiles.map((p) => {
              const errors = p.issues.filter((i) => i.severity === 'error').length;
              return (
                <div key={p.name} className="import__row">
                  <label className="check-line">
                    <input type="checkbox" checked={chosen[p.name] ?? false} onChange={(e) => setChosen({ ...chosen, [p.name]: e.target.checked })} />
                    {plural(p.values.length, 'setting')} from “{p.name}”
                  </label>
                  <input className="input input--narrow" value={names[p.name] ?? ''} onChange={(e) => setNames({ ...names, [p.name]: e.target.value })} aria-label={`Name for ${p.name}`} />
                  <span className="table-note">
                    {errors ? `${errors} value(s) Prefect rejects` : 'valid'}
                    {p.issues.length - errors > 0 ? `, ${p.issues.length - errors} warning(s)` : ''}
                    {p.exists ? ' · a profile with this name exists' : ''}
                  </span>
                </div>
              );
            })}
            {preview.profiles.some((p) => p.exists) && (
              <label className="check-line">
                <input type="checkbox" checked={asRevision} onChange={(e) => setAsRevision(e.target.checked)} />
                Save into existing profiles of the same name as a new revision (their history is kept)
              </label>
            )}
          </div>
        )}
        {!preview && !content && <p className="table-note">Choose a file or paste its text, then Preview.</p>}
      </div>
    </ConfirmDialog>
  );
}
