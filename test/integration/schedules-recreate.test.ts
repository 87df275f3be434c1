/**
 * Recreate from now, end to end, on a Prefect server of its own with the scheduler running (2-second
 * loop, 1-second recent-deployments loop): interval, cron and rrule schedules (with and without
 * DTSTART, in zones with DST, with parameters and slugs, inactive ones, several on one deployment, a
 * paused deployment, a Late backlog) are recreated and compared field by field with the originals;
 * the runs the scheduler then creates are checked against the plan; the originals come back with a
 * restore. Then the faults: a change made by someone else between plan and apply, a read-only
 * connection, a failure half-way (rolled back), a cancel, and the server stopped mid-apply (restorable
 * from the local store once it is back).
 *
 * On every 3.x line: before 3.2 there are no slugs or schedule parameters (schedules are told apart
 * by kind) and runs do not name their schedule (a run must fall on one of its deployment's active
 * schedules); before 3.3.4 the pause itself deletes the past-due runs, so Purge finds none left.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ChangeOutcome, ChangePlan, StoredSchedule } from '../../shared/domain/schedules';
import type { JobFinished } from '../../shared/domain/jobs';
import { AppError } from '../../shared/errors';
import { storedDiff } from '../../shared/schedules/compare';
import { parseInstant } from '../../shared/schedules/instant';
import { toSchedule } from '../../shared/schedules/occurrences';
import { parseRRule } from '../../shared/schedules/rrule';
import { onLattice } from '../../main/core/schedules/list';
import { prefectApi, type HarnessApi } from '../harness/prefect-api';
import type { SeededDeployment } from '../harness/seed-api';
import { tempContext } from './support/purge-fixture';
import { apiConnection, createDeployments, runsOf, scheduleRuns, sql } from './support/schedules-fixture';
import { startSchedulerServer, type SchedulerServer } from './support/scheduler-server';

const h = inject('harness');
const slugs = h.prefect.scheduleFields.includes('slug');
const env = tempContext();
/** The `multi` deployment's schedules by slug, or by kind where slugs do not exist (before 3.2). */
const MULTI_KIND: Record<string, string> = { a: 'interval', b: 'cron', c: 'rrule' };
const multiKey = (s: { slug: string | null; kind?: string | null; schedule?: Record<string, unknown> }): string | null =>
  slugs ? s.slug : (Object.entries(MULTI_KIND).find(([, k]) => k === (s.kind ?? (s.schedule ? Object.keys(s.schedule).find((x) => ['interval', 'cron', 'rrule'].includes(x)) : null)))?.[0] ?? null);
let srv: SchedulerServer;
let api: HarnessApi;
let conn: ReturnType<typeof apiConnection>;
let deps: SeededDeployment[] = [];
const FLOW = 'recreate-it';
afterAll(async () => {
  await srv?.stop();
  await env.dispose();
});

interface Live {
  id: string;
  name: string;
  paused: boolean;
  schedules: StoredSchedule[];
}

async function live(a: HarnessApi, ids: string[]): Promise<Map<string, Live>> {
  const out = new Map<string, Live>();
  for (const id of ids) {
    const d = await a.get<{ id: string; name: string; paused: boolean; schedules: Array<{ id: string; schedule: Record<string, unknown>; active: boolean; parameters: Record<string, unknown>; slug: string | null; max_scheduled_runs: number | null }> }>(`/deployments/${id}`);
    out.set(id, { id, name: d.name, paused: d.paused, schedules: d.schedules.map((s) => ({ id: s.id, schedule: s.schedule, active: s.active, parameters: s.parameters, slug: s.slug, maxScheduledRuns: s.max_scheduled_runs })) });
  }
  return out;
}

/** Field-by-field differences of every deployment against a snapshot ("name/slug: fields"). */
function differences(before: Map<string, Live>, after: Map<string, Live>): string[] {
  const out: string[] = [];
  for (const [id, b] of before) {
    const a = after.get(id)!;
    if (a.paused !== b.paused) out.push(`${b.name}: paused ${b.paused} -> ${a.paused}`);
    for (const s of b.schedules) {
      const x = a.schedules.find((y) => y.id === s.id);
      if (!x) out.push(`${b.name}/${s.slug ?? s.id}: gone`);
      else {
        const d = storedDiff(s, x);
        if (d.length) out.push(`${b.name}/${s.slug ?? s.id}: ${d.join(', ')}`);
      }
    }
    if (a.schedules.length !== b.schedules.length) out.push(`${b.name}: ${b.schedules.length} -> ${a.schedules.length} schedules`);
  }
  return out;
}

// Up to two scheduler loops: Prefect 3.1.13 to 3.6.6 loop every 60 s whatever LOOP_SECONDS says
// (capability-facts.ts), so the first fill on 3.4 can take over 30 s.
async function until<T>(f: () => Promise<T | null | undefined | false>, ms = 130_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 200));
  }
}

const names = () => deps.map((d) => `${FLOW}/${d.name}`);

beforeAll(async () => {
  srv = await startSchedulerServer(h, { PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS: '2', PREFECT_SERVER_SERVICES_SCHEDULER_RECENT_DEPLOYMENTS_LOOP_SECONDS: '1' }, 'recreate');
  api = prefectApi(srv.server.info.apiUrl);
  conn = apiConnection(srv.server.info.apiUrl, {
    name: 'it-recreate',
    db: { kind: 'postgres', host: h.pg.host, port: h.pg.port, database: srv.database, user: h.pg.owner.user, password: h.pg.owner.password, sslmode: 'disable' },
  });
  deps = await createDeployments(srv.server.info.apiUrl, [
    { flow: FLOW, name: 'hourly-ny', schedules: [{ schedule: { kind: 'interval', interval: 3600, anchorDate: '2025-03-08T05:17:00Z', timezone: 'America/New_York' }, slug: 'hourly', parameters: { p: 1 } }] },
    { flow: FLOW, name: 'daily-berlin', parameters: { region: 'eu', n: 3 }, schedules: [{ schedule: { kind: 'interval', interval: 86400, anchorDate: '2024-10-27T01:30:00+02:00', timezone: 'Europe/Berlin' }, slug: 'daily', parameters: { n: 4 } }] },
    { flow: FLOW, name: 'cron-ny', schedules: [{ schedule: { kind: 'cron', cron: '30 2 * * *', timezone: 'America/New_York' } }] },
    { flow: FLOW, name: 'rrule-dst', schedules: [{ schedule: { kind: 'rrule', rrule: 'DTSTART:20240310T023000\nRRULE:FREQ=DAILY', timezone: 'America/New_York' } }] },
    { flow: FLOW, name: 'rrule-legacy', schedules: [{ schedule: { kind: 'rrule', rrule: 'FREQ=HOURLY;BYMINUTE=15', timezone: 'Europe/Berlin' } }] },
    {
      flow: FLOW,
      name: 'multi',
      schedules: [
        { schedule: { kind: 'interval', interval: 120, anchorDate: '2020-01-01T00:00:30Z', timezone: 'UTC' }, slug: 'a', parameters: { a: 1 } },
        { schedule: { kind: 'cron', cron: '*/10 * * * *', timezone: 'UTC' }, slug: 'b', active: false, parameters: { b: [1, 2] } },
        { schedule: { kind: 'rrule', rrule: 'DTSTART:20200101T000000\nRRULE:FREQ=MINUTELY;INTERVAL=20', timezone: 'Australia/Sydney' }, slug: 'c' },
      ],
    },
    { flow: FLOW, name: 'paused-one', paused: true, schedules: [{ schedule: { kind: 'interval', interval: 300, anchorDate: '2026-01-01T00:00:00Z', timezone: 'UTC' } }] },
    { flow: FLOW, name: 'backlog', schedules: [{ schedule: { kind: 'interval', interval: 60, anchorDate: '2026-01-01T00:00:00Z', timezone: 'UTC' } }] },
  ]);
  // A rule stored before Prefect made DTSTART explicit (3.6.26): walked from 2020 on every pass.
  await sql(h, `UPDATE deployment_schedule SET schedule = jsonb_set(schedule, '{rrule}', to_jsonb('FREQ=HOURLY;BYMINUTE=15'::text)) WHERE deployment_id = $1`, [deps.find((d) => d.name === 'rrule-legacy')!.id], srv.database);
  // A Late backlog, as when no worker polled for an hour.
  const now = Date.now();
  for (const name of ['backlog', 'multi']) {
    await scheduleRuns(api, deps.find((d) => d.name === name)!.id, { start_time: new Date(now - 3_600_000).toISOString(), end_time: new Date(now - 60_000).toISOString() });
  }
  // The scheduler has filled every active schedule.
  await until(async () => (await runsOf(api, deps.find((d) => d.name === 'hourly-ny')!.id)).length > 0);
}, 300_000);

async function applyPlan(plan: ChangePlan, options: Parameters<typeof env.ctx.schedules.apply>[0]['options'] = {}) {
  const { finished } = await env.ctx.schedules.apply({ conn, planId: plan.planId, confirmCount: plan.confirmCount, options: { verifyTimeoutMs: 20_000, ...options } });
  return (await finished) as JobFinished;
}

describe('recreate from now', () => {
  let plan: ChangePlan;
  let before: Map<string, Live>;
  let outcome: ChangeOutcome;
  let appliedAt: number;

  it('plans the new schedules: same kind, interval/cron/rule, zone, parameters, slug and active flag; new anchor; explicit DTSTART', async () => {
    before = await live(api, deps.map((d) => d.id));
    // 'now' is the server's clock while planning: bracketed by the call (a loaded machine plans slowly).
    const t0 = Date.now();
    plan = await env.ctx.schedules.plan({ conn, kind: 'recreate', deployments: names(), anchor: 'now' });
    const t1 = Date.now();
    const anchor = parseInstant(plan.anchor!);
    // The harness server shares this machine's clock: serverNow keeps the local clock (targets/server-clock.ts).
    expect(anchor).toBeGreaterThanOrEqual(t0 - 5_000);
    expect(anchor).toBeLessThanOrEqual(t1 + 5_000);
    const byName = new Map(plan.deployments.map((d) => [d.name.split('/')[1]!, d]));
    const all = plan.deployments.flatMap((d) => d.schedules);
    for (const s of all.filter((x) => x.after)) {
      expect(s.after!.id).toBe(s.before.id);
      expect(s.after!.slug).toBe(s.before.slug);
      expect(s.after!.active).toBe(s.before.active);
      expect(s.after!.parameters).toEqual(s.before.parameters);
      expect(s.after!.schedule.timezone).toBe(s.before.schedule.timezone);
    }
    const hourly = byName.get('hourly-ny')!.schedules[0]!;
    expect(hourly.changes).toEqual(['anchor_date']);
    expect(parseInstant(String(hourly.after!.schedule.anchor_date))).toBe(anchor);
    expect(byName.get('daily-berlin')!.schedules[0]!.notes.join(' ')).toMatch(/time of day/);
    // A cron schedule has no anchor and is not rewritten, but the deployment is in the plan: its runs
    // are cleared and made again like every other's (issue #13: cron deployments were dropped silently).
    const cron = byName.get('cron-ny')!;
    expect(cron.schedules.map((s) => [s.kind, s.after])).toEqual([['cron', null]]);
    expect(cron.schedules[0]!.notes.join(' ')).toMatch(/Cron schedules have no anchor: only their runs are cleared and recreated/);
    expect(cron.action).toMatch(/1 cron schedule kept as it is/);
    expect(plan.deployments.map((d) => d.name).sort()).toEqual(names().sort());
    expect(plan.leftOut).toEqual([]);
    for (const n of ['rrule-dst', 'rrule-legacy']) {
      const s = byName.get(n)!.schedules[0]!;
      expect(s.changes, n).toEqual(['DTSTART']);
      const wall = parseRRule(String(s.after!.schedule.rrule)).dtstartWall!;
      expect(wall, n).toBeGreaterThan(Date.now() - 3 * 86_400_000);
    }
    const multi = byName.get('multi')!;
    expect(multi.schedules.map((s) => [multiKey(s), s.changes])).toEqual(expect.arrayContaining([['a', ['anchor_date']], ['b', []], ['c', ['DTSTART']]]));
    expect(multi.pastDueGoing).toBeGreaterThan(0);
    expect(byName.get('backlog')!.pastDueGoing).toBeGreaterThan(50);
    expect(byName.get('paused-one')!.pausedAfter).toBe(true);
    expect(plan.totals.futureRunsGoing).toBeGreaterThan(0);
    expect(plan.confirmCount).toBe(plan.deployments.length);
    // Nothing changed yet.
    expect(differences(before, await live(api, deps.map((d) => d.id)))).toEqual([]);
  });

  it('applies: every field kept but the anchor/DTSTART, ids kept, paused flags as before, backlog gone', async () => {
    appliedAt = Date.now();
    const seen: Array<{ phase: string; done: number; total: number | null }> = [];
    const off = env.ctx.bus.subscribe((e, p) => {
      const x = p as { kind: string; phase: string; done: number; total: number | null };
      if (e === 'jobs.progress' && x.kind === 'schedules.recreate') seen.push({ phase: x.phase, done: x.done, total: x.total });
    });
    const f = await applyPlan(plan);
    off();
    expect(f.status, JSON.stringify(f.error)).toBe('succeeded');
    // The bar reaches 100 % only once the apply has ended, never while it still verifies (issue #13).
    expect(seen.filter((x) => x.total !== null && x.done >= x.total && x.phase !== 'done')).toEqual([]);
    expect(seen.some((x) => x.phase === 'verifying new runs' && x.total !== null && x.done < x.total)).toBe(true);
    outcome = f.result as ChangeOutcome;
    expect(outcome.status).toBe('applied');
    const after = await live(api, deps.map((d) => d.id));
    const expected = plan.deployments.flatMap((d) => d.schedules.filter((s) => s.after).map((s) => `${d.name.split('/')[1]}/${s.slug ?? s.id}: ${s.changes.join(', ')}`));
    expect(differences(before, after).sort()).toEqual(expected.sort());
    for (const d of plan.deployments) for (const s of d.schedules.filter((x) => x.after)) expect(storedDiff(s.after!, after.get(d.deploymentId)!.schedules.find((x) => x.id === s.id)!)).toEqual([]);
    // Before 3.3.4 Prefect's pause already deleted the backlog the plan counted; Purge finds it gone.
    if (h.prefect.updatesKeepPastDue) expect(outcome.purge!.deleted).toBeGreaterThan(50);
    else expect(outcome.purge!.deleted).toBe(0);
    for (const name of ['backlog', 'multi']) {
      const past = await runsOf(api, deps.find((d) => d.name === name)!.id, { state: { type: { any_: ['SCHEDULED'] } }, next_scheduled_start_time: { before_: new Date(appliedAt).toISOString() } });
      expect(past, name).toEqual([]);
    }
  });

  it('the runs the scheduler creates start after the apply and fall on the new lattice', async () => {
    const targets = plan.deployments.filter((d) => !d.pausedAfter).flatMap((d) => d.schedules.filter((s) => (s.after ?? s.before).active).map((s) => ({ d, s: s.after ?? s.before })));
    expect(outcome.verify.filter((v) => v.status !== 'ok')).toEqual([]);
    expect(outcome.verify).toHaveLength(targets.length);
    for (const { d, s } of targets) {
      const mine = (r: { created_by: { id: string | null } | null }) => r.created_by?.id === s.id;
      const runs = await until(async () => {
        const r = (await runsOf(api, d.deploymentId, { state: { type: { any_: ['SCHEDULED'] } } })).filter((x) => !h.prefect.runsAttributed || mine(x));
        return r.length ? r : null;
      });
      // Runs that do not name their schedule (before 3.2) must fall on one of the deployment's active ones.
      const scheds = h.prefect.runsAttributed ? [toSchedule(s.schedule)] : targets.filter((x) => x.d === d).map((x) => toSchedule(x.s.schedule));
      for (const r of runs) {
        const t = parseInstant(r.next_scheduled_start_time);
        expect(scheds.some((x) => onLattice(x, t)), `${d.name}/${s.slug}: ${r.next_scheduled_start_time}`).toBe(true);
        expect(t).toBeGreaterThanOrEqual(appliedAt - 1000);
      }
    }
    // The paused deployment stayed paused and has no runs.
    expect(await runsOf(api, deps.find((d) => d.name === 'paused-one')!.id)).toEqual([]);
  });

  it('keeps the originals: a restore puts every schedule back exactly, ids and all', async () => {
    const changes = env.ctx.schedules.changes(null);
    const rec = changes.find((c) => c.planId === plan.planId)!;
    expect(rec).toMatchObject({ kind: 'recreate', status: 'applied', restorable: true });
    const restore = await env.ctx.schedules.plan({ conn, kind: 'restore', deployments: [], changeId: plan.planId });
    expect(restore.deployments.map((d) => d.name).sort()).toEqual(plan.deployments.filter((d) => d.schedules.some((s) => s.after)).map((d) => d.name).sort());
    // Nothing to write back for the cron-only deployment: the restore plan says so instead of dropping it.
    expect(restore.leftOut.map((l) => [l.name, l.reason])).toEqual([[`${FLOW}/cron-ny`, 'It is already as it was before that change.']]);
    const f = await applyPlan(restore);
    expect(f.status, JSON.stringify(f.error)).toBe('succeeded');
    const diff = differences(before, await live(api, deps.map((d) => d.id)));
    expect(diff, diff.join('\n')).toEqual([]);
    const audit = env.ctx.store.audit.list({ limit: 50 }).map((a) => `${a.action}:${a.outcome}`);
    // Purge runs only where there is a backlog left after the pause (from 3.3.4, see above).
    const purged = h.prefect.updatesKeepPastDue ? ['purge.execute:succeeded'] : [];
    expect(audit).toEqual(expect.arrayContaining(['schedules.recreate.plan:planned', 'schedules.recreate:succeeded', ...purged, 'schedules.restore:succeeded']));
  });
});

describe('every chosen deployment is in the plan or says why not', () => {
  it('recreate and pause list the ones they leave out, with the reason', async () => {
    const [bare] = await createDeployments(srv.server.info.apiUrl, [{ flow: FLOW, name: 'no-schedule', schedules: [] }]);
    const plan = await env.ctx.schedules.plan({ conn, kind: 'recreate', deployments: [`${FLOW}/cron-ny`, `${FLOW}/no-schedule`, `${FLOW}/hourly-ny`] });
    expect(plan.deployments.map((d) => d.name).sort()).toEqual([`${FLOW}/cron-ny`, `${FLOW}/hourly-ny`]);
    expect(plan.leftOut).toEqual([{ deploymentId: bare!.id, name: `${FLOW}/no-schedule`, reason: expect.stringMatching(/no schedule/) }]);
    expect(plan.confirmCount).toBe(2);
    const pause = await env.ctx.schedules.plan({ conn, kind: 'pause', deployments: [`${FLOW}/paused-one`, `${FLOW}/hourly-ny`] });
    expect(pause.deployments.map((d) => d.name)).toEqual([`${FLOW}/hourly-ny`]);
    expect(pause.leftOut.map((l) => [l.name, l.reason])).toEqual([[`${FLOW}/paused-one`, 'It is already paused.']]);
  });
});

describe('faults', () => {
  const ids = () => deps.map((d) => d.id);

  it('refuses when someone changed a deployment between plan and apply, and changes nothing', async () => {
    const plan = await env.ctx.schedules.plan({ conn, kind: 'recreate', deployments: names(), anchor: '2026-11-30T09:00:00+01:00' });
    const multi = deps.find((d) => d.name === 'multi')!;
    const a = multi.schedules.find((s) => multiKey({ slug: s.slug, schedule: s.schedule }) === 'a')!;
    // Someone edits the schedule meanwhile (and, as Prefect's CLI does, forgets the parameters);
    // before 3.2 there are no parameters to forget, so they deactivate it.
    await api.patch(`/deployments/${multi.id}/schedules/${a.id}`, slugs ? { active: true } : { active: false });
    const before = await live(api, ids());
    const e = await env.ctx.schedules.apply({ conn, planId: plan.planId, confirmCount: plan.confirmCount }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AppError);
    expect(e).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(slugs ? /multi.*parameters/ : /multi.*active/) });
    expect(differences(before, await live(api, ids()))).toEqual([]);
    await api.patch(`/deployments/${multi.id}/schedules/${a.id}`, slugs ? { active: true, parameters: { a: 1 } } : { active: true });
  });

  it('refuses on a read-only connection and when the confirmation does not match', async () => {
    const ro = { ...conn, readOnly: true };
    const plan = await env.ctx.schedules.plan({ conn: ro, kind: 'pause', deployments: names() });
    expect(plan.readOnly).toBe(true);
    await expect(env.ctx.schedules.apply({ conn: ro, planId: plan.planId, confirmCount: plan.confirmCount })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const p2 = await env.ctx.schedules.plan({ conn, kind: 'pause', deployments: names() });
    await expect(env.ctx.schedules.apply({ conn, planId: p2.planId, confirmCount: p2.confirmCount + 1 })).rejects.toMatchObject({ code: 'FORBIDDEN', message: /Confirmation mismatch/ });
  });

  it('refuses schedules it cannot predict, naming the deployment, and bad input', async () => {
    const d = deps.find((x) => x.name === 'cron-ny')!;
    // croniter (and so Prefect) accepts a year field; Housekeeper cannot predict it and says so.
    await sql(h, `UPDATE deployment_schedule SET schedule = jsonb_set(schedule, '{cron}', '"30 2 * * * 0 2030"') WHERE deployment_id = $1`, [d.id], srv.database);
    try {
      await expect(env.ctx.schedules.plan({ conn, kind: 'recreate', deployments: [`${FLOW}/cron-ny`] })).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/cron-ny.*year field/) });
    } finally {
      await sql(h, `UPDATE deployment_schedule SET schedule = jsonb_set(schedule, '{cron}', '"30 2 * * *"') WHERE deployment_id = $1`, [d.id], srv.database);
    }
    await expect(env.ctx.schedules.plan({ conn, kind: 'recreate', deployments: [`${FLOW}/no-such`] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(env.ctx.schedules.plan({ conn, kind: 'recreate', deployments: [], anchor: 'yesterday-ish' })).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('a failure half-way writes every original back', async () => {
    const before = await live(api, ids());
    const plan = await env.ctx.schedules.plan({ conn, kind: 'recreate', deployments: names() });
    const f = await applyPlan(plan, {
      concurrency: 1,
      onStep: (step, _id, i) => {
        if (step === 'written' && i === 2) throw new AppError('PREFECT_HTTP', 'injected: the server answered 500');
      },
    });
    expect(f.status).toBe('failed');
    expect(f.error?.message).toMatch(/injected.*put back as it was/);
    expect(differences(before, await live(api, ids()))).toEqual([]);
    expect(env.ctx.schedules.status(plan.planId).status).toBe('rolled-back');
  });

  it('a cancel before the purge writes every original back', async () => {
    const before = await live(api, ids());
    const plan = await env.ctx.schedules.plan({ conn, kind: 'recreate', deployments: names() });
    let jobId = '';
    const started = await env.ctx.schedules.apply({
      conn,
      planId: plan.planId,
      confirmCount: plan.confirmCount,
      options: { concurrency: 1, onStep: (step, _id, i) => void (step === 'written' && i === 1 && env.ctx.jobs.cancel(jobId)) },
    });
    jobId = started.jobId;
    const f = (await started.finished) as JobFinished;
    expect(f.status).toBe('cancelled');
    expect(differences(before, await live(api, ids()))).toEqual([]);
  });

  it('the server stopped mid-apply: what cannot be rolled back is restorable from the local store', async () => {
    const before = await live(api, ids());
    const apiOnly = apiConnection(srv.server.info.apiUrl, { name: 'it-recreate-api' });
    const plan = await env.ctx.schedules.plan({ conn: apiOnly, kind: 'recreate', deployments: names() });
    const { finished } = await env.ctx.schedules.apply({
      conn: apiOnly,
      planId: plan.planId,
      confirmCount: plan.confirmCount,
      options: {
        concurrency: 1,
        rollbackWaitMs: 2_000,
        onStep: async (step, _id, i) => {
          if (step === 'written' && i === 2) await srv.server.kill();
        },
      },
    });
    const f = (await finished) as JobFinished;
    expect(f.status).toBe('failed');
    expect(f.error?.hint).toMatch(/restore/);
    const rec = env.ctx.schedules.changes(null).find((c) => c.planId === plan.planId)!;
    expect(rec).toMatchObject({ status: 'needs-restore', restorable: true });
    await srv.server.start();
    const midway = differences(before, await live(api, ids()));
    expect(midway.length).toBeGreaterThan(0);
    const restore = await env.ctx.schedules.plan({ conn: apiOnly, kind: 'restore', deployments: [], changeId: plan.planId });
    const r = await env.ctx.schedules.apply({ conn: apiOnly, planId: restore.planId, confirmCount: restore.confirmCount, options: { verifyTimeoutMs: 0 } });
    expect(((await r.finished) as JobFinished).status).toBe('succeeded');
    expect(differences(before, await live(api, ids()))).toEqual([]);
    // A restart on the same port can wait out TIME_WAIT on older lines (prefect-server.ts).
  }, 300_000);
});
