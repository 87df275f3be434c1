/**
 * Issue #11 items 2 and 3: a purge deletes the deleted runs' artifacts on every path, and keyed
 * artifacts keep a true "latest" pointer: artifact_collection points at the newest remaining
 * artifact of the key, or the row is gone when none remains, as Prefect does when it deletes an
 * artifact. Artifacts are created through Prefect's own API (so artifact_collection is Prefect's),
 * and the pointer is read back through Prefect's API (GET /artifacts/{key}/latest).
 * Four paths: SQL on Postgres, SQL on SQLite (server running), the API executor on both servers.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { ResolvedConnection } from '../../main/core/connections/types';
import type { JobFinished } from '../../shared/domain/jobs';
import type { PurgeOutcome } from '../../shared/domain/purge';
import { prefectApi } from '../harness/prefect-api';
import type { SeededDeployment } from '../harness/seed-api';
import type { RunVolume } from '../harness/seed-plan';
import type { HarnessInfo } from '../harness/types';
import { pgConnection, seedScenario, tempContext, uniqueTag } from './support/purge-fixture';
import { artifactExists, latestOf, runsOf, seedKeyedArtifacts, seedScenarioSqlite, sqliteFile, staleIds } from './support/purge-race';

const h = inject('harness');
const env = tempContext();
afterAll(() => env.dispose());

const VOLUME: RunVolume = { late: 30, scheduledPast: 10, future: 8, running: 2, completedOld: 4 };

const paths: Array<{ name: string; executor: 'sql' | 'api'; apiUrl: (x: HarnessInfo) => string; conn: (x: HarnessInfo) => ResolvedConnection; seed: (x: HarnessInfo, tag: string, v: RunVolume, n: number) => Promise<SeededDeployment[]> }> = [
  { name: 'SQL on Postgres', executor: 'sql', apiUrl: (x) => x.prefectPg.apiUrl, conn: (x) => pgConnection(x), seed: seedScenario },
  {
    name: 'SQL on SQLite (server running)',
    executor: 'sql',
    apiUrl: (x) => x.prefectSqlite.apiUrl,
    conn: (x) => ({ id: null, name: 'it-sqlite', apiUrl: x.prefectSqlite.apiUrl, apiAuth: { kind: 'none' }, db: { kind: 'sqlite', path: sqliteFile(x) }, readOnly: false }),
    seed: seedScenarioSqlite,
  },
  {
    name: 'API on the Postgres-backed server',
    executor: 'api',
    apiUrl: (x) => x.prefectPg.apiUrl,
    conn: (x) => ({ id: null, name: 'it-api-pg', apiUrl: x.prefectPg.apiUrl, apiAuth: { kind: 'none' }, db: { kind: 'none' }, readOnly: false }),
    seed: seedScenario,
  },
  {
    name: 'API on the SQLite-backed server',
    executor: 'api',
    apiUrl: (x) => x.prefectSqlite.apiUrl,
    conn: (x) => ({ id: null, name: 'it-api-sqlite', apiUrl: x.prefectSqlite.apiUrl, apiAuth: { kind: 'none' }, db: { kind: 'none' }, readOnly: false }),
    seed: seedScenarioSqlite,
  },
];

describe.each(paths)('artifacts of purged runs ($name)', ({ executor, apiUrl, conn, seed }) => {
  it('deletes them, and repoints or removes the keyed "latest" rows as Prefect does', async () => {
    const tag = uniqueTag();
    const api = prefectApi(apiUrl(h));
    const deps = await seed(h, tag, VOLUME, 2);
    const runs = await runsOf(api, deps.map((d) => d.id));
    const doomed = staleIds(runs, new Date(Date.now() - 60_000).toISOString());
    const kept = [...runs.values()].filter((r) => r.state_type !== 'SCHEDULED' || (r.next_scheduled_start_time && Date.parse(r.next_scheduled_start_time) > Date.now() + 60_000)).map((r) => r.id);
    expect(doomed.length).toBeGreaterThanOrEqual(15);
    expect(kept.length).toBeGreaterThanOrEqual(5);
    const scenario = await seedKeyedArtifacts(api, tag, kept, doomed);
    const before = new Map<string, string | null>();
    for (const key of scenario.expectLatest.keys()) before.set(key, await latestOf(api, key));

    const plan = await env.ctx.purge.plan({ conn: conn(h), filter: { olderThan: '1m', deployments: deps.map((d) => d.fullName) }, executor });
    expect(plan.executor).toBe(executor);
    expect(plan.count).toBe(doomed.length);
    expect(plan.impact.artifacts).toBe(scenario.onDoomed.length); // counted through the API too
    const { finished } = await env.ctx.purge.execute({ conn: conn(h), planId: plan.planId, confirmCount: plan.count });
    const f = (await finished) as JobFinished;
    expect(f.status, JSON.stringify(f.error)).toBe('succeeded');
    const o = f.result as PurgeOutcome;
    expect(o.deleted).toBe(doomed.length);
    expect(o.deletedArtifacts).toBe(scenario.onDoomed.length);

    for (const id of scenario.onDoomed) expect(await artifactExists(api, id), `artifact ${id} of a deleted run`).toBe(false);
    for (const id of scenario.onKept) expect(await artifactExists(api, id), `artifact ${id} of a kept run`).toBe(true);
    for (const [key, latest] of scenario.expectLatest) {
      expect(await latestOf(api, key), `latest of ${key} (was ${before.get(key)})`).toBe(latest);
    }
  });
});
