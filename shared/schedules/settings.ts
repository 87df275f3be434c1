/**
 * The scheduler's settings (`ServerServicesSchedulerSettings`, prefect/settings/models/server/
 * services.py, 3.9.1) in seconds and counts, read from the three places Housekeeper gets them: the
 * live server (`GET /admin/settings`, durations as ISO 8601), a profile or env file (names
 * PREFECT_SERVER_SERVICES_SCHEDULER_* or the legacy PREFECT_API_SERVICES_SCHEDULER_*), or typed in.
 */
import { parseIsoDuration, parseShortDuration } from '../domain/cutoff';

export interface SchedulerSettings {
  enabled: boolean;
  loopSeconds: number;
  deploymentBatchSize: number;
  maxRuns: number;
  minRuns: number;
  /** Seconds. */
  maxScheduledTime: number;
  /** Seconds. */
  minScheduledTime: number;
  insertBatchSize: number;
  recentDeploymentsLoopSeconds: number;
}

export type SchedulerSettingKey = keyof SchedulerSettings;

export const DEFAULT_SCHEDULER_SETTINGS: SchedulerSettings = {
  enabled: true,
  loopSeconds: 60,
  deploymentBatchSize: 100,
  maxRuns: 100,
  minRuns: 3,
  maxScheduledTime: 100 * 86400,
  minScheduledTime: 3600,
  insertBatchSize: 500,
  recentDeploymentsLoopSeconds: 5,
};

/** Setting key -> Prefect's field name (also the suffix of the env names). */
export const SETTING_FIELDS: Record<SchedulerSettingKey, string> = {
  enabled: 'enabled',
  loopSeconds: 'loop_seconds',
  deploymentBatchSize: 'deployment_batch_size',
  maxRuns: 'max_runs',
  minRuns: 'min_runs',
  maxScheduledTime: 'max_scheduled_time',
  minScheduledTime: 'min_scheduled_time',
  insertBatchSize: 'insert_batch_size',
  recentDeploymentsLoopSeconds: 'recent_deployments_loop_seconds',
};

const DURATIONS = new Set<SchedulerSettingKey>(['maxScheduledTime', 'minScheduledTime']);
const INTEGERS = new Set<SchedulerSettingKey>(['deploymentBatchSize', 'maxRuns', 'minRuns', 'insertBatchSize']);

export function envNames(key: SchedulerSettingKey): string[] {
  const f = SETTING_FIELDS[key].toUpperCase();
  // recent_deployments_loop_seconds has no legacy alias in 3.9.1.
  return key === 'recentDeploymentsLoopSeconds'
    ? [`PREFECT_SERVER_SERVICES_SCHEDULER_${f}`]
    : [`PREFECT_SERVER_SERVICES_SCHEDULER_${f}`, `PREFECT_API_SERVICES_SCHEDULER_${f}`];
}

/** Seconds from "3600", "1h", "90m", "PT1H", "P100D", "01:00:00", "1 day". null when unreadable. */
export function durationSeconds(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string') return null;
  const t = v.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const ms = parseShortDuration(t) ?? parseIsoDuration(t);
  if (ms !== null) return ms / 1000;
  const hms = /^(?:(\d+)\s*d(?:ays?)?,?\s*)?(\d+):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/i.exec(t);
  if (hms) return Number(hms[1] ?? 0) * 86400 + Number(hms[2]) * 3600 + Number(hms[3]) * 60 + Number(hms[4] ?? 0);
  const days = /^(\d+)\s*d(?:ays?)?$/i.exec(t);
  if (days) return Number(days[1]) * 86400;
  return null;
}

export type SettingsIssue = { key: SchedulerSettingKey; message: string };

/** Reads one value; an issue when it cannot be read or Prefect would refuse it. */
export function readSetting(key: SchedulerSettingKey, raw: unknown): { value: number | boolean } | { issue: string } {
  if (key === 'enabled') {
    if (typeof raw === 'boolean') return { value: raw };
    const t = String(raw).trim().toLowerCase();
    if (['true', '1', 'yes', 'on', 't', 'y'].includes(t)) return { value: true };
    if (['false', '0', 'no', 'off', 'f', 'n'].includes(t)) return { value: false };
    return { issue: `"${String(raw)}" is not true or false` };
  }
  const n = DURATIONS.has(key) ? durationSeconds(raw) : typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (n === null || !Number.isFinite(n)) return { issue: `"${String(raw)}" is not ${DURATIONS.has(key) ? 'a duration (3600, 1h, PT1H)' : 'a number'}` };
  if (INTEGERS.has(key) && !Number.isInteger(n)) return { issue: `${n} is not a whole number` };
  if (n < 0) return { issue: 'must not be negative' };
  if ((key === 'loopSeconds' || key === 'recentDeploymentsLoopSeconds') && n <= 0) return { issue: 'must be more than 0 seconds' };
  if ((key === 'deploymentBatchSize' || key === 'insertBatchSize') && n < 1) return { issue: 'must be at least 1' };
  return { value: n };
}

export interface ReadSettings {
  settings: SchedulerSettings;
  /** Keys found in the source (others are Prefect's defaults). */
  given: SchedulerSettingKey[];
  issues: SettingsIssue[];
}

function apply(base: SchedulerSettings, pick: (key: SchedulerSettingKey) => unknown): ReadSettings {
  const settings = { ...base };
  const given: SchedulerSettingKey[] = [];
  const issues: SettingsIssue[] = [];
  for (const key of Object.keys(SETTING_FIELDS) as SchedulerSettingKey[]) {
    const raw = pick(key);
    if (raw === undefined || raw === null || raw === '') continue;
    const r = readSetting(key, raw);
    if ('issue' in r) issues.push({ key, message: `${SETTING_FIELDS[key]}: ${r.issue}` });
    else {
      (settings as Record<string, unknown>)[key] = r.value;
      given.push(key);
    }
  }
  return { settings, given, issues };
}

/** From GET /admin/settings (`server.services.scheduler.*`). */
export function fromAdminSettings(json: unknown): ReadSettings {
  const sched = (json as { server?: { services?: { scheduler?: Record<string, unknown> } } })?.server?.services?.scheduler ?? {};
  return apply(DEFAULT_SCHEDULER_SETTINGS, (key) => sched[SETTING_FIELDS[key]]);
}

/** From env-style values (a profile, a .env file); names are matched case-insensitively, canonical first. */
export function fromEnvValues(values: Record<string, string>): ReadSettings {
  const upper = new Map(Object.entries(values).map(([k, v]) => [k.toUpperCase(), v]));
  return apply(DEFAULT_SCHEDULER_SETTINGS, (key) => {
    for (const name of envNames(key)) if (upper.has(name)) return upper.get(name);
    return undefined;
  });
}

/** Typed values over a base (what the simulator's "change a setting" does). */
export function withOverrides(base: SchedulerSettings, overrides: Partial<Record<SchedulerSettingKey, unknown>>): ReadSettings {
  return apply(base, (key) => overrides[key]);
}

/**
 * A typed-in override checked without a server (contracts and the CLI check it before any request,
 * issue #12): the name is a scheduler setting (key, Prefect field or env name) and the value reads.
 */
export function overrideError(name: string, value: unknown): string | null {
  const field = name.toLowerCase().replace(/^prefect_(server|api)_services_scheduler_/, '');
  const key = (Object.keys(SETTING_FIELDS) as SchedulerSettingKey[]).find((k) => k === name || SETTING_FIELDS[k] === field);
  if (!key) return `"${name.slice(0, 60)}" is not a scheduler setting (${Object.values(SETTING_FIELDS).join(', ')})`;
  const r = readSetting(key, value);
  return 'issue' in r ? `${SETTING_FIELDS[key]}: ${r.issue}` : null;
}
