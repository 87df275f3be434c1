/**
 * The Profiles screen end to end in Chromium through `housekeeper serve`: create a profile, type a
 * value Prefect would reject and see why (and that it cannot be saved without "Save anyway"), fix it,
 * save, apply a preset as a reviewed change, restore an earlier revision, export into an existing
 * profiles.toml, compare with the harness's live server (counts equal the rows), switch the Prefect
 * line, and import a file whose every setting is listed with Prefect's verdict first. Screenshots at
 * each step.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SIM_METRICS } from '../../shared/schedules/sim-metrics';
import { openBrowser, screenshot, type BrowserSession } from './support/browser';
import { rpc } from './support/rpc';
import { REPO_ROOT, startServe, type ServeHandle } from './support/serve';
import { ProfilesPage } from './pages/ProfilesPage';

const SHOTS = path.join(REPO_ROOT, 'test-results', 'e2e');

/** Chooses a file through the browser's own picker, as a user does in web mode. */
async function pickFile(page: BrowserSession['page'], name: string, text: string): Promise<void> {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('import-file').click()]);
  await chooser.setFiles({ name, mimeType: 'text/plain', buffer: Buffer.from(text) });
}

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
    // The rejected new value is marked rejected in the diff (not green), and saving needs "Save anyway".
    const rejectedDiff = page.getByTestId('diff-PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME');
    expect(await rejectedDiff.innerText()).toMatch(/3600\s*rejected/i);
    expect(await rejectedDiff.locator('ins').evaluate((el) => el.className)).toContain('diff__rejected');
    expect(await page.getByTestId('save-profile').isDisabled()).toBe(true);
    await page.getByTestId('save-anyway').waitFor();
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

    // Export. In local web mode the page never names a path on this machine (issue #12): an
    // existing profiles.toml is picked in the browser, merged (its other profiles and comments kept)
    // and downloaded; the file on disk stays as it was. (Writing into profiles.toml by path is the
    // desktop window's and the CLI's: test/integration/profiles-prefect-cli.test.ts.)
    const file = path.join(tmp, 'profiles.toml');
    const before = '# mine\nactive = "local"\n\n[profiles.local]\nPREFECT_API_URL = "http://127.0.0.1:4200/api"\n';
    fs.writeFileSync(file, before);
    await profiles.tab('export');
    expect(await page.getByTestId('export-path').count()).toBe(0);
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('export-merge-pick').click()]);
    await chooser.setFiles(file);
    await expect.poll(() => page.getByTestId('export-merge-file').innerText()).toBe('profiles.toml');
    await page.getByTestId('export-preview').click();
    await page.getByTestId('export-text').waitFor();
    const merged = await page.getByTestId('export-text').innerText();
    expect(merged).toMatch(/^# mine/);
    expect(merged).toContain('[profiles.local]');
    expect(await page.getByText(/keeps its other profile \(local\)/).count()).toBe(1);
    expect(await page.getByTestId('export-save').innerText()).toBe('Download profiles.toml');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-save').click()]);
    const saved = path.join(tmp, 'downloaded-profiles.toml');
    await download.saveAs(saved);
    const got = fs.readFileSync(saved, 'utf8');
    expect(got.trimEnd()).toBe(merged.trimEnd());
    expect(got).toMatch(/^# mine\nactive = "local"/);
    expect(got).toContain('PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME = "P1D"');
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    await screenshot(page, path.join(SHOTS, 'profiles-export-merge.png'));
    await page.getByTestId('export-merge-clear').click();
    await page.getByTestId('export-preview').click();
    await page.getByTestId('export-text').waitFor();
    expect(await page.getByTestId('export-text').innerText()).toContain('PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME = "P1D"');
    await screenshot(page, path.join(SHOTS, 'profiles-export.png'));

    // Drift against the harness server, which runs with the scheduler off: that setting matches; the
    // profile's P1D against the server's default P100D is a difference, and every count is a row count.
    await profiles.tab('drift');
    await page.getByTestId('drift-run').click();
    await page.getByTestId('drift-summary').waitFor();
    const countsMatchRows = async () => {
      const summary = await page.getByTestId('drift-summary').innerText();
      const rows = await page.locator('[data-testid=drift-table] tbody tr td:first-child').allInnerTexts();
      const n = (label: string) => rows.filter((r) => r.trim() === label).length;
      expect(summary).toContain(`${n('different')} different`);
      expect(summary).toContain(`${n('only in profile')} only in the profile`);
      expect(summary).toContain(`${n('only on server')} only on the server`);
    };
    expect(await page.getByTestId('drift-summary').innerText()).toMatch(/harness-pg/);
    await countsMatchRows();
    await page.getByText('Show settings that match').click();
    await countsMatchRows();
    expect(await page.getByTestId('drift-PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED').innerText()).toMatch(/same/);
    expect(await page.getByTestId('drift-PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME').innerText()).toMatch(/different[\s\S]*default/);
    await screenshot(page, path.join(SHOTS, 'profiles-drift.png'));

    // What-if: the scheduler simulator on the harness server's schedules, now vs with this profile.
    await profiles.tab('whatif');
    await page.getByTestId('whatif-run').click();
    const totals = page.getByTestId('whatif-totals');
    await totals.waitFor();
    // Named as in Schedules > Simulate (one list of labels for both, shared/schedules/sim-metrics.ts).
    expect(await totals.locator('tbody tr td:first-child').allInnerTexts()).toEqual(SIM_METRICS.map((m) => m.label));
    const held = await totals.locator('tbody tr').first().locator('td.num').allInnerTexts();
    expect(held[0]).toMatch(/^[\d,]+$/);
    expect(held[1]).toMatch(/^[\d,]+$/);
    await screenshot(page, path.join(SHOTS, 'profiles-whatif.png'));

    // The Prefect line the profile targets: chosen in the header, kept, and used by the catalog.
    await profiles.tab('settings');
    await page.getByTestId('profile-line').selectOption('3.4');
    await expect.poll(() => page.getByTestId('profile-line').inputValue()).toBe('3.4');
    await expect.poll(() => page.getByTestId('settings-search').getAttribute('placeholder')).toMatch(/of Prefect 3\.4/);
    expect(await page.getByTestId('profile-prod').innerText()).toMatch(/Prefect 3\.4/);
    expect(session.problems).toEqual([]);
  });

  it('imports a file only after listing every setting with Prefect’s verdict', async () => {
    const { page } = session;
    const profiles = new ProfilesPage(page);
    await profiles.open();
    await page.getByTestId('import-open').click();
    const dialog = page.getByTestId('import-dialog');
    await dialog.waitFor();
    const bad = 'PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS=twenty\nPREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME=PT15M\nPREFECT_API_SERVICES_SCHEDULER_LOOP_SECONDS=30\nPREFECT_SERVER_API_AUTH_STRING=admin:pw\n';
    await pickFile(page, 'staging.env', bad);
    await expect.poll(() => page.getByTestId('import-text').inputValue()).toContain('twenty');
    expect(await page.getByTestId('import-format').inputValue()).toBe('env');
    await page.getByTestId('import-check').click();
    await page.getByTestId('import-preview').waitFor();
    // Every setting is listed with its verdict; the status is not cut.
    expect(await page.getByTestId('import-setting-PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS').innerText()).toMatch(/twenty[\s\S]*Rejected: .*not a whole number/);
    expect(await page.getByTestId('import-setting-PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME').innerText()).toMatch(/Accepted/);
    expect(await page.getByTestId('import-setting-PREFECT_API_SERVICES_SCHEDULER_LOOP_SECONDS').innerText()).toMatch(/legacy name/);
    expect(await page.getByTestId('import-setting-PREFECT_SERVER_API_AUTH_STRING').innerText()).not.toContain('admin:pw');
    const status = page.getByTestId('import-status-imported');
    expect(await status.innerText()).toMatch(/4 settings for Prefect 3\.9: 1 rejected, 1 warning/);
    expect(await status.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
    // The dialog fits its content: nothing wider than the dialog.
    expect(await dialog.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
    expect(await page.getByTestId('import-confirm').isDisabled()).toBe(true);
    await screenshot(page, path.join(SHOTS, 'profiles-import.png'));
    await page.setViewportSize({ width: 1024, height: 700 });
    expect(await dialog.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
    await screenshot(page, path.join(SHOTS, 'profiles-import-1024.png'));
    await page.setViewportSize({ width: 1360, height: 900 });

    // The fixed file: checked again, then imported; the history names the file.
    await pickFile(page, 'staging.env', bad.replace('twenty', '20'));
    await expect.poll(() => page.getByTestId('import-check').isVisible()).toBe(true);
    await page.getByTestId('import-check').click();
    await page.getByTestId('import-preview').waitFor();
    await page.getByRole('textbox', { name: 'Name for imported' }).fill('staging');
    await page.getByTestId('import-confirm').click();
    await page.getByTestId('profile-name').filter({ hasText: 'staging' }).waitFor();
    await profiles.tab('history');
    expect(await page.getByTestId('rev-1').innerText()).toMatch(/Imported from file staging\.env/);
    expect(session.problems).toEqual([]);
  });
});
