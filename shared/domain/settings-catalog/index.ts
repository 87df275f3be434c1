/**
 * Housekeeper's catalog of Prefect settings: every setting of Prefect's schema (generated.ts), a few
 * newer or integration settings (extras.ts), filed into groups with our own explanations. Lookups go
 * by canonical env name or legacy alias, case-insensitively, as Prefect's env source does.
 */
import { EXTRA_SETTINGS } from './extras';
import { GENERATED_SETTINGS } from './generated';
import { groupOf, scopeOf } from './groups';
import { SETTING_NOTES } from './notes';
import type { SettingEntry, SettingGroupId } from './types';

export type { SettingEntry, SettingGroup, SettingGroupId, SettingKind, GeneratedSetting } from './types';
export { SETTING_GROUPS } from './groups';

export const SETTINGS: readonly SettingEntry[] = [
  ...GENERATED_SETTINGS.map((g) => ({ ...g, origin: 'schema' as const })),
  ...EXTRA_SETTINGS,
].map((s) => {
  const e: SettingEntry = { ...s, group: groupOf(s.key), scope: scopeOf(s.key) };
  const note = SETTING_NOTES[s.env];
  if (note) e.note = note;
  return e;
});

const byName = new Map<string, { entry: SettingEntry; alias: boolean }>();
for (const e of SETTINGS) {
  byName.set(e.env, { entry: e, alias: false });
  for (const a of e.aliases) byName.set(a, { entry: e, alias: true });
}
const byKey = new Map(SETTINGS.map((e) => [e.key, e]));

/** Every name Prefect accepts (canonical names first), for "did you mean". */
export const ALL_SETTING_NAMES: readonly string[] = [...SETTINGS.map((e) => e.env), ...SETTINGS.flatMap((e) => e.aliases)];

/** A setting by env name (canonical or legacy alias), case-insensitive like Prefect's env source. */
export function lookupSetting(name: string): { entry: SettingEntry; alias: boolean } | undefined {
  return byName.get(name.trim().toUpperCase());
}

export function settingByKey(key: string): SettingEntry | undefined {
  return byKey.get(key);
}

export function settingsInGroup(id: SettingGroupId): SettingEntry[] {
  return SETTINGS.filter((e) => e.group === id);
}

/**
 * The default as a profile or env file would spell it: booleans lower case, lists comma-separated,
 * objects as JSON, durations ISO 8601. `null` means Prefect's default is None (unset); `undefined`
 * means Prefect computes it at runtime (e.g. paths under PREFECT_HOME).
 */
export function defaultAsText(e: SettingEntry): string | null | undefined {
  if (!('default' in e)) return undefined;
  const d = e.default;
  if (d === null) return null;
  if (typeof d === 'boolean' || typeof d === 'number' || typeof d === 'string') return String(d);
  if (Array.isArray(d)) return d.map(String).join(',');
  return JSON.stringify(d);
}

/** One line for a person: type, bounds and accepted formats. */
export function describeAccepts(e: SettingEntry): string {
  const range: string[] = [];
  if (e.min !== undefined) range.push(`>= ${e.min}`);
  if (e.exclusiveMin !== undefined) range.push(`> ${e.exclusiveMin}`);
  if (e.max !== undefined) range.push(`<= ${e.max}`);
  if (e.exclusiveMax !== undefined) range.push(`< ${e.exclusiveMax}`);
  const r = range.length ? ` (${range.join(', ')})` : '';
  const orNull = e.nullable ? '; unset for none' : '';
  switch (e.kind) {
    case 'boolean':
      return `true or false (also 1/0, yes/no, on/off)${orNull}`;
    case 'integer':
      return `whole number${r}${orNull}`;
    case 'number':
      return `number${r}${orNull}`;
    case 'enum':
      return `one of ${(e.enum ?? []).join(', ')}${orNull}`;
    case 'duration':
      return `duration: ISO 8601 (PT10M, PT1H, P7D), HH:MM:SS or "2d"; not plain seconds${orNull}`;
    case 'seconds-duration':
      return `duration: seconds ("15") or ISO 8601 (PT15S, P90D)${e.key.endsWith('retention_period') ? '; more than 1 hour' : ''}`;
    case 'vacuum-types':
      return 'comma-separated: events, flow_runs, orphans (or legacy true/false)';
    case 'seconds-map':
      return 'JSON object: event type -> seconds or ISO 8601 duration, each > 0';
    case 'json-object':
      return 'JSON object of strings';
    case 'status-codes':
      return 'comma-separated HTTP status codes 100-599';
    case 'retry-delays':
      return 'seconds, or comma-separated seconds per retry';
    case 'retry-delays-json':
      return 'seconds, or a JSON list of seconds per retry ([1, 10, 60])';
    case 'string-list':
      return 'comma-separated names';
    case 'path':
      return `file system path${orNull}`;
    default:
      return `text${orNull}`;
  }
}
