/**
 * The registry of store migrations. Numbered in steps of 10, one file each, applied in order inside one
 * transaction; PRAGMA user_version records the last applied. A store from a newer Housekeeper (higher
 * user_version than we know) is refused rather than guessed at.
 */
import type { Database } from 'better-sqlite3';
import * as m0010 from './0010-initial';
import * as m0020 from './0020-purge';
import * as m0030 from './0030-profiles';
import * as m0040 from './0040-inspect';
import * as m0050 from './0050-schedules';
import * as m0070 from './0070-purge-journal';
import * as m0080 from './0080-secret-destination';
import * as m0090 from './0090-profile-line';
import * as m0100 from './0100-jobs-tray';
import * as m0130 from './0130-diagnose';
import * as m0140 from './0140-retention';
import * as m0150 from './0150-plan-lease';

export interface Migration {
  version: number;
  name: string;
  up: (db: Database) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 10, name: 'initial', up: m0010.up },
  { version: 20, name: 'purge', up: m0020.up },
  { version: 30, name: 'profiles', up: m0030.up },
  { version: 40, name: 'inspect', up: m0040.up },
  { version: 50, name: 'schedules', up: m0050.up },
  { version: 70, name: 'purge-journal', up: m0070.up },
  { version: 80, name: 'secret-destination', up: m0080.up },
  { version: 90, name: 'profile-line', up: m0090.up },
  { version: 100, name: 'jobs-tray', up: m0100.up },
  { version: 130, name: 'diagnose', up: m0130.up },
  { version: 140, name: 'retention', up: m0140.up },
  { version: 150, name: 'plan-lease', up: m0150.up },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
