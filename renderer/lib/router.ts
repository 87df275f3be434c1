/**
 * Hash routes (#/connections, #/connections/new, #/connections/<id>, #/activity). A hash works the
 * same under app:// in Electron and http://127.0.0.1 in web mode, needs no server support, and keeps
 * the back button useful. The web sign-in code also arrives in the hash (#code=...), but the API client
 * strips it before the first render (see renderer/main.tsx).
 */
import { useSyncExternalStore } from 'react';

export interface Route {
  /** Path segments after "#/", e.g. ['connections', 'new']. */
  segments: string[];
}

function read(): string {
  return window.location.hash.replace(/^#\/?/, '');
}

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, read);
  return { segments: hash.split('/').filter(Boolean).map(decodeURIComponent) };
}

export function href(...segments: string[]): string {
  return `#/${segments.map(encodeURIComponent).join('/')}`;
}

export function navigate(...segments: string[]): void {
  window.location.hash = href(...segments);
}
