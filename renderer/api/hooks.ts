/**
 * React glue over the API client: one request with loading/error state, and event subscriptions
 * that unsubscribe on unmount. Screens use these; components never call the API.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventName, EventPayload, Input, Output, RequestName } from '../../shared/contract';
import { requestTimeoutMs } from '../../shared/timeouts';
import { call, on, type ClientError } from './client';
import { toClientError } from './errors';

/** What a screen needs to show a wait honestly: since when, for at most how long, and a Cancel. */
export interface Pending {
  /** Epoch ms the running request started; null when nothing runs. */
  startedAt: number | null;
  /** The request's one stated timeout (shared/timeouts.ts). */
  timeoutMs: number;
  /** Stops waiting at once and cancels the work in main. */
  cancel: () => void;
}

export interface RequestState<T> extends Pending {
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
  const [startedAt, setStartedAt] = useState<number | null>(null);
  const inputRef = useRef(input);
  inputRef.current = input;
  const abort = useRef<AbortController | null>(null);

  useEffect(() => {
    let live = true;
    const ctrl = new AbortController();
    abort.current = ctrl;
    setLoading(true);
    setStartedAt(Date.now());
    call(name, inputRef.current, { signal: ctrl.signal }).then(
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
    ).finally(() => {
      if (live) setStartedAt(null);
    });
    return () => {
      live = false;
      // Leaving the screen (or asking again) cancels what it was still waiting for.
      ctrl.abort();
    };
  }, [name, key, nonce]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const cancel = useCallback(() => abort.current?.abort(), []);
  return { data, error, loading, reload, startedAt, timeoutMs: requestTimeoutMs(name), cancel };
}

/** A request started by the user (a button): `run` resolves to the output or null on error. */
export function useAction<N extends RequestName>(name: N) {
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<ClientError | null>(null);
  const [startedAt, setStartedAt] = useState<number | null>(null);
  const live = useRef(true);
  const abort = useRef<AbortController | null>(null);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
      abort.current?.abort();
    };
  }, []);

  const run = useCallback(
    async (input: Input<N>): Promise<Output<N> | null> => {
      const ctrl = new AbortController();
      abort.current = ctrl;
      setRunning(true);
      setError(null);
      setStartedAt(Date.now());
      try {
        return await call(name, input, { signal: ctrl.signal });
      } catch (e) {
        if (live.current) setError(toClientError(e));
        return null;
      } finally {
        if (live.current && abort.current === ctrl) {
          setRunning(false);
          setStartedAt(null);
        }
      }
    },
    [name],
  );
  const clearError = useCallback(() => setError(null), []);
  const cancel = useCallback(() => abort.current?.abort(), []);
  return { run, running, error, clearError, startedAt, timeoutMs: requestTimeoutMs(name), cancel };
}

/** Subscribes to a contract event for the life of the component. */
export function useEvent<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): void {
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => on(event, (p) => ref.current(p)), [event]);
}
