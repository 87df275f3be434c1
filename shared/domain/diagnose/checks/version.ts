/**
 * A symptom this server shows that a later Prefect release fixes. Each entry names the release and
 * the change, and is raised only when the symptom is measured on this server and its version is
 * older. VERSION-DEPENDENT: the comparison itself is done in main (gather.ts, with
 * main/core/targets/prefect-version.ts) and arrives as Evidence.olderThan; add a release here and
 * gather computes it. Entries were checked against the installed Prefect sources of those releases.
 */
import type { Evidence } from '../evidence';
import type { Measurement } from '../types';
import { SRC, type CheckDef } from './common';

export interface KnownFix {
  /** The release that fixes it. */
  fixedIn: string;
  ref: string;
  symptom: string;
  change: string;
  seen(e: Evidence): Measurement[] | null;
}

export const KNOWN_FIXES: readonly KnownFix[] = [
  {
    fixedIn: '3.4.9',
    ref: 'PrefectHQ/prefect#18517',
    symptom: 'logs of deleted flow runs stay in the log table',
    change: 'Deleting a flow run through the API (the UI, the Python client, `prefect flow-run delete`) also deletes its logs, in the background.',
    seen(e) {
      const logs = e.report?.runs?.orphans.logs;
      if (!logs || logs.count <= 0) return null;
      return [{ label: 'Logs whose flow run no longer exists', value: Math.round(logs.count), unit: 'rows', source: logs.exact ? 'log rows without a flow_run (counted)' : 'log rows without a flow_run (sampled, Inspect)', exact: logs.exact }];
    },
  },
  {
    fixedIn: '3.6.19',
    ref: 'PrefectHQ/prefect#20746',
    symptom: 'finished runs are never deleted',
    change: 'The db_vacuum service deletes finished flow runs (with their states, task runs and logs) past a retention period, when `flow_runs` is in PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED.',
    seen(e) {
      const old = e.report?.runs?.terminalByAge.find((b) => b.days === 90);
      if (!old || old.count < 100_000) return null;
      return [{ label: 'Finished runs that ended more than 90 days ago', value: old.count, unit: 'runs', source: 'flow_run.end_time (Inspect)', exact: old.exact }];
    },
  },
];

export const versionCheck: CheckDef = {
  id: 'server.version-known-fix',
  title: 'Symptoms a newer Prefect release fixes',
  run(e) {
    if (!e.version) return { status: 'unavailable', note: 'The Prefect version could not be read (GET /api/admin/version).' };
    const hits = KNOWN_FIXES.filter((f) => e.olderThan[f.fixedIn] === true).map((f) => ({ f, measured: f.seen(e) })).filter((h): h is { f: KnownFix; measured: Measurement[] } => h.measured !== null);
    if (hits.length === 0) {
      const older = KNOWN_FIXES.filter((f) => e.olderThan[f.fixedIn] === true);
      return { status: 'clear', note: older.length ? `Prefect ${e.version}: ${older.length} known fixes are newer, but their symptoms are not seen here.` : `Prefect ${e.version} has every fix Housekeeper knows of.` };
    }
    const newest = hits.map((h) => h.f.fixedIn).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))[hits.length - 1]!;
    return {
      status: 'raised',
      finding: {
        id: 'server.version-known-fix',
        severity: 'medium',
        magnitude: Math.min(1, hits.length / 3),
        title: `Prefect ${e.version}: ${hits.map((h) => h.f.symptom).join('; ')} (fixed in ${hits.map((h) => h.f.fixedIn).join(', ')})`,
        measured: [
          { label: 'Prefect version', value: e.version, unit: 'text', source: SRC.version, exact: true },
          ...hits.flatMap((h) => h.measured),
        ],
        why: hits.map((h) => `Before ${h.f.fixedIn}: ${h.f.symptom}. ${h.f.change} (${h.f.ref})`).join(' '),
        refs: hits.map((h) => `${h.f.ref} (Prefect ${h.f.fixedIn})`),
        actions: [
          {
            kind: 'manual',
            title: `Upgrade Prefect to ${newest} or newer`,
            text: `Upgrade the server (and its background-services processes) to Prefect ${newest} or newer; it migrates its database on start. The existing leftovers stay until they are cleaned up.`,
            command: `pip install -U "prefect>=${newest}"`,
          },
        ],
        effect: hits.flatMap((h) => h.measured.filter((m) => typeof m.value === 'number').map((m) => ({ label: `${m.label} (new ones)`, before: m.value as number, after: 0, unit: m.unit, basis: 'inspection' as const, note: 'no new ones after the upgrade' }))),
        notes: [],
      },
    };
  },
};
