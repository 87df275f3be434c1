/**
 * Import profiles.toml (one or all profiles), .env, a compose service's environment, Kubernetes
 * ConfigMap/Secret, Helm values or a systemd EnvironmentFile. The file is picked with the native
 * dialog in the window or the browser's picker in web mode (renderer/api/files.ts), or pasted; its
 * text is parsed in main. Before anything is saved the dialog lists every setting it is about to
 * import with Prefect's verdict for the chosen line (issue #13 item 3); values Prefect rejects
 * import only when the user ticks "Import anyway", as the CLI needs --force.
 *
 * Its own wide <dialog> (not ConfirmDialog's 520 px): a settings table needs the room, and the body
 * scrolls while the actions stay in view.
 */
import { useEffect, useRef, useState } from 'react';
import type { ImportPreview } from '../../../shared/contracts/profiles';
import { IMPORT_FORMATS, type ImportFormat, type ProfileIssue } from '../../../shared/domain/profiles';
import { LATEST_LINE, lineVersion, PREFECT_LINES, type PrefectLine } from '../../../shared/domain/settings-catalog';
import { openTextFile } from '../../api/files';
import { useAction } from '../../api/hooks';
import { ErrorNotice } from '../../components/ErrorNotice';
import { plural } from '../../lib/format';

const FORMAT_LABEL: Record<ImportFormat, string> = {
  toml: 'profiles.toml',
  env: '.env',
  compose: 'docker-compose',
  k8s: 'Kubernetes ConfigMap/Secret',
  helm: 'Helm values',
  systemd: 'systemd EnvironmentFile',
};

function guess(name: string): ImportFormat | null {
  const f = name.toLowerCase();
  if (f.endsWith('.toml')) return 'toml';
  if (f.includes('compose')) return 'compose';
  if (f.includes('values')) return 'helm';
  if (/\.ya?ml$/.test(f)) return 'k8s';
  if (f.endsWith('.env') || f.startsWith('.env')) return 'env';
  return null;
}

type Verdict = { tone: 'ok' | 'warn' | 'fail'; text: string };

/** The row already names the setting: "X: msg" reads as "msg". */
const bare = (name: string, message: string) => (message.startsWith(`${name}: `) ? message.slice(name.length + 2) : message);

function verdictOf(name: string, issues: ProfileIssue[]): Verdict {
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length) return { tone: 'fail', text: `Rejected: ${errors.map((i) => bare(name, i.message)).join(' ')}` };
  if (issues.length) return { tone: 'warn', text: issues.map((i) => bare(name, i.message)).join(' ') };
  return { tone: 'ok', text: 'Accepted' };
}

export function ImportDialog({ onClose, onImported }: { onClose: () => void; onImported: (id: string) => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [format, setFormat] = useState<ImportFormat>('toml');
  const [line, setLine] = useState<PrefectLine>(LATEST_LINE);
  const [content, setContent] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [chosen, setChosen] = useState<Record<string, boolean>>({});
  const [names, setNames] = useState<Record<string, string>>({});
  const [asRevision, setAsRevision] = useState(false);
  const [force, setForce] = useState(false);
  const previewAction = useAction('profiles.importPreview');
  const importAction = useAction('profiles.import');
  const busy = previewAction.running || importAction.running;

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);

  const reset = () => {
    setPreview(null);
    setForce(false);
    previewAction.clearError();
    importAction.clearError();
  };
  const [fileError, setFileError] = useState<string | null>(null);
  const chooseFile = async () => {
    setFileError(null);
    try {
      // Filters are '*' too: dotfiles such as `.env` have no extension to filter on.
      const f = await openTextFile({ title: 'Import settings', filters: [{ name: 'Settings files', extensions: ['toml', 'env', 'yaml', 'yml', 'conf'] }, { name: 'All files', extensions: ['*'] }] });
      if (!f) return;
      const g = guess(f.name);
      if (g) setFormat(g);
      setFileName(f.name);
      setContent(f.content);
      reset();
    } catch (e) {
      setFileError((e as Error).message);
    }
  };
  const source = () => ({ format, content, line, ...(fileName ? { fileName } : {}) });
  const doPreview = async () => {
    const p = await previewAction.run(source());
    setPreview(p);
    if (p) {
      setChosen(Object.fromEntries(p.profiles.map((x) => [x.name, true])));
      setNames(Object.fromEntries(p.profiles.map((x) => [x.name, x.name])));
    }
  };
  const selected = preview?.profiles.filter((p) => chosen[p.name]) ?? [];
  const rejected = selected.reduce((n, p) => n + p.issues.filter((i) => i.severity === 'error').length, 0);
  const doImport = async () => {
    if (!preview) return;
    const select = selected.map((p) => p.name);
    const rename = Object.fromEntries(select.filter((n) => names[n] && names[n] !== n).map((n) => [n, names[n]!]));
    const r = await importAction.run({ source: source(), select, rename, onExisting: asRevision ? 'revision' : 'refuse', force: rejected > 0 && force });
    if (r && r.imported[0]) onImported(r.imported[0].id);
  };
  const error = previewAction.error ?? importAction.error;

  return (
    <dialog
      ref={ref}
      className="dialog import-dialog"
      aria-labelledby="import-title"
      data-testid="import-dialog"
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onClose();
      }}
    >
      <h2 id="import-title" className="dialog__title">
        Import settings
      </h2>
      <div className="import-dialog__body">
        <div className="import__source">
          <div className="field">
            <span className="field__label">File</span>
            <span className="page__actions">
              <button type="button" className="btn btn--small" onClick={() => void chooseFile()} disabled={busy} data-testid="import-file">
                Choose a file…
              </button>
              {fileName && <span className="muted mono" data-testid="import-file-name">{fileName}</span>}
            </span>
            {fileError && <span className="notice--warn">{fileError}</span>}
          </div>
          <label className="field">
            <span className="field__label">Format</span>
            <select className="input" value={format} onChange={(e) => { setFormat(e.target.value as ImportFormat); reset(); }} data-testid="import-format">
              {IMPORT_FORMATS.map((f) => (
                <option key={f} value={f}>
                  {FORMAT_LABEL[f]}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="field__label">Check for Prefect</span>
            <select className="input" value={line} onChange={(e) => { setLine(e.target.value as PrefectLine); reset(); }} data-testid="import-line">
              {[...PREFECT_LINES].reverse().map((l) => (
                <option key={l} value={l}>
                  {l}.x ({lineVersion(l)})
                </option>
              ))}
            </select>
          </label>
        </div>
        <label className="field">
          <span className="field__label">…or paste the file’s text{fileName ? ` (read from ${fileName})` : ''}</span>
          <textarea
            className="input mono import__text"
            rows={preview ? 5 : 10}
            spellCheck={false}
            value={content}
            onChange={(e) => { setContent(e.target.value); setFileName(null); reset(); }}
            data-testid="import-text"
          />
        </label>
        {!preview && <p className="table-note">Choose a file or paste its text, then Check: every setting is listed with Prefect’s verdict before anything is saved.</p>}
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
              const warnings = p.issues.length - errors;
              const named = new Set(p.values.map((v) => v.name));
              const loose = p.issues.filter((i) => !named.has(i.name));
              return (
                <section key={p.name} className="import__profile" data-testid={`import-profile-${p.name}`}>
                  <div className="import__head">
                    <label className="check-line">
                      <input type="checkbox" checked={chosen[p.name] ?? false} onChange={(e) => setChosen({ ...chosen, [p.name]: e.target.checked })} />
                      Import “{p.name}” as
                    </label>
                    <input className="input input--narrow" value={names[p.name] ?? ''} onChange={(e) => setNames({ ...names, [p.name]: e.target.value })} aria-label={`Name for ${p.name}`} />
                    <span className={`import__status import__status--${errors ? 'fail' : warnings ? 'warn' : 'ok'}`} data-testid={`import-status-${p.name}`}>
                      {plural(p.values.length, 'setting')} for Prefect {p.line}:{' '}
                      {errors ? `${errors} rejected` : 'all accepted'}
                      {warnings ? `, ${plural(warnings, 'warning')}` : ''}
                      {p.exists ? '; a profile with this name exists' : ''}
                    </span>
                  </div>
                  <table className="table table--compact import__settings">
                    <thead>
                      <tr>
                        <th>Setting</th>
                        <th>Value</th>
                        <th>Prefect {p.line}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {p.values.map((v) => {
                        const verdict = verdictOf(v.name, p.issues.filter((i) => i.name === v.name));
                        return (
                          <tr key={v.name} className={`import__verdict--${verdict.tone}`} data-testid={`import-setting-${v.name}`}>
                            <td className="mono">{v.name}</td>
                            <td className="mono">{v.secret ? '•••••• (secret, stored encrypted)' : v.value === '' ? '(empty)' : v.value}</td>
                            <td>{verdict.text}</td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                  {loose.length > 0 && (
                    <ul className="pending__errors">
                      {loose.map((i) => (
                        <li key={`${i.name}:${i.code}`} className={i.severity === 'error' ? 'import__verdict--fail' : 'import__verdict--warn'}>
                          {i.message}
                        </li>
                      ))}
                    </ul>
                  )}
                </section>
              );
            })}
            {preview.profiles.some((p) => p.exists) && (
              <label className="check-line">
                <input type="checkbox" checked={asRevision} onChange={(e) => setAsRevision(e.target.checked)} />
                Save into existing profiles of the same name as a new revision (their history is kept)
              </label>
            )}
            {rejected > 0 && (
              <label className="check-line notice--warn" data-testid="import-anyway-line">
                <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} data-testid="import-anyway" />
                Import anyway, with {rejected === 1 ? 'the value' : `the ${rejected} values`} Prefect rejects (exports refuse them until fixed)
              </label>
            )}
          </div>
        )}
      </div>
      {error && <ErrorNotice error={error} />}
      <div className="dialog__actions">
        <button type="button" className="btn" onClick={onClose} disabled={busy} autoFocus>
          Cancel
        </button>
        {preview ? (
          <button
            type="button"
            className={`btn ${rejected ? 'btn--danger' : 'btn--primary'}`}
            onClick={() => void doImport()}
            disabled={busy || selected.length === 0 || (rejected > 0 && !force)}
            data-testid="import-confirm"
          >
            {importAction.running ? 'Importing…' : `Import ${plural(selected.length, 'profile')}`}
          </button>
        ) : (
          <button type="button" className="btn btn--primary" onClick={() => void doPreview()} disabled={busy || content.trim() === ''} data-testid="import-check">
            {previewAction.running ? 'Checking…' : 'Check'}
          </button>
        )}
      </div>
    </dialog>
  );
}
