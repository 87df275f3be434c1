/**
 * Where the scheduler settings for a prediction come from: the live server (GET /admin/settings,
 * what the scheduler actually runs with unless its services run in another process with other env),
 * a saved profile (the Profiles feature), or Prefect's defaults.
 */
import { AppError } from '../../../shared/errors';
import type { SettingsSource, SettingsView } from '../../../shared/domain/schedules';
import { DEFAULT_SCHEDULER_SETTINGS, fromAdminSettings, fromEnvValues, type ReadSettings } from '../../../shared/schedules/settings';
import type { PrefectApi } from '../targets/prefect-api';

/** Looks up a saved profile's values by name or id (wired to the Profiles feature by the caller). */
export type ProfileLookup = (nameOrId: string) => { name: string; values: Record<string, string> };

function view(r: ReadSettings, source: string, notes: string[]): SettingsView {
  return { settings: r.settings, source, given: r.given, notes: [...notes, ...r.issues.map((i) => `Ignored ${i.message}.`)] };
}

export async function resolveSettings(api: PrefectApi, source: SettingsSource, lookup: ProfileLookup | null, signal?: AbortSignal): Promise<SettingsView> {
  switch (source.kind) {
    case 'defaults':
      return { settings: { ...DEFAULT_SCHEDULER_SETTINGS }, source: 'Prefect defaults', given: [], notes: [] };
    case 'profile': {
      if (!lookup) throw new AppError('VALIDATION', 'Profiles are not available here.', { hint: 'Use the live server settings or type the values in.' });
      const p = lookup(source.profile);
      const r = fromEnvValues(p.values);
      const notes = r.given.length === 0 ? [`Profile "${p.name}" sets no scheduler settings: Prefect's defaults apply.`] : [];
      return view(r, `profile ${p.name}`, notes);
    }
    case 'live': {
      try {
        const json = await api.adminSettings(signal ? { signal } : {});
        const r = fromAdminSettings(json);
        const notes = ['Read from the live server (GET /admin/settings). If the scheduler runs in a separate `prefect server services start` process with other environment, its values may differ.'];
        if (!r.settings.enabled) notes.push('The scheduler service is disabled on this server: nothing creates runs from schedules.');
        return view(r, 'live server', notes);
      } catch (e) {
        if (e instanceof AppError && e.code === 'CANCELLED') throw e;
        return {
          settings: { ...DEFAULT_SCHEDULER_SETTINGS },
          source: 'Prefect defaults',
          given: [],
          notes: [`The server's settings could not be read (${e instanceof Error ? e.message : String(e)}); Prefect's defaults are shown.`],
        };
      }
    }
  }
}
