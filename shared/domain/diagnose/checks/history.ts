/**
 * Finished runs kept forever. Prefect deletes nothing of a finished run by itself: flow_run,
 * flow_run_state, task_run, task_run_state and log grow with every run until a retention removes
 * them. Prefect's own db_vacuum service does that from 3.6.19 (prefect/server/services/db_vacuum.py),
 * but its flow-run part is off by default (server.services.db_vacuum.enabled defaults to events only);
 * before 3.6.19 there is no such service. The numbers are Inspect's (terminal runs by end-time age).
 */
import { TERMINAL_STATE_TYPES } from '../../inspect';
import { vacuumTypes } from '../../retention/prefect-vacuum';
import type { Action, Measurement } from '../types';
import { n, unavailable, type CheckDef } from './common';

/** Prefect's own db_vacuum retention default (ServerServicesDBVacuumSettings.retention_period). */
export const HISTORY_RETENTION_DAYS = 90;
/** Raised from this many finished runs older than the retention (about half a million rows with their states, task runs and logs). */
export const HISTORY_MIN_RUNS = 50_000;

export const historyCheck: CheckDef = {
  id: 'runs.history-unbounded',
  title: `Finished runs older than ${HISTORY_RETENTION_DAYS} days kept without a retention`,
  run(e) {
    const un = unavailable(e, ['runs']);
    if (un) return un;
    const runs = e.report?.runs;
    const old = runs?.terminalByAge.find((b) => b.days === HISTORY_RETENTION_DAYS);
    if (!runs || !old) return { status: 'unavailable', note: 'The inspection did not count finished runs by age.' };
    const types = e.settings ? vacuumTypes(e.settings.dbVacuum ?? undefined) : null;
    // A server whose own vacuum deletes finished runs keeps what its owner chose: not ours to second-guess.
    if (types?.has('flow_runs')) return { status: 'clear', note: `Prefect's db_vacuum deletes finished runs after its own retention period (${n(old.count)} ended more than ${HISTORY_RETENTION_DAYS} days ago).` };
    if (old.count < HISTORY_MIN_RUNS) {
      return { status: 'clear', note: `${n(old.count)} finished runs ended more than ${HISTORY_RETENTION_DAYS} days ago (raised from ${n(HISTORY_MIN_RUNS)}).` };
    }
    const src = runs.method === 'sql' ? 'flow_run, terminal state types by end_time' : 'POST /api/flow_runs/count (terminal states, end_time before)';
    const year = runs.terminalByAge.find((b) => b.days === 365);
    const measured: Measurement[] = [
      { label: `Finished runs (${TERMINAL_STATE_TYPES.join(', ').toLowerCase()}) that ended more than ${HISTORY_RETENTION_DAYS} days ago`, value: old.count, unit: 'runs', source: src, exact: old.exact },
    ];
    if (year) measured.push({ label: 'of them, more than a year ago', value: year.count, unit: 'runs', source: src, exact: year.exact });
    if (runs.total !== null) measured.push({ label: 'All flow runs', value: runs.total, unit: 'runs', source: runs.method === 'sql' ? 'flow_run' : 'POST /api/flow_runs/count', exact: runs.totalExact });
    const space = e.report?.space;
    if (space?.kind === 'postgres') {
      for (const t of space.tables.filter((x) => ['flow_run', 'flow_run_state', 'task_run', 'task_run_state', 'log'].includes(x.name))) {
        measured.push({ label: `${t.name} size (heap, indexes, TOAST)`, value: t.totalBytes, unit: 'bytes', source: 'pg_class, pg_stat_user_tables', exact: true });
      }
    }
    const settingsRead = e.settings !== null;
    const hasVacuum = settingsRead && e.settings!.dbVacuum !== null;
    const actions: Action[] = [
      {
        kind: 'retention',
        title: `Delete the ${n(old.count)} finished runs that ended more than ${HISTORY_RETENTION_DAYS} days ago, with their states, task runs, logs, artifacts and inputs`,
        olderThanDays: HISTORY_RETENTION_DAYS,
        runs: old.count,
        exact: old.exact,
      },
    ];
    if (hasVacuum) {
      actions.push({
        kind: 'settings',
        title: `Let Prefect's own db_vacuum keep the ${HISTORY_RETENTION_DAYS}-day retention from now on`,
        preset: 'retention-vacuum',
        scope: 'server',
        set: [
          { name: 'PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED', value: 'events,flow_runs', reason: 'Add flow_runs to the default events: finished runs older than the retention, their states, task runs and logs, and orphaned logs and artifacts.' },
          { name: 'PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD', value: `P${HISTORY_RETENTION_DAYS}D`, reason: `The same ${HISTORY_RETENTION_DAYS} days as this session's retention (Prefect's default).` },
        ],
        inputs: [],
      });
    } else if (settingsRead) {
      actions.push({
        kind: 'manual',
        title: 'Keep the retention a habit',
        text: `Prefect ${e.version ?? 'on this server'} has no database vacuum service for flow runs (it came in Prefect 3.6.19): after this session, run the same retention regularly, or upgrade Prefect and turn its db_vacuum on.`,
        command: `housekeeper retention --older-than ${HISTORY_RETENTION_DAYS}d --yes   # e.g. weekly from cron`,
      });
    }
    return {
      status: 'raised',
      finding: {
        id: 'runs.history-unbounded',
        severity: old.count >= 1_000_000 ? 'high' : 'medium',
        magnitude: Math.min(1, old.count / 5_000_000),
        title: `${n(old.count)} finished runs ended more than ${HISTORY_RETENTION_DAYS} days ago and nothing deletes them`,
        measured,
        why: `Prefect keeps every finished run with its states, task runs and logs until something deletes it; its db_vacuum service does so only from 3.6.19 and only when flow_runs is enabled (${
          settingsRead ? (hasVacuum ? 'it is not here' : 'this server has no such service') : 'not readable here'
        }). Every list, count and index scan over flow_run and log carries the history.`,
        refs: ['prefect/server/services/db_vacuum.py', 'prefect/settings/models/server/services.py (ServerServicesDBVacuumSettings)', 'PrefectHQ/prefect#16054', 'PrefectHQ/prefect#20746'],
        actions,
        effect: [
          { label: `Finished runs older than ${HISTORY_RETENTION_DAYS} days`, before: old.count, after: 0, unit: 'runs', basis: 'inspection' },
          ...(runs.total !== null ? [{ label: 'All flow runs', before: runs.total, after: Math.max(0, runs.total - old.count), unit: 'runs' as const, basis: 'inspection' as const }] : []),
        ],
        notes: old.exact ? [] : ['The count is an estimate (the table is large); the session counts exactly when it plans the delete.'],
      },
    };
  },
};
