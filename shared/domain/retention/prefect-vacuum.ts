/**
 * Prefect's own database vacuum, as the server reports it (GET /admin/settings), and the profile
 * settings that would make it keep this retention from now on. The service exists from Prefect
 * 3.6.19 (prefect/server/services/db_vacuum.py); its flow-run part is off by default (`enabled`
 * defaults to {"events"}), and `true`/`false` are legacy spellings (services.py
 * ServerServicesDBVacuumSettings.enabled_vacuum_types). Before 3.6.19 only events were trimmed, by
 * the event persister, after server.events.retention_period.
 */
import { z } from 'zod';
import { parseTimedelta } from '../profiles/duration';
import { presetById } from '../profiles/presets';

export const DB_VACUUM_SINCE = '3.6.19';
export const VACUUM_PRESET_ID = 'retention-vacuum';

export const PrefectVacuumViewSchema = z.object({
  version: z.string().nullable(),
  /** The server has the db_vacuum service (3.6.19+). */
  available: z.boolean(),
  /** Whether /admin/settings could be read. */
  settingsRead: z.boolean(),
  flowRunsOn: z.boolean().nullable(),
  eventsOn: z.boolean().nullable(),
  orphansOn: z.boolean().nullable(),
  retentionSeconds: z.number().nullable(),
  loopSeconds: z.number().nullable(),
  batchSize: z.number().nullable(),
  eventsRetentionSeconds: z.number().nullable(),
  eventOverrides: z.record(z.string(), z.number()),
  eventPersisterOn: z.boolean().nullable(),
  /** One sentence for the plan. */
  summary: z.string(),
  /** Profile settings that turn the vacuum on with this plan's periods (null: the server lacks it). */
  presetChanges: z.record(z.string(), z.string()).nullable(),
  presetId: z.string(),
});
export type PrefectVacuumView = z.infer<typeof PrefectVacuumViewSchema>;

/** Seconds as Prefect reads them back: whole days as P<n>D, else PT<n>S. */
export function isoSeconds(seconds: number): string {
  const s = Math.round(seconds);
  return s % 86400 === 0 ? `P${s / 86400}D` : `PT${s}S`;
}

export function humanSeconds(seconds: number): string {
  const s = Math.round(seconds);
  if (s % 86400 === 0) return `${s / 86400} day${s === 86400 ? '' : 's'}`;
  if (s % 3600 === 0) return `${s / 3600} hour${s === 3600 ? '' : 's'}`;
  return `${s} s`;
}

function seconds(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    const n = Number(v);
    if (v.trim() !== '' && Number.isFinite(n)) return n;
    const d = parseTimedelta(v);
    return d.ok ? d.seconds : null;
  }
  return null;
}

const get = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((x, k) => (x && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined), o);

/** `enabled` as Prefect resolves it: a set, a comma string, or the legacy booleans. */
export function vacuumTypes(enabled: unknown): Set<string> | null {
  if (enabled === undefined) return null;
  if (enabled === null) return new Set();
  if (enabled === true) return new Set(['events', 'flow_runs', 'orphans']);
  if (enabled === false) return new Set(['events']);
  const list = Array.isArray(enabled) ? enabled.map(String) : typeof enabled === 'string' ? enabled.split(',') : [];
  const set = new Set(list.map((s) => s.trim().toLowerCase()).filter(Boolean));
  if (set.has('true')) return new Set(['events', 'flow_runs', 'orphans']);
  if (set.has('false')) return new Set(['events']);
  if (set.has('flow_runs')) set.add('orphans');
  return set;
}

export interface VacuumPlanPeriods {
  /** The plan's run retention. */
  retentionSeconds: number;
  /** The plan's event retention (null: events not in the plan). */
  eventsRetentionSeconds: number | null;
}

export function prefectVacuumView(version: string | null, available: boolean, settings: unknown, periods: VacuumPlanPeriods | null): PrefectVacuumView {
  const dv = get(settings, 'server', 'services', 'db_vacuum');
  const read = settings !== null && settings !== undefined;
  const types = vacuumTypes(get(dv, 'enabled'));
  const persister = get(settings, 'server', 'services', 'event_persister', 'enabled');
  const overridesRaw = get(dv, 'event_retention_overrides');
  const eventOverrides: Record<string, number> = {};
  if (overridesRaw && typeof overridesRaw === 'object') {
    for (const [k, v] of Object.entries(overridesRaw as Record<string, unknown>)) {
      const s = seconds(v);
      if (s !== null) eventOverrides[k] = s;
    }
  }
  const view: PrefectVacuumView = {
    version,
    available,
    settingsRead: read,
    flowRunsOn: available && types ? types.has('flow_runs') : available ? null : false,
    eventsOn: types ? types.has('events') && persister !== false : null,
    orphansOn: available && types ? types.has('orphans') : available ? null : false,
    retentionSeconds: seconds(get(dv, 'retention_period')),
    loopSeconds: seconds(get(dv, 'loop_seconds')),
    batchSize: typeof get(dv, 'batch_size') === 'number' ? (get(dv, 'batch_size') as number) : null,
    eventsRetentionSeconds: seconds(get(settings, 'server', 'events', 'retention_period')),
    eventOverrides,
    eventPersisterOn: typeof persister === 'boolean' ? persister : null,
    summary: '',
    presetChanges: available && periods ? vacuumPresetChanges(periods) : null,
    presetId: VACUUM_PRESET_ID,
  };
  view.summary = summarise(view);
  return view;
}

function summarise(v: PrefectVacuumView): string {
  const ev = v.eventsRetentionSeconds !== null ? `events are kept ${humanSeconds(v.eventsRetentionSeconds)}` : 'the events retention could not be read';
  if (!v.available) {
    return `Prefect ${v.version ?? '(version unknown)'} has no database vacuum (it came in ${DB_VACUUM_SINCE}): finished runs are never deleted by the server; ${v.settingsRead ? ev : 'its settings could not be read'}${v.eventPersisterOn === false ? ' (but the event persister is off, so nothing trims them)' : ', trimmed by the event persister'}.`;
  }
  if (!v.settingsRead) return `Prefect ${v.version ?? ''} has a database vacuum, but its settings could not be read (GET /admin/settings).`;
  const runs = v.flowRunsOn
    ? `its database vacuum deletes finished top-level runs older than ${v.retentionSeconds !== null ? humanSeconds(v.retentionSeconds) : '?'} every ${v.loopSeconds !== null ? humanSeconds(v.loopSeconds) : '?'}`
    : 'its database vacuum does not delete flow runs (off by default: PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED lacks flow_runs)';
  return `On Prefect ${v.version ?? ''}, ${runs}; ${v.eventsOn ? ev : 'event vacuum is off'}.`;
}

/**
 * The `retention-vacuum` preset (shared/domain/profiles/presets.ts) with this plan's periods: the
 * one-off session becomes Prefect's own hourly habit.
 */
export function vacuumPresetChanges(p: VacuumPlanPeriods): Record<string, string> {
  const base = presetById(VACUUM_PRESET_ID);
  const set: Record<string, string> = Object.fromEntries((base?.settings ?? []).map((s) => [s.name, s.value]));
  set.PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED = 'events,flow_runs';
  // Prefect's minimum is more than one hour (gt=timedelta(hours=1)).
  set.PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD = isoSeconds(Math.max(p.retentionSeconds, 3601));
  if (p.eventsRetentionSeconds !== null) set.PREFECT_SERVER_EVENTS_RETENTION_PERIOD = isoSeconds(p.eventsRetentionSeconds);
  return set;
}
