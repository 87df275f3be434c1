/**
 * `schedules.list` against the harness's real Prefect server: the schedules as Prefect stored them,
 * the next runs computed locally beside the runs Prefect's own generator created, the run counts the
 * scheduler would keep, and every flag on a deployment built to raise it.
 *
 * On every 3.x line (test:compat): before 3.2 schedules have no slug or parameters and runs do not
 * say which schedule made them (held runs are matched by time, runs left behind cannot be told);
 * before 3.3.4 pausing or re-deploying deletes the past-due runs too. The expectations follow the
 * harness's own facts about its release (test/harness/server-facts.ts), not Housekeeper's probe.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DeploymentRow, ScheduleList } from '../../shared/domain/schedules';
import { formatInstant } from '../../shared/schedules/instant';
import { prefectApi } from '../harness/prefect-api';
import { compareRelease } from '../harness/prefect-releases';
import type { SeededDeployment } from '../harness/seed-api';
import { tempContext, uniqueTag } from './support/purge-fixture';
import { apiConnection, createDeployments, quietMinute, runsOf, scheduleRuns, sql } from './support/schedules-fixture';

const h = inject('harness');
const slugs = h.prefect.scheduleFields.includes('slug');
const keepsBacklog = h.prefect.updatesKeepPastDue;
/** Before 3.2 there are no slugs: the test's slugged schedules are told apart by kind. */
const KIND_OF_SLUG: Record<string, string> = { ten: 'interval', hourly: 'cron', burst: 'interval' };
const api = prefectApi(h.prefectPg.apiUrl);
const env = tempContext();
const tag = uniqueTag();
const flow = `sched-list-${tag}`;
const root = path.resolve(__dirname, '..', '..');
const cliHome = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-sched-cli-'));
afterAll(async () => {
  await env.dispose();
  fs.rmSync(cliHome, { recursive: true, force: true });
});

const m = quietMinute();
const now = Date.now();
const anchor = new Date(Math.floor(now / 60_000) * 60_000 + 5 * 60_000).toISOString();
const today = new Date(now).toISOString().slice(0, 10).replace(/-/g, '');
let deps: Record<string, SeededDeployment> = {};
let list: ScheduleList;
let runsMadeAt = 0;
let listedAt = 0;
let orphanedBefore = 0;
const pastCreated: Record<string, number> = {};

function row(name: string): DeploymentRow {
  const d = list.deployments.find((x) => x.name === name);
  if (!d) throw new Error(`no row for ${name}`);
  return d;
}

function sched(name: string, slug: string | null): DeploymentRow['schedules'][number] {
  const r = row(name);
  const s = slug === null ? r.schedules[0] : slugs ? r.schedules.find((x) => x.slug === slug) : r.schedules.find((x) => x.kind === KIND_OF_SLUG[slug]);
  if (!s) throw new Error(`no schedule ${slug} on ${name}`);
  return s;
}

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'main', 'cli', 'index.ts'), ...args], {
    env: { ...process.env, HOUSEKEEPER_HOME: cliHome },
    encoding: 'utf8',
    timeout: 120_000,
    cwd: root,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  const conn = apiConnection(h.prefectPg.apiUrl);
  orphanedBefore = (await env.ctx.schedules.list({ conn, deployments: [] })).totals.orphaned;
  const seeded = await createDeployments(h.prefectPg.apiUrl, [
    { flow, name: 'interval-ny', schedules: [{ schedule: { kind: 'interval', interval: 600, anchorDate: anchor, timezone: 'America/New_York' }, slug: 'ten', parameters: { x: 1 } }] },
    {
      flow,
      name: 'multi',
      parameters: { base: true },
      schedules: [
        { schedule: { kind: 'cron', cron: `${m} * * * *`, timezone: 'Europe/Berlin' }, slug: 'hourly', parameters: { full: true } },
        { schedule: { kind: 'interval', interval: 30, anchorDate: anchor, timezone: 'UTC' }, slug: 'burst', active: false },
      ],
    },
    { flow, name: 'rrule-dtstart', schedules: [{ schedule: { kind: 'rrule', rrule: `DTSTART:${today}T000000\nRRULE:FREQ=HOURLY;BYMINUTE=${m}`, timezone: 'Europe/Berlin' } }] },
    { flow, name: 'rrule-legacy', schedules: [{ schedule: { kind: 'rrule', rrule: 'FREQ=MINUTELY;INTERVAL=30', timezone: 'UTC' } }] },
    { flow, name: 'fast', schedules: [{ schedule: { kind: 'interval', interval: 30, anchorDate: anchor, timezone: 'UTC' } }] },
    { flow, name: 'paused-backlog', schedules: [{ schedule: { kind: 'interval', interval: 300, anchorDate: anchor, timezone: 'UTC' } }] },
    { flow, name: 'left-behind', schedules: [{ schedule: { kind: 'interval', interval: 300, anchorDate: anchor, timezone: 'UTC' } }] },
    { flow, name: 'over-kept', schedules: [{ schedule: { kind: 'cron', cron: `${m} * * * *`, timezone: 'UTC' } }] },
    { flow, name: 'doomed', schedules: [{ schedule: { kind: 'interval', interval: 300, anchorDate: anchor, timezone: 'UTC' } }] },
  ]);
  deps = Object.fromEntries(seeded.map((d) => [d.name, d]));

  // Runs from Prefect's own generator, as the scheduler would make them.
  runsMadeAt = Date.now();
  for (const name of ['interval-ny', 'multi', 'rrule-dtstart', 'fast']) await scheduleRuns(api, deps[name]!.id);
  await scheduleRuns(api, deps['over-kept']!.id, { min_runs: 10 });
  // A past-due backlog (Prefect's documented way to create past runs: a backfill window).
  const past = { start_time: new Date(now - 3_600_000).toISOString(), end_time: new Date(now - 120_000).toISOString() };
  for (const name of ['paused-backlog', 'left-behind', 'doomed']) {
    await scheduleRuns(api, deps[name]!.id, past);
    pastCreated[name] = (await runsOf(api, deps[name]!.id)).length;
  }
  // Paused with PATCH: Prefect drops future runs only, the backlog stays.
  await api.patch(`/deployments/${deps['paused-backlog']!.id}`, { paused: true });
  // Re-deploying (upsert on flow+name) recreates the schedules with new ids: the old runs stay behind.
  await api.post('/deployments/', { flow_id: deps['left-behind']!.flowId, name: 'left-behind', schedules: [{ schedule: { interval: 300, anchor_date: anchor, timezone: 'UTC' }, active: true }] });
  // A damaged server: a stored rrule without DTSTART (rows from before Prefect 3.6.26) and runs whose deployment is gone.
  await sql(h, `UPDATE deployment_schedule SET schedule = jsonb_set(schedule, '{rrule}', to_jsonb('FREQ=MINUTELY;INTERVAL=30'::text)) WHERE deployment_id = $1`, [deps['rrule-legacy']!.id]);
  await sql(h, `UPDATE flow_run SET deployment_id = gen_random_uuid() WHERE deployment_id = $1`, [deps.doomed!.id]);

  list = await env.ctx.schedules.list({ conn, deployments: seeded.map((d) => `${flow}/${d.name}`) });
  listedAt = Date.now();
});

describe('schedules.list', () => {
  it('shows every schedule as Prefect stored it: kind, zone, anchor or DTSTART, slug, parameters, active', () => {
    const ny = row('interval-ny').schedules[0]!;
    expect(ny).toMatchObject({ kind: 'interval', timezone: 'America/New_York', slug: slugs ? 'ten' : null, parameters: slugs ? { x: 1 } : {}, active: true, description: 'every 10 minutes' });
    expect(ny.anchor).toBe(formatInstant(Date.parse(anchor), 'America/New_York'));
    const multi = row('multi');
    expect(multi.schedules.map((s) => [s.slug, s.kind, s.active])).toEqual(
      expect.arrayContaining([
        [slugs ? 'hourly' : null, 'cron', true],
        [slugs ? 'burst' : null, 'interval', false],
      ]),
    );
    expect(sched('multi', 'hourly')).toMatchObject({ timezone: 'Europe/Berlin', parameters: slugs ? { full: true } : {}, description: `every hour at :${String(m).padStart(2, '0')}` });
    if (!slugs) expect(list.degraded?.map((d) => d.feature)).toContain('schedules.slug-parameters');
    expect(row('rrule-dtstart').schedules[0]!.anchor).toBe(`${today.slice(0, 4)}-${today.slice(4, 6)}-${today.slice(6)} 00:00:00`);
  });

  it('computes the same next runs locally as the runs Prefect created, and the count the scheduler keeps', () => {
    for (const [name, slug] of [['interval-ny', 'ten'], ['multi', 'hourly'], ['rrule-dtstart', null], ['fast', null]] as const) {
      const s = sched(name, slug);
      // The runs were made once, before the rest of the setup: on a slow machine the first of the
      // 30-second schedule's runs can be due before the list reads them (the scheduler tops up only
      // on its next loop, 60 s on 3.1-3.6). At most one run per 30 s of setup can have gone.
      const gone = Math.ceil((listedAt - runsMadeAt) / 30_000);
      expect(s.held.future, `${name}: runs held = runs the scheduler keeps`).toBeLessThanOrEqual(s.kept!);
      expect(s.held.future, `${name}: runs held = runs the scheduler keeps, less those due since (${gone} at most)`).toBeGreaterThanOrEqual(s.kept! - gone);
      expect(s.held.offLattice, name).toBe(0);
      expect(s.held.next, `${name}: server's runs = local prediction`).toEqual(s.nextRuns.slice(0, s.held.next.length));
      expect(s.held.next.length).toBe(Math.min(5, s.kept ?? 0));
    }
    expect(row('fast').schedules[0]!.kept).toBe(100);
    expect(row('interval-ny').schedules[0]!.kept).toBe(7);
    expect(sched('multi', 'burst').held.future).toBe(0);
    // Before 3.2 runs do not name their schedule: they were matched to schedules by their times.
    if (!h.prefect.runsAttributed) expect(list.degraded?.map((d) => d.feature)).toContain('schedules.run-attribution');
  });

  it('reports load per schedule and in total', () => {
    expect(row('fast').runsPerHour).toBe(120);
    expect(row('interval-ny').runsPerHour).toBe(6);
    expect(row('multi').runsPerHour).toBeCloseTo(1, 5);
    expect(row('paused-backlog').runsPerHour).toBe(0);
    expect(list.totals.runsPerHour).toBeCloseTo(list.deployments.reduce((n, d) => n + d.runsPerHour, 0), 6);
  });

  it('raises the flags each deployment was built for', () => {
    const codes = (d: DeploymentRow) => [...d.flags, ...d.schedules.flatMap((s) => s.flags)].map((f) => f.code);
    expect(codes(row('fast'))).toContain('sub-minute');
    expect(codes(row('multi'))).toEqual(expect.arrayContaining(['multi-schedule', 'inactive', 'sub-minute']));
    expect(codes(row('rrule-legacy'))).toEqual(expect.arrayContaining(['rrule-no-dtstart', 'dtstart-far-past']));
    // Before 3.6.26 the server itself keeps rules without DTSTART (the flag says so).
    const noDt = row('rrule-legacy').schedules[0]!.flags.find((f) => f.code === 'rrule-no-dtstart')!;
    expect(noDt.message.includes('keeps rules as they are written')).toBe(compareRelease(h.prefect.version, '3.6.26') < 0);
    expect(codes(row('over-kept'))).toContain('over-kept');
    expect(row('over-kept').schedules[0]!.held.future).toBe(10);
    const paused = row('paused-backlog');
    expect(paused.paused).toBe(true);
    // Before 3.3.4 the pause (and the re-deploy below) deleted the past-due runs as well.
    expect(paused.pastDue).toBe(keepsBacklog ? pastCreated['paused-backlog'] : 0);
    if (keepsBacklog) expect(codes(paused)).toContain('paused-backlog');
    const left = row('left-behind');
    expect(left.leftBehind).toBe(keepsBacklog ? pastCreated['left-behind'] : 0);
    if (keepsBacklog) expect(codes(left)).toEqual(expect.arrayContaining(['left-behind', 'late-backlog']));
    expect(list.totals.orphaned - orphanedBefore).toBe(pastCreated.doomed);
    expect(list.flags.map((f) => f.code)).toContain('orphaned-runs');
    expect(codes(row('interval-ny'))).toEqual([]);
  });

  it('reads the live scheduler settings', () => {
    expect(list.settings.source).toBe('live server');
    expect(list.settings.settings).toMatchObject({ minRuns: 3, maxRuns: 100, minScheduledTime: 3600, maxScheduledTime: 8_640_000, enabled: false });
  });

  it('refuses unknown deployments with a suggestion', async () => {
    await expect(env.ctx.schedules.list({ conn: apiConnection(h.prefectPg.apiUrl), deployments: [`${flow}/interval-nyc`] })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('interval-ny') });
  });
});

describe('housekeeper schedules list (CLI)', () => {
  it('prints the same list as JSON, and a table for people', () => {
    const r = cli(['schedules', 'list', '--api', h.prefectPg.apiUrl, '--deployment', `${flow}/interval-ny`, '--deployment', `${flow}/fast`, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { ok: true; value: ScheduleList };
    expect(doc.value.deployments.map((d) => d.name).sort()).toEqual(['fast', 'interval-ny']);
    expect(doc.value.deployments.find((d) => d.name === 'fast')!.schedules[0]!.kept).toBe(100);
    const t = cli(['schedules', 'list', '--api', h.prefectPg.apiUrl, '--deployment', `${flow}/multi`]);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(slugs ? /hourly: every hour at/ : /every hour at/);
    expect(t.stdout).toMatch(slugs ? /burst: every 30 seconds \(inactive\)/ : /every 30 seconds \(inactive\)/);
    // An older line says what it cannot do, in the same output.
    if (!slugs) expect(t.stdout).toMatch(/no schedule slugs or per-schedule parameters/);
  });

  it('exits 2 with a did-you-mean for an unknown deployment', () => {
    const r = cli(['schedules', 'list', '--api', h.prefectPg.apiUrl, '--deployment', `${flow}/fastt`, '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(r.stderr).toMatch(/fast/);
  });
});
