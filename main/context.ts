/**
 * Everything a face needs, built once: the store, the services over it, the job runner and the event
 * bus. The Electron window, `housekeeper serve` and the CLI each create one context and call
 * `close()` on the way out (jobs are cancelled and drained before the store closes).
 */
import { ConnectionsService } from './core/connections/service';
import { EventBus } from './core/events';
import { HealthService } from './core/health/service';
import { defineJobKinds } from './core/jobs/kinds';
import { JobRunner } from './core/jobs/runner';
import { PurgeService } from './core/purge/service';
import { RetentionService } from './core/retention/service';
import { InspectService } from './core/inspect/service';
import { profileLookup } from './core/schedules/profile-lookup';
import { SchedulesService } from './core/schedules/service';
import { createStore, type Store } from './store';
import { resolveHome } from './store/paths';
import type { Keyring } from './store/secrets/keyring';
import { APP_VERSION } from './version';

export type Face = 'electron' | 'web' | 'cli';

export interface AppContext {
  face: Face;
  version: string;
  home: string;
  store: Store;
  connections: ConnectionsService;
  jobs: JobRunner;
  bus: EventBus;
  purge: PurgeService;
  retention: RetentionService;
  inspect: InspectService;
  schedules: SchedulesService;
  health: HealthService;
  close(): Promise<void>;
}

export function createContext(opts: { face: Face; home?: string; keyring?: Keyring }): AppContext {
  const home = opts.home ?? resolveHome();
  const store = createStore(home, opts.keyring);
  const bus = new EventBus();
  const jobs = new JobRunner(store.jobs, bus, store.audit);
  const inspect = new InspectService(store, jobs);
  const purge = new PurgeService(store, jobs);
  const connections = new ConnectionsService(store.connections, store.secrets);
  const retention = new RetentionService(store, jobs);
  defineJobKinds(jobs, { store, connections, purge, retention });
  const health = new HealthService();
  return {
    face: opts.face,
    version: APP_VERSION,
    home,
    store,
    connections,
    jobs,
    bus,
    purge,
    retention,
    inspect,
    schedules: new SchedulesService(store, jobs, purge, profileLookup(store)),
    health,
    async close() {
      await jobs.shutdown();
      await inspect.close();
      await health.close();
      store.close();
    },
  };
}
