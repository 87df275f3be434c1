import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../main/core/events';
import { JobRunner } from '../../main/core/jobs/runner';
import { createStore, type Store } from '../../main/store';
import { AppError } from '../../shared/errors';
import type { JobFinished, JobProgress } from '../../shared/domain/jobs';

let home: string;
let store: Store;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-jobs-'));
  store = createStore(home);
});
afterEach(() => {
  store.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('JobRunner', () => {
  it('journals a job, reports throttled progress and its result', async () => {
    const bus = new EventBus();
    const progress: JobProgress[] = [];
    bus.subscribe((e, p) => e === 'jobs.progress' && progress.push(p as JobProgress));
    const runner = new JobRunner(store.jobs, bus);
    const { jobId, finished } = runner.start({
      kind: 'test',
      connectionId: null,
      payload: { n: 1000 },
      async run({ report }) {
        report({ phase: 'counting', total: 1000, done: 0 });
        for (let i = 1; i <= 1000; i++) report({ done: i });
        report({ checkpoint: { last: 1000 } });
        return { counted: 1000 };
      },
    });
    const f = await finished;
    expect(f.status).toBe('succeeded');
    expect(f.result).toEqual({ counted: 1000 });
    // 1002 reports, throttled to a handful of events
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.length).toBeLessThan(50);
    const row = store.jobs.get(jobId)!;
    expect(row.status).toBe('succeeded');
    expect(JSON.parse(row.checkpoint)).toEqual({ last: 1000 });
    expect(JSON.parse(row.result!)).toEqual({ counted: 1000 });
  });

  it('cancels through the AbortSignal and records the job as cancelled', async () => {
    const runner = new JobRunner(store.jobs, new EventBus());
    let started!: () => void;
    const isStarted = new Promise<void>((r) => (started = r));
    const { jobId, finished } = runner.start({
      kind: 'wait',
      connectionId: null,
      payload: {},
      run: ({ signal }) =>
        new Promise((_, reject) => {
          started();
          signal.addEventListener('abort', () => reject(signal.reason));
        }),
    });
    await isStarted;
    expect(runner.cancel(jobId)).toBe(true);
    const f: JobFinished = await finished;
    expect(f.status).toBe('cancelled');
    expect(f.error?.code).toBe('CANCELLED');
    expect(store.jobs.get(jobId)!.status).toBe('cancelled');
  });

  it('records failures as data with their code', async () => {
    const runner = new JobRunner(store.jobs, new EventBus());
    const { finished } = runner.start({
      kind: 'fail',
      connectionId: null,
      payload: {},
      run: async () => {
        throw new AppError('PG_PERMISSION', 'permission denied for table flow_run');
      },
    });
    const f = await finished;
    expect(f.status).toBe('failed');
    expect(f.error).toMatchObject({ code: 'PG_PERMISSION' });
  });

  it('marks jobs left running by a dead process as interrupted, keeping their checkpoint; live ones elsewhere stay', () => {
    const old = new Date(Date.now() - 120_000).toISOString();
    const fresh = new Date().toISOString();
    store.jobs.insert({ id: 'j1', kind: 'purge', connection_id: null, status: 'running', phase: 'deleting', payload: '{}', checkpoint: '{"batch":3}', done: 300, total: 1000, started_at: old, updated_at: old });
    store.jobs.insert({ id: 'j2', kind: 'purge', connection_id: null, status: 'running', phase: 'deleting', payload: '{}', checkpoint: '{}', done: 1, total: 10, started_at: fresh, updated_at: fresh });
    store.jobs.insert({ id: 'j3', kind: 'purge', connection_id: null, status: 'running', phase: 'deleting', payload: '{}', checkpoint: '{}', done: 1, total: 10, started_at: fresh, updated_at: fresh });
    // j1: a process on this host that is gone; j2: a live process on this host (our parent);
    // j3: a just-killed process on this host (fresh heartbeat, but no such pid): interrupted at once.
    const host = os.hostname();
    store.handle.db.prepare('UPDATE job SET owner = ? WHERE id = ?').run(`999999999@${host}`, 'j1');
    store.handle.db.prepare('UPDATE job SET owner = ? WHERE id = ?').run(`${process.ppid}@${host}`, 'j2');
    store.handle.db.prepare('UPDATE job SET owner = ? WHERE id = ?').run(`999999998@${host}`, 'j3');
    const runner = new JobRunner(store.jobs, new EventBus());
    const row = store.jobs.get('j1')!;
    expect(row.status).toBe('interrupted');
    expect(JSON.parse(row.checkpoint)).toEqual({ batch: 3 });
    expect(store.jobs.get('j2')!.status).toBe('running');
    expect(store.jobs.get('j3')!.status).toBe('interrupted');
    expect(runner.runningElsewhere('j2')).toBe(true);
    expect(runner.runningElsewhere('j1')).toBe(false);
  });
});
