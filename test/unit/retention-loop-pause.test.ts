/**
 * --batch-pause-ms (loop.ts): a rest before every batch after the first, across phases, cut short by
 * a cancel, which then stops the run before another batch. A fake execution (pure loop logic) on a
 * real local store.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runPhases } from '../../main/core/retention/loop';
import type { RetentionExecution, Step } from '../../main/core/retention/types';
import { initialProgress } from '../../main/store/repos/retention';
import { createStore, type Store } from '../../main/store';

let home: string;
let store: Store;
const PLAN = 'plan-pause';

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-pause-'));
  store = createStore(home);
  store.retention.savePlan(
    { id: PLAN, connection_id: null, created_at: new Date().toISOString(), server_now: new Date().toISOString(), cutoff: '2026-01-01T00:00:00Z', events_cutoff: null, executor: 'sql', filter: '{}', resolved: '{}', plan: '{}', target: null },
    [],
    initialProgress(),
  );
});
afterEach(() => {
  store.close();
  fs.rmSync(home, { recursive: true, force: true });
});

/** A phase of `n` batches that each delete one run, recording when each batch started. */
function step(phase: Step['phase'], n: number, starts: number[]): Step {
  return {
    phase,
    minBatch: 1,
    initialBatch: 1,
    maxBatch: 1,
    async run(cursor, _size, ctx) {
      const at = (cursor as number | undefined) ?? 0;
      if (at >= n) return { done: true, cursorAfter: at, delta: {}, units: 0, prepared: false };
      starts.push(performance.now());
      const delta = phase === 'runs' ? { runs: 1, batches: 1 } : { events: 1, batches: 1 };
      ctx.beforeCommit({ xid: null, victims: [], delta, cursorAfter: at + 1, retry: [] });
      return { done: false, cursorAfter: at + 1, delta, units: 1, prepared: true };
    },
  };
}

function exec(steps: Step[]): RetentionExecution {
  return { steps, committed: async () => false, recount: async () => ({ runs: 0, events: 0 }), isTransient: () => false, close: async () => {} };
}

describe('retention loop: --batch-pause-ms', () => {
  it('rests before every batch after the first, in every phase', async () => {
    const starts: number[] = [];
    const t0 = performance.now();
    const r = await runPhases({ planId: PLAN, repo: store.retention, exec: exec([step('runs', 3, starts), step('events', 2, starts)]), signal: new AbortController().signal, report: () => {}, expectedRows: null, pauseMs: 60 });
    expect(r.progress.totals.runs).toBe(3);
    expect(r.progress.totals.events).toBe(2);
    expect(starts).toHaveLength(5);
    expect(starts[0]! - t0).toBeLessThan(50);
    // The rests fall before each batch call, including the calls that find a phase done.
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(55);
  });

  it('without it, batches follow each other at once', async () => {
    const starts: number[] = [];
    await runPhases({ planId: PLAN, repo: store.retention, exec: exec([step('runs', 4, starts)]), signal: new AbortController().signal, report: () => {}, expectedRows: null });
    expect(starts[3]! - starts[0]!).toBeLessThan(100);
  });

  it('a cancel during a rest stops the run at once, before another batch', async () => {
    const starts: number[] = [];
    const ac = new AbortController();
    const t0 = performance.now();
    setTimeout(() => ac.abort(), 100);
    await expect(runPhases({ planId: PLAN, repo: store.retention, exec: exec([step('runs', 100, starts)]), signal: ac.signal, report: () => {}, expectedRows: null, pauseMs: 5_000 })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(starts).toHaveLength(1);
    expect(store.retention.progress(PLAN).totals.runs).toBe(1);
  });
});
