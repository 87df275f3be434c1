/**
 * Prefect setups found on this machine (profiles, a local server, the default SQLite file), each
 * with one button to add it. Main re-reads the source on "Add", so secrets in profiles never pass
 * through the window.
 */
import { useState } from 'react';
import type { DiscoveredSetup } from '../../../shared/domain/connection';
import { refreshConnections, selectConnection, useConnections } from '../../api/connections';
import { useAction, useRequest } from '../../api/hooks';
import { Badge } from '../../components/Badge';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Spinner } from '../../components/Spinner';
import { runSavedTest } from './test-runs';

const SOURCE_LABEL: Record<DiscoveredSetup['source'], string> = {
  profile: 'Prefect profile',
  'local-server': 'Running server',
  'sqlite-file': 'SQLite database file',
};

const AUTH_LABEL: Record<DiscoveredSetup['apiAuth'], string> = {
  none: 'no auth',
  basic: 'basic auth',
  apiKey: 'API key',
};

export function DiscoveredSetups({ compact = false }: { compact?: boolean }) {
  const found = useRequest('connections.discover', {});
  const adopt = useAction('connections.adopt');
  const { currentId } = useConnections();
  const [adopting, setAdopting] = useState<string | null>(null);
  const [failedKey, setFailedKey] = useState<string | null>(null);

  const add = async (setup: DiscoveredSetup) => {
    setAdopting(setup.key);
    setFailedKey(null);
    const view = await adopt.run({ key: setup.key });
    setAdopting(null);
    if (!view) {
      setFailedKey(setup.key);
      return;
    }
    if (!currentId) await selectConnection(view.id).catch(() => undefined);
    await refreshConnections();
    found.reload();
    // Show at once whether the adopted setup works.
    void runSavedTest(view.id, { reveal: true });
  };

  return (
    <section className="discover" data-testid="discovered-setups">
      <h2 className="section-title">{compact ? 'Setups on this machine' : 'Found on this machine'}</h2>
      {!compact && (
        <p className="muted section-lead">
          Housekeeper looked for Prefect profiles (<span className="mono">~/.prefect/profiles.toml</span>, or{' '}
          <span className="mono">PREFECT_HOME</span> / <span className="mono">PREFECT_PROFILES_PATH</span>), a server on{' '}
          <span className="mono">127.0.0.1:4200</span>, and Prefect's default SQLite database{' '}
          <span className="mono">prefect.db</span>.
        </p>
      )}
      {found.loading && <Spinner label="Looking for Prefect on this machine…" />}
      {found.error && <ErrorNotice title="Could not look for setups" error={found.error} />}
      {found.data && found.data.notes.length > 0 && (
        <ul className="setup__notes muted" data-testid="discovery-notes">
          {found.data.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      {found.data && found.data.setups.length === 0 && (
        <EmptyState title="No Prefect setup found on this machine">
          No Prefect profiles, nothing answering on <span className="mono">127.0.0.1:4200</span>, and no{' '}
          <span className="mono">prefect.db</span> in Prefect's home. Add a connection by hand instead.
        </EmptyState>
      )}
      {found.data && found.data.setups.length > 0 && (
        <ul className="setups">
          {found.data.setups.map((s) => (
            <li key={s.key} className="setup" data-testid="discovered-setup" data-key={s.key}>
              <div className="setup__main">
                <div className="setup__head">
                  <Badge>{SOURCE_LABEL[s.source]}</Badge>
                  <span className="setup__label">{s.label}</span>
                </div>
                <p className="setup__desc">{s.description}</p>
                <dl className="setup__facts">
                  <dt>API</dt>
                  <dd>
                    {s.apiUrl ? <span className="mono">{s.apiUrl}</span> : <span className="muted">none</span>}
                    {s.apiUrl && <span className="muted"> · {AUTH_LABEL[s.apiAuth]}</span>}
                  </dd>
                  <dt>Database</dt>
                  <dd className="mono">{s.dbSummary ?? (s.db === 'none' ? 'API only' : s.db)}</dd>
                </dl>
                {s.notes.length > 0 && (
                  <ul className="setup__notes">
                    {s.notes.map((n) => (
                      <li key={n}>{n}</li>
                    ))}
                  </ul>
                )}
                {failedKey === s.key && adopt.error && <ErrorNotice title="Not added" error={adopt.error} />}
              </div>
              <div className="setup__action">
                {s.alreadyAdded ? (
                  <Badge tone="ok">Added</Badge>
                ) : (
                  <button
                    type="button"
                    className="btn"
                    disabled={adopting !== null}
                    onClick={() => void add(s)}
                    data-testid="adopt-setup"
                  >
                    {adopting === s.key ? 'Adding…' : `Add as “${s.suggestedName}”`}
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
