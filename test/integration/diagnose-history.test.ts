/**
 * runs.history-unbounded on a real Prefect database (the harness's migrated schema in a database of its
 * own, seeded with the harness's set-based seeder): 55,000 finished runs that ended more than 100 days
 * ago, each with its states, task runs, task run states and logs, plus recent ones that must stay.
 * The diagnosis raises the finding with Prefect's own vacuum settings beside it where the server has
 * the db_vacuum service (3.6.19+, flow runs off by default), else the command to repeat; a session of
 * that finding alone runs [settings ->] retention -> vacuum, deletes exactly the old finished runs with everything of theirs
 * through Retention's own plan and job, and the diagnosis after it no longer raises the finding.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Diagnosis, SessionOutcome } from '../../shared/domain/diagnose';
import type { JobFinished } from '../../shared/domain/jobs';
import { diagnoseOf } from '../../main/handlers/diagnose';
import { formatInt } from '../../shared/text/format';
import { bigConnection, createBigDatabase, dropDatabase, withSuper } from './support/inspect-fixture';
import { tempContext } from './support/purge-fixture';

const h = inject('harness');
const DB = 'hk_diag_history';
const VOLUME = {
  completedOld: 48_000,
  failed: 4_000,
  cancelled: 2_000,
  crashed: 1_000,
  statesPerTerminalRun: 3,
  logsPerRun: 2,
  taskRunsPerRun: 1,
  artifactEvery: 100,
  terminalMinAgeHours: 100 * 24,
};

async function count(sql: string): Promise<number> {
  return withSuper(h, DB, async (c) => Number((await c.query<{ n: string }>(sql)).rows[0]!.n));
}
const ORPHAN_LOGS = 'SELECT count(*) AS n FROM log g WHERE g.flow_run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM flow_run f WHERE f.id = g.flow_run_id)';
const OLD = `SELECT count(*) AS n FROM flow_run WHERE state_type IN ('COMPLETED','FAILED','CANCELLED','CRASHED') AND end_time < now() - interval '90 days'`;

describe('diagnose: finished runs kept forever', () => {
  let env: ReturnType<typeof tempContext>;
  let d: Diagnosis;
  let oldBefore: number;
  let recentIds: string[];
  let hasDbVacuum = false;
  const conn = () => ({ ...bigConnection(h, DB, 'owner'), readOnly: false });

  beforeAll(async () => {
    await createBigDatabase(h, DB, VOLUME, { deployments: 8 });
    // Recent finished runs (a week old) of the same flows: a 90-day retention keeps them.
    recentIds = await withSuper(h, DB, async (c) => {
      const r = await c.query<{ id: string }>(
        `INSERT INTO flow_run (name, flow_id, state_type, state_name, start_time, end_time, expected_start_time)
         SELECT 'recent-' || g, (SELECT id FROM flow ORDER BY id LIMIT 1), 'COMPLETED', 'Completed', now() - interval '7 days', now() - interval '7 days' + interval '1 minute', now() - interval '7 days'
           FROM generate_series(1, 25) g RETURNING id::text AS id`,
      );
      await c.query('ANALYZE flow_run');
      return r.rows.map((x) => x.id);
    });
    oldBefore = await count(OLD);
    // The capability as the server states it (its settings block), not the version number.
    const settings = (await (await fetch(`${h.prefectPg.apiUrl}/admin/settings`)).json()) as { server?: { services?: { db_vacuum?: unknown } } };
    hasDbVacuum = !!settings.server?.services?.db_vacuum;
    env = tempContext();
    d = await diagnoseOf(env.ctx).diagnose({ conn: conn() });
  }, 600_000);

  afterAll(async () => {
    await env?.dispose();
    await dropDatabase(h, DB);
  });

  it('raises the finding with the count, a 90-day retention and Prefect’s own vacuum settings', () => {
    expect(oldBefore).toBeGreaterThan(50_000);
    const f = d.findings.find((x) => x.id === 'runs.history-unbounded');
    expect(f, JSON.stringify(d.checks.find((c) => c.id === 'runs.history-unbounded'))).toBeDefined();
    const retention = f!.actions.find((a) => a.kind === 'retention');
    expect(retention).toMatchObject({ olderThanDays: 90 });
    // An estimate on a big table, exact on a small one: within 5 % of the database's own count either way.
    expect(Math.abs((retention as { runs: number }).runs - oldBefore) / oldBefore).toBeLessThan(0.05);
    if (hasDbVacuum) {
      const settings = f!.actions.find((a) => a.kind === 'settings');
      expect(settings).toMatchObject({ scope: 'server', set: expect.arrayContaining([expect.objectContaining({ name: 'PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED', value: 'events,flow_runs' })]) });
    } else {
      // Before Prefect 3.6.19 there is no service to turn on: the owner gets the command to repeat.
      expect(f!.actions.map((a) => a.kind)).toEqual(['retention', 'manual']);
      expect(f!.actions[1]).toMatchObject({ command: expect.stringContaining('housekeeper retention --older-than 90d') });
    }
  });

  it('a session of that finding deletes exactly the old finished runs with their rows, keeps the recent ones, and the finding is gone after', async () => {
    const svc = diagnoseOf(env.ctx);
    const plan = svc.plan({ conn: conn(), diagnosisId: d.id, findings: ['runs.history-unbounded'] });
    expect(plan.steps.map((s) => s.kind)).toEqual(hasDbVacuum ? ['settings', 'retention', 'vacuum'] : ['retention', 'vacuum']);
    expect(plan.targets.retentionDays).toBe(90);
    const statesBefore = await count('SELECT count(*) AS n FROM flow_run_state');
    const orphanLogsBefore = await count(ORPHAN_LOGS);
    const { finished } = svc.apply({ conn: conn(), sessionId: plan.sessionId, confirmCount: plan.confirmCount });
    const job = (await finished) as JobFinished;
    const o = job.result as SessionOutcome;
    expect(o.status, JSON.stringify(o.steps)).toBe('done');
    const step = o.steps.find((s) => s.kind === 'retention')!;
    expect(step.status).toBe('done');
    expect(step.message).toMatch(new RegExp(`^Deleted ${formatInt(oldBefore)} finished runs older than 90 days`));
    expect(await count(OLD)).toBe(0);
    // Everything of theirs went with them: no state, task run or log points at a run that is gone.
    expect(await count('SELECT count(*) AS n FROM flow_run_state s WHERE NOT EXISTS (SELECT 1 FROM flow_run f WHERE f.id = s.flow_run_id)')).toBe(0);
    expect(await count('SELECT count(*) AS n FROM task_run t WHERE NOT EXISTS (SELECT 1 FROM flow_run f WHERE f.id = t.flow_run_id)')).toBe(0);
    // (The fixture orphaned the logs of 500 runs it deleted by hand; the retention leaves no more behind.)
    expect(await count(ORPHAN_LOGS)).toBe(orphanLogsBefore);
    expect(await count('SELECT count(*) AS n FROM flow_run_state')).toBeLessThan(statesBefore);
    expect(await count(`SELECT count(*) AS n FROM flow_run WHERE id = ANY('{${recentIds.join(',')}}'::uuid[])`)).toBe(recentIds.length);
    expect(o.resolved).toContain('runs.history-unbounded');
    // The retention is Retention's own job, audited as such, beside the session's settings and vacuum.
    const audit = env.ctx.store.audit.list({ limit: 50 }).map((a) => a.action);
    expect(audit).toEqual(expect.arrayContaining(['retention.execute', 'diagnose.vacuum', ...(hasDbVacuum ? ['diagnose.settings'] : [])]));
  }, 600_000);
});
