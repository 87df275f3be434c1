/**
 * The saved connections and which one is current, shared by the sidebar picker and every screen.
 * "Current" is the server's lastUsedId, so the last one used opens on the next start in any face.
 */
import { useSyncExternalStore } from 'react';
import type { ConnectionView } from '../../shared/domain/connection';
import { call, type ClientError } from './client';
import { toClientError } from './errors';

export interface ConnectionsState {
  status: 'loading' | 'ready' | 'error';
  connections: ConnectionView[];
  currentId: string | null;
  error: ClientError | null;
}

let state: ConnectionsState = { status: 'loading', connections: [], currentId: null, error: null };
const listeners = new Set<() => void>();
let loading: Promise<void> | null = null;

function setState(next: Partial<ConnectionsState>): void {
  state = { ...state, ...next };
  listeners.forEach((l) => l());
}

/** Re-reads the list from main. Concurrent callers share one request. */
export function refreshConnections(): Promise<void> {
  if (loading) return loading;
  loading = call('connections.list', {})
    .then(
      ({ connections, lastUsedId }) => {
        const currentId = connections.some((c) => c.id === lastUsedId) ? lastUsedId : null;
        setState({ status: 'ready', connections, currentId, error: null });
      },
      (e: unknown) => setState({ status: 'error', error: toClientError(e) }),
    )
    .finally(() => {
      loading = null;
    });
  return loading;
}

/** Makes a connection current (remembered by main as last used). Throws ClientError. */
export async function selectConnection(id: string): Promise<void> {
  const { lastUsedId } = await call('connections.use', { id });
  setState({ currentId: lastUsedId });
  await refreshConnections();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (state.status === 'loading' && !loading) void refreshConnections();
  return () => listeners.delete(listener);
}

export function useConnections(): ConnectionsState {
  return useSyncExternalStore(subscribe, () => state);
}

export function useCurrentConnection(): ConnectionView | null {
  const s = useConnections();
  return s.connections.find((c) => c.id === s.currentId) ?? null;
}
