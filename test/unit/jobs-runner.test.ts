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

  it('lists open and recently finished jobs of every kind for the tray, with the title and page their kind gives', async () => {
    const runner = new JobRunner(store.jobs, new EventBus(), store.audit);
    runner.define('retention', { describe: (p) => ({ title: `Retention of ${(p as { days: number }).days} days`, link: ['retention'] }) });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const live = runner.start({ kind: 'retention', connectionId: 'c1', payload: { days: 30 }, run: () => gate });
    const done = runner.start({ kind: 'unknown-kind', connectionId: null, payload: {}, run: async () => 'ok' });
    await done.finished;
    const views = runner.views();
    const v = views.find((x) => x.jobId === live.jobId)!;
    expect(v).toMatchObject({ kind: 'retention', title: 'Retention of 30 days', link: ['retention'], status: 'running', here: true, resumable: false, finishedAt: null });
    // A kind nobody described still shows, under its kind, with the generic job page.
    expect(views.find((x) => x.jobId === done.jobId)).toMatchObject({ title: 'unknown-kind', link: ['jobs', done.jobId], status: 'succeeded', here: false });
    release();
    await live.finished;
    // Finished long ago: no longer in the tray (the journal keeps it).
    expect(runner.views(Date.now() + 7 * 3600_000).some((x) => x.jobId === done.jobId)).toBe(false);
  });

  it('writes the audit entry when execution starts and settles the same entry when it ends', async () => {
    const runner = new JobRunner(store.jobs, new EventBus(), store.audit);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { jobId, finished } = runner.start({
      kind: 'purge',
      connectionId: 'c1',
      payload: {},
      audit: { action: 'purge.execute', connectionName: 'prod', summary: 'Deleting 10 planned runs' },
      run: async (ctx) => {
        await gate;
        ctx.audit({ action: 'purge.execute', connectionName: 'prod', outcome: 'succeeded', summary: 'Deleted 10 of 10', durationMs: 5 });
      },
    });
    const during = store.audit.list({ limit: 10 });
    expect(during).toHaveLength(1);
    expect(during[0]).toMatchObject({ action: 'purge.execute', outcome: 'running', summary: 'Deleting 10 planned runs', details: { jobId } });
    release();
    await finished;
    const after = store.audit.list({ limit: 10 });
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: during[0]!.id, outcome: 'succeeded', summary: 'Deleted 10 of 10', durationMs: 5 });
  });

  it('settles the audit entry of a job that failed without settling it, and marks it interrupted when its process died', async () => {
    const runner = new JobRunner(store.jobs, new EventBus(), store.audit);
    const { finished } = runner.start({ kind: 'vacuum', connectionId: null, payload: {}, audit: { action: 'purge.vacuum', connectionName: null, summary: 'VACUUM on flow_run' }, run: async () => {
      throw new AppError('PG_PERMISSION', 'must be owner of table flow_run');
    } });
    await finished;
    expect(store.audit.list({ limit: 1 })[0]).toMatchObject({ outcome: 'failed', summary: 'VACUUM on flow_run: failed (must be owner of table flow_run)' });

    // A job whose process died: its entry says interrupted once a runner sweeps the journal.
    const old = new Date(Date.now() - 120_000).toISOString();
    const auditId = store.audit.record({ connectionId: null, connectionName: null, action: 'purge.execute', outcome: 'running', summary: 'Deleting 5' });
    store.jobs.insert({ id: 'dead', kind: 'purge', connection_id: null, status: 'paused', phase: 'deleting', payload: '{}', checkpoint: '{}', done: 2, total: 5, started_at: old, updated_at: old, audit_id: auditId });
    store.handle.db.prepare('UPDATE job SET owner = ? WHERE id = ?').run(`999999997@${os.hostname()}`, 'dead');
    const views = new JobRunner(store.jobs, new EventBus(), store.audit).views();
    expect(views.find((v) => v.jobId === 'dead')).toMatchObject({ status: 'interrupted', done: 2, total: 5, here: false });
    expect(store.audit.list({ limit: 10 }).find((e) => e.id === auditId)?.outcome).toBe('interrupted');
  });

  it('resumes a paused job here, continues an interrupted one through its kind, and abandons one on cancel', async () => {
    const runner = new JobRunner(store.jobs, new EventBus(), store.audit);
    let resumedRow: string | null = null;
    runner.define('purge', { canResume: () => true, resume: async (row) => {
      resumedRow = row.id;
      return { jobId: row.id };
    } });
    let unpaused = 0;
    const { jobId, finished } = runner.start({ kind: 'purge', connectionId: null, payload: {}, run: async (ctx) => {
      for (let i = 0; i < 3; i++) {
        ctx.report({ done: i, total: 3 });
        await ctx.pausePoint();
        unpaused++;
      }
    } });
    expect(runner.pause(jobId)).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(runner.views().find((v) => v.jobId === jobId)?.status).toBe('paused');
    expect(await runner.resumeAny(jobId)).toEqual({ resumed: true, jobId });
    await finished;
    expect(unpaused).toBe(3);

    const old = new Date(Date.now() - 120_000).toISOString();
    for (const id of ['i1', 'i2']) {
      store.jobs.insert({ id, kind: 'purge', connection_id: null, status: 'interrupted', phase: 'deleting', payload: '{}', checkpoint: '{}', done: 1, total: 5, started_at: old, updated_at: old });
    }
    expect(runner.views().find((v) => v.jobId === 'i1')).toMatchObject({ status: 'interrupted', resumable: true });
    expect(await runner.resumeAny('i1')).toEqual({ resumed: true, jobId: 'i1' });
    expect(resumedRow).toBe('i1');
    expect(runner.cancel('i2')).toBe(true);
    expect(store.jobs.get('i2')).toMatchObject({ status: 'cancelled' });
    // A kind that cannot resume says so instead of pretending.
    store.jobs.insert({ id: 'v1', kind: 'vacuum', connection_id: null, status: 'interrupted', phase: 'x', payload: '{}', checkpoint: '{}', done: 0, total: null, started_at: old, updated_at: old });
    await expect(runner.resumeAny('v1')).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
