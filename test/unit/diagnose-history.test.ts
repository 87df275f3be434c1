/**
 * runs.history-unbounded with hand-made evidence: raised only from HISTORY_MIN_RUNS finished runs past
 * Prefect's default 90-day retention, silent when Prefect's own db_vacuum deletes flow runs; its fix is
 * a retention step (after resume, before the vacuum of the tables it deletes from) plus Prefect's own
 * vacuum settings where the server has the service, or the owner's habit where it does not.
 */
import { describe, expect, it } from 'vitest';
import { combine, HISTORY_MIN_RUNS, runChecks, type Evidence, type Finding, type ServerSettingsView } from '../../shared/domain/diagnose';
import type { InspectReport } from '../../shared/domain/inspect';
import { evidenceWith } from './support/evidence-fixture';

function evidence(old: number, opts: { dbVacuum?: string[] | null; settings?: boolean; total?: number } = {}): Evidence {
  const runs = {
    method: 'sql',
    total: opts.total ?? old * 2,
    totalExact: false,
    terminalByAge: [1, 7, 30, 90, 180, 365].map((days) => ({ days, before: '2026-01-01T00:00:00Z', count: days === 90 ? old : days === 365 ? Math.floor(old / 4) : old * 2, exact: true })),
  };
  const settings = opts.settings === false ? null : ({ dbVacuum: opts.dbVacuum === undefined ? ['events'] : opts.dbVacuum } as unknown as ServerSettingsView);
  return evidenceWith({ version: '3.9.1', database: 'postgres', settings, report: { runs, space: null } as unknown as InspectReport, pauseDeletesBacklog: false });
}

const check = (e: Evidence) => runChecks(e).checks.find((c) => c.id === 'runs.history-unbounded')!;
const found = (e: Evidence): Finding | undefined => runChecks(e).findings.find((f) => f.id === 'runs.history-unbounded');

describe('runs.history-unbounded', () => {
  it('stays silent below the threshold, and when Prefect’s own vacuum deletes flow runs', () => {
    expect(check(evidence(HISTORY_MIN_RUNS - 1)).status).toBe('clear');
    const on = check(evidence(HISTORY_MIN_RUNS * 10, { dbVacuum: ['events', 'flow_runs'] }));
    expect(on.status).toBe('clear');
    expect(on.note).toMatch(/db_vacuum deletes finished runs/);
  });

  it('raises from the threshold with a retention of 90 days and Prefect’s vacuum settings where the server has the service', () => {
    const f = found(evidence(HISTORY_MIN_RUNS))!;
    expect(f.severity).toBe('medium');
    expect(f.title).toMatch(/^50,000 finished runs ended more than 90 days ago/);
    expect(f.actions[0]).toMatchObject({ kind: 'retention', olderThanDays: 90, runs: HISTORY_MIN_RUNS, exact: true });
    expect(f.actions[1]).toMatchObject({ kind: 'settings', scope: 'server', preset: 'retention-vacuum' });
    const set = f.actions[1]!.kind === 'settings' ? f.actions[1]!.set.map((s) => `${s.name}=${s.value}`) : [];
    expect(set).toEqual(['PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED=events,flow_runs', 'PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD=P90D']);
    expect(f.effect[0]).toMatchObject({ before: HISTORY_MIN_RUNS, after: 0 });
    expect(found(evidence(2_000_000))!.severity).toBe('high');
  });

  it('on a server without db_vacuum (before 3.6.19) says how to keep the habit instead', () => {
    const f = found(evidence(100_000, { dbVacuum: null }))!;
    expect(f.actions.map((a) => a.kind)).toEqual(['retention', 'manual']);
    expect(f.actions[1]).toMatchObject({ command: expect.stringMatching(/housekeeper retention --older-than 90d --yes/) });
    // Settings not readable: neither the vacuum settings nor a claim about the service.
    expect(found(evidence(100_000, { settings: false }))!.actions.map((a) => a.kind)).toEqual(['retention']);
  });

  it('is a retention step after resume and before the vacuum of the tables it deletes from', () => {
    const f = found(evidence(100_000))!;
    const recreate: Finding = { ...f, id: 'runs.late-no-worker', actions: [{ kind: 'recreate', title: 'r', deployments: [{ id: 'a', name: 'a' }] }] };
    const c = combine([f, recreate], { inputs: {}, vacuumAfterPurge: true });
    expect(c.steps.map((s) => s.kind)).toEqual(['pause', 'recreate', 'settings', 'resume', 'retention', 'vacuum']);
    expect(c.retentionDays).toBe(90);
    expect(c.steps.find((s) => s.kind === 'retention')).toMatchObject({ count: 100_000, unit: 'runs', findings: ['runs.history-unbounded'] });
    expect(c.vacuum.tables).toEqual(expect.arrayContaining(['flow_run', 'flow_run_state', 'task_run', 'log']));
    // SQLite or the API: no VACUUM step after it.
    expect(combine([f], { inputs: {}, vacuumAfterPurge: false }).steps.map((s) => s.kind)).toEqual(['settings', 'retention']);
  });
});
