/**
 * Dependency-free copy of the contract's names, for the sandboxed preload bundle (which must not pull
 * in zod). test/unit/channels.test.ts checks that it matches shared/contract.ts exactly.
 */
export const CHANNEL_PREFIX = 'hk:';
export const EVENT_CHANNEL = 'hk-event';

export const REQUEST_CHANNELS = [
  'app.info',
  'connections.list',
  'connections.save',
  'connections.remove',
  'connections.test',
  'connections.use',
  'connections.discover',
  'connections.adopt',
  'jobs.list',
  'jobs.cancel',
  'jobs.pause',
  'jobs.resume',
  'audit.list',
  'purge.targets',
  'purge.plan',
  'purge.execute',
  'purge.resume',
  'purge.status',
  'purge.unfinished',
  'purge.vacuum',
  'inspect.run',
  'inspect.latest',
  'inspect.get',
  'inspect.list',
  'inspect.history',
  'inspect.maintenance',
  'inspect.exact',
  'inspect.export',
  'profiles.list',
  'profiles.get',
  'profiles.create',
  'profiles.rename',
  'profiles.delete',
  'profiles.undelete',
  'profiles.save',
  'profiles.history',
  'profiles.diff',
  'profiles.restore',
  'profiles.importPreview',
  'profiles.import',
  'profiles.exportPreview',
  'profiles.exportWrite',
  'profiles.drift',
] as const;

export const EVENT_CHANNELS = ['jobs.progress', 'jobs.finished'] as const;
