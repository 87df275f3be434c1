/**
 * A maintenance session at real size, as issue #13 describes it, in Chromium through `housekeeper
 * serve` against a real Prefect 3.9.1 (its own server, scheduler on a 2-second loop) on the harness's
 * PostgreSQL, with demo-like data: about two thousand stale runs on two deployments, and a Late
 * backlog on three deployments with an interval, a cron and an rrule schedule.
 *
 * 1. Plan and start a purge; a worker-like lock (a log row held FOR UPDATE by another session) stalls
 *    it just before run 217, where it is paused from the jobs tray ("200 of 2,015": the issue saw 216 of 2,017).
 * 2. Visit every screen and reload: the paused purge is in the tray each time, and Activity already
 *    has its audit entry (written when it started).
 * 3. Resume it from the tray; it finishes, its page shows the totals, Activity has the same entry
 *    settled as succeeded.
 * 4. A backlog reset of the three deployments: the plan lists each (the cron one is not dropped),
 *    Enter in the count field confirms it, and the new runs are checked.
 * 5. Simulate starts from the server's settings and shows the change per metric.
 * Screenshots at 1440x900 and 1024x700 in test-results/e2e/journey-*.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PurgeRepo, RUN_PENDING } from '../../main/store/repos/purge';
import { formatInt } from '../../shared/text/format';
import { prefectApi, type HarnessApi } from '../harness/prefect-api';
import { seedDeployments, type SeededDeployment } from '../harness/seed-api';
import { planSeed, targetsFromDeployments } from '../harness/seed-plan';
import { seedRunsPg } from '../harness/seed-sql';
import { createDeployments, runsOf, scheduleRuns } from '../integration/support/schedules-fixture';
import { startSchedulerServer, type SchedulerServer } from '../integration/support/scheduler-server';
import { screenshot, type BrowserSession } from './support/browser';
import { openApp, pgDb, useConnection } from './support/app';
import { rpc } from './support/rpc';
import { REPO_ROOT, startServe, type ServeHandle } from './support/serve';
import { ConnectionsPage } from './pages/ConnectionsPage';
import { JobsTrayPanel } from './pages/JobsTrayPanel';
import { PurgePage } from './pages/PurgePage';
import { SchedulesPage } from './pages/SchedulesPage';

const SHOTS = path.join(REPO_ROOT, 'test-results', 'e2e');
const SCREENS = ['overview', 'purge', 'schedules', 'profiles', 'connections', 'activity'] as const;
const WIDE = { width: 1440, height: 900 };
const NARROW = { width: 1024, height: 700 };
/** The purge stalls on the run at this (0-based) position of its plan (its batch stops just before it). */
const STALL_AT = 216;

describe('a maintenance session: a paused purge that outlives its screen, and a reset that drops nothing', () => {
  const h = inject('harness');
  let srv: SchedulerServer;
  let api: HarnessApi;
  let serve: ServeHandle;
  let session: BrowserSession;
  let purgeDeps: SeededDeployment[];
  let resetDeps: SeededDeployment[];
  let lock: pg.Client | null = null;
  const superConfig = () => ({ host: h.pg.host, port: h.pg.port, user: h.pg.superuser.user, password: h.pg.superuser.password, database: srv.database });

  /** How many of a plan's frozen runs still exist on the server (ids from the journal, read-only). */
  async function remaining(planId: string): Promise<number> {
    const store = new Database(path.join(serve.home, 'store', 'housekeeper.db'), { readonly: true, fileMustExist: true });
    const ids = store.prepare('SELECT run_id FROM purge_plan_run WHERE plan_id = ?').pluck().all(planId) as string[];
    store.close();
    const c = new pg.Client(superConfig());
    await c.connect();
    try {
      return Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM flow_run WHERE id = ANY($1::uuid[])', [ids])).rows[0]!.n);
    } finally {
      await c.end();
    }
  }

  async function shot(name: string, size: { width: number; height: number } = WIDE): Promise<void> {
    await session.page.setViewportSize(size);
    await session.page.waitForTimeout(150);
    await screenshot(session.page, path.join(SHOTS, `journey-${name}-${size.width}.png`));
  }

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    srv = await startSchedulerServer(h, { PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS: '2' }, 'e2e-journey');
    api = prefectApi(srv.server.info.apiUrl);
    // The purge's backlog: two paused deployments (the scheduler leaves them alone) with ~2,000 stale runs.
    purgeDeps = await seedDeployments(api, [
      { flow: 'etl', name: 'sync-orders-every-2m', paused: true, tags: ['prod'], schedules: [{ schedule: { kind: 'interval', interval: 120, timezone: 'UTC' } }] },
      { flow: 'etl', name: 'sync-invoices-every-3m', paused: true, tags: ['prod'], schedules: [{ schedule: { kind: 'interval', interval: 180, timezone: 'UTC' } }] },
    ]);
    const plan = planSeed(targetsFromDeployments(purgeDeps, { includePaused: true, weight: () => 1 }), { late: 1_900, scheduledPast: 117, future: 20, completedOld: 200, running: 4 });
    await seedRunsPg(superConfig(), plan);
    // The reset's backlog: one deployment per schedule kind, a worker down for two hours.
    resetDeps = await createDeployments(srv.server.info.apiUrl, [
      { flow: 'ingest', name: 'orders-every-5m', schedules: [{ schedule: { kind: 'interval', interval: 300, anchorDate: '2020-01-01T00:00:00Z', timezone: 'UTC' } }] },
      { flow: 'reports', name: 'quarter-hourly-cron', schedules: [{ schedule: { kind: 'cron', cron: '*/15 * * * *', timezone: 'America/New_York' } }] },
      { flow: 'ml', name: 'retrain-rrule', schedules: [{ schedule: { kind: 'rrule', rrule: 'DTSTART:20200101T000000\nRRULE:FREQ=MINUTELY;INTERVAL=10', timezone: 'Europe/Berlin' } }] },
    ]);
    const now = Date.now();
    for (const d of resetDeps) {
      // Prefect's own generator; it can collide with a scheduler pass inserting the same runs (500).
      for (let attempt = 1; ; attempt++) {
        try {
          await scheduleRuns(api, d.id, { start_time: new Date(now - 7_200_000).toISOString(), end_time: new Date(now - 60_000).toISOString() });
          break;
        } catch (e) {
          if (attempt >= 5) throw e;
          await new Promise((r) => setTimeout(r, 500 * attempt));
        }
      }
    }

    serve = await startServe();
    await useConnection(serve, { name: 'prod-prefect', apiUrl: srv.server.info.apiUrl, db: pgDb(h, srv.database) });
    session = await openApp(serve, WIDE);
  }, 300_000);

  afterAll(async () => {
    await lock?.query('ROLLBACK').catch(() => undefined);
    await lock?.end().catch(() => undefined);
    await session?.close();
    await serve?.stop();
    await srv?.stop();
  });

  it('pauses a purge from the tray, keeps it on every screen and across a reload, resumes it there, and audits it from its start', async () => {
    const { page } = session;
    const tray = new JobsTrayPanel(page);
    // The health strip on the first screen: both ends answer (slowly, on a busy test machine).
    await page.locator('[data-testid="health-api"]:is([data-status="ok"], [data-status="slow"])').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="health-db"]:is([data-status="ok"], [data-status="slow"])').waitFor({ timeout: 60_000 });
    // Diagnose is the first screen since the diagnose merge; the session starts from the Overview.
    await page.getByTestId('nav-overview').click();
    await page.getByTestId('overview-report').waitFor({ timeout: 90_000 });
    await shot('overview');

    await page.getByTestId('nav-purge').click();
    const purge = new PurgePage(page);
    await purge.selectDeployments(purgeDeps.map((d) => d.fullName));
    await purge.setOlderThan('5m');
    const count = await purge.preview();
    expect(count).toBeGreaterThan(1_900);
    await shot('purge-plan');

    // Which run the purge reaches 217th: asked of the journal with the purge's own query (a peek at
    // the local store, read-only), so the test follows whatever order the batches take.
    const store = new Database(path.join(serve.home, 'store', 'housekeeper.db'), { readonly: true, fileMustExist: true });
    let planId: string;
    let stallRun: string;
    try {
      planId = store.prepare('SELECT id FROM purge_plan ORDER BY created_at DESC LIMIT 1').pluck().get() as string;
      stallRun = new PurgeRepo(store).idsInState(planId, RUN_PENDING, STALL_AT + 1)[STALL_AT]!;
    } finally {
      store.close();
    }
    // Another session holds a log row of that run: its batch waits (lock timeout) and retries.
    lock = new pg.Client(superConfig());
    await lock.connect();
    const logId = (await lock.query<{ id: string }>(`INSERT INTO log (id, created, updated, name, level, flow_run_id, message, timestamp) VALUES (gen_random_uuid(), now(), now(), 'worker', 20, $1, 'picked up', now()) RETURNING id::text`, [stallRun])).rows[0]!.id;
    await lock.query('BEGIN');
    await lock.query('SELECT 1 FROM log WHERE id = $1 FOR UPDATE', [logId]);

    // Enter in the count field confirms (issue #13: as for a reset).
    await page.getByTestId('purge-confirm-input').fill(String(count));
    await page.getByTestId('purge-confirm-input').press('Enter');
    await page.waitForURL(new RegExp(`#/purge/run/${planId}`));
    // It deletes up to the batch holding that run and waits there (each try ends at the lock timeout
    // and is retried with a smaller batch), so the count stops short of the held run and stays.
    const seen: string[] = [];
    let stalled = 0;
    for (let since = Date.now(), last = -1, deadline = Date.now() + 90_000; ; ) {
      const text = (await tray.job('purge').count()) ? await tray.numbers('purge').catch(() => '') : '';
      const done = Number(/^([\d,]+) of/.exec(text)?.[1]?.replace(/,/g, '') ?? '0');
      if (done !== last) {
        seen.push(text);
        last = done;
        since = Date.now();
      }
      // Unchanged for longer than one lock timeout (2 s): it waits on the held row.
      if (done > 0 && done <= STALL_AT && Date.now() - since > 2_500) {
        stalled = done;
        break;
      }
      if (Date.now() > deadline) throw new Error(`the purge never stalled before run ${STALL_AT + 1}; the tray showed: ${seen.join(' | ')}`);
      await page.waitForTimeout(250);
    }
    await tray.pause('purge');
    await tray.waitForStatus('purge', 'paused', 30_000);
    await lock.query('ROLLBACK');
    await lock.end();
    lock = null;
    const at = stalled.toLocaleString('en-US');
    expect(await tray.numbers('purge')).toMatch(new RegExp(`^${at} of ${count.toLocaleString('en-US')} \\(\\d+%\\)`));
    await shot('purge-paused');
    await shot('purge-paused', NARROW);
    await page.setViewportSize(WIDE);

    // Every screen: the paused purge stays in the tray with its numbers.
    for (const screen of SCREENS) {
      await page.getByTestId(`nav-${screen}`).click();
      await tray.waitForStatus('purge', 'paused', 10_000);
      expect(await tray.numbers('purge'), screen).toMatch(new RegExp(`^${at} of`));
    }
    // Activity has the execution since it started (not only at the end).
    const running = page.locator('[data-testid="audit-row"][data-outcome="running"]', { hasText: 'Deleting' });
    await running.first().waitFor({ timeout: 10_000 });
    await shot('activity-running');
    await shot('activity-running', NARROW);
    await page.setViewportSize(WIDE);

    // The tray links to the job's page; a reload there: the tray and the page read the journal.
    await tray.open('purge');
    await page.waitForURL(new RegExp(`#/purge/run/${planId}`));
    await page.reload();
    await tray.waitForStatus('purge', 'paused', 15_000);
    expect(await tray.numbers('purge')).toMatch(new RegExp(`^${at} of`));
    await page.locator('[data-testid="purge-exec"] [data-testid="job-progress"][data-status="paused"]').waitFor();
    await shot('after-reload');

    // Resume from the tray while watching the page; it finishes; the page shows the totals at once.
    await tray.resume('purge');
    const deleted = Number((await page.getByTestId('purge-deleted').innerText({ timeout: 120_000 })).replace(/\D/g, ''));
    expect(deleted).toBe(count);
    await tray.waitForStatus('purge', 'succeeded', 10_000);
    const fill = await page.locator('[data-testid="purge-exec"] .job__fill').evaluate((el) => (el as unknown as { getBoundingClientRect(): { width: number } }).getBoundingClientRect().width);
    const track = await page.locator('[data-testid="purge-exec"] .job__bar').evaluate((el) => (el as unknown as { getBoundingClientRect(): { width: number } }).getBoundingClientRect().width);
    // The bar is full at 100 % (issue #13: it stopped at three quarters under "339 of 339 (100%)").
    expect(fill / track).toBeGreaterThan(0.99);
    await shot('purge-done');
    expect(await remaining(planId)).toBe(0);

    await page.getByTestId('nav-activity').click();
    const rows = page.locator('[data-testid="audit-row"]', { hasText: `planned runs` }).filter({ hasText: /Deleted|Deleting/ });
    await page.locator('[data-testid="audit-row"][data-outcome="succeeded"]', { hasText: `Deleted ${formatInt(count)} of ${formatInt(count)} planned runs` }).waitFor({ timeout: 15_000 });
    // One entry for the execution: written at its start, settled at its end.
    expect(await rows.count()).toBe(1);
    expect(session.problems).toEqual([]);
  }, 300_000);

  it('a purge interrupted by a killed Housekeeper is in the tray after a restart, and resumes from its journal', async () => {
    // More stale runs on the same deployments, planned and started through the contract.
    // (Laid out ten days back, so their idempotency keys cannot meet the first batch's.)
    await seedRunsPg(superConfig(), planSeed(targetsFromDeployments(purgeDeps, { includePaused: true, weight: () => 1 }), { late: 400 }, new Date(Date.now() - 10 * 86_400_000)));
    const conn = (await rpc<{ connections: Array<{ id: string }> }>(serve.openUrl, 'connections.list', {})).connections[0]!;
    const plan = await rpc<{ planId: string; count: number }>(serve.openUrl, 'purge.plan', { connectionId: conn.id, filter: { olderThan: '5m', deployments: purgeDeps.map((d) => d.id), stateNames: ['Scheduled', 'Late'] } });
    expect(plan.count).toBeGreaterThan(300);
    const store = new Database(path.join(serve.home, 'store', 'housekeeper.db'), { readonly: true, fileMustExist: true });
    const held = new PurgeRepo(store).idsInState(plan.planId, RUN_PENDING, 251)[250]!;
    store.close();
    lock = new pg.Client(superConfig());
    await lock.connect();
    const logId = (await lock.query<{ id: string }>(`INSERT INTO log (id, created, updated, name, level, flow_run_id, message, timestamp) VALUES (gen_random_uuid(), now(), now(), 'worker', 20, $1, 'picked up', now()) RETURNING id::text`, [held])).rows[0]!.id;
    await lock.query('BEGIN');
    await lock.query('SELECT 1 FROM log WHERE id = $1 FOR UPDATE', [logId]);
    const { jobId } = await rpc<{ jobId: string }>(serve.openUrl, 'purge.execute', { planId: plan.planId, confirmCount: plan.count });
    // Housekeeper dies mid-purge (SIGKILL: no goodbye, no journal update).
    const stuck = Date.now() + 60_000;
    while ((await rpc<Array<{ jobId: string; done: number }>>(serve.openUrl, 'jobs.list', {})).find((j) => j.jobId === jobId)!.done === 0) {
      if (Date.now() > stuck) throw new Error('the second purge never started deleting');
      await new Promise((r) => setTimeout(r, 200));
    }
    const home = serve.home;
    await serve.kill();
    await lock.query('ROLLBACK');
    await lock.end();
    lock = null;

    serve = await startServe({ home });
    const { page } = session;
    await page.goto(serve.openUrl);
    // The old page lost its server mid-request; those console errors belong to the kill, not to the UI.
    session.problems.length = 0;
    const tray = new JobsTrayPanel(page);
    const job = { jobId };
    await tray.waitForStatus(job, 'interrupted', 30_000);
    await shot('interrupted');
    await page.getByTestId('nav-activity').click();
    await page.locator('[data-testid="audit-row"][data-outcome="interrupted"]').first().waitFor({ timeout: 10_000 });
    await tray.resume(job);
    await tray.waitForStatus(job, 'succeeded', 120_000);
    expect(await remaining(plan.planId)).toBe(0);
    // The same audit entry, from interrupted to succeeded.
    await page.getByTestId('nav-overview').click();
    await page.getByTestId('nav-activity').click();
    await page.locator('[data-testid="audit-row"][data-outcome="succeeded"]', { hasText: `Deleted ${formatInt(plan.count)} of ${formatInt(plan.count)} planned runs` }).waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid="audit-row"][data-outcome="interrupted"]').count()).toBe(0);
    expect(session.problems).toEqual([]);
  }, 240_000);

  it('resets the backlog of an interval, a cron and an rrule deployment: the plan lists each, Enter confirms', async () => {
    const { page } = session;
    const sched = new SchedulesPage(page);
    await sched.open();
    await sched.openReset();
    // The three reset deployments are preselected (they have a backlog); choose exactly them.
    const names = resetDeps.map((d) => d.fullName).sort();
    expect(await sched.preselected()).toEqual(expect.arrayContaining(names));
    for (const other of (await sched.preselected()).filter((n) => !names.includes(n))) await page.getByRole('checkbox', { name: `Reset ${other}`, exact: true }).uncheck();
    expect((await sched.preselected()).sort()).toEqual(names);
    await shot('reset-choose');
    const preview = await sched.preview();
    expect(preview.count).toBe(3);
    const review = page.getByTestId('change-review');
    const items = review.getByTestId('change-deployment');
    expect(await items.count()).toBe(3);
    for (const d of resetDeps) expect(preview.text).toContain(d.fullName);
    // The cron deployment is in the plan, with what happens to it.
    const cron = items.filter({ hasText: 'reports/quarter-hourly-cron' });
    expect(await cron.getByTestId('change-action').innerText()).toMatch(/1 cron schedule kept as it is.*past-due runs? removed by Purge/);
    expect(await review.getByTestId('change-chosen').innerText()).toMatch(/All 3 chosen deployments are in this plan/);
    expect(await review.getByTestId('change-left-out').count()).toBe(0);
    await shot('reset-review');
    await shot('reset-review', NARROW);
    await page.setViewportSize(WIDE);

    await page.getByTestId('change-confirm-input').fill('3');
    await page.getByTestId('change-confirm-input').press('Enter');
    const outcome = page.getByTestId('change-outcome');
    await outcome.waitFor({ timeout: 120_000 });
    expect(await outcome.getAttribute('data-status')).toBe('applied');
    const verify = await outcome.locator('[data-verify]').evaluateAll((r) => r.map((x) => x.getAttribute('data-verify')));
    expect(verify).toHaveLength(3);
    expect(verify.every((v) => v === 'ok')).toBe(true);
    await new JobsTrayPanel(page).waitForStatus('schedules.reset', 'succeeded', 10_000);
    await shot('reset-done');
    for (const d of resetDeps) {
      expect(await runsOf(api, d.id, { state: { type: { any_: ['SCHEDULED'] } }, next_scheduled_start_time: { before_: new Date(Date.now() - 120_000).toISOString() } })).toEqual([]);
    }
    expect(session.problems).toEqual([]);
  }, 240_000);

  it('simulates from the server\'s current settings and shows each change', async () => {
    const { page } = session;
    await page.getByTestId('change-done').click();
    await page.getByTestId('schedules-tab-simulate').click();
    const minRuns = page.getByTestId('sim-min_runs');
    await minRuns.waitFor();
    // The fields start with what the live server runs with (Prefect's defaults here).
    expect(await minRuns.inputValue()).toBe('3');
    expect(await page.getByTestId('sim-max_scheduled_time').inputValue()).toBe('100d');
    await minRuns.fill('10');
    await page.getByTestId('simulate-run').click();
    await page.getByTestId('simulation').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('delta-held').innerText()).toMatch(/^\+[\d,]+ \(\+[\d,]+ ?%\)$/);
    await shot('simulate');
    expect(session.problems).toEqual([]);
  }, 120_000);

  it('keyboard: Escape closes a plan panel, the connection picker follows the arrow keys', async () => {
    const { page } = session;
    await page.getByTestId('nav-schedules').click();
    await page.getByTestId('schedules-tab-list').click();
    await page.getByRole('checkbox', { name: /orders-every-5m/ }).check();
    await page.getByTestId('action-pause').click();
    await page.getByTestId('change-review').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('change-review').waitFor({ state: 'detached' });

    const picker = page.getByTestId('connection-picker-button');
    await picker.focus();
    await page.keyboard.press('ArrowDown');
    const options = page.getByTestId('connection-picker-option');
    await options.first().waitFor();
    expect(await picker.getAttribute('aria-expanded')).toBe('true');
    // Focus sits on the current connection, then moves down to "Manage connections…".
    expect(await page.evaluate('document.activeElement && document.activeElement.textContent')).toContain('prod-prefect');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate('document.activeElement && document.activeElement.textContent')).toContain('Manage connections');
    await page.keyboard.press('Escape');
    expect(await picker.getAttribute('aria-expanded')).toBe('false');
    expect(session.problems).toEqual([]);
  }, 60_000);

  it('the connection test and the Overview agree: a limit is not a warning under "All checks passed"', async () => {
    const { page } = session;
    await page.getByTestId('nav-connections').click();
    const report = await new ConnectionsPage(page).testRow('prod-prefect');
    const verdict = await report.verdict();
    const perms = report.root.getByTestId('permissions');
    // The owner role is not in pg_read_all_stats: said as a limit, with the neutral mark.
    const stats = perms.getByTestId('perm-readStatistics');
    expect(await stats.getAttribute('data-allowed')).toBe('false');
    expect(await stats.innerText()).toMatch(/Cannot see other sessions' activity/);
    expect(await stats.locator('.status-icon--skip').count()).toBe(1);
    if (verdict === 'All checks passed') expect(await perms.locator('.status-icon--warn').count()).toBe(0);
    expect(await report.root.innerText()).not.toMatch(/cannot read statistics/i);
    await screenshot(page, path.join(SHOTS, 'journey-connection-test-1440.png'));
    expect(session.problems).toEqual([]);
  }, 120_000);
});
