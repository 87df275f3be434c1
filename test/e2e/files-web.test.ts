/**
 * Files in local web mode (renderer/api/files.ts, issue #9): importing settings goes through the
 * browser's own file picker and only the file's content reaches Housekeeper; exporting arrives as a
 * browser download. (In the window the same buttons open the OS dialogs; test/electron covers the
 * window.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, screenshot, type BrowserSession } from './support/browser';
import { REPO_ROOT, startServe, type ServeHandle } from './support/serve';
import { ProfilesPage } from './pages/ProfilesPage';

describe('files in local web mode', () => {
  let serve: ServeHandle;
  let session: BrowserSession;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-files-'));

  beforeAll(async () => {
    serve = await startServe();
    session = await openBrowser();
    await session.page.goto(serve.openUrl);
  });
  afterAll(async () => {
    await session?.close();
    await serve?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports a .env through the browser picker and exports through a download', async () => {
    const { page } = session;
    const envFile = path.join(dir, 'staging.env');
    fs.writeFileSync(envFile, 'PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS=20\nPREFECT_LOGGING_LEVEL=WARNING\n');

    const profiles = new ProfilesPage(page);
    await profiles.open();
    await page.getByTestId('import-open').click();
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('import-file').click()]);
    await chooser.setFiles(envFile);
    await expect.poll(() => page.getByTestId('import-text').inputValue()).toContain('PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS=20');
    expect(await page.getByTestId('import-format').inputValue()).toBe('env');
    await page.getByTestId('confirm-dialog-confirm').click();
    await page.getByTestId('import-preview').waitFor();
    await screenshot(page, path.join(REPO_ROOT, 'test-results', 'e2e', 'files-web-import.png'));
    await page.getByTestId('confirm-dialog-confirm').click();
    await page.getByTestId('profile-name').waitFor();

    await profiles.tab('export');
    await page.getByTestId('export-format').selectOption('env');
    await page.getByTestId('export-preview').click();
    await page.getByTestId('export-text').waitFor();
    expect(await page.getByTestId('export-save').innerText()).toMatch(/^Download /);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-save').click()]);
    const saved = path.join(dir, download.suggestedFilename());
    await download.saveAs(saved);
    expect(fs.readFileSync(saved, 'utf8')).toContain('PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS=20');
    expect(session.problems).toEqual([]);
  });
});
