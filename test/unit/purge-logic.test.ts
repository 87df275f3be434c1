import { describe, expect, it } from 'vitest';
import { BatchSizer, percentile } from '../../main/core/purge/batch-size';
import { stalePredicatePg } from '../../main/core/purge/predicate-pg';
import { summarise, type Candidate } from '../../main/core/purge/summarise';
import { toSqliteTimestamp, fromSqliteTimestamp } from '../../main/core/purge/backend-sqlite';
import { PurgeFilterSchema } from '../../shared/domain/purge';

describe('BatchSizer', () => {
  it('grows fast batches and shrinks slow ones toward the target, within bounds', () => {
    const s = new BatchSizer(200, 10, 5000, 200);
    s.observe(200, 20); // 10x too fast: grows at most x1.5 per batch
    expect(s.size).toBe(300);
    for (let i = 0; i < 20; i++) s.observe(s.size, 10);
    expect(s.size).toBe(5000);
    s.observe(5000, 2000); // 10x too slow: shrinks at once, at most halving
    expect(s.size).toBe(2500);
    s.observe(2500, 250); // 25% over: shrinks to what would have met the target
    expect(s.size).toBe(2000);
    s.observe(2000, 190); // a little fast: grows a little
    expect(s.size).toBe(2053);
    s.backOff();
    expect(s.size).toBe(1026);
    for (let i = 0; i < 30; i++) s.backOff();
    expect(s.size).toBe(10);
  });

  it('ignores short last batches (they say nothing about speed)', () => {
    const s = new BatchSizer(200, 10, 5000, 500);
    s.observe(12, 1);
    expect(s.size).toBe(500);
  });

  it('computes percentiles', () => {
    expect(percentile([], 99)).toBeNull();
    expect(percentile([5, 1, 3], 50)).toBe(3);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).toBe(99);
  });
});

describe('stale predicate (Postgres)', () => {
  it("encodes Prefect's definition and binds every input as a parameter", () => {
    const p = stalePredicatePg({ cutoff: '2026-11-29T10:00:00.000Z', stateNames: ['Late'], includeManual: false, deploymentIds: ['d1'], workQueueIds: [], tags: ['a'], keepNewest: 0 }, 3);
    expect(p.sql).toMatch(/state_type = 'SCHEDULED'/);
    expect(p.sql).toMatch(/run_count = 0/);
    expect(p.sql).toMatch(/next_scheduled_start_time < \$4::timestamptz/);
    expect(p.sql).not.toMatch(/d1|Late|2026/);
    expect(p.params).toEqual([['Late'], '2026-11-29T10:00:00.000Z', false, ['d1'], [], '["a"]']);
  });
});

describe('purge filter defaults', () => {
  it("defaults to Prefect's stale definition: Scheduled and Late, scheduler-made, older than 30 minutes", () => {
    expect(PurgeFilterSchema.parse({})).toEqual({ olderThan: '30m', deployments: [], workPools: [], workQueues: [], tags: [], stateNames: ['Scheduled', 'Late'], includeManual: false, keepNewest: 0 });
    expect(PurgeFilterSchema.safeParse({ stateNames: ['AwaitingRetry'] }).success).toBe(false);
    expect(PurgeFilterSchema.safeParse({ stateNames: [] }).success).toBe(false);
  });
});

describe('summarise', () => {
  const c = (id: string, dep: string | null, state: string, at: string): Candidate => ({ id, deploymentId: dep, name: id, stateName: state, scheduledStart: at, autoScheduled: true, workQueue: null, rankNewest: 1 });
  it('groups by deployment, counts Late, finds oldest and newest, names gone deployments', () => {
    const s = summarise([c('1', 'a', 'Late', '2026-01-01T00:00:00Z'), c('2', 'a', 'Scheduled', '2026-01-03T00:00:00Z'), c('3', 'x', 'Late', '2026-01-02T00:00:00Z')], (id) =>
      id === 'a' ? { name: 'flow/a', exists: true } : { name: `deleted deployment ${id}`, exists: false },
    );
    expect(s.byDeployment).toEqual([
      { deploymentId: 'a', name: 'flow/a', exists: true, count: 2, late: 1, oldest: '2026-01-01T00:00:00Z', newest: '2026-01-03T00:00:00Z' },
      { deploymentId: 'x', name: 'deleted deployment x', exists: false, count: 1, late: 1, oldest: '2026-01-02T00:00:00Z', newest: '2026-01-02T00:00:00Z' },
    ]);
    expect(s.oldest).toBe('2026-01-01T00:00:00Z');
    expect(s.newest).toBe('2026-01-03T00:00:00Z');
    expect(s.sample.map((r) => r.id)).toEqual(['1', '2', '3']);
  });
});

describe("Prefect's SQLite timestamp encoding", () => {
  it('round-trips an instant through the naive UTC text Prefect stores', () => {
    expect(toSqliteTimestamp('2026-11-29T08:07:06.123Z')).toBe('2026-11-29 08:07:06.123000');
    expect(fromSqliteTimestamp('2026-11-29 08:07:06.123000')).toBe('2026-11-29T08:07:06.123Z');
    expect(fromSqliteTimestamp(null)).toBeNull();
  });
});
