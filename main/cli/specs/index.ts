/** Every command's spec, in the order `housekeeper --help` lists them. */
import type { CommandGroup } from '../spec';
import { auditSpec } from './audit';
import { connectionsSpec } from './connections';
import { inspectSpec } from './inspect';
import { profilesSpec } from './profiles';
import { purgeSpec } from './purge';
import { schedulesSpec } from './schedules';
import { serveSpec } from './serve';

export const COMMANDS: readonly CommandGroup[] = [serveSpec, connectionsSpec, auditSpec, inspectSpec, purgeSpec, schedulesSpec, profilesSpec];
