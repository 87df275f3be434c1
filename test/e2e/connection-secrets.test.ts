/**
 * The connection form asks for a saved password again when the database it goes to changes, as
 * browsers do with saved passwords (issue #12, item 1): real UI in Chromium, real `serve`, the
 * harness's real PostgreSQL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openBrowser, screenshot, type BrowserSession } from './support/browser';
import { rpc } from './support/rpc';
import { REPO_ROOT, startServe, type ServeHandle } from './support/serve';
import { AppShell } from './pages/AppShell';
import { ConnectionFormPage } from './pages/ConnectionFormPage';

const SHOTS = path.join(REPO_ROOT, 'test-results', 'e2e');

describe('saved secrets and a changed destination, in the browser', () => {
  const h = inject('harness');
  let serve: ServeHandle;
  let session: BrowserSession;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    serve = await startServe();
    await rpc(serve.openUrl, 'connections.save', {
      draft: {
        name: 'harness-pg',
        apiUrl: h.prefectPg.apiUrl,
        db: { kind: 'postgres', host: h.pg.host, port: h.pg.port, database: h.pg.database, user: h.pg.owner.user, password: h.pg.owner.password, sslmode: 'disable' },
      },
    });
    session = await openBrowser();
    await session.page.goto(serve.openUrl);
  });
  afterAll(async () => {
    await session?.close();
    await serve?.stop();
  });

  it('moving the saved connection to another database asks for the password again; with it, the test runs', async () => {
    const { page } = session;
    await new AppShell(page).goto('connections');
    await page.getByTestId('edit-connection').first().click();
    const form = await new ConnectionFormPage(page).waitUntilShown();
    await page.getByTestId('field-pgPassword-moved').waitFor({ state: 'detached' });

    await page.getByTestId('field-pgDatabase').fill('prefect_auth');
    await page.getByTestId('field-pgPassword-moved').waitFor();
    await page.getByTestId('test-button').click();
    await page.getByText(/The saved database password belongs to .*Enter the database password again/).first().waitFor();
    await screenshot(page, path.join(SHOTS, 'connections-secret-required.png'));

    await page.getByTestId('field-pgPassword').fill(h.pg.owner.password);
    const report = await form.test();
    expect(await report.checkStatus('db.reachable')).toBe('ok');
    expect(session.problems).toEqual([]);
  });
});
