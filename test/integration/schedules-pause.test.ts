/**
 * Pause and resume many deployments at once, through the service and the CLI, on the harness's
 * Prefect server: paused flags change and nothing else; Prefect drops only future runs, so the Late
 * backlog stays (the plan says so); every step is audited and restorable. Before Prefect 3.3.4 the
 * pause also deletes the backlog: the plan must say so and count it, and exactly that goes.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ChangeOutcome, ChangePlan } from '../../shared/domain/schedules';
import type { JobFinished } from '../../shared/domain/jobs';
import { prefectApi } from '../harness/prefect-api';
import type { SeededDeployment } from '../harness/seed-api';
import { tempContext, uniqueTag } from './support/purge-fixture';
import { apiConnection, createDeployments, runsOf, scheduleRuns } from './support/schedules-fixture';

const h = inject('harness');
const api = prefectApi(h.prefectPg.apiUrl);
const env = tempContext();
const tag = uniqueTag();
const flow = `sched-pause-${tag}`;
const root = path.resolve(__dirname, '..', '..');
const cliHome = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-sched-pause-'));
let deps: SeededDeployment[] = [];
const conn = apiConnection(h.prefectPg.apiUrl);
afterAll(async () => {
  await env.dispose();
  fs.rmSync(cliHome, { recursive: true, force: true });
});

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'main', 'cli', 'index.ts'), ...args], { env: { ...process.env, HOUSEKEEPER_HOME: cliHome }, encoding: 'utf8', timeout: 120_000, cwd: root });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const paused = async () => Object.fromEntries(await Promise.all(deps.map(async (d) => [d.name, (await api.get<{ paused: boolean }>(`/deployments/${d.id}`)).paused] as const)));
const count = async (d: SeededDeployment, when: 'before_' | 'after_') => (await runsOf(api, d.id, { state: { type: { any_: ['SCHEDULED'] } }, next_scheduled_start_time: { [when]: new Date().toISOString() } })).length;

beforeAll(async () => {
  deps = await createDeployments(
    h.prefectPg.apiUrl,
    Array.from({ length: 6 }, (_, i) => ({
      flow,
      name: `dep-${i}`,
      paused: i === 5,
      schedules: [{ schedule: { kind: 'interval' as const, interval: 300 + 60 * i, anchorDate: '2026-01-01T00:00:00Z', timezone: 'UTC' }, parameters: { i } }],
    })),
  );
  const now = Date.now();
  for (const d of deps.slice(0, 5)) {
    await scheduleRuns(api, d.id, { start_time: new Date(now - 7_200_000).toISOString(), end_time: new Date(now - 60_000).toISOString() });
    await scheduleRuns(api, d.id);
  }
});

describe('pause and resume many', () => {
  let pausePlan: ChangePlan;

  it('plans: only deployments that change, future runs counted, the backlog kept', async () => {
    pausePlan = await env.ctx.schedules.plan({ conn, kind: 'pause', deployments: deps.map((d) => `${flow}/${d.name}`) });
    expect(pausePlan.deployments.map((d) => d.name.split('/')[1]).sort()).toEqual(['dep-0', 'dep-1', 'dep-2', 'dep-3', 'dep-4']);
    expect(pausePlan.confirmCount).toBe(5);
    expect(pausePlan.totals.schedules).toBe(0);
    for (const d of pausePlan.deployments) {
      const dep = deps.find((x) => x.id === d.deploymentId)!;
      expect(d.futureRunsGoing, d.name).toBe(await count(dep, 'after_'));
      expect(d.pastDueGoing, d.name).toBe(h.prefect.updatesKeepPastDue ? 0 : await count(dep, 'before_'));
    }
    if (h.prefect.updatesKeepPastDue) expect(pausePlan.notes.join(' ')).toMatch(/keeps the past-due/);
    else {
      expect(pausePlan.notes.join(' ')).toMatch(/also deletes the past-due/);
      expect(pausePlan.degraded?.map((d) => d.feature)).toContain('schedules.update-deletes-backlog');
      expect(pausePlan.totals.pastDueGoing).toBeGreaterThan(0);
    }
    // The one already paused is listed as left out, with the reason (issue #13: a plan never drops a choice silently).
    expect(pausePlan.leftOut.map((l) => `${l.name.split('/')[1]}: ${l.reason}`)).toEqual(['dep-5: It is already paused.']);
  });

  it('pauses them all as one job; only future runs go', async () => {
    const backlog = await Promise.all(deps.slice(0, 5).map((d) => count(d, 'before_')));
    const { finished } = await env.ctx.schedules.apply({ conn, planId: pausePlan.planId, confirmCount: 5 });
    const f = (await finished) as JobFinished;
    expect(f.status, JSON.stringify(f.error)).toBe('succeeded');
    expect((f.result as ChangeOutcome).deployments.every((d) => d.status === 'changed')).toBe(true);
    expect(Object.values(await paused())).toEqual([true, true, true, true, true, true]);
    for (const [i, d] of deps.slice(0, 5).entries()) {
      expect(await count(d, 'after_')).toBe(0);
      // What the plan said: kept, or (before 3.3.4) gone with the pause.
      expect(await count(d, 'before_')).toBe(h.prefect.updatesKeepPastDue ? backlog[i] : 0);
    }
  });

  it('restoring the pause change resumes them (and leaves the one that was paused before)', async () => {
    const restore = await env.ctx.schedules.plan({ conn, kind: 'restore', deployments: [], changeId: pausePlan.planId });
    expect(restore.deployments).toHaveLength(5);
    const { finished } = await env.ctx.schedules.apply({ conn, planId: restore.planId, confirmCount: restore.confirmCount });
    expect(((await finished) as JobFinished).status).toBe('succeeded');
    expect(await paused()).toMatchObject({ 'dep-0': false, 'dep-4': false, 'dep-5': true });
    const audit = env.ctx.store.audit.list({ limit: 20 }).map((a) => `${a.action}:${a.outcome}`);
    expect(audit).toEqual(expect.arrayContaining(['schedules.pause.plan:planned', 'schedules.pause:succeeded', 'schedules.restore:succeeded']));
  });
});

describe('housekeeper schedules pause|resume|recreate (CLI)', () => {
  const flags = () => ['--api', h.prefectPg.apiUrl, ...deps.slice(0, 3).flatMap((d) => ['--deployment', `${flow}/${d.name}`])];

  it('--dry-run shows the plan and changes nothing', async () => {
    const r = cli(['schedules', 'recreate', ...flags(), '--anchor', '2026-11-30T09:00:00+01:00', '--dry-run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { value: { plan: ChangePlan; applied: boolean } };
    expect(doc.value.applied).toBe(false);
    expect(doc.value.plan.anchor).toBe('2026-11-30T08:00:00Z');
    expect(doc.value.plan.deployments.flatMap((d) => d.schedules.map((s) => s.changes))).toEqual([['anchor_date'], ['anchor_date'], ['anchor_date']]);
    expect(await paused()).toMatchObject({ 'dep-0': false });
  });

  it('without a terminal and without --yes it refuses (exit 3)', () => {
    const r = cli(['schedules', 'pause', ...flags()]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Not confirmed/);
  });

  it('pause --yes, then resume --yes', async () => {
    const p = cli(['schedules', 'pause', ...flags(), '--yes', '--json']);
    expect(p.code, p.stderr).toBe(0);
    expect((JSON.parse(p.stdout) as { value: { outcome: ChangeOutcome } }).value.outcome.status).toBe('applied');
    expect(await paused()).toMatchObject({ 'dep-0': true, 'dep-1': true, 'dep-2': true, 'dep-3': false });
    const r = cli(['schedules', 'resume', ...flags(), '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Resumed 3 deployments/);
    expect(await paused()).toMatchObject({ 'dep-0': false, 'dep-1': false, 'dep-2': false });
    const c = cli(['schedules', 'changes', '--api', h.prefectPg.apiUrl]);
    expect(c.code).toBe(0);
  });

  it('refuses on a read-only connection (exit 3) and rejects --anchor for pause', () => {
    expect(cli(['schedules', 'pause', ...flags(), '--read-only', '--yes']).code).toBe(3);
    expect(cli(['schedules', 'pause', ...flags(), '--anchor', 'now', '--yes']).code).toBe(2);
  });
});
