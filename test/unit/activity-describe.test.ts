/** Activity details in words: the audit rows purge and schedules write, as labelled facts. */
import { describe, expect, it } from 'vitest';
import { actionLabel, describeDetails, humanKey, kindOf, readableText, valueText, within } from '../../renderer/features/activity/describe';

const facts = (action: string, details: Record<string, unknown>) => Object.fromEntries(describeDetails({ action, details }).map((f) => [f.label, f.value]));

describe('activity details', () => {
  it('a purge plan: count, cutoff with its zone, filter in words, the rows that go with the runs', () => {
    const f = facts('purge.plan', {
      planId: '0f4c5e2a-1111-4222-8333-944445555666',
      filter: { deployments: ['etl/orders', 'etl/refunds'], workPools: [], workQueues: [], tags: [], stateNames: ['Scheduled', 'Late'], includeManual: false, keepNewest: 1 },
      cutoff: '2026-11-29T08:00:00.000Z',
      count: 1518,
      impact: { flowRuns: 1518, flowRunStates: 3036, taskRuns: 0, taskRunStates: 0, logs: 1518, artifacts: 0, flowRunInputs: 0 },
      byDeployment: 2,
    });
    expect(f['Runs planned']).toBe('1,518');
    expect(f['Scheduled before']).toMatch(/^2026-11-29 \d{2}:00:00 UTC/);
    expect(f.States).toBe('Scheduled and Late');
    expect(f.Deployments).toBe('etl/orders and etl/refunds');
    expect(f.Kept).toBe('the newest 1 per deployment');
    expect(f['Manual runs']).toBe('left alone');
    expect(f['With them']).toBe('3,036 states and 1,518 log lines');
    expect(f.Plan).toBe('0f4c5e2a');
  });

  it('a purge execution: deleted of planned, skipped, batches, what is left', () => {
    const f = facts('purge.execute', { planId: 'p', jobId: 'j', planned: 2017, deleted: 2013, skipped: 3, busy: 1, deletedLogs: 2013, deletedArtifacts: 1, batches: 12, p99BatchMs: 154, batchMsTotal: 900, durationMs: 1200, remaining: 0, exportedTo: null });
    expect(f.Deleted).toBe('2,013 of 2,017 planned runs');
    expect(f.Skipped).toMatch(/^3 no longer stale/);
    expect(f['Left alone']).toBe('1 held locked by a worker');
    expect(f['With them']).toBe('2,013 log lines and 1 artifact');
    expect(f.Batches).toBe('12, 99% within 154 ms');
    expect(f['Still matching afterwards']).toBe('0');
    const stopped = facts('purge.execute', { planId: 'p', deleted: 216, skipped: 0, pending: 1801 });
    expect(stopped.Deleted).toBe('216 runs');
    expect(stopped['Still to delete']).toBe('1,801 (the purge can be resumed)');
  });

  it('a schedules change: deployments grouped by what happened, verification counted, no opaque ids', () => {
    const f = facts('schedules.reset', {
      planId: 'p',
      status: 'applied',
      deployments: ['etl/a: changed', 'etl/b: changed', 'ml/c: rolled-back'],
      purge: { planId: 'q', planned: 1472, deleted: 1470 },
      verify: ['0f4c5e2a ok', '1a2b3c4d ok', '9f8e7d6c pending'],
      restoresChangeId: null,
    });
    expect(f['Deployments (3)']).toBe('changed etl/a and etl/b; rolled-back ml/c');
    expect(f['Past-due runs removed']).toBe('1,470 of 1,472 planned');
    expect(f['New runs checked']).toBe('2 ok, 1 pending');
    expect(f.Ended).toBe('applied');
    const plan = facts('schedules.recreate.plan', { planId: 'p', anchor: '2026-11-30T09:00:00+01:00', deployments: ['etl/a'], restoresChangeId: null });
    expect(plan['Deployments (1)']).toBe('etl/a');
    expect(plan['New anchor']).toMatch(/^2026-11-30 \d{2}:00:00 UTC/);
  });

  it('anything else: one fact per key, readable', () => {
    const f = facts('purge.vacuum', { result: { tables: ['flow_run', 'log'], durationMs: 4200, freedBytes: 1_048_576 } });
    expect(f.Result).toBe('Tables flow_run and log, Duration ms 4.2 s, Freed bytes 1.0 MiB');
    expect(humanKey('deletedLogs')).toBe('Deleted logs');
    expect(valueText('count', 123456)).toBe('123,456');
    expect(valueText('id', '0f4c5e2a-1111-4222-8333-944445555666')).toBe('0f4c5e2a');
  });

  it('kinds, labels and time windows', () => {
    expect(kindOf('connection.add')).toBe('connections');
    expect(kindOf('schedules.reset.plan')).toBe('schedules');
    expect(kindOf('deny')).toBe('other');
    expect(actionLabel('schedules.reset.plan')).toBe('Schedules: reset planned');
    expect(actionLabel('purge.execute')).toBe('Purge');
    const now = Date.parse('2026-12-04T10:00:00Z');
    expect(within('2026-12-04T09:30:00Z', 'hour', now)).toBe(true);
    expect(within('2026-12-04T08:30:00Z', 'hour', now)).toBe(false);
    expect(within('2026-11-28T10:00:00Z', 'week', now)).toBe(true);
  });

  it('summaries written with bare numbers and ISO times become readable', () => {
    expect(readableText('Deleted 1518 of 2017 planned runs (3 no longer stale)')).toBe('Deleted 1,518 of 2,017 planned runs (3 no longer stale)');
    expect(readableText('Planned 12000 stale scheduled runs (before 2026-11-29T08:00:00.000Z) via sql')).toMatch(/^Planned 12,000 stale scheduled runs \(before 2026-11-29 \d{2}:00:00 UTC[^)]*\) via sql$/);
    // URLs, versions and names with digits stay as written.
    const added = 'Added connection "prod-2026" (http://127.0.0.1:4200/api), Prefect 3.9.1';
    expect(readableText(added)).toBe(added);
  });
});
