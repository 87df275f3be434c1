/** A job's last progress report reaches the journal even when the emit throttle had not sent it yet. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { EventBus } from '../../main/core/events';
import { JobRunner } from '../../main/core/jobs/runner';
import { createStore, type Store } from '../../main/store';

let home: string;
let store: Store;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-jobs-final-'));
  store = createStore(home);
});
afterEach(() => {
  store.close();
  fs.rmSync(home, { recursive: true, force: true });
});

it('journals the final done/total of a job that reports and returns within one throttle window', async () => {
  const runner = new JobRunner(store.jobs, new EventBus());
  const { jobId, finished } = runner.start({
    kind: 'steps',
    connectionId: null,
    payload: {},
    async run({ report }) {
      for (let i = 0; i < 10; i++) report({ phase: `step ${i}`, done: i, total: 10 });
      report({ phase: 'done', done: 10, total: 10 });
      return null;
    },
  });
  await finished;
  const row = store.jobs.get(jobId)!;
  expect(row.status).toBe('succeeded');
  expect(row.done).toBe(10);
  expect(row.total).toBe(10);
  expect(row.phase).toBe('done');
  expect(runner.views().find((v) => v.jobId === jobId)?.done).toBe(10);
});
