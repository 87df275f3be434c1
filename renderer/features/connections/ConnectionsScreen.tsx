import { useState } from 'react';
import { useConnections } from '../../api/connections';
import { EmptyState } from '../../components/EmptyState';
import { href } from '../../lib/router';
import { ConnectionForm } from './ConnectionForm';
import { ConnectionList } from './ConnectionList';
import { DiscoveredSetups } from './DiscoveredSetups';

/** #/connections (list or first run), #/connections/new, #/connections/<id> (edit). */
export function ConnectionsScreen({ path }: { path: string[] }) {
  const { connections } = useConnections();
  const [showDiscover, setShowDiscover] = useState(false);
  const [sub] = path;

  if (sub === 'new') return <ConnectionForm key="new" />;
  if (sub) {
    const saved = connections.find((c) => c.id === sub);
    if (!saved) {
      return (
        <div className="page">
          <EmptyState
            title="That connection no longer exists"
            actions={
              <a className="btn" href={href('connections')}>
                Back to connections
              </a>
            }
          >
            It may have been removed in another window or from the command line.
          </EmptyState>
        </div>
      );
    }
    return <ConnectionForm key={saved.id} saved={saved} />;
  }

  if (connections.length === 0) return <FirstRun />;

  return (
    <div className="page">
      <header className="page__header">
        <div>
          <h1 className="page__title">Connections</h1>
          <p className="page__lead">The Prefect servers Housekeeper can reach. The one in use is shown in the sidebar.</p>
        </div>
        <div className="page__actions">
          <button type="button" className="btn" onClick={() => setShowDiscover((s) => !s)} aria-expanded={showDiscover}>
            {showDiscover ? 'Hide setups on this machine' : 'Find setups on this machine'}
          </button>
          <a className="btn btn--primary" href={href('connections', 'new')} data-testid="add-connection">
            Add connection
          </a>
        </div>
      </header>
      {showDiscover && <DiscoveredSetups compact />}
      <ConnectionList connections={connections} />
    </div>
  );
}

function FirstRun() {
  return (
    <div className="page page--first-run" data-testid="first-run">
      <header className="page__header">
        <div>
          <h1 className="page__title">Connect Housekeeper to a Prefect server</h1>
          <p className="page__lead">
            A connection is a Prefect server's API and, optionally, its database (PostgreSQL or SQLite). Nothing is changed
            on the server by adding or testing one.
          </p>
        </div>
      </header>
      <DiscoveredSetups />
      <section className="card card--quiet">
        <div className="card__row">
          <div>
            <h2 className="card__title">Add a connection by hand</h2>
            <p className="muted">
              For a remote server, Prefect Cloud, or anything not found above: enter the API URL, credentials and database
              yourself.
            </p>
          </div>
          <a className="btn" href={href('connections', 'new')} data-testid="add-connection">
            Add a connection by hand
          </a>
        </div>
      </section>
    </div>
  );
}
