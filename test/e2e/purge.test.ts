/**
 * The Purge screen end to end in Chromium against the harness's real Prefect server: filter to two
 * freshly seeded deployments, preview, see the exact count and breakdown, confirm by typing the
 * count, watch the job, and read the totals. Screenshots at the preview and the result.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isStale, seedScenario, snapshot, uniqueTag } from '../integration/support/purge-fixture';
import type { SeededDeployment } from '../harness/seed-api';
import { docShot, screenshot, type BrowserSession } from './support/browser';
import { REPO_ROOT, startServe, type ServeHandle } from './support/serve';
import { openApp, pgDb, useConnection } from './support/app';
import { AppShell } from './pages/AppShell';
import { PurgePage } from './pages/PurgePage';

const SHOTS = path.join(REPO_ROOT, 'test-results', 'e2e');

describe('purge, in the browser', () => {
  const h = inject('harness');
  let serve: ServeHandle;
  let session: BrowserSession;
  let deployments: SeededDeployment[];

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    deployments = await seedScenario(h, uniqueTag(), { late: 300, scheduledPast: 40, future: 30, running: 4, completedOld: 10, manual: 6 }, 2);
    serve = await startServe();
    await useConnection(serve, { name: 'harness-pg', apiUrl: h.prefectPg.apiUrl, db: pgDb(h, h.pg.database) });
    session = await openApp(serve);
  });

  afterAll(async () => {
    await session?.close();
    await serve?.stop();
  });

  it('previews, refuses until the count is typed, deletes, and shows exact totals', async () => {
    const { page } = session;
    await new AppShell(page).goto('purge');
    const purge = new PurgePage(page);
    await purge.selectDeployments(deployments.map((d) => d.fullName));
    expect(await purge.selectedText()).toBe('2 deployments selected');
    await purge.setOlderThan('5m');
    const count = await purge.preview();

    const before = await snapshot(h, deployments.map((d) => d.id));
    const cutoffText = await page.getByTestId('purge-plan').innerText();
    expect(cutoffText).toMatch(/stale scheduled runs? on harness-pg/);
    const expected = [...before.values()].filter((r) => isStale(r, new Date(Date.now() - 5 * 60_000).toISOString())).length;
    // The preview froze its cutoff a moment ago: the count can differ only by runs within that moment.
    expect(Math.abs(count - expected)).toBeLessThanOrEqual(2);
    expect(await page.getByTestId('purge-by-deployment').locator('.bars__row').count()).toBe(2);
    await screenshot(page, path.join(SHOTS, 'purge-plan.png'));

    await page.getByTestId('purge-confirm-input').fill(String(count - 1));
    expect(await purge.deleteButtonEnabled()).toBe(false);
    await purge.confirmAndDelete(count);
    const deleted = await purge.waitForResult();
    expect(deleted).toBe(count);
    await screenshot(page, path.join(SHOTS, 'purge-result.png'));
    await docShot(page, 'purge-result', { fullPage: true });

    const after = await snapshot(h, deployments.map((d) => d.id));
    expect(before.size - after.size).toBe(count);
    expect(session.problems).toEqual([]);
  });
});
