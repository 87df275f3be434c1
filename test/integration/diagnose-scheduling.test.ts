/**
 * Diagnose on a real Prefect 3.9.1 server seeded into the situation (seedScheduling): every
 * scheduling and backlog finding is raised with the numbers the server really holds, and the combined
 * session (pause, purge, recreate, settings, resume, vacuum) fixes them as jobs; after the owner's
 * restart with the exported settings, the horizon finding is gone too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Diagnosis, Finding, SessionOutcome } from '../../shared/domain/diagnose';
import type { JobFinished } from '../../shared/domain/jobs';
import { gather } from '../../main/core/diagnose/gather';
import { diagnoseOf } from '../../main/handlers/diagnose';
import { tempContext } from './support/purge-fixture';
import { readEnvFile, restartWithEnv, seedScheduling, startDiagServer, type DiagServer, type SchedulingScenario } from './support/diagnose-fixture';
import { runsOf, sql } from './support/schedules-fixture';

const h = inject('harness');

describe('diagnose: scheduling and backlog findings on a seeded server', () => {
  let s: DiagServer;
  let sc: SchedulingScenario;
  let env: ReturnType<typeof tempContext>;
  let d: Diagnosis;
  const find = (id: string): Finding => {
    const f = d.findings.find((x) => x.id === id);
    if (!f) throw new Error(`${id} not raised; checks: ${JSON.stringify(d.checks.filter((c) => c.id === id))}`);
    return f;
  };
  const measured = (f: Finding, label: RegExp) => f.measured.find((m) => label.test(m.label))?.value;

  beforeAll(async () => {
    s = await startDiagServer(h, 'sched');
    sc = await seedScheduling(h, s);
    env = tempContext();
    d = await diagnoseOf(env.ctx).diagnose({ conn: s.conn() });
  }, 300_000);

  afterAll(async () => {
    await env?.dispose();
    await s?.stop();
  });

  it('raises the horizon finding with the simulator’s prediction for the recommended settings', () => {
    const f = find('scheduler.horizon-too-long');
    expect(measured(f, /^MIN_SCHEDULED_TIME$/)).toBe(3600);
    // 12 two-minute schedules keep an hour of runs each: about 31.
    expect(Number(measured(f, /^Future runs those schedules keep$/))).toBeGreaterThanOrEqual(12 * 30);
    const held = f.effect.find((e) => e.label === 'Future runs held')!;
    expect(held.before).toBeGreaterThan(held.after!);
    const settings = f.actions.find((a) => a.kind === 'settings');
    expect(settings && settings.kind === 'settings' && settings.set.map((x) => `${x.name}=${x.value}`)).toEqual(
      expect.arrayContaining(['PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME=PT15M', 'PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS=20']),
    );
    expect(d.whatIf?.held).toBe(held.after);
  });

  it('raises MAX_RUNS and sub-minute for the 10-second schedules', () => {
    const m = find('scheduler.max-runs-above-need');
    expect(measured(m, /^Schedules held at MAX_RUNS$/)).toBe(2);
    const sub = find('schedules.sub-minute');
    expect(measured(sub, /^Sub-minute schedules$/)).toBe(2);
    expect(measured(sub, /^Flow runs they create per day$/)).toBe(2 * 8640);
  });

  it('raises the rrule walking from 2020, and the recreate moves DTSTART up', () => {
    const f = find('schedules.rrule-old-dtstart');
    const walk = f.effect[0]!;
    expect(walk.before).toBeGreaterThan(50_000);
    expect(walk.after).toBeLessThan(10);
    expect(f.actions).toEqual([expect.objectContaining({ kind: 'recreate', deployments: [{ id: sc.rrule.id, name: sc.rrule.fullName }] })]);
  });

  it('raises the Late backlog on deployments no worker polls, with the exact count', async () => {
    const f = find('runs.late-no-worker');
    const [r] = await sql<{ n: string }>(h, `SELECT count(*) AS n FROM flow_run WHERE state_name = 'Late' AND deployment_id = ANY($1::uuid[])`, [sc.frequent.slice(0, 6).map((x) => x.id)], s.database);
    expect(Number(r!.n)).toBeGreaterThan(100);
    expect(measured(f, /^Late runs on unpolled deployments$/)).toBe(Number(r!.n));
    expect(f.severity).toBe('high');
    const purge = f.actions.find((a) => a.kind === 'purge');
    expect(purge && purge.kind === 'purge' && purge.deployments.map((x) => x.id).sort()).toEqual(sc.frequent.slice(0, 6).map((x) => x.id).sort());
  });

  it('raises the backlog kept on the paused deployment', async () => {
    const f = find('runs.paused-backlog');
    const past = (await runsOf(s.api, sc.paused.id, { next_scheduled_start_time: { before_: new Date().toISOString() } })).length;
    expect(past).toBeGreaterThan(5);
    expect(measured(f, /^Past-due runs on paused deployments$/)).toBe(past);
  });

  it('raises the runs of the deleted deployment and purges only the past-due ones', async () => {
    const f = find('runs.orphaned');
    const [r] = await sql<{ n: string; past: string }>(h, `SELECT count(*) AS n, count(*) FILTER (WHERE next_scheduled_start_time <= now()) AS past FROM flow_run WHERE deployment_id = $1 AND state_type = 'SCHEDULED'`, [sc.goneId], s.database);
    expect(measured(f, /^Scheduled runs of deleted deployments$/)).toBe(Number(r!.n));
    expect(f.effect[0]).toMatchObject({ before: Number(r!.n), after: Number(r!.n) - Number(r!.past) });
  });

  it('counts with one database query what the Schedules list counts through the API', async () => {
    const g = await gather({ conn: s.conn(), inspect: env.ctx.inspect, schedules: env.ctx.schedules });
    const viaApi = await env.ctx.schedules.list({ conn: s.conn() });
    // Runs fall due between the two reads (the two reads are seconds apart): past-due + future may
    // differ by a run at the boundary; everything else must be equal.
    const api = new Map(viaApi.deployments.map((x) => [x.id, x]));
    for (const x of g.evidence.list!.deployments) {
      const y = api.get(x.id)!;
      expect(x.leftBehind, x.fullName).toBe(y.leftBehind);
      expect(Math.abs(x.pastDue + x.future - (y.pastDue + y.future)), x.fullName).toBeLessThanOrEqual(1);
      if (x.paused) expect(x.pastDue, x.fullName).toBe(y.pastDue);
    }
    const { pastDue: _p, heldFuture: _f, ...rest } = g.evidence.list!.totals;
    const { pastDue: _p2, heldFuture: _f2, ...rest2 } = viaApi.totals;
    expect(rest).toEqual(rest2);
  });

  it('ranks by impact and lists every check', () => {
    expect(d.checks).toHaveLength(16);
    const impacts = d.findings.map((x) => x.impact);
    expect([...impacts].sort((a, b) => b - a)).toEqual(impacts);
    expect(d.findings[0]!.id).toBe('runs.late-no-worker');
  });

  it('fixes them in one session, then the restart with the exported settings clears the horizon', async () => {
    const svc = diagnoseOf(env.ctx);
    const file = path.join(env.home, 'sched.env');
    const picked = ['runs.late-no-worker', 'runs.paused-backlog', 'runs.orphaned', 'schedules.rrule-old-dtstart', 'scheduler.horizon-too-long', 'scheduler.max-runs-above-need'];
    const plan = svc.plan({ conn: s.conn(), diagnosisId: d.id, findings: picked, settings: { profile: 'sched-server', format: 'env', path: file } });
    expect(plan.steps.map((x) => x.kind)).toEqual(['pause', 'purge', 'recreate', 'settings', 'resume', 'vacuum']);
    // It deletes runs, so it is confirmed by the runs the purge step deletes, not by the findings.
    const purgeStep = plan.steps.find((x) => x.kind === 'purge')!;
    expect(purgeStep.count).toBeGreaterThan(0);
    expect(plan).toMatchObject({ confirmCount: purgeStep.count, confirmUnit: 'runs' });
    expect(() => svc.apply({ conn: s.conn(), sessionId: plan.sessionId, confirmCount: picked.length })).toThrow(/Confirmation mismatch: 6 was confirmed, but the session is confirmed by the [\d,]+ runs this session deletes/);
    expect(plan.targets.pauseResume.sort()).toEqual([...sc.frequent.slice(0, 6).map((x) => x.id), sc.rrule.id].sort());
    expect(plan.targets.purge).toEqual(expect.arrayContaining([sc.goneId, sc.paused.id]));
    // A wrong count is refused and changes nothing.
    expect(() => svc.apply({ conn: s.conn(), sessionId: plan.sessionId, confirmCount: 1 })).toThrow(/Confirmation mismatch/);
    expect(() => svc.apply({ conn: s.conn({ readOnly: true }), sessionId: plan.sessionId, confirmCount: plan.confirmCount })).toThrow(/read-only/);

    const started = Date.now();
    const { finished } = svc.apply({ conn: s.conn(), sessionId: plan.sessionId, confirmCount: plan.confirmCount });
    const job = (await finished) as JobFinished;
    const o = job.result as SessionOutcome;
    expect(job.status, JSON.stringify(job.error ?? o.steps)).toBe('succeeded');
    expect(o.status, JSON.stringify(o.steps)).toBe('done');
    expect(o.steps.map((x) => x.status)).toEqual(['done', 'done', 'done', 'done', 'done', 'done']);

    // On the server: no past-due runs left on the purged deployments, the deleted one's gone too.
    const [left] = await sql<{ n: string }>(h, `SELECT count(*) AS n FROM flow_run WHERE state_type = 'SCHEDULED' AND next_scheduled_start_time < $2 AND deployment_id = ANY($1::uuid[])`, [plan.targets.purge, new Date(started)], s.database);
    expect(Number(left!.n)).toBe(0);
    const sync0 = await s.api.get<{ paused: boolean; schedules: Array<{ schedule: { anchor_date: string } }> }>(`/deployments/${sc.frequent[0]!.id}`);
    expect(sync0.paused).toBe(false);
    expect(Date.parse(sync0.schedules[0]!.schedule.anchor_date)).toBeGreaterThan(started - 60_000);
    const rr = await s.api.get<{ schedules: Array<{ schedule: { rrule: string } }> }>(`/deployments/${sc.rrule.id}`);
    expect(rr.schedules[0]!.schedule.rrule).not.toMatch(/DTSTART:2020/);
    expect((await s.api.get<{ paused: boolean }>(`/deployments/${sc.paused.id}`)).paused).toBe(true);

    // Settings: a profile revision and its export; the owner must restart.
    expect(o.settingsWritten).toMatchObject({ profile: 'sched-server', path: file, format: 'env' });
    const exported = readEnvFile(file);
    expect(exported.PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME).toBe('PT15M');
    expect(o.restart).toContain(file);

    // Before and after, side by side.
    const row = (k: string) => o.comparison.find((c) => c.key === k)!;
    expect(row('late').before).toBeGreaterThan(0);
    expect(row('late').after).toBe(0);
    expect(row('predictedHeld').afterRestart).toBe(d.whatIf!.held);
    expect(o.resolved).toEqual(expect.arrayContaining(['runs.late-no-worker', 'runs.paused-backlog', 'schedules.rrule-old-dtstart']));
    // Settings only apply after the restart.
    expect(o.remaining).toContain('scheduler.horizon-too-long');
    const session = svc.session(plan.sessionId);
    expect(session.status).toBe('done');
    expect(session.after?.findings.map((x) => x.id)).not.toContain('runs.late-no-worker');
    const audit = env.ctx.store.audit.list({ limit: 200 }).map((a) => a.action);
    expect(audit).toEqual(expect.arrayContaining(['diagnose.plan', 'diagnose.session', 'schedules.pause', 'purge.execute', 'schedules.recreate', 'diagnose.settings', 'schedules.resume', 'diagnose.vacuum']));

    // The owner restarts the server with the exported settings: the horizon finding is gone.
    s = await restartWithEnv(h, s, exported);
    const again = await svc.diagnose({ conn: s.conn() });
    expect(again.findings.map((x) => x.id)).not.toContain('scheduler.horizon-too-long');
    expect(again.checks.find((c) => c.id === 'scheduler.horizon-too-long')?.status).toBe('clear');
    expect(fs.existsSync(file)).toBe(true);
  }, 240_000);
});
