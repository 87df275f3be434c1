/** What every check shares: its result shape, the sources it cites, and small number helpers. */
import { formatInt } from '../../../text/bytes';
import type { Evidence, EvidencePart } from '../evidence';
import type { Finding, FindingId, Severity } from '../types';

export type RaisedFinding = Omit<Finding, 'impact'> & {
  /** 0..1: how big the problem is within its severity (ranks findings of equal severity). */
  magnitude: number;
};

export type CheckResult = { status: 'raised'; finding: RaisedFinding } | { status: 'clear'; note: string } | { status: 'unavailable'; note: string };

export interface CheckDef {
  id: FindingId;
  /** What the check looks at, as a line in the list of checks. */
  title: string;
  run(e: Evidence): CheckResult;
}

export const SEVERITY_WEIGHT: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1 };

export function impactOf(severity: Severity, magnitude: number): number {
  return SEVERITY_WEIGHT[severity] + Math.max(0, Math.min(0.99, magnitude));
}

/** Where numbers come from, spelled once. */
export const SRC = {
  settings: (path: string) => `GET /api/admin/settings ${path}`,
  scheduler: (field: string) => `GET /api/admin/settings server.services.scheduler.${field}`,
  schedules: 'GET /api/deployments/filter (stored schedules)',
  futureRuns: 'POST /api/flow_runs/filter (SCHEDULED, after now)',
  kept: "Prefect's keep rule, per stored schedule",
  simulation: 'scheduler simulator, from the runs held now',
  pastDue: 'POST /api/flow_runs/count (Scheduled/Late, before now)',
  lateDb: 'flow_run, state_type SCHEDULED, one indexed pass',
  lateApi: 'POST /api/flow_runs/count (state Late)',
  deployment: 'deployment.status and last_polled',
  workQueues: 'POST /api/work_queues/filter (last_polled)',
  orphansDb: 'flow_run SCHEDULED without a deployment row',
  tables: 'pg_class, pg_stat_user_tables',
  bloat: 'bloat estimate from pg_stats (Inspect)',
  exact: 'pgstattuple',
  xid: 'age(pg_class.relfrozenxid), age(pg_database.datfrozenxid)',
  pgSettings: 'pg_settings (max_connections, superuser_reserved_connections)',
  activity: 'pg_stat_activity',
  logs: 'log rows, newest first (client timestamp vs server updated)',
  latency: 'timed here: POST /api/flow_runs/filter',
  version: 'GET /api/admin/version',
} as const;

export function unavailable(e: Evidence, parts: EvidencePart[]): CheckResult | null {
  for (const p of parts) {
    const why = e.missing[p];
    if (why) return { status: 'unavailable', note: why };
  }
  return null;
}

export const n = formatInt;

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${formatInt(count)} ${count === 1 ? one : many}`;
}

/** 3600 -> "1 h", 900 -> "15 min", 45 -> "45 s", 172800 -> "2 d". */
export function duration(seconds: number): string {
  if (seconds >= 86400 && seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  if (seconds >= 3600) return `${(seconds / 3600).toFixed(1)} h`;
  if (seconds >= 60) return `${(seconds / 60).toFixed(1)} min`;
  return `${Math.round(seconds * 10) / 10} s`;
}

/** "2026-12-04 09:00:07 UTC" (timestamps people compare against logs). */
export function utc(iso: string | null): string | null {
  return iso ? `${iso.replace('T', ' ').slice(0, 19)} UTC` : null;
}

export function ageText(iso: string | null, now: number): string {
  if (!iso) return 'never';
  const s = Math.max(0, (now - Date.parse(iso)) / 1000);
  return `${duration(Math.round(s >= 3600 ? Math.round(s / 60) * 60 : s))} ago`;
}
