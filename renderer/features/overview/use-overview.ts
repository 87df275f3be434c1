/**
 * The Overview's own data glue: live maintenance polled while the screen is open, and saving an
 * export through the browser (a Blob and a download link: no file system access in the renderer).
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

export function download(filename: string, mime: string, content: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
