/**
 * vitest globalSetup for the integration and e2e projects: starts the harness once per project run
 * and hands HarnessInfo to tests via `inject('harness')`.
 *
 * Fast local iteration: run `node --import tsx test/harness/cli.ts up` in another terminal and
 * point HK_HARNESS_JSON at the file it writes (.cache/harness.json); tests then reuse that running
 * harness and this setup neither starts nor stops anything.
 *
 * Failure policy: never skip. If the harness cannot start, the whole run fails with the reason
 * (missing PostgreSQL binaries, pip without network, a Prefect server that died on start...).
 */
import { readFile } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { startHarness } from './index';
import { prefectApi } from './prefect-api';
import { PREFECT_VERSION } from './prefect-version';
import type { HarnessInfo } from './types';

async function reuse(file: string): Promise<HarnessInfo> {
  let info: HarnessInfo;
  try {
    info = JSON.parse(await readFile(file, 'utf8')) as HarnessInfo;
  } catch (err) {
    throw new Error(`HK_HARNESS_JSON=${file} is not a readable HarnessInfo JSON file: ${String(err)}`);
  }
  // Fail early and clearly if that harness is gone (e.g. its `cli.ts up` was stopped).
  for (const s of [info.prefectPg, info.prefectSqlite, info.prefectAuth]) {
    const res = await prefectApi(s.apiUrl)
      .raw('GET', '/health')
      .catch((e: unknown) => {
        throw new Error(`HK_HARNESS_JSON=${file}: ${s.apiUrl} is not reachable (${String(e)}). Is 'cli.ts up' still running?`);
      });
    if (!res.ok) throw new Error(`HK_HARNESS_JSON=${file}: ${s.apiUrl}/health answered ${res.status}`);
  }
  return info;
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const file = process.env.HK_HARNESS_JSON;
  if (file) {
    project.provide('harness', await reuse(file));
    return undefined;
  }
  let harness;
  try {
    harness = await startHarness();
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(
      `test harness failed to start (PostgreSQL + Prefect ${PREFECT_VERSION} servers). ` +
        `Integration/e2e tests need it and are not skipped.\n${msg}`,
    );
  }
  project.provide('harness', harness.info);
  return async () => {
    await harness.stop();
  };
}
