/**
 * What the Electron smoke test does inside the window (test/electron/smoke.ts), kept apart from how
 * the window is launched: a real Prefect server on SQLite from the harness, then add a connection,
 * test it, save it, inspect, and screenshot.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { BASELINE_POOL, BASELINE_SQLITE_DEPLOYMENTS, BASELINE_SQLITE_VOLUME, prefectApi, startPrefectServer, type PrefectServer } from '../harness';
import { createWorkPool, seedDeployments } from '../harness/seed-api';
import { planSeed, targetsFromDeployments } from '../harness/seed-plan';
import { seedRunsSqlite } from '../harness/seed-sqlite';
import { ConnectionsPage } from '../e2e/pages/ConnectionsPage';
import { OverviewPage } from '../e2e/pages/OverviewPage';

export interface SmokePrefect {
  apiUrl: string;
  dbPath: string;
  stop: () => Promise<void>;
}

/**
 * The harness's Prefect server on its own SQLite file, lightly seeded; or, where the harness cannot
 * run (Windows runners), one the workflow started: HK_SMOKE_API_URL + HK_SMOKE_SQLITE_DB.
 */
export async function prefectOnSqlite(tmp: string): Promise<SmokePrefect> {
  if (process.env.HK_SMOKE_API_URL && process.env.HK_SMOKE_SQLITE_DB) {
    return { apiUrl: process.env.HK_SMOKE_API_URL, dbPath: process.env.HK_SMOKE_SQLITE_DB, stop: async () => undefined };
  }
  const dbPath = path.join(tmp, 'prefect.db');
  const server: PrefectServer = await startPrefectServer({ parentDir: tmp, name: 'smoke', db: { kind: 'sqlite', path: dbPath } });
  const killOnExit = () => server.killSync();
  process.once('exit', killOnExit);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    await server.stop();
  };
  try {
    const api = prefectApi(server.info.apiUrl);
    await createWorkPool(api, BASELINE_POOL);
    const deployments = await seedDeployments(api, BASELINE_SQLITE_DEPLOYMENTS);
    seedRunsSqlite(dbPath, planSeed(targetsFromDeployments(deployments), BASELINE_SQLITE_VOLUME));
  } catch (e) {
    await stop();
    throw e;
  }
  return { apiUrl: server.info.apiUrl, dbPath, stop };
}

/** Drives the page; throws on anything unexpected. */
export async function driveSmoke(page: Page, prefect: SmokePrefect, shots: string, expectFace: 'electron' | 'web' = 'electron'): Promise<{ secretScheme: string }> {
  fs.mkdirSync(shots, { recursive: true });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  const connections = new ConnectionsPage(page);
  await connections.waitForFirstRun();
  const info = (await page.evaluate(
    expectFace === 'electron'
      ? 'window.housekeeper.invoke["app.info"]({})'
      : 'fetch("/rpc/app.info",{method:"POST",headers:{"content-type":"application/json","x-housekeeper-token":sessionStorage.getItem("housekeeper.token")},body:"{}"}).then(r=>r.json())',
  )) as { ok: boolean; value: { face: string; secretScheme: string } };
  if (!info.ok || info.value.face !== expectFace) throw new Error(`app.info: ${JSON.stringify(info)}`);

  const form = await connections.addByHand();
  await form.fill({ name: 'smoke-sqlite', apiUrl: prefect.apiUrl, db: { kind: 'sqlite', path: prefect.dbPath } });
  const report = await form.test();
  await page.screenshot({ path: path.join(shots, 'connection-test.png') });
  const failed = (await report.checks()).filter((c) => c.status === 'fail');
  if (failed.length > 0) throw new Error(`connection checks failed:\n${failed.map((c) => c.text).join('\n')}`);
  await form.save('smoke-sqlite');

  await page.getByTestId('nav-overview').click();
  const overview = new OverviewPage(page);
  const first = await overview.waitForReport().catch(() => '');
  const id = first || (await overview.inspectNow(''));
  if (!id) throw new Error('no inspection report');
  await page.screenshot({ path: path.join(shots, 'overview.png'), fullPage: true });
  if (problems.length > 0) throw new Error(`the page reported problems:\n${problems.join('\n')}`);
  return { secretScheme: info.value.secretScheme };
}
