/**
 * The argument validators the command specs (main/cli/specs) are built from. Each says what a valid
 * value looks like and gives an example, so every refusal reads the same way: the argument, what was
 * expected, an example. Pure, or at most a stat() of a path the user named: nothing here talks to a
 * server or writes anything. Lengths are checked first, so a 100,000-character value is refused at once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseApiUrl } from '../../shared/domain/api-url';
import { ConnectionNameSchema } from '../../shared/domain/connection';
import { resolveCutoff } from '../../shared/domain/cutoff';
import { parseDatabaseUrl } from '../../shared/domain/pg-url';
import { PROFILE_NAME, SETTING_NAME, presetById, PRESETS } from '../../shared/domain/profiles';
import { hasControlChars } from '../../shared/domain/safe-text';
import { readSetting, SETTING_FIELDS } from '../../shared/schedules/settings';
import { resolveAnchor } from '../core/schedules/anchor';
import { settingKey } from '../core/schedules/simulate';

export interface Validator {
  /** What a valid value looks like: "a whole number from 1 to 1000". */
  expected: string;
  /** A valid value, shown as `--flag EXAMPLE`. */
  example: string;
  /** null when the value is valid, else a short reason ('' when `expected` says it all). */
  check(value: string): string | null;
}

function v(expected: string, example: string, check: (value: string) => string | null): Validator {
  return { expected, example, check };
}

/** Free text (names to look up, tags, ids): not empty, no control characters, at most `max` characters. */
export function text(expected: string, example: string, max = 200): Validator {
  return v(expected, example, (s) => {
    if (s.length > max) return `longer than ${max} characters`;
    if (s.trim() === '') return 'empty';
    if (hasControlChars(s)) return 'it contains control characters';
    return null;
  });
}

export function int(min: number, max: number, example = String(min)): Validator {
  return v(`a whole number from ${min} to ${max.toLocaleString('en-US')}`, example, (s) => {
    if (s.length > 20 || !/^\s*[+-]?\d+\s*$/.test(s)) return '';
    const n = Number(s);
    return n >= min && n <= max ? null : 'out of range';
  });
}

export function oneOf(values: readonly string[], opts: { caseInsensitive?: boolean } = {}): Validator {
  const norm = (s: string) => (opts.caseInsensitive ? s.toLowerCase() : s);
  const set = new Set(values.map(norm));
  return v(`one of ${values.join(', ')}`, values[0]!, (s) => (s.length <= 50 && set.has(norm(s.trim())) ? null : ''));
}

export const connectionRef = text('the name (or id) of a saved connection, as in `housekeeper connections list`', 'prod', 200);

export const connectionName = v('a connection name: 1 to 80 characters, no control characters', 'prod', (s) => {
  if (s.length > 80) return 'longer than 80 characters';
  if (hasControlChars(s)) return 'it contains control characters';
  const r = ConnectionNameSchema.safeParse(s);
  return r.success ? null : (r.error.issues[0]?.message ?? '');
});

export const profileName = v('a profile name: letters, digits, dot, dash and underscore (up to 100)', 'production', (s) => {
  if (s.length > 100) return 'longer than 100 characters';
  if (hasControlChars(s)) return 'it contains control characters';
  return PROFILE_NAME.safeParse(s).success ? null : '';
});

export const apiUrl = v('a Prefect API URL (http://host:4200/api, or a Prefect Cloud workspace URL)', 'http://127.0.0.1:4200/api', (s) => {
  if (s.length > 2048) return 'longer than 2,048 characters';
  if (hasControlChars(s)) return 'it contains control characters';
  const r = parseApiUrl(s);
  return r.ok ? null : r.error.message;
});

export const authString = v('user:password (as PREFECT_API_AUTH_STRING)', 'admin:secret', (s) => {
  if (s.length > 4096) return 'longer than 4,096 characters';
  if (hasControlChars(s)) return 'it contains control characters';
  return s.includes(':') && s.indexOf(':') > 0 ? null : 'no ":" between user and password';
});

export const apiKey = v('a Prefect Cloud API key (pnu_…)', 'pnu_…', (s) => {
  if (s.length > 4096) return 'longer than 4,096 characters';
  return /^\S+$/.test(s) && !hasControlChars(s) ? null : 'it contains spaces or control characters';
});

export const dbArg = v('a database URL (postgresql://user@host:5432/prefect, postgresql+asyncpg://…) or a SQLite file path', 'postgresql://prefect@127.0.0.1:5432/prefect', (s) => {
  if (s.length > 4096) return 'longer than 4,096 characters';
  if (hasControlChars(s)) return 'it contains control characters';
  const r = parseDatabaseUrl(s);
  return r.ok ? null : r.error.message;
});

export const port = int(0, 65535, '4580');

/** Where `serve` listens: an IP address or host name (binding beyond loopback needs --allow-remote). */
export const host = v('an IP address or host name to listen on (127.0.0.1 by default)', '127.0.0.1', (s) => {
  if (s.length > 253) return 'longer than 253 characters';
  if (s.trim() === '') return 'empty: that would listen on every interface; give 0.0.0.0 --allow-remote if you mean it';
  if (/^[0-9a-fA-F:.]+$/.test(s) || /^\[[0-9a-fA-F:.]+\]$/.test(s)) return null;
  return /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(s) ? null : '';
});

export const olderThan = v('a duration (30m, 2h, 1d, PT30M; at most 100 years) or a past time (2026-11-29T08:00:00Z)', '2h', (s) => {
  if (s.length > 64) return 'longer than 64 characters';
  const r = resolveCutoff(s, new Date());
  return r.ok ? null : r.error.message;
});

export const anchor = v('now, or an ISO 8601 time (2026-11-30T09:00:00+01:00)', 'now', (s) => {
  if (s.length > 64) return 'longer than 64 characters';
  try {
    resolveAnchor(s, Date.now());
    return null;
  } catch (e) {
    return (e as Error).message;
  }
});

export const horizonHours = v('hours from 0.1 to 168', '24', (s) => {
  const n = Number(s);
  return s.trim() !== '' && s.length <= 20 && n >= 0.1 && n <= 168 ? null : '';
});

export const settingKeyValue = v('KEY=VALUE with a Prefect setting name (PREFECT_API_URL=…)', 'PREFECT_SERVER_SERVICES_SCHEDULER_MIN_RUNS=5', (s) => {
  if (s.length > 100_200) return 'longer than 100,000 characters';
  const eq = s.indexOf('=');
  if (eq <= 0) return 'no "=" after the name';
  if (!SETTING_NAME.safeParse(s.slice(0, eq).trim()).success) return `"${s.slice(0, Math.min(eq, 60))}" is not a setting name`;
  return /[\u0000-\u0008\u000b-\u001f\u007f]/.test(s) ? 'the value contains control characters' : null; // eslint-disable-line no-control-regex
});

export const settingName = v('a Prefect setting name (letters, digits, underscores)', 'PREFECT_API_URL', (s) => (s.length <= 200 && SETTING_NAME.safeParse(s).success ? null : ''));

const SCHEDULER_NAMES = Object.values(SETTING_FIELDS).join(', ');

export const schedulerOverride = v(`name=value for a scheduler setting (${SCHEDULER_NAMES})`, 'min_runs=5', (s) => {
  if (s.length > 200) return 'longer than 200 characters';
  const eq = s.indexOf('=');
  if (eq <= 0) return 'no "=" after the name';
  const key = settingKey(s.slice(0, eq).trim());
  if (!key) return `"${s.slice(0, Math.min(eq, 60)).trim()}" is not a scheduler setting`;
  const r = readSetting(key, s.slice(eq + 1).trim());
  return 'issue' in r ? r.issue : null;
});

export const presetId = v(`a preset id (${PRESETS.map((p) => p.id).join(', ')})`, PRESETS[0]?.id ?? 'preset', (s) => (s.length <= 100 && presetById(s) ? null : ''));

export const message = v('a short text (up to 2,000 characters, no control characters)', '"raise max_runs"', (s) => {
  if (s.length > 2000) return 'longer than 2,000 characters';
  return /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(s) ? 'it contains control characters' : null; // eslint-disable-line no-control-regex
});

export const id = text('an id, as printed by Housekeeper', '3f2a…', 100);

/**
 * A file to write: its folder must exist (checked now, not after the work that produces it; with
 * `createsFolders`, the nearest existing folder above it) and it must not be a folder itself.
 */
export function outputFile(example: string, opts: { createsFolders?: boolean } = {}): Validator {
  return v(opts.createsFolders ? 'a file path under a writable folder' : 'a file path in an existing folder', example, (s) => {
    if (s.length > 4096) return 'longer than 4,096 characters';
    if (s.trim() === '' || hasControlChars(s)) return s.trim() === '' ? 'empty' : 'it contains control characters';
    const file = path.resolve(s);
    let dir = path.dirname(file);
    let st: fs.Stats | null = null;
    for (;;) {
      try {
        st = fs.statSync(dir);
        break;
      } catch {
        if (!opts.createsFolders || path.dirname(dir) === dir) return `the folder ${path.dirname(file)} does not exist`;
        dir = path.dirname(dir);
      }
    }
    if (!st.isDirectory()) return `${dir} is not a folder`;
    try {
      if (fs.statSync(file).isDirectory()) return `${file} is a folder`;
    } catch {
      // does not exist yet: fine
    }
    try {
      fs.accessSync(dir, fs.constants.W_OK);
    } catch {
      return `the folder ${dir} is not writable`;
    }
    return null;
  });
}

/** A file to read: it must exist and be a file. */
export function inputFile(example: string): Validator {
  return v('an existing file', example, (s) => {
    if (s.length > 4096) return 'longer than 4,096 characters';
    if (s.trim() === '' || hasControlChars(s)) return s.trim() === '' ? 'empty' : 'it contains control characters';
    let st: fs.Stats;
    try {
      st = fs.statSync(path.resolve(s));
    } catch {
      return 'there is no such file';
    }
    return st.isFile() ? null : 'it is not a file';
  });
}
