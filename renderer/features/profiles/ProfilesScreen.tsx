/**
 * Profiles: named sets of Prefect server settings kept in the local store, every save a revision.
 * Left, the profiles; right, the selected one with its settings (catalog, validation, presets),
 * history, import/export and drift against a live server.
 */
import { useState } from 'react';
import '../../styles/profiles.css';
import { useAction, useRequest } from '../../api/hooks';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Spinner } from '../../components/Spinner';
import { href, navigate } from '../../lib/router';
import { plural } from '../../lib/format';
import { ImportDialog } from './ImportDialog';
import { ProfileEditor } from './ProfileEditor';

export function ProfilesScreen({ path }: { path: string[] }) {
  const [selected] = path;
  const [nonce, setNonce] = useState(0);
  const list = useRequest('profiles.list', { includeDeleted: false }, String(nonce));
  const create = useAction('profiles.create');
  const [newName, setNewName] = useState('');
  const [importing, setImporting] = useState(false);
  const refresh = () => setNonce((n) => n + 1);

  const doCreate = async () => {
    const v = await create.run({ name: newName.trim() });
    if (v) {
      setNewName('');
      refresh();
      navigate('profiles', v.id);
    }
  };

  return (
    <div className="page page--profiles">
      <header className="page__header">
        <div>
          <h1 className="page__title">Profiles</h1>
          <p className="page__lead">
            Server settings checked the way Prefect reads them, kept here with every revision. Export them as profiles.toml, .env,
            compose, Kubernetes, Helm or systemd, and compare them with a live server.
          </p>
        </div>
      </header>
      <div className="profiles">
        <aside className="profiles__list card" aria-label="Profiles">
          {list.loading && !list.data && <Spinner label="Loading profiles…" />}
          {list.error && <ErrorNotice title="Could not list profiles" error={list.error} />}
          <ul className="plist" data-testid="profile-list">
            {list.data?.map((p) => (
              <li key={p.id}>
                <a href={href('profiles', p.id)} className={`plist__item${p.id === selected ? ' plist__item--on' : ''}`} data-testid={`profile-${p.name}`}>
                  <span className="plist__name">{p.name}</span>
                  <span className="plist__meta">
                    rev {p.rev} · {plural(p.settingsCount, 'setting')}
                    {p.errorCount > 0 && <span className="plist__err"> · {plural(p.errorCount, 'error')}</span>}
                    {p.errorCount === 0 && p.warningCount > 0 && <span className="plist__warn"> · {plural(p.warningCount, 'warning')}</span>}
                  </span>
                </a>
              </li>
            ))}
          </ul>
          <form
            className="plist__new"
            onSubmit={(e) => {
              e.preventDefault();
              void doCreate();
            }}
          >
            <input className="input" placeholder="new-profile-name" value={newName} onChange={(e) => setNewName(e.target.value)} aria-label="New profile name" data-testid="new-profile-name" />
            <button type="submit" className="btn btn--primary btn--small" disabled={!newName.trim() || create.running} data-testid="create-profile">
              Create
            </button>
          </form>
          {create.error && <ErrorNotice error={create.error} onDismiss={create.clearError} />}
          <button type="button" className="btn btn--small" onClick={() => setImporting(true)} data-testid="import-open">
            Import a file…
          </button>
        </aside>
        <section className="profiles__detail">
          {selected ? (
            <ProfileEditor key={selected} id={selected} onChanged={refresh} />
          ) : list.data && list.data.length === 0 ? (
            <EmptyState title="No profiles yet">
              Create one, or import your profiles.toml, a .env file, a compose file, Kubernetes manifests or Helm values.
            </EmptyState>
          ) : (
            <EmptyState title="Choose a profile">Pick a profile on the left to edit its settings.</EmptyState>
          )}
        </section>
      </div>
      {importing && (
        <ImportDialog
          onClose={() => setImporting(false)}
          onImported={(id) => {
            setImporting(false);
            refresh();
            navigate('profiles', id);
          }}
        />
      )}
    </div>
  );
}
