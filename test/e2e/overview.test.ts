/**
 * The Overview screen end to end in Chromium through `housekeeper serve`, against a real Prefect
 * database: ~120k runs in its own database of the harness cluster (so the bars and verdicts have
 * something to say), then the story of a careless cleanup told by three inspections — before,
 * right after deleting most completed runs with plain SQL (dead rows), and after VACUUM (free space
 * only a rewrite returns). The last one is run from the screen. Screenshot: test-results/e2e/overview.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBigDatabase, dropDatabase, withSuper } from '../integration/support/inspect-fixture';
import { screenshot, type BrowserSession } from './support/browser';
import { openApp, pgDb, useConnection } from './support/app';
import { rpc } from './support/rpc';
import { REPO_ROOT, startServe, type ServeHandle } from './support/serve';
import { AppShell } from './pages/AppShell';
import { OverviewPage } from './pages/OverviewPage';

const SHOTS = path.join(REPO_ROOT, 'test-results', 'e2e');
const DB = 'hk_inspect_e2e';

describe('overview, in the browser', () => {
  const h = inject('harness');
  let serve: ServeHandle;
  let session: BrowserSession;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    await createBigDatabase(h, DB, {
      late: 6000,
      scheduledPast: 300,
      future: 1500,
      running: 30,
      pending: 30,
      completedOld: 100_000,
      failed: 6000,
      cancelled: 1500,
      crashed: 800,
      manual: 300,
      awaitingRetry: 40,
      statesPerTerminalRun: 3,
      logsPerRun: 2,
      taskRunsPerRun: 0,
      artifactEvery: 50,
    });
    serve = await startServe();
    const connId = await useConnection(serve, { name: 'prod-eu', apiUrl: h.prefectPg.apiUrl, db: pgDb(h, DB, 'monitor'), readOnly: true });
    // Before the cleanup, and right after deleting 70 % of the completed runs (their states cascade,
    // their logs stay as orphans); VACUUM then turns the dead rows into free space.
    await rpc(serve.openUrl, 'inspect.run', { connectionId: connId });
    await withSuper(h, DB, (c) => c.query(`DELETE FROM flow_run WHERE state_type = 'COMPLETED' AND (hashtext(id::text) & 1023) < 717`));
    await rpc(serve.openUrl, 'inspect.run', { connectionId: connId });
    await withSuper(h, DB, (c) => c.query('VACUUM (ANALYZE) flow_run, flow_run_state, log'));
    session = await openApp(serve);
  }, 600_000);

  afterAll(async () => {
    await session?.close();
    await serve?.stop();
    await dropDatabase(h, DB);
  });

  it('shows the saved report, inspects from the screen, and shows space, runs, backlog, maintenance and growth', async () => {
    const { page } = session;
    const overview = new OverviewPage(page);
    // Housekeeper opens on Diagnose; the Overview shows the saved report at once.
    await page.getByTestId('nav-overview').click();
    const saved = await overview.waitForReport();
    expect(await page.getByTestId('nav-overview').getAttribute('aria-current')).toBe('page');
    const id = await overview.inspectNow(saved);
    expect(id).not.toBe(saved);

    expect(await overview.tile('size')).toMatch(/Database size \d+(\.\d)? MiB/i);
    expect(await overview.tile('late')).toMatch(/Late backlog [\d,]+ oldest/i);
    expect(await overview.tile('reclaimable')).toMatch(/≈\d|up to \d/);
    const tables = await overview.spaceTables();
    expect(tables.slice(0, 3)).toEqual(expect.arrayContaining(['flow_run_state', 'flow_run', 'log']));
    // The cleanup left free space that vacuum cannot give back: the screen says so.
    expect(await page.getByTestId('space-verdicts').innerText()).toMatch(/flow_run_state: .*only a rewrite/);
    expect(await overview.stateLegend()).toMatch(/Completed [\d,]+/);
    expect(await overview.lateRows().count()).toBeGreaterThan(3);
    const orphans = await page.getByTestId('orphans').innerText();
    expect(orphans).toMatch(/Scheduled runs of deleted deployments: [\d,]+ \(1 deployment\)/);
    expect(orphans).toMatch(/Logs of deleted runs: ≈?[\d,]+/);
    await page.getByTestId('maintenance-idle').or(page.getByTestId('maintenance-list')).waitFor();
    // Three inspections: the growth charts draw lines.
    expect(await page.getByTestId('growth-dead').locator('canvas').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('pgstattuple-howto').innerText()).toMatch(/CREATE EXTENSION pgstattuple/);

    await screenshot(page, path.join(SHOTS, 'overview.png'));

    const md = await overview.exportAs('md');
    expect(md.suggestedFilename()).toMatch(/^housekeeper-inspect-prod-eu-.*\.md$/);
    const file = path.join(SHOTS, 'overview-export.md');
    await md.saveAs(file);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^# Housekeeper inspection: prod-eu/);

    await overview.showSpaceDetails();
    expect(await page.getByTestId('space-table').innerText()).toMatch(/flow_run_state/);
    await screenshot(page, path.join(SHOTS, 'overview-details.png'));

    // Navigating away and back keeps the shown report (no new inspection while it is fresh).
    await new AppShell(page).goto('connections');
    await page.getByTestId('nav-overview').click();
    expect(await overview.waitForReport()).toBe(id);
    expect(session.problems).toEqual([]);
  });
});
