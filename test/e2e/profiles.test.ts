/**
 * The Profiles screen end to end in Chromium through `housekeeper serve`: create a profile, type a
 * value Prefect would reject and see why, fix it, save, apply a preset as a reviewed change,
 * restore an earlier revision, export into an existing profiles.toml, and compare with the
 * harness's live server. Screenshots at each step.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openBrowser, screenshot, type BrowserSession } from './support/browser';
import { rpc } from './support/rpc';
import { REPO_ROOT, startServe, type ServeHandle } from './support/serve';
import { ProfilesPage } from './pages/ProfilesPage';

const SHOTS = path.join(REPO_ROOT, 'test-results', 'e2e');

describe('profiles, in the browser', () => {
  const h = inject('harness');
  let serve: ServeHandle;
  let session: BrowserSession;
  let tmp: string;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-e2e-prof-'));
    serve = await startServe();
    const conn = await rpc<{ id: string }>(serve.openUrl, 'connections.save', {
      draft: { name: 'harness-pg', apiUrl: h.prefectPg.apiUrl, db: { kind: 'none' } },
    });
    await rpc(serve.openUrl, 'connections.use', { id: conn.id });
    session = await openBrowser();
    await session.page.goto(serve.openUrl);
  });

  afterAll(async () => {
    await session?.close();
    await serve?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('edits with Prefect’s rules, keeps every revision, exports and compares', async () => {
    const { page } = session;
    const profiles = new ProfilesPage(page);
    await profiles.open();
    await profiles.create('prod');

    // A bare number of seconds is not a duration this setting accepts: the reason and the fix show.
    await profiles.group('scheduler');
    await profiles.set('PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME', '3600');
    await expect.poll(() => profiles.issues('PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME').innerText()).toMatch(/ISO 8601, e\.g\. PT1H/);
    await screenshot(page, path.join(SHOTS, 'profiles-invalid.png'));
    await profiles.set('PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME', 'P1D');
    await profiles.set('PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED', 'false');
    expect(await profiles.issues('PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME').count()).toBe(0);
    expect(await page.getByTestId('pending-changes').innerText()).toMatch(/Unsaved changes \(2\)/);
    await profiles.save('shorter horizon', 2);

    // A preset only fills the draft; it is saved after review.
    await page.locator('[data-testid=presets] summary').click();
    await page.getByTestId('preset-high-frequency-schedules').click();
    expect(await profiles.revision()).toBe(2);
    await expect.poll(() => page.getByTestId('pending-changes').innerText()).toMatch(/MIN_SCHEDULED_TIME/);
    await screenshot(page, path.join(SHOTS, 'profiles-preset.png'));
    await profiles.save('preset', 3);

    // History: compare and restore (a new revision, nothing lost).
    await profiles.tab('history');
    await page.getByTestId('rev-3').waitFor();
    expect(await page.getByTestId('diff').innerText()).toMatch(/PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME/);
    await page.getByTestId('restore-2').click();
    await page.getByTestId('confirm-dialog-confirm').click();
    await page.getByText('Revision 4 ·').waitFor();
    await screenshot(page, path.join(SHOTS, 'profiles-history.png'));

    // Export. In local web mode a path on this machine is refused (issue #12): the file stays as it
    // was, and the export is previewed here for download instead (writing into profiles.toml by path
    // is the desktop window's and the CLI's: test/integration/profiles-prefect-cli.test.ts).
    const file = path.join(tmp, 'profiles.toml');
    const before = '# mine\nactive = "local"\n\n[profiles.local]\nPREFECT_API_URL = "http://127.0.0.1:4200/api"\n';
    fs.writeFileSync(file, before);
    await profiles.tab('export');
    await page.getByTestId('export-path').fill(file);
    await page.getByTestId('export-preview').click();
    await page.getByText(/does not read or write a file by path/).waitFor();
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    await page.getByTestId('export-path').fill('');
    await page.getByTestId('export-preview').click();
    await page.getByTestId('export-text').waitFor();
    expect(await page.getByTestId('export-text').innerText()).toContain('PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME = "P1D"');
    await screenshot(page, path.join(SHOTS, 'profiles-export.png'));

    // Drift against the harness server, which runs with the scheduler off: that setting matches.
    await profiles.tab('drift');
    await page.getByTestId('drift-run').click();
    await page.getByTestId('drift-summary').waitFor();
    expect(await page.getByTestId('drift-summary').innerText()).toMatch(/harness-pg/);
    await page.getByText('Show settings that match').click();
    expect(await page.getByTestId('drift-PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED').innerText()).toMatch(/same/);
    expect(await page.getByTestId('drift-PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME').innerText()).toMatch(/only in profile/);
    await screenshot(page, path.join(SHOTS, 'profiles-drift.png'));

    // What-if: the scheduler simulator on the harness server's schedules, now vs with this profile.
    await profiles.tab('whatif');
    await page.getByTestId('whatif-run').click();
    const totals = page.getByTestId('whatif-totals');
    await totals.waitFor();
    expect(await totals.locator('tbody tr').count()).toBe(6);
    const held = await totals.locator('tbody tr').first().locator('td.num').allInnerTexts();
    expect(held[0]).toMatch(/^[\d,]+$/);
    expect(held[1]).toMatch(/^[\d,]+$/);
    await screenshot(page, path.join(SHOTS, 'profiles-whatif.png'));
    expect(session.problems).toEqual([]);
  });
});
