/**
 * The current connection's health, polled once for the whole window (the strip on every screen and
 * the Overview read the same state): every HEALTH_POLL_MS while anything is subscribed, again at once
 * when the connection changes or someone asks (`checkHealth`).
 */
import { useEffect, useSyncExternalStore } from 'react';
import type { Health } from '../../shared/domain/health';
import { call, type ClientError } from './client';
import { toClientError } from './errors';

export const HEALTH_POLL_MS = 15_000;

export interface HealthState {
  connectionId: string | null;
  health: Health | null;
  checking: boolean;
  error: ClientError | null;
}

let state: HealthState = { connectionId: null, health: null, checking: false, error: null };
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;
let inflight: Promise<void> | null = null;
let users = 0;

function set(next: Partial<HealthState>): void {
  state = { ...state, ...next };
  listeners.forEach((l) => l());
}

/** Checks the current connection now (concurrent callers share one request). */
export function checkHealth(): Promise<void> {
  const id = state.connectionId;
  if (!id) return Promise.resolve();
  if (inflight) return inflight;
  set({ checking: true });
  inflight = call('health.check', { connectionId: id })
    .then(
      (h) => {
        if (state.connectionId === id) set({ health: h, error: null });
      },
      (e: unknown) => {
        if (state.connectionId === id) set({ error: toClientError(e) });
      },
    )
    .finally(() => {
      inflight = null;
      set({ checking: false });
    });
  return inflight;
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Health of `connectionId` (the current connection), polled while any component uses it. */
export function useHealth(connectionId: string | null): HealthState {
  useEffect(() => {
    users++;
    if (state.connectionId !== connectionId) {
      state = { connectionId, health: null, checking: false, error: null };
      inflight = null;
      listeners.forEach((l) => l());
      void checkHealth();
    } else if (!state.health && !inflight) {
      void checkHealth();
    }
    if (!timer) timer = setInterval(() => void checkHealth(), HEALTH_POLL_MS);
    return () => {
      users--;
      if (users === 0 && timer) {
        clearInterval(timer);
        timer = null;
      }
    };
  }, [connectionId]);
  return useSyncExternalStore(subscribe, () => state);
}
