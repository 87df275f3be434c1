/**
 * Every screen at 1440x900 and 1024x700 in Chromium, on a server of real size: a Prefect server of its
 * own (scheduler on, as in production) with the demo's 80 deployments on 2–5 minute schedules,
 * thousands of Late runs and old runs seeded by SQL, two inspections, a purge and a schedules plan
 * in the audit log. For each size it checks what broke at 1024 px (nothing wider than the window,
 * the Past due column on screen, charts as wide as their box with fixed-size text), uses the lists
 * (search, filters, sort, select all/none, the sticky bar) and saves a screenshot of each screen
 * (test-results/e2e/screens-*.png; the README's docs/*.png under `npm run screenshots`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createWorkPool, seedDeployments, type SeededDeployment } from '../harness/seed-api';
import { prefectApi } from '../harness/prefect-api';
import { demoDeployments, DEMO_POOL } from '../harness/demo';
import { planSeed, targetsFromDeployments } from '../harness/seed-plan';
import { seedRunsPg } from '../harness/seed-sql';
import { startSchedulerServer, type SchedulerServer } from '../integration/support/scheduler-server';
import { docShot, screenshot, type BrowserSession } from './support/browser';
import { openApp, pgDb, useConnection } from './support/app';
import { rpc } from './support/rpc';
import { REPO_ROOT, startServe, type ServeHandle } from './support/serve';
import { ActivityPage } from './pages/ActivityPage';
import { OverviewPage } from './pages/OverviewPage';
import { PurgePage } from './pages/PurgePage';
import { SchedulesPage } from './pages/SchedulesPage';

const SHOTS = path.join(REPO_ROOT, 'test-results', 'e2e');
const SIZES = [
  { w: 1440, h: 900 },
  { w: 1024, h: 700 },
] as const;

describe('every screen at 1440 and 1024 px, at real size', () => {
  const h = inject('harness');
  let srv: SchedulerServer;
  let serve: ServeHandle;
  let session: BrowserSession;
  let deps: SeededDeployment[];

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    srv = await startSchedulerServer(h, { PREFECT_SERVER_SERVICES_SCHEDULER_RECENT_DEPLOYMENTS_LOOP_SECONDS: '5' }, 'e2e-screens');
    const api = prefectApi(srv.server.info.apiUrl);
    await createWorkPool(api, DEMO_POOL);
    deps = await seedDeployments(api, demoDeployments(), { concurrency: 4 });
    await seedRunsPg(
      { host: h.pg.host, port: h.pg.port, user: h.pg.superuser.user, password: h.pg.superuser.password, database: srv.database },
      planSeed(targetsFromDeployments(deps), { late: 4000, scheduledPast: 40, future: 0, running: 6, pending: 4, completedOld: 20_000, failed: 1200, cancelled: 300, crashed: 150, manual: 40, awaitingRetry: 5, statesPerTerminalRun: 2, logsPerRun: 1, taskRunsPerRun: 0, artifactEvery: 100 }),
    );
    serve = await startServe();
    const connId = await useConnection(serve, { name: 'prod-prefect', apiUrl: srv.server.info.apiUrl, db: pgDb(h, srv.database) });
    // History for the growth charts, and an audit log with a purge and a schedules plan in it.
    await rpc(serve.openUrl, 'inspect.run', { connectionId: connId });
    const plan = await rpc<{ planId: string; count: number }>(serve.openUrl, 'purge.plan', { connectionId: connId, filter: { olderThan: '2h', deployments: [deps[3]!.fullName] } });
    await rpc(serve.openUrl, 'purge.execute', { planId: plan.planId, confirmCount: plan.count });
    await rpc(serve.openUrl, 'schedules.plan', { connectionId: connId, kind: 'recreate', deployments: deps.slice(0, 2).map((d) => d.id) });
    await rpc(serve.openUrl, 'inspect.run', { connectionId: connId });
    session = await openApp(serve);
  }, 600_000);

  afterAll(async () => {
    await session?.close();
    await serve?.stop();
    await srv?.stop();
  });

  /** Nothing on the page is wider than the window (no sideways scrolling, nothing cut off). */
  async function noOverflow(what: string): Promise<void> {
    const r = (await session.page.evaluate('({ doc: document.documentElement.scrollWidth, win: window.innerWidth })')) as { doc: number; win: number };
    expect(r.doc, `${what}: page is ${r.doc} px wide in a ${r.win} px window`).toBeLessThanOrEqual(r.win);
  }

  for (const { w, h: height } of SIZES) {
    it(`${w}x${height}: Overview, Schedules, reset, Purge, Activity, Connections, Profiles`, async () => {
      const { page } = session;
      await page.setViewportSize({ width: w, height });
      const shot = (name: string) => screenshot(page, path.join(SHOTS, `screens-${name}-${w}.png`));
      // What is on screen (the list scrolls inside its own box; a full-page capture would misplace
      // the sticky selection bar).
      const view = (name: string) => page.screenshot({ path: path.join(SHOTS, `screens-${name}-${w}.png`) });

      // Overview: charts as wide as their box, 180 px high, at both sizes.
      await page.getByTestId('nav-overview').click();
      const overview = new OverviewPage(page);
      await overview.waitForReport();
      const chart = (await page.getByTestId('growth-size').evaluate((el) => {
        const box = (el as unknown as { querySelector(s: string): { getBoundingClientRect(): { width: number; height: number } } }).querySelector('.chart-line__plot')!.getBoundingClientRect();
        const canvas = (el as unknown as { querySelector(s: string): { getBoundingClientRect(): { width: number; height: number } } }).querySelector('canvas')!.getBoundingClientRect();
        return { box: box.width, canvas: canvas.width, height: canvas.height };
      })) as { box: number; canvas: number; height: number };
      expect(Math.abs(chart.canvas - chart.box)).toBeLessThanOrEqual(2);
      expect(chart.height).toBeGreaterThan(120);
      expect(chart.height).toBeLessThanOrEqual(180);
      expect(chart.canvas).toBeLessThan(w / 2);
      await noOverflow('overview');
      await shot('overview');
      if (w === 1440) await docShot(page, 'overview', { fullPage: true });

      // Schedules: the whole table inside the window, Past due and Flags visible, lists work.
      const sched = new SchedulesPage(page);
      await sched.open();
      await noOverflow('schedules');
      const pastDue = (await page.getByTestId('schedules-table-sort-pastDue').evaluate((el) => (el as unknown as { getBoundingClientRect(): { right: number } }).getBoundingClientRect().right)) as number;
      expect(pastDue).toBeLessThanOrEqual(w);
      const flagsHeader = page.getByTestId('schedules-table-sort-flags');
      expect(await flagsHeader.isVisible()).toBe(true);
      expect(await sched.search('etl-invoices')).toMatch(/^1 of 80 deployments shown$/);
      expect(await sched.search('')).toBe('80 deployments');
      expect(await sched.filter('state', 'paused')).toMatch(/^[1-9] of 80 deployments shown$/);
      expect(await sched.filter('state', '')).toBe('80 deployments');
      expect(await sched.selectAllShown()).toBe('80 deployments selected');
      // The selection bar (and its actions) stays on screen while the list is long.
      const bar = (await page.getByTestId('schedules-table-bar').evaluate((el) => (el as unknown as { getBoundingClientRect(): { bottom: number } }).getBoundingClientRect().bottom)) as number;
      expect(bar).toBeLessThanOrEqual(height + 1);
      expect(await page.getByTestId('action-recreate').isEnabled()).toBe(true);
      expect(await sched.selectNone()).toBe('No deployments selected');
      const virtual = await page.getByTestId('schedules-row').count();
      expect(virtual).toBeLessThan(80);
      expect(await sched.flags((await sched.deployments())[0]!)).toContain('Late backlog');
      if (w === 1440) await docShot(page, 'schedules');
      await page.getByTestId('schedules-open').first().click();
      await page.evaluate('window.scrollTo(0, 0)');
      await view('schedules');
      await page.getByTestId('schedules-table').scrollIntoViewIfNeeded();
      await page.evaluate(`document.querySelector('[data-testid="schedules-table"]').scrollIntoView()`);
      await view('schedules-list');
      await page.getByTestId('schedules-open').first().click();

      // Reset step 1: select all / none, and the Preview button near the top, not 3,000 px down.
      await sched.openReset();
      await page.getByTestId('reset-deployments-select-none').click();
      expect(await page.getByTestId('reset-preview').isDisabled()).toBe(true);
      await page.getByTestId('reset-deployments-select-all').click();
      expect(await page.getByTestId('reset-preview').innerText()).toMatch(/^Preview the reset of 80 deployments$/);
      const previewTop = (await page.getByTestId('reset-preview').evaluate((el) => (el as unknown as { getBoundingClientRect(): { top: number } }).getBoundingClientRect().top + (globalThis as unknown as { scrollY: number }).scrollY)) as number;
      expect(previewTop).toBeLessThan(1300);
      await noOverflow('reset');
      await shot('reset');
      if (w === 1440) await docShot(page, 'schedules-reset');
      await page.getByRole('button', { name: 'Close' }).click();

      // Purge: the deployment picker is a searchable list with select all/none.
      await page.getByTestId('nav-purge').click();
      const purge = new PurgePage(page);
      await purge.selectDeployments([deps[5]!.fullName, deps[6]!.fullName]);
      expect(await purge.selectedText()).toBe('2 deployments selected');
      await purge.setOlderThan('30m');
      const count = await purge.preview();
      expect(count).toBeGreaterThan(0);
      expect(await page.getByTestId('purge-plan').innerText()).toMatch(/scheduled before \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
      await noOverflow('purge');
      await shot('purge');
      if (w === 1440) await docShot(page, 'purge', { fullPage: true });

      // Activity: readable details and the filters.
      const activity = new ActivityPage(page);
      await activity.open();
      expect(await activity.filter('kind', 'purge')).toMatch(/^\d+ of \d+ entries shown$/);
      const actions = await activity.actions();
      expect(actions.length).toBeGreaterThan(0);
      expect(actions.every((a) => a.startsWith('purge.'))).toBe(true);
      const details = await activity.openDetails('purge.plan');
      expect(details).toMatch(/Runs planned\s+[\d,]+/);
      expect(details).toMatch(/Scheduled before\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
      expect(details).not.toMatch(/"[a-zA-Z]+":/);
      await activity.filter('kind', '');
      expect(await activity.filter('outcome', 'planned')).toMatch(/^\d+ of \d+ entries shown$/);
      await activity.filter('outcome', '');
      await noOverflow('activity');
      await shot('activity');
      if (w === 1440) await docShot(page, 'activity');

      await page.getByTestId('nav-connections').click();
      await page.getByTestId('connection-row').first().waitFor();
      await noOverflow('connections');
      await shot('connections');

      await page.getByTestId('nav-profiles').click();
      await page.locator('.page__title').filter({ hasText: 'Profiles' }).waitFor();
      await noOverflow('profiles');
      await shot('profiles');

      expect(session.problems).toEqual([]);
    }, 300_000);
  }
});
