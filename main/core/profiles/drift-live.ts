/**
 * Drift against a live server: read its version and GET /api/admin/settings through the Prefect
 * client, then compare with the catalog of the line that server runs (settings paths and defaults
 * changed across 3.x), whatever line the profile targets.
 */
import { computeDrift, driftCounts, RESTART_NOTE, unplacedNames, type DriftReport } from '../../../shared/domain/profiles';
import { lineOfVersion, lineVersion } from '../../../shared/domain/settings-catalog';
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
  const version = await api.adminVersion({ signal: opts.signal }).catch(() => null);
  const settings = await api.adminSettings({ signal: opts.signal });
  const found = lineOfVersion(version);
  const line = found?.line ?? p.line;
  const notes: string[] = [];
  if (found?.note) notes.push(found.note);
  if (!found) {
    notes.push(`The server's version (${version ?? 'not reported'}) has no settings catalog; compared with the profile's line, Prefect ${p.line}.`);
  } else if (line !== p.line) {
    notes.push(
      `This profile targets Prefect ${p.line}; the server runs ${version}, so it was compared with Prefect ${line}'s settings (${lineVersion(line)}). Change the profile's line to ${line} to check and export it for this server.`,
    );
  }
  const unplaced = unplacedNames(values, line);
  if (unplaced.length) notes.push(`Not settings of Prefect ${line}, so not compared: ${unplaced.join(', ')}.`);
  const entries = computeDrift(values, settings, line);
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
    line,
    profileLine: p.line,
    unplaced,
    notes,
    restartNote: RESTART_NOTE,
  };
}
