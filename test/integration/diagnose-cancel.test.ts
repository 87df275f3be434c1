/**
 * A session cancelled after it paused the deployments: the purge does not run, nothing is deleted,
 * and the deployments this session paused are resumed anyway, so the server is never left paused by
 * a session that stopped halfway. The outcome says what ran per step. (Before Prefect 3.3.4 the pause
 * itself deletes the Late backlog: the plan says so, and the test expects it there.)
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Session, SessionOutcome } from '../../shared/domain/diagnose';
import type { JobFinished } from '../../shared/domain/jobs';
import { diagnoseOf } from '../../main/handlers/diagnose';
import { markLate, startDiagServer, type DiagServer } from './support/diagnose-fixture';
import { tempContext } from './support/purge-fixture';
import { createDeployments, scheduleRuns, sql } from './support/schedules-fixture';

const h = inject('harness');

describe('diagnose: a cancelled session', () => {
  let s: DiagServer;
  let env: ReturnType<typeof tempContext>;
  let ids: string[];

  beforeAll(async () => {
    s = await startDiagServer(h, 'cancel');
    const deps = await createDeployments(
      s.server.info.apiUrl,
      Array.from({ length: 3 }, (_, i) => ({ flow: 'etl', name: `job-${i}`, schedules: [{ schedule: { kind: 'interval' as const, interval: 120, anchorDate: '2024-01-01T00:00:00Z', timezone: 'UTC' } }] })),
    );
    ids = deps.map((d) => d.id);
    const now = Date.now();
    for (const d of deps) await scheduleRuns(s.api, d.id, { start_time: new Date(now - 3_600_000).toISOString(), end_time: new Date(now - 60_000).toISOString() });
    await markLate(s.api, ids);
    env = tempContext();
  }, 300_000);

  afterAll(async () => {
    await env?.dispose();
    await s?.stop();
  });

  it('stops before the purge and still resumes what it paused', async () => {
    const svc = diagnoseOf(env.ctx);
    const d = await svc.diagnose({ conn: s.conn() });
    const plan = svc.plan({ conn: s.conn(), diagnosisId: d.id, findings: ['runs.late-no-worker'] });
    expect(plan.steps.map((x) => x.kind)).toEqual(['pause', 'purge', 'recreate', 'resume', 'vacuum']);
    const [before] = await sql<{ n: string }>(h, `SELECT count(*) AS n FROM flow_run WHERE state_name = 'Late'`, [], s.database);

    const { jobId, finished } = svc.apply({ conn: s.conn(), sessionId: plan.sessionId, confirmCount: plan.confirmCount });
    // Cancel the moment the session reaches the purge (the pause has run).
    const off = env.ctx.bus.subscribe((event, payload) => {
      const p = payload as { jobId: string; phase: string };
      if (event === 'jobs.progress' && p.jobId === jobId && p.phase.startsWith('purge')) env.ctx.jobs.cancel(jobId);
    });
    const f = (await finished) as JobFinished;
    off();
    expect(f.status).toBe('cancelled');
    const session: Session = svc.session(plan.sessionId);
    const o = session.outcome as SessionOutcome;
    expect(session.status).toBe('cancelled');
    expect(o.steps.map((x) => `${x.kind}:${x.status}`)).toEqual(['pause:done', 'purge:cancelled', 'recreate:not-run', 'resume:done', 'vacuum:not-run']);

    // Housekeeper deleted nothing, and nothing is left paused. Before Prefect 3.3.4 the pause itself
    // deletes the Late backlog (Prefect's update rule, not Housekeeper's purge): the plan said so.
    const [after] = await sql<{ n: string }>(h, `SELECT count(*) AS n FROM flow_run WHERE state_name = 'Late'`, [], s.database);
    // The diagnosis recorded what the capability probe found (updatesKeepPastDue).
    expect(d.pauseDeletesBacklog).not.toBeNull();
    if (!d.pauseDeletesBacklog) {
      expect(Number(after!.n)).toBe(Number(before!.n));
      expect(plan.notes.join(' ')).not.toMatch(/when it is paused/);
    } else {
      expect(Number(after!.n)).toBe(0);
      expect(plan.notes.join(' ')).toMatch(new RegExp(`Prefect ${d.prefectVersion!.replace(/\./g, '\\.')} deletes every never-started scheduled run of a deployment when it is paused`));
    }
    for (const id of ids) expect((await s.api.get<{ paused: boolean }>(`/deployments/${id}`)).paused).toBe(false);
    expect(env.ctx.store.audit.list({ limit: 50 }).find((a) => a.action === 'diagnose.session')?.outcome).toBe('cancelled');
  }, 180_000);
});
