/**
 * The Retention screen end to end in Chromium through `housekeeper serve`, against the harness's real
 * Prefect (Postgres): seeded old finished runs of two fresh deployments -> a bad period refused as
 * data (nothing changes) -> plan (every table counted, beyond-Prefect said) -> typed confirmation
 * (Escape backs out, Enter confirms; the export of the deleted runs kept, no path asked) -> the job, paused from the jobs tray and resumed there,
 * cancelled, listed as unfinished on the form and resumed from there -> exact totals against the database and the independent
 * statement of Prefect's vacuum predicate -> the export downloaded, exactly the deleted runs across the
 * stop and the resume -> audit -> maintenance (VACUUM (ANALYZE), VACUUM FULL
 * only after the table's name is typed back) -> a connection without database access, refused as
 * data. To hold the job still long enough to pause and cancel it, the test keeps a SHARE lock on the
 * tables its next batch deletes from: the batch waits (2 s lock timeout, retried), as it would behind
 * a busy Prefect, and goes on once the lock is released.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { superClient } from '../integration/support/purge-fixture';
import { expectedDeleted, midOlderThan, q, runsOf, seedRetention, type RetentionScenario, type RunRow } from '../integration/support/retention-fixture';
import { docShot, screenshot, type BrowserSession } from './support/browser';
import { openApp, pgDb, useConnection } from './support/app';
import { rpc } from './support/rpc';
import { REPO_ROOT, startServe, type ServeHandle } from './support/serve';
import { JobsTrayPanel } from './pages/JobsTrayPanel';
import { RetentionPage } from './pages/RetentionPage';

const SHOTS = path.join(REPO_ROOT, 'test-results', 'e2e');
const LOCKED_TABLES = 'flow_run_input, event_resources, events';

async function shots(s: BrowserSession, name: string): Promise<void> {
  for (const [w, hgt] of [[1440, 900], [1024, 700]] as const) {
    await s.page.setViewportSize({ width: w, height: hgt });
    await s.page.waitForTimeout(250);
    await screenshot(s.page, path.join(SHOTS, `retention-${name}-${w}.png`));
  }
  await s.page.setViewportSize({ width: 1440, height: 900 });
}

describe('retention, in the browser', () => {
  const h = inject('harness');
  let serve: ServeHandle;
  let session: BrowserSession;
  let s: RetentionScenario;
  let before: Map<string, RunRow>;
  let olderThan: string;
  let lock: pg.Client | null = null;

  /** Holds a SHARE lock on the tables the job's next batch deletes from, until release(). */
  async function hold(): Promise<void> {
    lock = superClient(h);
    await lock.connect();
    await lock.query('BEGIN');
    await lock.query(`LOCK TABLE ${LOCKED_TABLES} IN SHARE MODE`);
  }
  /** Until a retention batch is waiting on the held lock (so a pause lands after it, not before the first). */
  async function waitForBlockedBatch(): Promise<void> {
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const [r] = await q<{ n: string }>(h, `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'housekeeper-retention' AND wait_event_type = 'Lock'`);
      if (Number(r!.n) > 0) return;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error('no retention batch waited on the held lock within 90 s');
  }
  async function release(): Promise<void> {
    if (!lock) return;
    await lock.query('ROLLBACK').catch(() => undefined);
    await lock.end().catch(() => undefined);
    lock = null;
  }

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    s = await seedRetention(h, 150);
    before = await runsOf(h, s);
    olderThan = midOlderThan(before);
    serve = await startServe();
    await useConnection(serve, { name: 'harness-pg', apiUrl: h.prefectPg.apiUrl, db: pgDb(h, h.pg.database) });
    session = await openApp(serve, { width: 1440, height: 900 });
  }, 300_000);

  afterAll(async () => {
    await release();
    await session?.close();
    await serve?.stop();
  });

  it('refuses a bad period as data and changes nothing', async () => {
    const ret = new RetentionPage(session.page);
    await ret.open();
    // Prefect's own retention is shown beside the form, read from the live server.
    await session.page.getByTestId('retention-prefect-events').waitFor();
    expect(await session.page.getByTestId('retention-prefect-vacuum').innerText()).toMatch(/available|not in this version/);
    await ret.setOlderThan('abc');
    const msg = await ret.planRefused();
    expect(msg).toMatch(/Retention period/i);
    expect(await session.page.getByTestId('retention-plan-error').getByTestId('error-code').innerText()).toBe('VALIDATION');
    expect(await session.page.getByTestId('retention-plan').count()).toBe(0);
    await shots(session, 'bad-input');
    expect((await runsOf(h, s)).size).toBe(before.size);
  });

  it('plans, confirms by the typed count, pauses and resumes from the tray, cancels and resumes from the unfinished list on the form, and deletes exactly the plan', async () => {
    const { page } = session;
    const ret = new RetentionPage(page);
    const tray = new JobsTrayPanel(page);
    await ret.selectDeployments(s.deployments.map((d) => d.fullName));
    await ret.setOlderThan(olderThan);
    // Only the scenario's 500-day-old events are that old (other tests' events are recent).
    await ret.setEventsOlderThan('400d');
    const count = await ret.plan();
    const planText = await page.getByTestId('retention-plan').innerText();
    expect(planText).toMatch(/finished runs? .*on harness-pg/);
    expect(planText).toMatch(/Where this goes further than Prefect's own db_vacuum/);
    for (const t of ['flow_run_state', 'task_run', 'task_run_state', 'log', 'artifact', 'artifact_collection', 'flow_run_input', 'events', 'event_resources']) {
      expect(await page.locator(`[data-testid="retention-impact"] tr[data-table="${t}"]`).count(), t).toBeGreaterThan(0);
    }
    expect(await ret.impact('events')).toMatch(/^\d/);
    await shots(session, 'plan');
    await docShot(session.page, 'retention-plan', { fullPage: true });

    // Escape backs out of the confirmation; the plan goes with it.
    await ret.confirmInput().fill(String(count));
    await page.keyboard.press('Escape');
    expect(await page.getByTestId('retention-plan').count()).toBe(0);
    expect((await runsOf(h, s)).size).toBe(before.size);

    const again = await ret.plan();
    expect(Math.abs(again - count)).toBeLessThanOrEqual(2);
    await ret.confirmInput().fill(String(again - 1));
    expect(await ret.executeEnabled()).toBe(false);
    await ret.confirmInput().fill(String(again));
    expect(await ret.executeEnabled()).toBe(true);
    // Keep an export of the deleted runs: in the browser no path is asked, the file stays in
    // Housekeeper's data folder and is downloaded at the end.
    await page.getByTestId('retention-export-toggle').check();
    await page.getByTestId('retention-export-note').waitFor();
    expect(await page.getByTestId('retention-export-choose').count()).toBe(0);
    await shots(session, 'confirm');

    // Enter confirms; the first batch waits behind the held lock, so the pause lands between batches.
    await hold();
    await ret.confirmInput().press('Enter');
    const planId = await ret.planIdFromUrl();
    const status = await rpc<{ plan: { cutoff: string; confirmCount: number } }>(serve.openUrl, 'retention.status', { planId });
    expect(status.plan.confirmCount).toBe(again);
    await tray.waitForStatus('retention', 'running', 60_000);
    await waitForBlockedBatch();
    await tray.pause('retention');
    await tray.job('retention').getByText('pausing after this batch').waitFor({ timeout: 30_000 });
    await release();
    await tray.waitForStatus('retention', 'paused', 90_000);
    await page.getByTestId('retention-paused').waitFor();
    await shots(session, 'paused');
    const paused = await runsOf(h, s);
    expect(paused.size).toBeLessThan(before.size);

    // Resume from the tray with the lock held again, then Cancel on the page while the batch waits.
    await hold();
    await tray.resume('retention');
    await tray.waitForStatus('retention', 'running', 30_000);
    await page.getByTestId('job-cancel').click();
    await page.locator('[data-testid="retention-exec"][data-status="cancelled"]').waitFor({ timeout: 90_000 });
    await release();
    await page.getByTestId('retention-stopped-counts').waitFor();
    expect(await page.getByTestId('retention-resume').isEnabled()).toBe(true);
    await shots(session, 'cancelled');
    // Back on the form, the stopped plan is listed as unfinished (retention.unfinished) and resumes from there.
    await page.locator('.purge-crumbs a', { hasText: 'New plan' }).click();
    const unfinished = page.getByTestId('retention-unfinished');
    await unfinished.waitFor({ timeout: 30_000 });
    expect(await unfinished.innerText()).toMatch(/cancelled/);
    await shots(session, 'unfinished');
    await page.getByTestId('retention-unfinished-resume').click();
    await page.waitForURL(new RegExp(`#/retention/run/${planId}$`), { timeout: 30_000 });

    const result = await ret.waitForResult();
    await shots(session, 'result');
    const want = expectedDeleted(before, status.plan.cutoff, s.deployments.map((d) => d.id));
    const topLevel = [...want].filter((id) => before.get(id)!.parent_task_run_id === null).length;
    expect(result.runs).toBe(topLevel);
    const after = await runsOf(h, s);
    expect(before.size - after.size).toBe(want.size);
    for (const id of want) expect(after.has(id)).toBe(false);
    const [left] = await q<{ e: string }>(h, `SELECT count(*) AS e FROM events WHERE event = $1 AND occurred < now() - interval '400 days'`, [s.eventName]);
    expect(Number(left!.e)).toBe(0);
    expect(await page.getByTestId('retention-recount').innerText()).toMatch(/0 runs still match/);

    // The export holds exactly the deleted runs (subflows included), once each, across the cancel and the resume.
    const button = page.getByTestId('retention-export-download');
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toMatch(/^retention-[0-9a-f]{8}-deleted-runs\.jsonl$/);
    const dl = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-e2e-ret-dl-'));
    try {
      const saved = path.join(dl, download.suggestedFilename());
      await download.saveAs(saved);
      const exported = fs
        .readFileSync(saved, 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => String((JSON.parse(l) as { flow_run: { id: string } }).flow_run.id));
      expect(exported.length).toBe(want.size);
      expect(new Set(exported)).toEqual(want);
    } finally {
      fs.rmSync(dl, { recursive: true, force: true });
    }
    await page.getByText(/Downloaded as retention-/).waitFor();

    const audit = await rpc<Array<{ action: string; outcome: string; summary: string; details: { planId?: string } }>>(serve.openUrl, 'audit.list', { limit: 50 });
    const mine = audit.filter((a) => a.action === 'retention.execute' && a.details.planId === planId);
    // One entry per execution, as for purges: written running at the start, cancelled by the stop,
    // set running again by the resume, and settled once at the end.
    expect(mine.map((a) => a.outcome)).toEqual(['succeeded']);
    expect(mine[0]!.summary).toMatch(new RegExp(`^Deleted ${topLevel} runs`));
    expect(session.problems).toEqual([]);
  });

  it('shows the tables after, runs VACUUM (ANALYZE) as a job, and VACUUM FULL only after the name is typed back', async () => {
    const { page } = session;
    const tray = new JobsTrayPanel(page);
    await page.getByTestId('retention-to-maintenance').click();
    await page.locator('[data-testid="retention-tables"] tr[data-table="flow_run"]').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('retention-repack').innerText()).toMatch(/pg_repack/);
    await page.getByTestId('retention-vacuum').click();
    await tray.waitForStatus('vacuum', 'succeeded', 120_000);

    await page.getByTestId('retention-vfull-flow_run_input').click();
    const panel = page.getByTestId('retention-vacuum-full');
    expect(await panel.innerText()).toMatch(/ACCESS EXCLUSIVE lock/);
    await page.getByTestId('retention-vacuum-full-input').fill('flow_run');
    expect(await page.getByTestId('retention-vacuum-full-go').isEnabled()).toBe(false);
    await page.getByTestId('retention-vacuum-full-input').fill('flow_run_input');
    await shots(session, 'vacuum-full');
    await page.getByTestId('retention-vacuum-full-input').press('Enter');
    await tray.waitForStatus('vacuum-full', 'succeeded', 120_000);
    await page.locator('[data-testid="retention-tables"] tr[data-table="flow_run"]').waitFor();
    await shots(session, 'maintenance');
    const audit = await rpc<Array<{ action: string; outcome: string }>>(serve.openUrl, 'audit.list', { limit: 50 });
    expect(audit.some((a) => a.action === 'retention.vacuumFull' && a.outcome === 'succeeded')).toBe(true);
    expect(session.problems).toEqual([]);
  });

  it('rewrites a table online with pg_repack as a job, on a connection that may (a superuser, the extension created)', async () => {
    const { page } = session;
    await useConnection(serve, { name: 'harness-pg-admin', apiUrl: h.prefectPg.apiUrl, db: pgDb(h, h.pg.database, 'superuser') });
    await page.goto(serve.openUrl);
    await page.reload();
    await new RetentionPage(page).open();
    await page.getByTestId('retention-tab-maintenance').click();
    const card = page.getByTestId('retention-repack');
    await card.waitFor({ timeout: 60_000 });
    expect(await card.innerText()).toMatch(/usable here/);
    expect(await card.innerText()).toMatch(/ACCESS EXCLUSIVE lock twice/);
    const [inputsBefore] = await q<{ n: string }>(h, 'SELECT count(*)::text AS n FROM flow_run_input');
    // Only the small table: untick whatever the verdicts chose, tick flow_run_input.
    const boxes = page.getByTestId('retention-repack-tables').locator('label');
    for (let i = 0; i < (await boxes.count()); i++) {
      const box = boxes.nth(i);
      const want = (await box.innerText()).startsWith('flow_run_input');
      if ((await box.locator('input').isChecked()) !== want) await box.locator('input').click();
    }
    expect(await page.getByTestId('retention-repack-go').innerText()).toMatch(/Repack 1 table online/);
    await shots(session, 'repack');
    await page.getByTestId('retention-repack-go').click();
    const tray = new JobsTrayPanel(page);
    await tray.waitForStatus('repack', 'succeeded', 180_000);
    await page.getByTestId('retention-vacuum-result').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('retention-vacuum-result').innerText()).toMatch(/flow_run_input: repacked/);
    const [inputsAfter] = await q<{ n: string }>(h, 'SELECT count(*)::text AS n FROM flow_run_input');
    expect(inputsAfter!.n).toBe(inputsBefore!.n);
    const audit = await rpc<Array<{ action: string; outcome: string }>>(serve.openUrl, 'audit.list', { limit: 50 });
    expect(audit.some((a) => a.action === 'retention.repack' && a.outcome === 'succeeded')).toBe(true);
    expect(session.problems).toEqual([]);
  });

  it('on a read-only SQLite connection, plans on the file and stops at the plan; maintenance shows the file', async () => {
    const { page } = session;
    const db = h.prefectSqlite.db;
    if (db.kind !== 'sqlite') throw new Error('the harness SQLite server has no SQLite file');
    const conn = await rpc<{ id: string }>(serve.openUrl, 'connections.save', { draft: { name: 'harness-sqlite', apiUrl: h.prefectSqlite.apiUrl, db: { kind: 'sqlite', path: db.path }, readOnly: true } });
    await rpc(serve.openUrl, 'connections.use', { id: conn.id });
    await page.goto(serve.openUrl);
    await page.reload();
    const ret = new RetentionPage(page);
    await ret.open();
    await ret.setOlderThan('1h');
    const count = await ret.plan();
    expect(await page.getByTestId('retention-plan-scope').innerText()).toMatch(/via SQL on SQLite/);
    // Read-only: no field to type the count into, whatever the count.
    expect(await page.getByTestId('retention-confirm-input').count()).toBe(0);
    if (count > 0) await page.getByTestId('retention-readonly').waitFor();
    await shots(session, 'sqlite-readonly');
    await page.getByTestId('retention-tab-maintenance').click();
    await page.getByTestId('retention-sqlite-file').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('retention-vacuum').count()).toBe(0);
    expect(session.problems).toEqual([]);
  });

  it('on a connection without database access, plans through the Prefect API and says what it cannot reach', async () => {
    const { page } = session;
    const conn = await rpc<{ id: string }>(serve.openUrl, 'connections.save', { draft: { name: 'api-only', apiUrl: h.prefectPg.apiUrl } });
    await rpc(serve.openUrl, 'connections.use', { id: conn.id });
    await page.goto(serve.openUrl);
    await page.reload();
    const ret = new RetentionPage(page);
    await ret.open();
    await page.getByTestId('retention-no-db').waitFor({ timeout: 60_000 });
    // Without a database the plan goes through the Prefect API and says what it cannot reach.
    await page.getByTestId('retention-plan-button').click();
    await page.locator('[data-testid="retention-plan-error"], [data-testid="retention-plan"]').first().waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('retention-plan-error').count()).toBe(0);
    const planText = await page.getByTestId('retention-plan').innerText();
    expect(planText).toMatch(/via the Prefect API/);
    expect(planText).toMatch(/not deletable through the API/);
    await shots(session, 'no-database');
    await page.getByTestId('retention-tab-maintenance').click();
    expect(await page.locator('[data-testid="retention-maintenance"][data-backend="api"]').innerText()).toMatch(/No database access/);
  });
});
