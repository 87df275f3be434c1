/**
 * The purge export in local web mode (issue #11 item 4 with #12's "no disk paths in the web face"):
 * the confirm step offers no path field, only "keep an export"; the purge writes it into
 * Housekeeper's data folder as it deletes, and the result offers it as a browser download that holds
 * exactly the deleted runs. Real `housekeeper serve`, real Prefect and PostgreSQL, Chromium.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seedScenario, snapshot, uniqueTag } from '../integration/support/purge-fixture';
import type { SeededDeployment } from '../harness/seed-api';
import { screenshot, type BrowserSession } from './support/browser';
import { REPO_ROOT, startServe, type ServeHandle } from './support/serve';
import { openApp, pgDb, useConnection } from './support/app';
import { rpc } from './support/rpc';
import { AppShell } from './pages/AppShell';
import { PurgePage } from './pages/PurgePage';

const SHOTS = path.join(REPO_ROOT, 'test-results', 'e2e');

describe('purge export, in the browser', () => {
  const h = inject('harness');
  let serve: ServeHandle;
  let session: BrowserSession;
  let deployments: SeededDeployment[];
  let dir: string;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-e2e-dl-'));
    deployments = await seedScenario(h, uniqueTag(), { late: 120, scheduledPast: 30, future: 10, running: 2 }, 2);
    serve = await startServe();
    await useConnection(serve, { name: 'harness-pg', apiUrl: h.prefectPg.apiUrl, db: pgDb(h, h.pg.database) });
    session = await openApp(serve);
  });

  afterAll(async () => {
    await session?.close();
    await serve?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the export without a path and downloads exactly the deleted runs', async () => {
    const { page } = session;
    await new AppShell(page).goto('purge');
    const purge = new PurgePage(page);
    await purge.selectDeployments(deployments.map((d) => d.fullName));
    await purge.setOlderThan('5m');
    const count = await purge.preview();
    expect(count).toBeGreaterThan(0);
    const before = await snapshot(h, deployments.map((d) => d.id));

    await page.getByTestId('purge-export-toggle').check();
    await page.getByTestId('purge-export-note').waitFor();
    // No field for a path on the serving machine, and no desktop "Choose file" in the browser.
    expect(await page.getByTestId('purge-confirm').locator('input[type=text], input:not([type])').count()).toBe(1); // the count box only
    expect(await page.getByTestId('purge-export-choose').count()).toBe(0);
    await screenshot(page, path.join(SHOTS, 'purge-export-confirm.png'));

    await purge.confirmAndDelete(count);
    expect(await purge.waitForResult()).toBe(count);
    const button = page.getByTestId('purge-export-download');
    await button.waitFor();
    await screenshot(page, path.join(SHOTS, 'purge-export-result.png'));
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    const saved = path.join(dir, download.suggestedFilename());
    await download.saveAs(saved);
    expect(download.suggestedFilename()).toMatch(/^purge-[0-9a-f]{8}-deleted-runs\.jsonl$/);

    const after = await snapshot(h, deployments.map((d) => d.id));
    const deletedIds = [...before.keys()].filter((id) => !after.has(id)).sort();
    const lines = fs.readFileSync(saved, 'utf8').trimEnd().split('\n');
    const exported = lines.map((l) => {
      const v = JSON.parse(l) as { id?: string; flow_run?: { id?: string } };
      return String(v.flow_run?.id ?? v.id);
    });
    expect(exported.sort()).toEqual(deletedIds);
    expect(deletedIds.length).toBe(count);
    await page.getByText(/Downloaded as purge-/).waitFor();
    expect(session.problems).toEqual([]);
  });

  it('refuses an export path from the page, and serves no export written outside its data folder', async () => {
    const { connections: conn } = await rpc<{ connections: Array<{ id: string }> }>(serve.openUrl, 'connections.list', {});
    const plan = await rpc<{ planId: string; count: number }>(serve.openUrl, 'purge.plan', {
      connectionId: conn[0]!.id,
      filter: { olderThan: '1m', deployments: deployments.map((d) => d.id) },
    });
    await expect(rpc(serve.openUrl, 'purge.execute', { planId: plan.planId, confirmCount: plan.count, exportFile: path.join(dir, 'x.jsonl') })).rejects.toThrow(
      /does not write a file by path/,
    );
    await expect(rpc(serve.openUrl, 'purge.exportChunk', { planId: plan.planId, offset: 0 })).rejects.toThrow(/did not keep an export/);
    expect(fs.existsSync(path.join(dir, 'x.jsonl'))).toBe(false);
  });
});
