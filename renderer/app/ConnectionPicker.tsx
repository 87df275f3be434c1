/**
 * The current connection, always visible in the sidebar: which server every screen is about, what
 * kind it is, and whether it is read-only. Switching calls connections.use so the choice survives a
 * restart.
 */
import { useEffect, useRef, useState } from 'react';
import { selectConnection, useConnections } from '../api/connections';
import { toClientError } from '../api/errors';
import type { ClientError } from '../api/client';
import { ConnectionBadges } from '../components/ConnectionBadges';
import { navigate } from '../lib/router';

export function ConnectionPicker() {
  const { connections, currentId, status } = useConnections();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<ClientError | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const current = connections.find((c) => c.id === currentId) ?? null;

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const choose = async (id: string) => {
    setOpen(false);
    setError(null);
    try {
      await selectConnection(id);
    } catch (e) {
      setError(toClientError(e));
    }
  };

  if (status === 'loading') return <div className="picker picker--empty">Loading connections…</div>;

  if (connections.length === 0) {
    return (
      <div className="picker picker--empty" data-testid="connection-picker">
        No connection yet.{' '}
        <a href="#/connections" className="link">
          Add one
        </a>
      </div>
    );
  }

  return (
    <div className="picker" ref={root} data-testid="connection-picker">
      <div className="picker__caption">Connection</div>
      <button
        type="button"
        className="picker__button"
        aria-haspopup="listbox"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        data-testid="connection-picker-button"
      >
        {current ? (
          <>
            <span className="picker__name" data-testid="current-connection">
              {current.name}
            </span>
            <ConnectionBadges connection={current} />
            <span className="picker__url mono" title={current.apiUrl}>
              {current.apiUrl}
            </span>
          </>
        ) : (
          <span className="picker__name picker__name--none">Choose a connection</span>
        )}
        <span className="picker__chevron" aria-hidden="true">
          ▾
        </span>
      </button>
      {open && (
        <ul className="picker__menu" role="listbox" aria-label="Connections">
          {connections.map((c) => (
            <li key={c.id} role="option" aria-selected={c.id === currentId}>
              <button
                type="button"
                className={`picker__item${c.id === currentId ? ' picker__item--current' : ''}`}
                onClick={() => void choose(c.id)}
              >
                <span className="picker__name">{c.name}</span>
                <ConnectionBadges connection={c} />
              </button>
            </li>
          ))}
          <li className="picker__manage">
            <button
              type="button"
              className="picker__item"
              onClick={() => {
                setOpen(false);
                navigate('connections');
              }}
            >
              Manage connections…
            </button>
          </li>
        </ul>
      )}
      {error && (
        <div className="picker__error" role="alert">
          {error.message} {error.hint}
        </div>
      )}
    </div>
  );
}
