/** Drift against a live server: fetch /api/admin/settings through the Prefect client, then compare. */
import { computeDrift, driftCounts, RESTART_NOTE, type DriftReport } from '../../../shared/domain/profiles';
import type { ResolvedConnection } from '../connections/types';
import { PrefectApi, type PrefectApiOptions } from '../targets/prefect-api';
import type { ProfilesService } from './service';

export async function driftAgainst(
  profiles: ProfilesService,
  profileIdOrName: string,
  rev: number | undefined,
  conn: ResolvedConnection,
  opts: { signal?: AbortSignal; api?: PrefectApiOptions } = {},
): Promise<DriftReport> {
  const p = profiles.get(profileIdOrName, rev);
  const values = profiles.values(p.id, p.shownRev);
  const api = new PrefectApi(conn, opts.api);
  const settings = await api.adminSettings({ signal: opts.signal });
  const version = await api.adminVersion({ signal: opts.signal }).catch(() => null);
  const entries = computeDrift(values, settings);
  return {
    profileId: p.id,
    profileName: p.name,
    rev: p.shownRev,
    connectionId: conn.id ?? '',
    connectionName: conn.name,
    apiUrl: conn.apiUrl,
    serverVersion: version,
    checkedAt: new Date().toISOString(),
    entries,
    counts: driftCounts(entries),
    restartNote: RESTART_NOTE,
  };
}
