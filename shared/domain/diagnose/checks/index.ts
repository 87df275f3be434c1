/**
 * Every check, in the order they are listed, and the step that turns evidence into a ranked list:
 * a check that throws is reported as unavailable (a bug in one check must not hide the others).
 */
import type { Evidence } from '../evidence';
import type { Check, Finding } from '../types';
import { impactOf, type CheckDef } from './common';
import { historyCheck } from './history';
import { lateNoWorkerCheck, orphanedCheck, pausedBacklogCheck } from './runs';
import { horizonCheck, maxRunsCheck, rruleCheck, subMinuteCheck } from './scheduler';
import { defaultLimitCheck, logsCheck, messagingCheck, poolCheck } from './server';
import { autovacuumCheck, rewriteCheck, xidCheck } from './space';
import { versionCheck } from './version';

export const CHECKS: readonly CheckDef[] = [
  horizonCheck,
  maxRunsCheck,
  subMinuteCheck,
  rruleCheck,
  lateNoWorkerCheck,
  pausedBacklogCheck,
  orphanedCheck,
  historyCheck,
  rewriteCheck,
  autovacuumCheck,
  xidCheck,
  poolCheck,
  defaultLimitCheck,
  logsCheck,
  messagingCheck,
  versionCheck,
];

export function runChecks(e: Evidence): { findings: Finding[]; checks: Check[] } {
  const findings: Finding[] = [];
  const checks: Check[] = [];
  for (const c of CHECKS) {
    let r;
    try {
      r = c.run(e);
    } catch (err) {
      r = { status: 'unavailable' as const, note: `The check failed: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (r.status === 'raised') {
      const { magnitude, ...f } = r.finding;
      findings.push({ ...f, impact: impactOf(f.severity, magnitude) });
      checks.push({ id: c.id, title: c.title, status: 'raised', note: f.title });
    } else {
      checks.push({ id: c.id, title: c.title, status: r.status, note: r.note });
    }
  }
  findings.sort((a, b) => b.impact - a.impact);
  return { findings, checks };
}

export { CHECKS as ALL_CHECKS };
export { recommendedScheduler, schedulerAction } from './scheduler';
export { HOT_TABLES, VACUUM_TABLES } from './space';
export { KNOWN_FIXES } from './version';
export { perProcessConnections, PREFECT_DEFAULT_LIMIT } from './server';
export { POLL_STALE_MS } from './runs';
export { HISTORY_MIN_RUNS, HISTORY_RETENTION_DAYS } from './history';
