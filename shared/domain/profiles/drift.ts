/**
 * Drift: a profile against the settings a live server reports (GET /api/admin/settings, nested by
 * settings path, secrets masked as "**********"). The comparison uses the catalog of the line the
 * server runs (settings paths, defaults and formats changed across 3.x): each nested field is found
 * by its path, both sides are reduced to a comparable form (value.ts), and that line's defaults are
 * taken into account: a setting the profile leaves out and the server runs at its default is not drift.
 */
import { catalogFor, defaultAsText, type PrefectLine, type SettingEntry } from '../settings-catalog';
import { effectiveValue } from './validate';
import { checkValue } from './value';
import type { DriftEntry, ProfileValues } from './types';
import { isSecretName, MASK } from './changes';

export const SERVER_MASK = '**********';

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

function comparable(e: SettingEntry, text: string | null, line: PrefectLine): string | null {
  if (text === null) return LIST_KINDS.has(e.kind) ? '' : null;
  const c = checkValue(e, text, catalogFor(line).info.quirks);
  return c.comparable ?? text;
}

/**
 * Every setting of `line` that the profile sets or the server runs away from that line's default.
 * Profile settings the line does not know are left to `unplacedNames`.
 */
export function computeDrift(values: ProfileValues, server: unknown, line: PrefectLine | null = null): DriftEntry[] {
  const cat = catalogFor(line);
  const cmp = (e: SettingEntry, t: string | null) => comparable(e, t, cat.line);
  const out: DriftEntry[] = [];
  for (const e of cat.settings) {
    const mine = effectiveValue(values, e);
    const theirs = at(server, e.key);
    const dflt = defaultAsText(e) ?? null;
    const secret = e.secret || (mine !== undefined && isSecretName(mine.name));
    const rawServer = theirs.found ? serverText(theirs.value) : null;
    const masked = rawServer === SERVER_MASK;
    // A secret the server reports in plain text (custom headers) is compared but never shown.
    const serverValue = secret && rawServer !== null && !masked && rawServer !== dflt ? MASK : rawServer;
    const base = { env: e.env, key: e.key, scope: e.scope, defaultValue: dflt, serverValue };
    const profileShown = mine === undefined ? null : secret ? MASK : mine.value;
    if (mine === undefined) {
      if (!theirs.found || e.computed) continue;
      const atDefault = masked ? false : cmp(e, rawServer) === cmp(e, dflt);
      if (atDefault) continue;
      out.push({ ...base, status: 'server-only', profileValue: null, note: 'Set on the server (env, .env, prefect.toml or its profile), not in this profile.' });
      continue;
    }
    const note = mine.name !== e.env ? `Written as ${mine.name} in the profile.` : undefined;
    if (!theirs.found) {
      out.push({ ...base, status: 'profile-only', profileValue: profileShown, note: 'This server does not report the setting (a setting of an integration package, or of another Prefect line).' });
      continue;
    }
    if (masked) {
      out.push({ ...base, status: 'unknown', profileValue: profileShown, note: 'The server masks this secret, so it cannot be compared.' });
      continue;
    }
    const a = cmp(e, mine.value);
    const b = cmp(e, rawServer);
    if (a === b) out.push({ ...base, status: 'same', profileValue: profileShown, ...(note ? { note } : {}) });
    else {
      const atDefault = b === cmp(e, dflt) ? 'The server runs with the default' : '';
      const text = [atDefault, note].filter(Boolean).join('; ');
      out.push({ ...base, status: 'different', profileValue: profileShown, ...(text ? { note: text.endsWith('.') ? text : `${text}.` } : {}) });
    }
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

/** Names in the profile the drift cannot place (not settings of the server's line), for a note. */
export function unplacedNames(values: ProfileValues, line: PrefectLine | null = null): string[] {
  const cat = catalogFor(line);
  return Object.keys(values).filter((n) => !cat.lookup(n));
}
