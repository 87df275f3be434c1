/**
 * End to end, through the real UI: `housekeeper serve` in local web mode, Chromium, and the harness's
 * real Prefect server on its real PostgreSQL. A first-run user adds a connection by hand, tests it,
 * sees the server's Prefect version and database kind, and saves it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { docShot, openBrowser, screenshot, type BrowserSession } from './support/browser';
import { REPO_ROOT, startServe, type ServeHandle } from './support/serve';
import { AppShell } from './pages/AppShell';
import { ConnectionsPage } from './pages/ConnectionsPage';

const SHOTS = path.join(REPO_ROOT, 'test-results', 'e2e');

describe('connections, in the browser', () => {
  const h = inject('harness');
  let serve: ServeHandle;
  let session: BrowserSession;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    serve = await startServe();
    session = await openBrowser();
    await session.page.goto(serve.openUrl);
  });

  afterAll(async () => {
    await session?.close();
    await serve?.stop();
  });

  it('adds a connection to the harness server by hand, tests it and saves it', async () => {
    const { page } = session;
    const connections = new ConnectionsPage(page);
    const name = 'harness-pg';
    const database = h.prefectPg.db.kind === 'postgres' ? h.prefectPg.db.database : h.pg.database;

    await connections.waitForFirstRun();
    const form = await connections.addByHand();
    await form.fill({
      name,
      apiUrl: h.prefectPg.apiUrl,
      db: { kind: 'postgres', host: h.pg.host, port: h.pg.port, database, user: h.pg.owner.user, password: h.pg.owner.password },
    });

    const report = await form.test();
    await screenshot(page, path.join(SHOTS, 'connections-test.png'));
    await docShot(page, 'connection-test');

    const checks = await report.checks();
    const failed = checks.filter((c) => c.status === 'fail');
    expect(failed, `checks that failed:\n${failed.map((c) => c.text).join('\n')}`).toEqual([]);
    expect(checks.map((c) => c.id)).toEqual([
      'api.url',
      'api.reachable',
      'api.health',
      'api.version',
      'api.auth',
      'db.reachable',
      'db.prefect',
      'db.same-server',
      'db.permissions',
    ]);
    expect(await report.serverVersion()).toBe(h.prefectPg.version);
    expect(await report.dbKind()).toMatch(/^PostgreSQL \d+/);
    expect(await report.checkStatus('api.version')).toBe('ok');
    expect(await report.checkStatus('db.prefect')).toBe('ok');

    await form.save(name);
    expect(await connections.rowFacts(name)).toEqual({
      apiUrl: h.prefectPg.apiUrl.replace(/\/+$/, ''),
      db: `Postgres ${h.pg.owner.user}@${h.pg.host}:${h.pg.port}/${database}`,
    });
    // The first saved connection becomes the current one.
    expect(await new AppShell(page).currentConnection()).toBe(name);
    await screenshot(page, path.join(SHOTS, 'connections-saved.png'));

    // Nothing in the page broke the CSP or threw.
    expect(session.problems).toEqual([]);
  });
});
