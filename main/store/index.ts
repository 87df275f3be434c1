import { openStore, type StoreHandle } from './db';
import { AuditRepo } from './repos/audit';
import { ConnectionsRepo } from './repos/connections';
import { InspectionsRepo } from './repos/inspections';
import { JobsRepo } from './repos/jobs';
import { PurgeRepo } from './repos/purge';
import { RetentionRepo } from './repos/retention';
import { SchedulesRepo } from './repos/schedules';
import { SecretsRepo } from './repos/secrets';
import { KeyFileKeyring, type Keyring } from './secrets/keyring';

export interface Store {
  handle: StoreHandle;
  connections: ConnectionsRepo;
  secrets: SecretsRepo;
  audit: AuditRepo;
  jobs: JobsRepo;
  purge: PurgeRepo;
  retention: RetentionRepo;
  inspections: InspectionsRepo;
  schedules: SchedulesRepo;
  close(): void;
}

/**
 * Opens the store and its repositories. `preferredKeyring` is the Electron window's safeStorage
 * keyring when there is one; the key-file keyring is always available as the fallback reader.
 */
export function createStore(home: string, preferredKeyring?: Keyring): Store {
  const handle = openStore(home);
  const keyfile = new KeyFileKeyring(home);
  const keyrings = preferredKeyring ? [preferredKeyring, keyfile] : [keyfile];
  return {
    handle,
    connections: new ConnectionsRepo(handle.db),
    secrets: new SecretsRepo(handle.db, keyrings),
    audit: new AuditRepo(handle.db),
    jobs: new JobsRepo(handle.db),
    purge: new PurgeRepo(handle.db),
    retention: new RetentionRepo(handle.db),
    inspections: new InspectionsRepo(handle.db),
    schedules: new SchedulesRepo(handle.db),
    close: () => handle.close(),
  };
}
