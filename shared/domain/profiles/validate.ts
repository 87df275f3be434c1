/**
 * A whole profile checked as the Prefect line it targets would read it: every name looked up in that
 * line's catalog (unknown names get a "did you mean", legacy names a rename to the canonical one),
 * every value parsed by its kind (value.ts), then the rules that span settings, where that line's
 * model has them. Errors block saving, importing and exporting unless the user forces it.
 */
import { closest } from '../../text/did-you-mean';
import { catalogFor, defaultAsText, LATEST_LINE, type Catalog, type PrefectLine, type SettingEntry } from '../settings-catalog';
import { parseTimedelta } from './duration';
import { checkValue, parsePydanticInt } from './value';
import type { ProfileIssue, ProfileValues } from './types';

export function validateProfile(values: ProfileValues, line: PrefectLine | null = LATEST_LINE): ProfileIssue[] {
  const cat = catalogFor(line);
  const issues: ProfileIssue[] = [];
  const seen = new Map<string, string[]>(); // canonical env -> names used
  for (const [name, value] of Object.entries(values)) {
    const hit = cat.lookup(name);
    if (!hit) {
      const newer = cat.line !== LATEST_LINE && catalogFor(LATEST_LINE).lookup(name);
      issues.push({
        name,
        severity: 'warning',
        code: 'unknown',
        message: newer
          ? `${name} is not a setting of Prefect ${cat.line} (it came later); a ${cat.line} server ignores it.`
          : `${name} is not a Prefect ${cat.line} setting; Prefect ignores it.`,
        // Aliases help the match; the suggestion is always the canonical name, once.
        didYouMean: [...new Set(closest(name.toUpperCase(), cat.names, 5).map((n) => cat.lookup(n)!.entry.env))].slice(0, 3),
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
    const c = checkValue(entry, value, cat.info.quirks);
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
  issues.push(...crossFieldIssues(values, cat));
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

function crossFieldIssues(values: ProfileValues, cat: Catalog): ProfileIssue[] {
  const valueOf = (env: string): string | undefined => {
    const e = cat.lookup(env);
    return e ? effectiveValue(values, e.entry)?.value : undefined;
  };
  const out: ProfileIssue[] = [];
  /** The profile's value, else this line's default (null when neither reads as a whole number). */
  const int = (env: string) => {
    const e = cat.lookup(env)?.entry;
    const v = valueOf(env) ?? (e ? defaultAsText(e) : undefined);
    return typeof v === 'string' ? parsePydanticInt(v) : null;
  };
  // prefect/settings/models/logging.py max_log_size_smaller_than_batch_size: a hard error.
  const batch = int('PREFECT_LOGGING_TO_API_BATCH_SIZE');
  const maxLog = int('PREFECT_LOGGING_TO_API_MAX_LOG_SIZE');
  if (cat.info.rules.maxLogSizeWithinBatchSize && batch !== null && maxLog !== null && batch < maxLog) {
    out.push({
      name: valueOf('PREFECT_LOGGING_TO_API_MAX_LOG_SIZE') !== undefined ? 'PREFECT_LOGGING_TO_API_MAX_LOG_SIZE' : 'PREFECT_LOGGING_TO_API_BATCH_SIZE',
      severity: 'error',
      code: 'cross-field',
      message: `PREFECT_LOGGING_TO_API_MAX_LOG_SIZE (${maxLog}) cannot be larger than PREFECT_LOGGING_TO_API_BATCH_SIZE (${batch}).`,
    });
  }
  const minRuns = int('PREFECT_SERVER_SERVICES_SCHEDULER_MIN_RUNS');
  const maxRuns = int('PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS');
  if (minRuns !== null && maxRuns !== null && minRuns > maxRuns) {
    out.push({ name: 'PREFECT_SERVER_SERVICES_SCHEDULER_MIN_RUNS', severity: 'warning', code: 'cross-field', message: `The scheduler's MIN_RUNS (${minRuns}) is above MAX_RUNS (${maxRuns}); MIN_RUNS wins, so MAX_RUNS has no effect.` });
  }
  const text = (env: string) => {
    const e = cat.lookup(env)?.entry;
    return valueOf(env) ?? (e ? defaultAsText(e) : undefined) ?? '';
  };
  const minT = text('PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME');
  const maxT = text('PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME');
  const a = parseTimedelta(minT, cat.info.quirks);
  const b = parseTimedelta(maxT, cat.info.quirks);
  if (a.ok && b.ok && a.seconds > b.seconds) {
    out.push({ name: 'PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME', severity: 'warning', code: 'cross-field', message: 'The scheduler\'s MIN_SCHEDULED_TIME is longer than MAX_SCHEDULED_TIME.' });
  }
  // Basic auth: the server and its clients need the same user:password (docs/v3/advanced/security-settings.mdx).
  const serverAuth = valueOf('PREFECT_SERVER_API_AUTH_STRING');
  const clientAuth = valueOf('PREFECT_API_AUTH_STRING');
  if (serverAuth !== undefined && clientAuth !== undefined && serverAuth !== clientAuth) {
    out.push({ name: 'PREFECT_API_AUTH_STRING', severity: 'warning', code: 'cross-field', message: 'PREFECT_API_AUTH_STRING differs from PREFECT_SERVER_API_AUTH_STRING: clients using this profile will be refused by the server.' });
  }
  // settings/models/server/database.py warn_on_database_password_value_without_usage.
  const url = valueOf('PREFECT_SERVER_DATABASE_CONNECTION_URL');
  const pw = valueOf('PREFECT_SERVER_DATABASE_PASSWORD');
  if (url && pw && !/PREFECT_(SERVER|API)_DATABASE_PASSWORD/.test(url) && !url.includes(pw) && !url.includes(encodeURIComponent(pw))) {
    out.push({ name: 'PREFECT_SERVER_DATABASE_PASSWORD', severity: 'warning', code: 'cross-field', message: 'PREFECT_SERVER_DATABASE_PASSWORD is set but not used in the connection URL; Prefect ignores it. Put ${PREFECT_SERVER_DATABASE_PASSWORD} in the URL to use it.' });
  }
  // settings/models/_defaults.py default_database_connection_url: without a URL, the Postgres driver
  // needs host, user and name (3.0: and a password) to build one; Prefect refuses to start otherwise.
  if (url === undefined && valueOf('PREFECT_SERVER_DATABASE_DRIVER') === 'postgresql+asyncpg') {
    const missing = cat.info.rules.postgresDriverRequires.filter((f) => valueOf(`PREFECT_SERVER_DATABASE_${f}`) === undefined);
    if (missing.length) {
      out.push({
        name: 'PREFECT_SERVER_DATABASE_DRIVER',
        severity: 'error',
        code: 'cross-field',
        message: `With DRIVER postgresql+asyncpg and no CONNECTION_URL, Prefect needs ${missing.map((m) => `PREFECT_SERVER_DATABASE_${m}`).join(', ')}.`,
      });
    }
  }
  const broker = valueOf('PREFECT_SERVER_EVENTS_MESSAGING_BROKER');
  if (broker?.startsWith('prefect_redis') && !Object.keys(values).some((k) => k.toUpperCase().startsWith('PREFECT_REDIS_MESSAGING_'))) {
    out.push({ name: 'PREFECT_SERVER_EVENTS_MESSAGING_BROKER', severity: 'warning', code: 'cross-field', message: 'The broker is Redis but no PREFECT_REDIS_MESSAGING_* setting says where Redis is; prefect-redis will try localhost:6379.' });
  }
  return out;
}

export function hasErrors(issues: readonly ProfileIssue[]): boolean {
  return issues.some((i) => i.severity === 'error');
}
