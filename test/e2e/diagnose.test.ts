/**
 * The guided session in Chromium, as a user lives it: connect to a real Prefect server seeded into
 * the situation (minute-scale schedules at default settings, a worker down for an hour, a
 * paused deployment with a backlog, a deleted deployment's runs, 10-second schedules, an rrule from
 * 2020); Housekeeper opens on Diagnose, which diagnoses by itself; review one combined plan, refuse a
 * wrong count, type the right one, watch the jobs, and read before and after side by side; save the
 * session as Markdown. Screenshots at each step (test-results/e2e/diagnose-*.png).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seedScheduling, startDiagServer, type DiagServer, type SchedulingScenario } from '../integration/support/diagnose-fixture';
import { sql } from '../integration/support/schedules-fixture';
import { docShot, screenshot, type BrowserSession } from './support/browser';
import { openApp, pgDb, useConnection } from './support/app';
import { REPO_ROOT, startServe, type ServeHandle } from './support/serve';
import { DiagnosePage } from './pages/DiagnosePage';

const SHOTS = path.join(REPO_ROOT, 'test-results', 'e2e');

describe('diagnose and the guided session, in the browser', () => {
  const h = inject('harness');
  let s: DiagServer;
  let sc: SchedulingScenario;
  let serve: ServeHandle;
  let session: BrowserSession;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    s = await startDiagServer(h, 'e2e');
    sc = await seedScheduling(h, s);
    serve = await startServe();
    await useConnection(serve, { name: 'prod-prefect', apiUrl: s.server.info.apiUrl, db: pgDb(h, s.database) });
    session = await openApp(serve);
  }, 300_000);

  afterAll(async () => {
    await session?.close();
    await serve?.stop();
    await s?.stop();
  });

  it('opens on Diagnose, fixes the chosen findings in one session, and shows before and after', async () => {
    const { page } = session;
    const diag = new DiagnosePage(page);
    await diag.waitForDiagnosis();
    expect(await page.getByTestId('nav-diagnose').getAttribute('aria-current')).toBe('page');
    const ids = await diag.findingIds();
    expect(ids[0]).toBe('runs.late-no-worker');
    expect(ids).toEqual(expect.arrayContaining(['scheduler.horizon-too-long', 'schedules.rrule-old-dtstart', 'runs.paused-backlog', 'runs.orphaned', 'schedules.sub-minute']));
    expect(await diag.finding('scheduler.horizon-too-long').getByTestId('finding-effect').innerText()).toMatch(/Future runs held/);
    await screenshot(page, path.join(SHOTS, 'diagnose-findings.png'));
    await docShot(page, 'diagnose');

    // Settings go into a profile and a file the owner deploys; the sub-minute fix is theirs to make.
    await diag.finding('schedules.sub-minute').getByTestId('finding-pick').uncheck();
    // Web mode takes no path typed in the page: the file goes to Housekeeper's exports folder and
    // comes back as a download (main/transport/web-policy.ts).
    await page.getByLabel('Profile name').fill('prod-server');
    expect(await page.getByLabel('Export file').count()).toBe(0);
    await page.getByTestId('export-file-web').waitFor();
    const plan = await diag.reviewPlan();
    expect(plan.steps).toEqual(['pause', 'purge', 'recreate', 'settings', 'resume', 'vacuum']);
    expect(plan.text).toMatch(/PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME=PT15M/);
    const exportFile = new RegExp(`${path.join(serve.home, 'store', 'exports').replace(/[/\\.]/g, '\\$&')}/prod-server-[\\d-]+\\.env`).exec(plan.text)?.[0];
    expect(exportFile, plan.text).toBeDefined();
    await screenshot(page, path.join(SHOTS, 'diagnose-plan.png'));
    // The session deletes runs: it is confirmed by the purge step's count, not by its findings.
    const confirmCount = plan.counts.purge!;
    expect(confirmCount).toBeGreaterThan(100);
    expect(plan.text).toContain(`Type ${confirmCount} (the ${confirmCount.toLocaleString('en-US')} runs this session deletes, as planned now)`);

    const [late] = await sql<{ n: string }>(h, `SELECT count(*) AS n FROM flow_run WHERE state_name = 'Late'`, [], s.database);
    expect(Number(late!.n)).toBeGreaterThan(100);
    await diag.confirmAndRun(confirmCount);
    await page.getByTestId('session-running').waitFor();
    await screenshot(page, path.join(SHOTS, 'diagnose-running.png'));
    const result = await diag.waitForResult();
    await screenshot(page, path.join(SHOTS, 'diagnose-result.png'));
    await docShot(page, 'diagnose-result', { fullPage: true });
    expect(result.status, result.text).toBe('done');
    const lateRow = await diag.metric('late');
    expect(lateRow[1]).toBe(Number(late!.n).toLocaleString('en-US'));
    expect(lateRow[2]).toBe('0');
    expect(await page.getByTestId('session-restart').innerText()).toContain(exportFile);
    expect(fs.readFileSync(exportFile!, 'utf8')).toMatch(/PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME='?PT15M/);
    const settingsFile = await diag.saveSettings();
    expect(fs.readFileSync((await settingsFile.path())!, 'utf8')).toMatch(/PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME='?PT15M/);

    // On the server: the backlog is gone and the recreated deployments run again.
    const [left] = await sql<{ n: string }>(h, `SELECT count(*) AS n FROM flow_run WHERE state_name = 'Late'`, [], s.database);
    expect(Number(left!.n)).toBe(0);
    expect((await s.api.get<{ paused: boolean }>(`/deployments/${sc.frequent[0]!.id}`)).paused).toBe(false);

    const download = await diag.saveReport();
    const md = fs.readFileSync((await download.path())!, 'utf8');
    fs.writeFileSync(path.join(SHOTS, 'diagnose-session.md'), md);
    expect(md).toMatch(/^# Diagnose session on prod-prefect/);
    expect(md).toMatch(/## Before and after/);
    expect(md).toMatch(/\| Late runs \| [\d,]+ \| 0 \|/);

    await page.getByTestId('session-done').click();
    await diag.waitForDiagnosis();
    expect(await diag.findingIds()).not.toContain('runs.late-no-worker');
    await screenshot(page, path.join(SHOTS, 'diagnose-after.png'));
    expect(session.problems).toEqual([]);
  }, 300_000);
});
