/**
 * The Schedules screen and the backlog reset wizard in Chromium, against a Prefect server of its own
 * with the scheduler running: the list shows the backlog, the wizard previews everything, refuses
 * until the count is typed, pauses, purges, recreates from now, resumes, and shows the runs the real
 * scheduler then created on the new schedules. Screenshots at each step (test-results/e2e).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { prefectApi, type HarnessApi } from '../harness/prefect-api';
import type { SeededDeployment } from '../harness/seed-api';
import { createDeployments, runsOf, scheduleRuns } from '../integration/support/schedules-fixture';
import { startSchedulerServer, type SchedulerServer } from '../integration/support/scheduler-server';
import { screenshot, type BrowserSession } from './support/browser';
import { openApp, pgDb, useConnection } from './support/app';
import { REPO_ROOT, startServe, type ServeHandle } from './support/serve';
import { SchedulesPage } from './pages/SchedulesPage';

const SHOTS = path.join(REPO_ROOT, 'test-results', 'e2e');

function countIn(text: string, re: RegExp): number {
  const m = re.exec(text);
  if (!m) throw new Error(`no count matching ${re} in: ${text}`);
  return Number(m[1]!.replace(/,/g, ''));
}

describe('schedules and the backlog reset, in the browser', () => {
  const h = inject('harness');
  let srv: SchedulerServer;
  let api: HarnessApi;
  let serve: ServeHandle;
  let session: BrowserSession;
  let deps: SeededDeployment[];
  const backlog = new Map<string, number>();

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    srv = await startSchedulerServer(h, { PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS: '2', PREFECT_SERVER_SERVICES_SCHEDULER_RECENT_DEPLOYMENTS_LOOP_SECONDS: '1' }, 'e2e-sched');
    api = prefectApi(srv.server.info.apiUrl);
    deps = await createDeployments(srv.server.info.apiUrl, [
      { flow: 'etl', name: 'sync-every-2m', tags: ['prod'], schedules: [{ schedule: { kind: 'interval', interval: 120, anchorDate: '2020-01-01T00:00:30Z', timezone: 'UTC' } }] },
      { flow: 'reports', name: 'hourly-rrule', schedules: [{ schedule: { kind: 'rrule', rrule: 'DTSTART:20200101T000000\nRRULE:FREQ=MINUTELY;INTERVAL=10', timezone: 'Europe/Berlin' } }] },
      {
        flow: 'ml',
        name: 'score',
        parameters: { model: 'v3' },
        schedules: [
          { schedule: { kind: 'cron', cron: '*/15 * * * *', timezone: 'America/New_York' }, slug: 'quarterly', parameters: { threshold: 0.9 } },
          { schedule: { kind: 'interval', interval: 300, anchorDate: '2024-06-01T00:00:00Z', timezone: 'UTC' }, slug: 'fast', active: false },
        ],
      },
      { flow: 'maintenance', name: 'nightly', paused: true, schedules: [{ schedule: { kind: 'cron', cron: '0 2 * * *', timezone: 'UTC' } }] },
    ]);
    // The worker was down for two hours: a backlog of runs nobody started.
    const now = Date.now();
    for (const d of deps.slice(0, 3)) {
      await scheduleRuns(api, d.id, { start_time: new Date(now - 7_200_000).toISOString(), end_time: new Date(now - 60_000).toISOString() });
      backlog.set(d.id, (await runsOf(api, d.id, { next_scheduled_start_time: { before_: new Date(now - 30_000).toISOString() } })).length);
    }
    serve = await startServe();
    await useConnection(serve, { name: 'prod-prefect', apiUrl: srv.server.info.apiUrl, db: pgDb(h, srv.database) });
    session = await openApp(serve);
  }, 300_000);

  /** Scheduled runs of the three backlogged deployments whose time has come, counted on the server now. */
  async function pastDueNow(): Promise<number> {
    const before = new Date().toISOString();
    let n = 0;
    for (const d of deps.slice(0, 3)) n += (await runsOf(api, d.id, { state: { type: { any_: ['SCHEDULED'] } }, next_scheduled_start_time: { before_: before } })).length;
    return n;
  }

  afterAll(async () => {
    await session?.close();
    await serve?.stop();
    await srv?.stop();
  });

  it('lists the schedules with the backlog, resets it through the wizard, and shows the new runs', async () => {
    const { page } = session;
    const sched = new SchedulesPage(page);
    await sched.open();
    // Worst first: the list opens sorted by past-due runs; sorting by name puts it in order.
    expect((await sched.deployments()).sort()).toEqual(['etl/sync-every-2m', 'maintenance/nightly', 'ml/score', 'reports/hourly-rrule']);
    await sched.sortBy('deployment');
    expect(await sched.deployments()).toEqual(['etl/sync-every-2m', 'maintenance/nightly', 'ml/score', 'reports/hourly-rrule']);
    // The Flags column carries the deployment's flags too (it was always empty on a backlog).
    expect(await sched.flags('etl/sync-every-2m')).toContain('Late backlog');
    expect(await sched.search('rrule')).toBe('1 of 4 deployments shown');
    expect(await sched.search('')).toBe('4 deployments');
    // The backlog grows while the test runs (the next 2-minute run falls due on a slow machine), so
    // the number shown is bracketed: at least what was past due at setup, at most what is past due now.
    const total = [...backlog.values()].reduce((a, b) => a + b, 0);
    const shown = countIn(await sched.backlogAlert(), /([\d,]+) past-due runs on 3 deployments/);
    expect(shown).toBeGreaterThanOrEqual(total);
    expect(shown).toBeLessThanOrEqual(await pastDueNow());
    await screenshot(page, path.join(SHOTS, 'schedules-list.png'));

    await sched.openReset();
    expect((await sched.preselected()).sort()).toEqual(['etl/sync-every-2m', 'ml/score', 'reports/hourly-rrule']);
    await screenshot(page, path.join(SHOTS, 'schedules-reset-choose.png'));

    const preview = await sched.preview();
    expect(preview.count).toBe(3);
    expect(preview.text).toMatch(/Pause each deployment/);
    expect(preview.text).toMatch(/anchor_date/);
    expect(preview.text).toMatch(/DTSTART/);
    const inPreview = countIn(await sched.backlogText(), /([\d,]+) past-due runs/);
    expect(inPreview).toBeGreaterThanOrEqual(shown);
    expect(inPreview).toBeLessThanOrEqual(await pastDueNow());
    // Nothing changed by the preview.
    expect((await runsOf(api, deps[0]!.id, { next_scheduled_start_time: { before_: new Date().toISOString() } })).length).toBeGreaterThanOrEqual(backlog.get(deps[0]!.id)!);
    await screenshot(page, path.join(SHOTS, 'schedules-reset-preview.png'));

    const started = Date.now();
    const outcome = await sched.confirmAndApply(preview.count);
    await screenshot(page, path.join(SHOTS, 'schedules-reset-done.png'));
    expect(outcome.status, outcome.text).toBe('applied');
    expect(outcome.text).toMatch(/Past-due runs removed:/);
    expect(outcome.verify.length).toBe(3);
    expect(outcome.verify.every((v) => v === 'ok'), outcome.text).toBe(true);

    // On the server: no backlog left, new runs only after the reset, the paused deployment untouched.
    for (const d of deps.slice(0, 3)) {
      expect(await runsOf(api, d.id, { state: { type: { any_: ['SCHEDULED'] } }, next_scheduled_start_time: { before_: new Date(started).toISOString() } })).toEqual([]);
    }
    const sync = await api.get<{ schedules: Array<{ schedule: { anchor_date: string } }>; paused: boolean }>(`/deployments/${deps[0]!.id}`);
    expect(Date.parse(sync.schedules[0]!.schedule.anchor_date)).toBeGreaterThan(started - 60_000);
    expect(sync.paused).toBe(false);
    expect((await api.get<{ paused: boolean }>(`/deployments/${deps[3]!.id}`)).paused).toBe(true);

    await page.getByTestId('change-done').click();
    await page.locator('[data-testid="schedules-page"][data-loading="false"]').waitFor();
    await screenshot(page, path.join(SHOTS, 'schedules-after-reset.png'));
    expect(await page.getByTestId('backlog-alert').count()).toBe(0);

    const sim = await sched.simulate({ min_runs: '10', max_scheduled_time: '2h' });
    expect(sim).toMatch(/min_runs=10/i);
    await screenshot(page, path.join(SHOTS, 'schedules-simulate.png'));

    expect(session.problems).toEqual([]);
  }, 240_000);
});
