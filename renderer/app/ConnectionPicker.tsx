/**
 * The current connection, always visible in the sidebar: which server every screen is about, what
 * kind it is, and whether it is read-only. Switching calls connections.use so the choice survives a
 * restart. Keyboard: arrow keys open the menu and move through it, Home/End jump, Enter chooses,
 * Escape closes and gives the focus back to the button.
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

  const button = useRef<HTMLButtonElement>(null);
  const items = useRef<Array<HTMLButtonElement | null>>([]);
  const [active, setActive] = useState(0);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    // Capture phase: an open menu takes Escape before the inline panels behind it (lib/keys.ts).
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey, true);
    };
  }, [open]);

  // Focus follows the active option while the menu is open.
  useEffect(() => {
    if (open) items.current[active]?.focus();
  }, [open, active]);

  const count = connections.length + 1; // the connections and "Manage connections…"
  const openAt = (i: number) => {
    setActive((i + count) % count);
    setOpen(true);
  };
  const onMenuKey = (e: React.KeyboardEvent) => {
    const moves: Record<string, number> = { ArrowDown: active + 1, ArrowUp: active - 1, Home: 0, End: count - 1 };
    if (e.key in moves) {
      e.preventDefault();
      setActive((moves[e.key]! + count) % count);
    } else if (e.key === 'Tab') {
      setOpen(false);
    }
  };
  const onButtonKey = (e: React.KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const cur = Math.max(0, connections.findIndex((c) => c.id === currentId));
      openAt(cur);
    }
  };

  const choose = async (id: string) => {
    setOpen(false);
    button.current?.focus();
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
        ref={button}
        type="button"
        className="picker__button"
        aria-haspopup="listbox"
        aria-expanded={open}
        onClick={() => (open ? setOpen(false) : openAt(Math.max(0, connections.findIndex((c) => c.id === currentId))))}
        onKeyDown={onButtonKey}
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
        <ul className="picker__menu" role="listbox" aria-label="Connections" onKeyDown={onMenuKey}>
          {connections.map((c, i) => (
            <li key={c.id} role="option" aria-selected={c.id === currentId}>
              <button
                ref={(el) => {
                  items.current[i] = el;
                }}
                type="button"
                tabIndex={i === active ? 0 : -1}
                className={`picker__item${c.id === currentId ? ' picker__item--current' : ''}${i === active ? ' picker__item--active' : ''}`}
                onClick={() => void choose(c.id)}
                data-testid="connection-picker-option"
              >
                <span className="picker__name">{c.name}</span>
                <ConnectionBadges connection={c} />
              </button>
            </li>
          ))}
          <li className="picker__manage">
            <button
              ref={(el) => {
                items.current[connections.length] = el;
              }}
              type="button"
              tabIndex={active === connections.length ? 0 : -1}
              className={`picker__item${active === connections.length ? ' picker__item--active' : ''}`}
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
