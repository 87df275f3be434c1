/**
 * Scheduler settings from a saved profile (the Profiles feature's store). Secrets are not needed
 * (no scheduler setting is secret), so masked values are simply skipped.
 */
import type { Store } from '../../store';
import { ProfilesRepo } from '../../store/repos/profiles';
import { ProfilesService } from '../profiles/service';
import type { ProfileLookup } from './settings';

export function profileLookup(store: Store): ProfileLookup {
  return (nameOrId) => {
    const view = new ProfilesService(new ProfilesRepo(store.handle.db), store.secrets).get(nameOrId);
    const values: Record<string, string> = {};
    for (const v of view.values) if (!v.secret && v.value !== null) values[v.name] = v.value;
    return { name: view.name, values };
  };
}
