/**
 * The Overview's own data glue: live maintenance polled while the screen is open. (Exports are
 * saved through renderer/api/files.ts: a native dialog in the window, a download in the browser.)
 */
import { useEffect, useRef, useState } from 'react';
import type { Maintenance } from '../../../shared/domain/inspect';
import { call, type ClientError } from '../../api/client';
import { toClientError } from '../../api/errors';

export const MAINTENANCE_POLL_MS = 3000;

/** Polls inspect.maintenance every few seconds while mounted and enabled; one request at a time. */
export function useMaintenance(connectionId: string | null, enabled: boolean): { data: Maintenance | null; error: ClientError | null } {
  const [data, setData] = useState<Maintenance | null>(null);
  const [error, setError] = useState<ClientError | null>(null);
  const busy = useRef(false);
  useEffect(() => {
    setData(null);
    setError(null);
    if (!connectionId || !enabled) return;
    let live = true;
    const tick = () => {
      if (busy.current) return;
      busy.current = true;
      call('inspect.maintenance', { connectionId })
        .then(
          (m) => {
            if (live) {
              setData(m);
              setError(null);
            }
          },
          (e: unknown) => live && setError(toClientError(e)),
        )
        .finally(() => {
          busy.current = false;
        });
    };
    tick();
    const timer = setInterval(tick, MAINTENANCE_POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [connectionId, enabled]);
  return { data, error };
}
