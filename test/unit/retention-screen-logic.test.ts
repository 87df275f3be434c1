/** Pure logic of the Retention screen (renderer/features/retention/*.ts). */
import { describe, expect, it } from 'vitest';
import { RetentionFilterSchema, ZERO_TOTALS, type Count, type RetentionImpact } from '../../shared/domain/retention';
import type { RetentionStatus } from '../../shared/contracts/retention';
import type { TableState } from '../../shared/domain/retention/maintenance';
import { chosenStates, formSummary, INITIAL_FORM, toRetentionFilter } from '../../renderer/features/retention/form-state';
import { canResume, jobFromStatus } from '../../renderer/features/retention/job-view';
import { deadShare, orderTables, vacuumFullArmed, vacuumTables } from '../../renderer/features/retention/maintenance-logic';
import { confirmMatches, plannedRows, plannedVsDone, planHasWork } from '../../renderer/features/retention/plan-logic';

const exact = (value: number): Count => ({ value, exact: true, margin: 0, how: null });
const est = (value: number): Count => ({ value, exact: false, margin: 5, how: 'sampled' });
const impact = (over: Partial<RetentionImpact> = {}): RetentionImpact => ({
  flowRuns: exact(10),
  subflowRuns: exact(2),
  flowRunStates: exact(30),
  taskRuns: exact(20),
  taskRunStates: exact(60),
  flowRunLogs: exact(100),
  taskRunLogs: est(50),
  artifacts: exact(3),
  artifactCollections: exact(1),
  flowRunInputs: exact(1),
  orphanLogs: null,
  orphanArtifacts: null,
  events: exact(7),
  eventResources: exact(14),
  ...over,
});

describe('retention form', () => {
  it('starts from Prefect db_vacuum defaults and becomes a filter the contract accepts', () => {
    const f = toRetentionFilter(INITIAL_FORM);
    expect(f).toEqual({ olderThan: '90d', stateTypes: ['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED'], deployments: [], keepNewest: 0, events: true, orphans: false });
    expect(RetentionFilterSchema.safeParse(f).success).toBe(true);
  });

  it('passes the events period only when events are on and one was typed', () => {
    expect(toRetentionFilter({ ...INITIAL_FORM, eventsOlderThan: ' 30d ' }).eventsOlderThan).toBe('30d');
    expect(toRetentionFilter({ ...INITIAL_FORM, events: false, eventsOlderThan: '30d' })).not.toHaveProperty('eventsOlderThan');
    expect(toRetentionFilter({ ...INITIAL_FORM, eventsOlderThan: '  ' })).not.toHaveProperty('eventsOlderThan');
  });

  it('lets the contract refuse what is not a count or picks no state (one error standard for CLI and screen)', () => {
    expect(RetentionFilterSchema.safeParse(toRetentionFilter({ ...INITIAL_FORM, keepNewest: 'ten' })).success).toBe(false);
    expect(RetentionFilterSchema.safeParse(toRetentionFilter({ ...INITIAL_FORM, keepNewest: '2.5' })).success).toBe(false);
    expect(toRetentionFilter({ ...INITIAL_FORM, keepNewest: '' }).keepNewest).toBe(0);
    const none = { ...INITIAL_FORM, states: { COMPLETED: false, FAILED: false, CANCELLED: false, CRASHED: false } };
    expect(chosenStates(none)).toEqual([]);
    expect(RetentionFilterSchema.safeParse(toRetentionFilter(none)).success).toBe(false);
  });

  it('summarises the request in one sentence', () => {
    expect(formSummary(INITIAL_FORM)).toBe('Finished runs older than 90d (every finished state, all deployments); events older than 90d.');
    expect(formSummary({ ...INITIAL_FORM, states: { ...INITIAL_FORM.states, COMPLETED: false }, deployments: ['a/b'], keepNewest: '3', events: false })).toBe(
      'Finished runs older than 90d (Failed, Cancelled, Crashed, deployment a/b, keeping the newest 3 of each deployment); events kept.',
    );
  });
});

describe('retention plan reading', () => {
  it('adds every table and says when part of it is estimated', () => {
    expect(plannedRows(impact())).toEqual({ rows: 10 + 2 + 30 + 20 + 60 + 100 + 50 + 3 + 1 + 7 + 14, estimated: true });
    expect(plannedRows(impact({ taskRunLogs: exact(50) })).estimated).toBe(false);
  });

  it('has work with no run when events are old enough, and none when everything is zero', () => {
    const zero = impact({ flowRuns: exact(0), subflowRuns: exact(0), flowRunStates: exact(0), taskRuns: exact(0), taskRunStates: exact(0), flowRunLogs: exact(0), taskRunLogs: exact(0), artifacts: exact(0), artifactCollections: exact(0), flowRunInputs: exact(0), events: exact(0), eventResources: exact(0) });
    expect(planHasWork({ confirmCount: 0, impact: zero })).toBe(false);
    expect(planHasWork({ confirmCount: 0, impact: { ...zero, events: exact(3) } })).toBe(true);
  });

  it('accepts the count typed back with separators, nothing else', () => {
    expect(confirmMatches('12345', 12345)).toBe(true);
    expect(confirmMatches(' 12,345 ', 12345)).toBe(true);
    expect(confirmMatches('12 345', 12345)).toBe(true);
    expect(confirmMatches('12344', 12345)).toBe(false);
    expect(confirmMatches('12.345', 12345)).toBe(false);
    expect(confirmMatches('', 0)).toBe(false);
    expect(confirmMatches('0', 0)).toBe(true);
    expect(confirmMatches('1e4', 10000)).toBe(false);
  });

  it('puts planned and deleted side by side, leaving out what the plan did not include', () => {
    const rows = plannedVsDone(impact(), { ...ZERO_TOTALS, runs: 10, logs: 150, collectionsRepointed: 1, collectionsRemoved: 0, events: 7 });
    const by = Object.fromEntries(rows.map((r) => [r.key, r]));
    expect(by.logs).toMatchObject({ planned: 150, plannedExact: false, done: 150 });
    expect(by.collections).toMatchObject({ planned: 1, done: 1 });
    expect(by.orphanLogs).toBeUndefined();
    // Something deleted that the plan did not count still shows.
    expect(plannedVsDone(impact(), { ...ZERO_TOTALS, orphanLogs: 4 }).find((r) => r.key === 'orphanLogs')).toMatchObject({ planned: null, done: 4 });
  });
});

describe('retention execution from the journal', () => {
  const status = (s: string): RetentionStatus =>
    ({
      plan: { planId: 'p1', connectionId: 'c1', connectionName: 'prod', createdAt: '2026-12-04T10:00:00Z', cutoffGiven: '90d' },
      status: s,
      jobId: 'j1',
      phase: 'events',
      totals: { ...ZERO_TOTALS, runs: 5, logs: 20 },
      outcome: null,
      exportFile: null,
    }) as unknown as RetentionStatus;

  it('maps journal statuses to job states and offers resume only for stopped ones', () => {
    expect(jobFromStatus(status('done'), 'j1')).toMatchObject({ status: 'succeeded', phase: 'done', done: 25, resumable: false, link: ['retention', 'run', 'p1'] });
    expect(jobFromStatus(status('interrupted'), 'j1')).toMatchObject({ status: 'interrupted', phase: 'events', resumable: true });
    expect(jobFromStatus(status('cancelled'), 'j1').status).toBe('cancelled');
    expect(jobFromStatus(status('failed'), 'j1').status).toBe('failed');
    expect(canResume(status('running'))).toBe(false);
    expect(canResume(status('planned'))).toBe(false);
  });
});

describe('maintenance rules', () => {
  const t = (table: string, verdict: TableState['verdict'], totalBytes: number): TableState => ({ table, totalBytes, heapBytes: totalBytes, liveRows: 1, deadRows: 0, lastVacuum: null, freeBytes: 0, verdict, reason: '' });

  it('lists the tables needing a rewrite first, then vacuum, then the biggest', () => {
    expect(orderTables([t('a', 'fine', 900), t('b', 'vacuum', 10), t('c', 'rewrite', 5), t('d', 'fine', 1000)]).map((x) => x.table)).toEqual(['c', 'b', 'd', 'a']);
  });

  it('arms VACUUM FULL only on the exact table name', () => {
    expect(vacuumFullArmed('log', 'log')).toBe(true);
    expect(vacuumFullArmed(' log ', 'log')).toBe(true);
    expect(vacuumFullArmed('LOG', 'log')).toBe(false);
    expect(vacuumFullArmed('flow_run', 'flow_run_state')).toBe(false);
    expect(vacuumFullArmed('log', null)).toBe(false);
  });

  it('computes the dead share and reads a vacuum job result defensively', () => {
    expect(deadShare({ deadRows: 1, liveRows: 3 })).toBe(0.25);
    expect(deadShare({ deadRows: 0, liveRows: 0 })).toBeNull();
    expect(vacuumTables({ tables: [{ table: 'log', status: 'vacuumed' }, { nope: 1 }] })).toEqual([{ table: 'log', status: 'vacuumed' }]);
    expect(vacuumTables(null)).toEqual([]);
    expect(vacuumTables({ tables: 'x' })).toEqual([]);
  });
});
