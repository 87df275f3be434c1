/**
 * One setting value, checked the way Prefect reads it from an environment variable or a
 * profile (both are strings). `error` means Prefect's Settings model refuses the value (the server
 * would not start); `warnings` are values Prefect accepts that will not do what was meant.
 * `comparable` is a canonical text for diff and drift (e.g. "PT60S" and "60" for a seconds field
 * compare equal; booleans become true/false).
 */
import type { SettingEntry } from '../settings-catalog';
import { parsePythonFloat, parseSecondsTimedelta, parseTimedelta, toIsoDuration, type DurationQuirks } from './duration';

export interface ValueCheck {
  error?: string;
  warnings: string[];
  comparable?: string;
}

const TRUE = new Set(['1', 'on', 't', 'true', 'y', 'yes']);
const FALSE = new Set(['0', 'off', 'f', 'false', 'n', 'no']);
const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];

/** pydantic's int from a string: whitespace, sign, underscores, and a zero fraction ("5.0") allowed. */
export function parsePydanticInt(text: string): number | null {
  const m = /^\s*([+-]?\d(?:_?\d)*)(?:\.0*)?\s*$/.exec(text);
  return m ? Number(m[1]!.replace(/_/g, '')) : null;
}

export function parseBool(text: string): boolean | null {
  const t = text.toLowerCase();
  return TRUE.has(t) ? true : FALSE.has(t) ? false : null;
}

function bounds(e: SettingEntry, n: number): string | undefined {
  // NaN fails every bound, as in Python.
  if (e.min !== undefined && !(n >= e.min)) return `must be at least ${e.min}`;
  if (e.exclusiveMin !== undefined && !(n > e.exclusiveMin)) return `must be greater than ${e.exclusiveMin}`;
  if (e.max !== undefined && !(n <= e.max)) return `must be at most ${e.max}`;
  if (e.exclusiveMax !== undefined && !(n < e.exclusiveMax)) return `must be less than ${e.exclusiveMax}`;
  return undefined;
}

function tryJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `quirks`: the parser differences of the Prefect line the value is checked for (catalog info). */
export function checkValue(e: SettingEntry, text: string, quirks: DurationQuirks = {}): ValueCheck {
  const w: string[] = [];
  const fail = (error: string): ValueCheck => ({ error, warnings: w });
  switch (e.kind) {
    case 'boolean': {
      const b = parseBool(text);
      if (b === null) return fail(`"${text}" is not a boolean; use true or false`);
      return { warnings: w, comparable: String(b) };
    }
    case 'integer': {
      const n = parsePydanticInt(text);
      if (n === null) return fail(`"${text}" is not a whole number`);
      const b = bounds(e, n);
      if (b) return fail(b);
      if (/\.port$/.test(e.key) && (n < 1 || n > 65535)) w.push('a TCP port is 1-65535; Prefect accepts this value but cannot listen or connect on it');
      return { warnings: w, comparable: String(n) };
    }
    case 'number': {
      const n = parsePythonFloat(text);
      if (n === null) return fail(`"${text}" is not a number`);
      const b = bounds(e, n);
      if (b) return fail(b);
      if (Number.isNaN(n) || !Number.isFinite(n)) w.push(`${text} is accepted by Prefect but is not a useful value here`);
      return { warnings: w, comparable: String(n) };
    }
    case 'enum': {
      const values = e.enum ?? [];
      // LogLevel upper-cases first (prefect/types/__init__.py); other Literals are case-sensitive.
      const caseless = values.length === LOG_LEVELS.length && values.every((v) => LOG_LEVELS.includes(v));
      const v = caseless ? text.toUpperCase() : text;
      if (!values.includes(v)) return fail(`"${text}" is not one of ${values.join(', ')}`);
      return { warnings: w, comparable: v };
    }
    case 'duration': {
      const d = parseTimedelta(text, quirks);
      if (!d.ok) return fail(d.error);
      if (d.seconds < 0) w.push('a negative duration is accepted by Prefect but makes no sense here');
      return { warnings: w, comparable: toIsoDuration(d.seconds) };
    }
    case 'seconds-duration': {
      const d = parseSecondsTimedelta(text, quirks);
      if (!d.ok) return fail(d.error);
      // db_vacuum.retention_period: gt=timedelta(hours=1) (prefect/settings/models/server/services.py).
      if (e.key === 'server.services.db_vacuum.retention_period' && !(d.seconds > 3600)) return fail('must be more than 1 hour (3600 seconds)');
      if (d.seconds < 0) w.push('a negative duration is accepted by Prefect but makes no sense here');
      return { warnings: w, comparable: toIsoDuration(d.seconds) };
    }
    case 'vacuum-types': {
      // _parse_vacuum_enabled (prefect/settings/models/server/services.py): true/1 -> legacy True
      // (every type), false/0/"" -> events. Since 3.8 flow_runs implies orphans; `enum` holds this
      // line's _VALID_VACUUM_TYPES.
      const types = e.enum ?? ['events', 'flow_runs'];
      const orphans = types.includes('orphans');
      const t = text.trim().toLowerCase();
      if (t === 'true' || t === '1') return { warnings: [`legacy value: means ${types.join(',')}`], comparable: [...types].sort().join(',') };
      if (t === 'false' || t === '0' || t === '') return { warnings: ['legacy value: means events only'], comparable: 'events' };
      const set = new Set(splitList(text));
      const bad = [...set].filter((s) => !types.includes(s));
      if (bad.length) w.push(`Prefect accepts ${bad.map((b) => `"${b}"`).join(', ')} here but the vacuum service fails at startup; valid types: ${types.join(', ')}`);
      if (orphans && set.has('flow_runs')) set.add('orphans');
      return { warnings: w, comparable: [...set].sort().join(',') };
    }
    case 'seconds-map': {
      const j = tryJson(text);
      if (!j.ok || typeof j.value !== 'object' || j.value === null || Array.isArray(j.value)) {
        return fail('must be a JSON object, e.g. {"prefect.flow-run.heartbeat": 86400}');
      }
      const norm: Record<string, string> = {};
      for (const [k, v] of Object.entries(j.value as Record<string, unknown>)) {
        const d = typeof v === 'number' ? ({ ok: true, seconds: v } as const) : typeof v === 'string' ? parseSecondsTimedelta(v) : null;
        if (!d || !d.ok) return fail(`the retention for "${k}" is not a duration`);
        if (!(d.seconds > 0)) return fail(`the retention for "${k}" must be positive`);
        norm[k] = toIsoDuration(d.seconds);
      }
      return { warnings: w, comparable: JSON.stringify(Object.fromEntries(Object.entries(norm).sort())) };
    }
    case 'json-object': {
      const j = tryJson(text);
      if (!j.ok || typeof j.value !== 'object' || j.value === null || Array.isArray(j.value)) {
        return fail('must be a JSON object, e.g. {"X-Header": "value"}');
      }
      for (const [k, v] of Object.entries(j.value as Record<string, unknown>)) {
        if (typeof v !== 'string') return fail(`the value of "${k}" must be a string`);
      }
      return { warnings: w, comparable: JSON.stringify(Object.fromEntries(Object.entries(j.value as object).sort())) };
    }
    case 'status-codes': {
      // JSON first (pydantic-settings, complex union), else comma-separated (validate_set_T_from_delim_string).
      const j = tryJson(text);
      let codes: unknown[];
      if (j.ok && typeof j.value === 'number') codes = [j.value];
      else if (j.ok && Array.isArray(j.value)) codes = j.value;
      else codes = splitList(text).map((s) => parsePydanticInt(s) ?? s);
      for (const c of codes) {
        if (typeof c !== 'number' || !Number.isInteger(c)) return fail(`"${String(c)}" is not a status code`);
        if (c < 100 || c > 599) return fail(`${c} is not an HTTP status code (100-599)`);
      }
      return { warnings: w, comparable: [...new Set(codes as number[])].sort((a, b) => a - b).join(',') };
    }
    case 'retry-delays':
    case 'retry-delays-json': {
      const j = tryJson(text);
      let delays: unknown[];
      if (j.ok && (typeof j.value === 'number' || Array.isArray(j.value))) delays = Array.isArray(j.value) ? j.value : [j.value];
      else if (e.kind === 'retry-delays-json') return fail('must be a number of seconds or a JSON list such as [1, 10, 60]');
      else delays = splitList(text).map((s) => parsePythonFloat(s) ?? s);
      for (const d of delays) if (typeof d !== 'number') return fail(`"${String(d)}" is not a number of seconds`);
      return { warnings: w, comparable: (delays as number[]).join(',') };
    }
    case 'string-list': {
      const j = tryJson(text);
      const items = j.ok && Array.isArray(j.value) ? j.value.map(String) : splitList(text);
      return { warnings: w, comparable: [...new Set(items)].sort().join(',') };
    }
    case 'string-list-csv': {
      // pydantic-settings JSON-decodes the value (the field's type has a list in it), then the line's
      // validator calls .split(",") on what it got: a JSON list crashes it (Prefect 3.0).
      const j = tryJson(text);
      if (j.ok && Array.isArray(j.value)) return fail('a JSON list is not accepted by this Prefect line; write the names comma-separated, e.g. a,b');
      return { warnings: w, comparable: [...new Set(splitList(text))].sort().join(',') };
    }
    default:
      return { warnings: stringWarnings(e, text), comparable: text };
  }
}

const URL_KEYS = new Set(['api.url', 'server.ui.api_url', 'cloud.api_url', 'cloud.ui_url', 'ui_url']);

/** Strings Prefect accepts as they are, but that will fail later or do something unexpected. */
function stringWarnings(e: SettingEntry, text: string): string[] {
  const w: string[] = [];
  if (text !== text.trim()) w.push('the value has spaces at the start or end, which Prefect keeps');
  if (URL_KEYS.has(e.key) && text !== '' && !/^https?:\/\/[^\s/]+/i.test(text)) w.push('not an http(s) URL');
  if (e.key === 'api.url' && /^https?:\/\//i.test(text) && !/\/api\/?$/.test(text) && !/\/api\/accounts\//.test(text)) {
    w.push('a self-hosted API URL normally ends with /api (e.g. http://host:4200/api)');
  }
  if (e.key === 'server.database.connection_url' && text !== '' && !/^(postgresql\+asyncpg|sqlite\+aiosqlite):\/\//.test(text) && !text.includes('${')) {
    w.push('Prefect needs an async driver: postgresql+asyncpg://... or sqlite+aiosqlite:///...; the server fails to start otherwise');
  }
  if (/\.auth_string$/.test(e.key) && text !== '' && !text.includes(':')) w.push('an auth string looks like user:password');
  if (e.key === 'server.api.base_path' && text !== '' && !text.startsWith('/')) w.push('a base path starts with /');
  return w;
}
