/**
 * React glue over the API client: one request with loading/error state, and event subscriptions
 * that unsubscribe on unmount. Screens use these; components never call the API.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventName, EventPayload, Input, Output, RequestName } from '../../shared/contract';
import { call, on, type ClientError } from './client';
import { toClientError } from './errors';

export interface RequestState<T> {
  data: T | undefined;
  error: ClientError | null;
  loading: boolean;
  reload: () => void;
}

/** Runs `name(input)` on mount and whenever `key` changes; `reload()` runs it again. */
export function useRequest<N extends RequestName>(name: N, input: Input<N>, key: string = ''): RequestState<Output<N>> {
  const [data, setData] = useState<Output<N> | undefined>(undefined);
  const [error, setError] = useState<ClientError | null>(null);
  const [loading, setLoading] = useState(true);
  const [nonce, setNonce] = useState(0);
  const inputRef = useRef(input);
  inputRef.current = input;

  useEffect(() => {
    let live = true;
    setLoading(true);
    call(name, inputRef.current).then(
      (value) => {
        if (!live) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setError(toClientError(e));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [name, key, nonce]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { data, error, loading, reload };
}

/** A request started by the user (a button): `run` resolves to the output or null on error. */
export function useAction<N extends RequestName>(name: N) {
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<ClientError | null>(null);
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);

  const run = useCallback(
    async (input: Input<N>): Promise<Output<N> | null> => {
      setRunning(true);
      setError(null);
      try {
        return await call(name, input);
      } catch (e) {
        if (live.current) setError(toClientError(e));
        return null;
      } finally {
        if (live.current) setRunning(false);
      }
    },
    [name],
  );
  const clearError = useCallback(() => setError(null), []);
  return { run, running, error, clearError };
}

/** Subscribes to a contract event for the life of the component. */
export function useEvent<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): void {
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => on(event, (p) => ref.current(p)), [event]);
}
