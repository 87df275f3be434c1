/**
 * A whole profile checked as Prefect would read it: every name looked up in the catalog (unknown
 * names get a "did you mean", legacy names a rename to the canonical one), every value parsed by its
 * kind (value.ts), then the rules that span settings. Saving is never refused because of issues:
 * nothing a user typed is lost; exports refuse errors unless forced.
 */
import { closest } from '../../text/did-you-mean';
import { ALL_SETTING_NAMES, lookupSetting, type SettingEntry } from '../settings-catalog';
import { parseTimedelta } from './duration';
import { checkValue, parsePydanticInt } from './value';
import type { ProfileIssue, ProfileValues } from './types';

export function validateProfile(values: ProfileValues): ProfileIssue[] {
  const issues: ProfileIssue[] = [];
  const seen = new Map<string, string[]>(); // canonical env -> names used
  for (const [name, value] of Object.entries(values)) {
    const hit = lookupSetting(name);
    if (!hit) {
      issues.push({
        name,
        severity: 'warning',
        code: 'unknown',
        message: `${name} is not a Prefect setting; Prefect ignores it.`,
        // Aliases help the match; the suggestion is always the canonical name, once.
        didYouMean: [...new Set(closest(name.toUpperCase(), ALL_SETTING_NAMES, 5).map((n) => lookupSetting(n)!.entry.env))].slice(0, 3),
      });
      continue;
    }
    const { entry, alias } = hit;
    seen.set(entry.env, [...(seen.get(entry.env) ?? []), name]);
    if (name !== name.toUpperCase()) {
      issues.push({ name, severity: 'warning', code: 'case', message: `${name} is not upper case; profiles.toml keys are read in upper case.`, renameTo: alias ? entry.env : name.toUpperCase() });
    } else if (alias) {
      issues.push({
        name,
        severity: 'warning',
        code: 'legacy-name',
        message: `${name} is a legacy name of ${entry.env}. Prefect still reads it, but the canonical name wins if both are set anywhere.`,
        renameTo: entry.env,
      });
    }
    const c = checkValue(entry, value);
    if (c.error) issues.push({ name, severity: 'error', code: 'invalid', message: `${name}: ${c.error}.` });
    for (const w of c.warnings) issues.push({ name, severity: 'warning', code: 'advice', message: `${name}: ${w}.` });
  }
  for (const [env, names] of seen) {
    if (names.length > 1) {
      const winner = names.includes(env) ? env : names[0]!;
      issues.push({
        name: names.find((n) => n !== winner)!,
        severity: 'warning',
        code: 'duplicate',
        message: `${names.join(' and ')} set the same setting; Prefect uses ${winner} and ignores the other.`,
      });
    }
  }
  issues.push(...crossFieldIssues(values));
  return issues;
}

/** The value a profile gives a setting (canonical name first, then aliases in Prefect's order). */
export function effectiveValue(values: ProfileValues, entry: SettingEntry): { name: string; value: string } | undefined {
  const upper = new Map(Object.entries(values).map(([k, v]) => [k.toUpperCase(), { name: k, value: v }]));
  for (const n of [entry.env, ...entry.aliases]) {
    const hit = upper.get(n);
    if (hit) return hit;
  }
  return undefined;
}

function valueOf(values: ProfileValues, env: string): string | undefined {
  const e = lookupSetting(env);
  return e ? effectiveValue(values, e.entry)?.value : undefined;
}

function crossFieldIssues(values: ProfileValues): ProfileIssue[] {
  const out: ProfileIssue[] = [];
  const int = (env: string, dflt: number) => {
    const v = valueOf(values, env);
    return v === undefined ? dflt : parsePydanticInt(v);
  };
  // prefect/settings/models/logging.py max_log_size_smaller_than_batch_size: a hard error.
  const batch = int('PREFECT_LOGGING_TO_API_BATCH_SIZE', 4_000_000);
  const maxLog = int('PREFECT_LOGGING_TO_API_MAX_LOG_SIZE', 1_000_000);
  if (batch !== null && maxLog !== null && batch < maxLog) {
    out.push({
      name: valueOf(values, 'PREFECT_LOGGING_TO_API_MAX_LOG_SIZE') !== undefined ? 'PREFECT_LOGGING_TO_API_MAX_LOG_SIZE' : 'PREFECT_LOGGING_TO_API_BATCH_SIZE',
      severity: 'error',
      code: 'cross-field',
      message: `PREFECT_LOGGING_TO_API_MAX_LOG_SIZE (${maxLog}) cannot be larger than PREFECT_LOGGING_TO_API_BATCH_SIZE (${batch}).`,
    });
  }
  const minRuns = int('PREFECT_SERVER_SERVICES_SCHEDULER_MIN_RUNS', 3);
  const maxRuns = int('PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS', 100);
  if (minRuns !== null && maxRuns !== null && minRuns > maxRuns) {
    out.push({ name: 'PREFECT_SERVER_SERVICES_SCHEDULER_MIN_RUNS', severity: 'warning', code: 'cross-field', message: `The scheduler's MIN_RUNS (${minRuns}) is above MAX_RUNS (${maxRuns}); MIN_RUNS wins, so MAX_RUNS has no effect.` });
  }
  const minT = valueOf(values, 'PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME') ?? 'PT1H';
  const maxT = valueOf(values, 'PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME') ?? 'P100D';
  const a = parseTimedelta(minT);
  const b = parseTimedelta(maxT);
  if (a.ok && b.ok && a.seconds > b.seconds) {
    out.push({ name: 'PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME', severity: 'warning', code: 'cross-field', message: 'The scheduler\'s MIN_SCHEDULED_TIME is longer than MAX_SCHEDULED_TIME.' });
  }
  // Basic auth: the server and its clients need the same user:password (docs/v3/advanced/security-settings.mdx).
  const serverAuth = valueOf(values, 'PREFECT_SERVER_API_AUTH_STRING');
  const clientAuth = valueOf(values, 'PREFECT_API_AUTH_STRING');
  if (serverAuth !== undefined && clientAuth !== undefined && serverAuth !== clientAuth) {
    out.push({ name: 'PREFECT_API_AUTH_STRING', severity: 'warning', code: 'cross-field', message: 'PREFECT_API_AUTH_STRING differs from PREFECT_SERVER_API_AUTH_STRING: clients using this profile will be refused by the server.' });
  }
  // settings/models/server/database.py warn_on_database_password_value_without_usage.
  const url = valueOf(values, 'PREFECT_SERVER_DATABASE_CONNECTION_URL');
  const pw = valueOf(values, 'PREFECT_SERVER_DATABASE_PASSWORD');
  if (url && pw && !/PREFECT_(SERVER|API)_DATABASE_PASSWORD/.test(url) && !url.includes(pw) && !url.includes(encodeURIComponent(pw))) {
    out.push({ name: 'PREFECT_SERVER_DATABASE_PASSWORD', severity: 'warning', code: 'cross-field', message: 'PREFECT_SERVER_DATABASE_PASSWORD is set but not used in the connection URL; Prefect ignores it. Put ${PREFECT_SERVER_DATABASE_PASSWORD} in the URL to use it.' });
  }
  // settings/models/_defaults.py default_database_connection_url: without a URL, the Postgres driver
  // needs host, user and name to build one; Prefect refuses to start otherwise.
  if (url === undefined && valueOf(values, 'PREFECT_SERVER_DATABASE_DRIVER') === 'postgresql+asyncpg') {
    const missing = ['HOST', 'USER', 'NAME'].filter((f) => valueOf(values, `PREFECT_SERVER_DATABASE_${f}`) === undefined);
    if (missing.length) {
      out.push({
        name: 'PREFECT_SERVER_DATABASE_DRIVER',
        severity: 'error',
        code: 'cross-field',
        message: `With DRIVER postgresql+asyncpg and no CONNECTION_URL, Prefect needs ${missing.map((m) => `PREFECT_SERVER_DATABASE_${m}`).join(', ')}.`,
      });
    }
  }
  const broker = valueOf(values, 'PREFECT_SERVER_EVENTS_MESSAGING_BROKER');
  if (broker?.startsWith('prefect_redis') && !Object.keys(values).some((k) => k.toUpperCase().startsWith('PREFECT_REDIS_MESSAGING_'))) {
    out.push({ name: 'PREFECT_SERVER_EVENTS_MESSAGING_BROKER', severity: 'warning', code: 'cross-field', message: 'The broker is Redis but no PREFECT_REDIS_MESSAGING_* setting says where Redis is; prefect-redis will try localhost:6379.' });
  }
  return out;
}

export function hasErrors(issues: readonly ProfileIssue[]): boolean {
  return issues.some((i) => i.severity === 'error');
}
