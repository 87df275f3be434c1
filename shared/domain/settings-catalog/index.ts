/**
 * Housekeeper's catalogs of Prefect settings, one per Prefect 3 minor line (generated.ts: the newest
 * line in full, the others as differences, each from that line's own Settings model), plus the Redis
 * settings of the prefect-redis package (extras.ts), filed into groups with our own explanations.
 * Lookups go by canonical env name or legacy alias, case-insensitively, as Prefect's env source does.
 *
 * Everything that checks or writes settings takes the catalog of the line a profile targets
 * (`catalogFor(line)`); the exports at the bottom are the newest line's, for callers that have no
 * line (e.g. the scheduler's own settings, which did not change across 3.x).
 */
import { EXTRA_SETTINGS } from './extras';
import { BASE_LINE, BASE_SETTINGS, GENERATED_LINES, LINE_DELTAS } from './generated';
import { groupOf, scopeOf } from './groups';
import { SETTING_NOTES } from './notes';
import { PREFECT_LINES, type GeneratedSetting, type PrefectLine, type PrefectLineInfo, type SettingEntry, type SettingGroupId } from './types';

export type { SettingEntry, SettingGroup, SettingGroupId, SettingKind, GeneratedSetting, PrefectLine, PrefectLineInfo } from './types';
export { PREFECT_LINES } from './types';
export { SETTING_GROUPS } from './groups';

/**
 * Settings Prefect stores as plain text but that usually hold credentials, so Housekeeper treats them
 * as secrets (encrypted, masked, left out of exports): custom headers carry `Authorization` tokens
 * and API keys for proxies in front of the server (issue #12, item 7).
 */
export const HOUSEKEEPER_SECRETS: ReadonlySet<string> = new Set(['client.custom_headers']);

export interface Catalog {
  line: PrefectLine;
  info: PrefectLineInfo;
  settings: readonly SettingEntry[];
  /** Every name this line accepts (canonical names first), for "did you mean". */
  names: readonly string[];
  /** A setting by env name (canonical or legacy alias), case-insensitive like Prefect's env source. */
  lookup(name: string): { entry: SettingEntry; alias: boolean } | undefined;
  byKey(key: string): SettingEntry | undefined;
}

export const LATEST_LINE: PrefectLine = PREFECT_LINES[PREFECT_LINES.length - 1]!;

export function isPrefectLine(v: unknown): v is PrefectLine {
  return typeof v === 'string' && (PREFECT_LINES as readonly string[]).includes(v);
}

function generatedFor(line: PrefectLine): readonly GeneratedSetting[] {
  if (line === BASE_LINE) return BASE_SETTINGS;
  const d = LINE_DELTAS[line];
  if (!d) throw new Error(`No settings catalog for Prefect ${line}`);
  const removed = new Set(d.removed);
  const out: GeneratedSetting[] = [];
  for (const b of BASE_SETTINGS) {
    if (removed.has(b.key)) continue;
    const c = d.changed[b.key];
    if (!c) {
      out.push(b);
      continue;
    }
    const e = { ...b, ...c.set } as GeneratedSetting & Record<string, unknown>;
    for (const f of c.drop ?? []) delete e[f];
    out.push(e);
  }
  return [...out, ...d.added].sort((a, b) => a.key.localeCompare(b.key));
}

function build(line: PrefectLine): Catalog {
  const info = GENERATED_LINES.find((l) => l.line === line);
  if (!info) throw new Error(`No settings catalog for Prefect ${line}`);
  const settings: SettingEntry[] = [...generatedFor(line).map((g) => ({ ...g, origin: 'schema' as const })), ...EXTRA_SETTINGS].map((s) => {
    const e: SettingEntry = { ...s, secret: s.secret || HOUSEKEEPER_SECRETS.has(s.key), group: groupOf(s.key), scope: scopeOf(s.key) };
    const note = SETTING_NOTES[s.env];
    if (note) e.note = note;
    return e;
  });
  const byName = new Map<string, { entry: SettingEntry; alias: boolean }>();
  for (const e of settings) {
    byName.set(e.env, { entry: e, alias: false });
    for (const a of e.aliases) if (!byName.has(a)) byName.set(a, { entry: e, alias: true });
  }
  const byKey = new Map(settings.map((e) => [e.key, e]));
  return {
    line,
    info,
    settings,
    names: [...settings.map((e) => e.env), ...settings.flatMap((e) => e.aliases)],
    lookup: (name) => byName.get(name.trim().toUpperCase()),
    byKey: (key) => byKey.get(key),
  };
}

const built = new Map<PrefectLine, Catalog>();

/** The catalog of one line (default: the newest). Built on first use, then cached. */
export function catalogFor(line: PrefectLine | null | undefined = LATEST_LINE): Catalog {
  const l = line ?? LATEST_LINE;
  let c = built.get(l);
  if (!c) {
    c = build(l);
    built.set(l, c);
  }
  return c;
}

/** The release each line's catalog was generated from, e.g. 3.4 -> 3.4.25 (without building the catalog). */
export function lineVersion(line: PrefectLine): string {
  return GENERATED_LINES.find((l) => l.line === line)?.version ?? line;
}

/**
 * The line of a Prefect version as a server reports it (`/api/admin/version`): "3.4.25" -> 3.4. A
 * newer line than we know uses the newest catalog (and says so); 2.x or text that is not a version
 * has no line.
 */
export function lineOfVersion(version: string | null | undefined): { line: PrefectLine; note: string | null } | null {
  const m = /^\s*v?(\d+)\.(\d+)/.exec(version ?? '');
  if (!m || m[1] !== '3') return null;
  const minor = `3.${Number(m[2])}`;
  if (isPrefectLine(minor)) return { line: minor, note: null };
  if (Number(m[2]) > Number(LATEST_LINE.split('.')[1])) {
    return { line: LATEST_LINE, note: `Prefect ${version} is newer than the newest settings catalog (${LATEST_LINE}); its rules are used.` };
  }
  return null;
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
      return `comma-separated: ${(e.enum ?? ['events', 'flow_runs']).join(', ')} (or legacy true/false)`;
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
    case 'string-list-csv':
      return 'comma-separated names (not a JSON list in this Prefect line)';
    case 'path':
      return `file system path${orNull}`;
    default:
      return `text${orNull}`;
  }
}

// The newest line's catalog, for callers without a line.
const latest = catalogFor(LATEST_LINE);
export const SETTINGS: readonly SettingEntry[] = latest.settings;
export const ALL_SETTING_NAMES: readonly string[] = latest.names;

export function lookupSetting(name: string, line?: PrefectLine | null): { entry: SettingEntry; alias: boolean } | undefined {
  return catalogFor(line).lookup(name);
}

export function settingByKey(key: string, line?: PrefectLine | null): SettingEntry | undefined {
  return catalogFor(line).byKey(key);
}

export function settingsInGroup(id: SettingGroupId, line?: PrefectLine | null): SettingEntry[] {
  return catalogFor(line).settings.filter((e) => e.group === id);
}
