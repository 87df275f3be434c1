/**
 * Diagnose's retention step in Chromium: a Prefect database holding 55,000 finished runs that ended
 * more than 100 days ago (the harness's schema and seeder, a database of its own). Housekeeper opens on
 * Diagnose, raises "finished runs kept forever" with Retention and Prefect's own vacuum settings as the
 * fix; the user keeps only that finding, reviews the plan (settings, retention, vacuum), types the count
 * and watches it; after it, the old runs are gone in the database and the diagnosis no longer raises it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBigDatabase, dropDatabase, withSuper } from '../integration/support/inspect-fixture';
import { screenshot, type BrowserSession } from './support/browser';
import { openApp, pgDb, useConnection } from './support/app';
import { REPO_ROOT, startServe, type ServeHandle } from './support/serve';
import { DiagnosePage } from './pages/DiagnosePage';
import { formatInt } from '../../shared/text/format';

const SHOTS = path.join(REPO_ROOT, 'test-results', 'e2e');
const DB = 'hk_e2e_diag_history';
const ID = 'runs.history-unbounded';
const OLD = `SELECT count(*) AS n FROM flow_run WHERE state_type IN ('COMPLETED','FAILED','CANCELLED','CRASHED') AND end_time < now() - interval '90 days'`;

describe('diagnose: a retention session, in the browser', () => {
  const h = inject('harness');
  let serve: ServeHandle;
  let session: BrowserSession;
  const old = () => withSuper(h, DB, async (c) => Number((await c.query<{ n: string }>(OLD)).rows[0]!.n));

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    await createBigDatabase(h, DB, { completedOld: 50_000, failed: 4_000, crashed: 1_000, statesPerTerminalRun: 3, logsPerRun: 2, taskRunsPerRun: 1, terminalMinAgeHours: 100 * 24 }, { deployments: 6 });
    serve = await startServe();
    await useConnection(serve, { name: 'prod-prefect', apiUrl: h.prefectPg.apiUrl, db: pgDb(h, DB) });
    session = await openApp(serve, { width: 1440, height: 900 });
  }, 600_000);

  afterAll(async () => {
    await session?.close();
    await serve?.stop();
    await dropDatabase(h, DB);
  });

  it('raises the finding, runs settings -> retention -> vacuum on it alone, and the runs and the finding are gone after', async () => {
    const { page } = session;
    const diag = new DiagnosePage(page);
    await diag.waitForDiagnosis();
    const before = await old();
    const card = diag.finding(ID);
    await card.waitFor();
    expect(await card.innerText()).toMatch(/finished runs ended more than 90 days ago and nothing deletes them/);
    expect(await card.innerText()).toMatch(/PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED=events,flow_runs/);
    // Only this finding in the session.
    for (const id of await diag.findingIds()) {
      const pick = diag.finding(id).getByTestId('finding-pick');
      if (id !== ID && (await pick.isEnabled()) && (await pick.isChecked())) await pick.uncheck();
    }
    if (!(await card.getByTestId('finding-pick').isChecked())) await card.getByTestId('finding-pick').check();
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, path.join(SHOTS, 'diagnose-history-finding.png'));

    const plan = await diag.reviewPlan();
    expect(plan.steps).toEqual(['settings', 'retention', 'vacuum']);
    expect(plan.text).toMatch(/finished runs that ended more than 90 days ago/);
    await page.getByTestId('session-plan').scrollIntoViewIfNeeded();
    await screenshot(page, path.join(SHOTS, 'diagnose-history-plan.png'));
    // Confirmed by the runs it deletes, not by its one finding.
    expect(plan.counts.retention).toBe(before);
    expect(plan.text).toMatch(new RegExp(`Type ${before} \\(the ${formatInt(before)} runs this session deletes, as planned now\\)`));
    await diag.confirmAndRun(before);
    const result = await diag.waitForResult(300_000);
    await screenshot(page, path.join(SHOTS, 'diagnose-history-result.png'));
    expect(result.status).toBe('done');
    expect(result.text).toMatch(new RegExp(`Deleted ${formatInt(before)} finished runs older than 90 days`));
    expect(await old()).toBe(0);

    await page.getByTestId('session-done').click();
    await diag.waitForDiagnosis();
    expect(await diag.findingIds()).not.toContain(ID);
    expect(session.problems).toEqual([]);
  });
});
