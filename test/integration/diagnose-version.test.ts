/**
 * A symptom a newer Prefect fixes: on a real Prefect 3.0.11 (SQLite), flow runs deleted through the
 * API leave their logs behind, because the server deletes logs with their run only since 3.4.9
 * (PrefectHQ/prefect#18517). Diagnose samples the orphaned logs and names the release. The same
 * check stays silent on 3.9.1 (diagnose-healthy.test.ts).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Diagnosis } from '../../shared/domain/diagnose';
import { diagnoseOf } from '../../main/handlers/diagnose';
import { prefectApi } from '../harness/prefect-api';
import { startOldPrefect, type OldServer } from './support/diagnose-fixture';
import { tempContext } from './support/purge-fixture';

const h = inject('harness');

describe('diagnose: a server version with a known fix for a symptom seen', () => {
  let old: OldServer;
  let env: ReturnType<typeof tempContext>;
  let d: Diagnosis;

  beforeAll(async () => {
    old = await startOldPrefect(h, '3.0.11');
    const api = prefectApi(old.apiUrl);
    const flow = await api.post<{ id: string }>('/flows/', { name: 'old-etl' });
    const now = Date.now();
    for (let i = 0; i < 30; i++) {
      const run = await api.post<{ id: string }>('/flow_runs/', { flow_id: flow.id, name: `run-${i}`, state: { type: 'COMPLETED', name: 'Completed' } });
      await api.post('/logs/', Array.from({ length: 5 }, (_, j) => ({ name: 'prefect.flow_runs', level: 20, message: `line ${j}`, timestamp: new Date(now - 60_000 + j).toISOString(), flow_run_id: run.id })));
      // What the UI's delete and `prefect flow-run delete` do; 3.0.11 keeps the logs.
      if (i < 20) await api.raw('DELETE', `/flow_runs/${run.id}`);
    }
    env = tempContext();
    d = await diagnoseOf(env.ctx).diagnose({ conn: { id: null, name: 'old-sqlite', apiUrl: old.apiUrl, apiAuth: { kind: 'none' }, db: { kind: 'sqlite', path: old.dbPath }, readOnly: true } });
  }, 400_000);

  afterAll(async () => {
    await env?.dispose();
    await old?.stop();
  });

  it('names the release that fixes it and what was measured', () => {
    const f = d.findings.find((x) => x.id === 'server.version-known-fix');
    expect(f, JSON.stringify(d.checks.find((c) => c.id === 'server.version-known-fix'))).toBeDefined();
    expect(d.prefectVersion).toBe('3.0.11');
    expect(f!.title).toMatch(/fixed in 3\.4\.9/);
    expect(f!.refs).toEqual(['PrefectHQ/prefect#18517 (Prefect 3.4.9)']);
    const orphans = f!.measured.find((m) => m.label === 'Logs whose flow run no longer exists')!;
    // 20 deleted runs × 5 logs; the sample reads the whole (small) table, so the count is exact.
    expect(orphans.value).toBe(100);
    expect(f!.actions[0]).toMatchObject({ kind: 'manual', command: 'pip install -U "prefect>=3.4.9"' });
  });
});
