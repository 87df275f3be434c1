/**
 * Drift: a profile against the settings a live server reports (GET /api/admin/settings, nested by
 * settings path, secrets masked as "**********"). Each nested field is found in the catalog by its
 * path, both sides are reduced to a comparable form (value.ts), and defaults are taken into account:
 * a setting the profile leaves out and the server runs at its default is not drift.
 */
import { defaultAsText, lookupSetting, SETTINGS, type SettingEntry } from '../settings-catalog';
import { effectiveValue } from './validate';
import { checkValue } from './value';
import type { DriftEntry, ProfileValues } from './types';
import { isSecretName, MASK } from './changes';

export const SERVER_MASK = '**********';

/**
 * Settings the server computes at start when nothing sets them (paths under PREFECT_HOME, the
 * SQLite URL, certifi's CA bundle, UI URLs derived from API URLs): a value here is not drift unless
 * the profile sets the setting.
 */
const COMPUTED = new Set([
  'home',
  'profiles_path',
  'api.ssl_cert_file',
  'ui_url',
  'cloud.ui_url',
  'server.ui.api_url',
  'logging.config_path',
  'results.local_storage_path',
  'server.memo_store_path',
  'server.database.connection_url',
]);

export const RESTART_NOTE =
  'Prefect reads settings once, when the server process starts: after changing them, restart the server (and separate background-services processes) for the change to take effect. The server reports the settings of the process that answered; env vars, .env and prefect.toml in its working directory all win over a profile.';

function at(obj: unknown, key: string): { found: boolean; value: unknown } {
  let cur: unknown = obj;
  for (const part of key.split('.')) {
    if (typeof cur !== 'object' || cur === null || !(part in cur)) return { found: false, value: undefined };
    cur = (cur as Record<string, unknown>)[part];
  }
  return { found: true, value: cur };
}

/** A value from /admin/settings as a profile would spell it. */
export function serverText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(String).join(',');
  return JSON.stringify(v);
}

/** Kinds where "none" (null) and an empty list mean the same thing: the server reports [] for both. */
const LIST_KINDS = new Set(['string-list', 'status-codes']);

function comparable(e: SettingEntry, text: string | null): string | null {
  if (text === null) return LIST_KINDS.has(e.kind) ? '' : null;
  const c = checkValue(e, text);
  return c.comparable ?? text;
}

export function computeDrift(values: ProfileValues, server: unknown): DriftEntry[] {
  const out: DriftEntry[] = [];
  for (const e of SETTINGS) {
    const mine = effectiveValue(values, e);
    const theirs = at(server, e.key);
    const dflt = defaultAsText(e) ?? null;
    const serverValue = theirs.found ? serverText(theirs.value) : null;
    const masked = serverValue === SERVER_MASK;
    const base = { env: e.env, key: e.key, scope: e.scope, defaultValue: dflt, serverValue };
    const profileShown = mine === undefined ? null : e.secret || isSecretName(mine.name) ? MASK : mine.value;
    if (mine === undefined) {
      if (!theirs.found || COMPUTED.has(e.key)) continue;
      const atDefault = masked ? false : comparable(e, serverValue) === comparable(e, dflt);
      if (atDefault) continue;
      out.push({ ...base, status: 'server-only', profileValue: null, note: 'Set on the server (env, .env, prefect.toml or its profile), not in this profile.' });
      continue;
    }
    const note = mine.name !== e.env ? `Written as ${mine.name} in the profile.` : undefined;
    if (!theirs.found) {
      out.push({ ...base, status: 'profile-only', profileValue: profileShown, note: 'This server does not report the setting (an older Prefect, or a setting of an integration package).' });
      continue;
    }
    if (masked) {
      out.push({ ...base, status: 'unknown', profileValue: profileShown, note: 'The server masks this secret, so it cannot be compared.' });
      continue;
    }
    const a = comparable(e, mine.value);
    const b = comparable(e, serverValue);
    if (a === b) out.push({ ...base, status: 'same', profileValue: profileShown, ...(note ? { note } : {}) });
    else if (b === comparable(e, dflt)) {
      out.push({ ...base, status: 'profile-only', profileValue: profileShown, note: `The server runs with the default${note ? `; ${note}` : '.'}` });
    } else out.push({ ...base, status: 'different', profileValue: profileShown, ...(note ? { note } : {}) });
  }
  return out.sort((x, y) => order(x.status) - order(y.status) || x.env.localeCompare(y.env));
}

function order(s: DriftEntry['status']): number {
  return ['different', 'profile-only', 'server-only', 'unknown', 'same'].indexOf(s);
}

export function driftCounts(entries: readonly DriftEntry[]) {
  const n = (s: DriftEntry['status']) => entries.filter((e) => e.status === s).length;
  return { same: n('same'), different: n('different'), profileOnly: n('profile-only'), serverOnly: n('server-only'), unknown: n('unknown') };
}

/** Names in the profile the drift cannot place (unknown settings), for a note. */
export function unplacedNames(values: ProfileValues): string[] {
  return Object.keys(values).filter((n) => !lookupSetting(n));
}
