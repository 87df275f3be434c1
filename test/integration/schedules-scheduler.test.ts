/**
 * The simulator against the real Prefect scheduler. A Prefect server of its own runs the scheduler
 * service with a 2-second loop and non-default settings; deployments with interval, cron and rrule
 * schedules (several on one deployment, one inactive, one paused deployment) are switched on at
 * once, and the scheduler is watched for about 20 passes (3 one-minute passes on the lines whose loop
 * ignores the setting, see PASSES). Then every pass is replayed: for each
 * logged pass ("Scheduled N runs."), the simulator, given the runs that existed before it, must
 * predict exactly the runs that pass inserted, schedule by schedule (and nothing for the passes that
 * inserted nothing). The first pass must give each schedule exactly the count the simulator keeps.
 *
 * The pass's own clock is read a few milliseconds before its rows get their `created` time, so each
 * pass is replayed at every instant between the previous pass's log line and its own rows (20 ms
 * steps plus the exact instants where an occurrence enters or leaves a window); one must match.
 *
 * On every 3.x line (test:compat, and the oldest line in `npm test`): the simulator is given the
 * scheduler model of the harness's release (per-deployment selection before 3.6.19, runs keyed by
 * deployment and time before 3.2.2), and runs that do not name their schedule (before 3.2) are
 * matched to the deployment's active schedule whose times they fall on (this scenario's schedules
 * never share an instant).
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { datesBetween, toSchedule } from '../../shared/schedules/occurrences';
import { fromAdminSettings, type SchedulerSettings } from '../../shared/schedules/settings';
import { simulate, type SchedulerModel, type SimInputSchedule } from '../../shared/schedules/simulate';
import { prefectApi } from '../harness/prefect-api';
import type { DeploymentSpec, SeededDeployment } from '../harness/seed-api';
import { createDeployments, sql } from './support/schedules-fixture';
import { startSchedulerServer, type SchedulerServer } from './support/scheduler-server';

const h = inject('harness');
const servers: SchedulerServer[] = [];
/** The harness's release, as the simulator is told it by Housekeeper's capabilities. */
const MODEL: SchedulerModel = { perScheduleSelection: h.prefect.perScheduleSelection, keyedBySchedule: h.prefect.runsAttributed };
afterAll(async () => {
  await Promise.allSettled(servers.map((s) => s.stop()));
});

interface Row {
  sid: string;
  t: Date;
  created: Date;
}

/**
 * How long the real scheduler is watched, in passes of its main loop. 3.1.13 to 3.6.6 run that loop
 * every 60 s whatever LOOP_SECONDS says (services/scheduler.py: `loop_seconds: float` without a value,
 * so LoopService's 60 wins over the setting): 20 passes would take 20 minutes there, so those lines
 * watch 3 (the first fill and two top-ups). Either way the replay checks every pass it saw.
 */
const LOOP_MS = h.prefect.schedulerLoopHonoured ? 2_000 : 60_000;
const PASSES = h.prefect.schedulerLoopHonoured ? 20 : 3;
const WATCH_MS = PASSES * LOOP_MS;

function specs(now: number): DeploymentSpec[] {
  const phase = new Date(Math.floor(now / 1000) * 1000 + 3300).toISOString();
  const day = new Date(now).toISOString().slice(0, 10).replace(/-/g, '');
  return [
    { flow: 'sim', name: 'every-10s', paused: true, schedules: [{ schedule: { kind: 'interval', interval: 10, anchorDate: phase, timezone: 'UTC' } }] },
    { flow: 'sim', name: 'every-45s', paused: true, schedules: [{ schedule: { kind: 'interval', interval: 45, anchorDate: phase, timezone: 'Europe/Berlin' } }] },
    { flow: 'sim', name: 'every-7m', paused: true, schedules: [{ schedule: { kind: 'interval', interval: 420, anchorDate: phase, timezone: 'UTC' } }] },
    { flow: 'sim', name: 'every-20m', paused: true, schedules: [{ schedule: { kind: 'interval', interval: 1200, anchorDate: phase, timezone: 'UTC' } }] },
    { flow: 'sim', name: 'cron-1m', paused: true, schedules: [{ schedule: { kind: 'cron', cron: '* * * * *', timezone: 'America/New_York' } }] },
    { flow: 'sim', name: 'rrule-3m', paused: true, schedules: [{ schedule: { kind: 'rrule', rrule: `DTSTART:${day}T000020\nRRULE:FREQ=MINUTELY;INTERVAL=3`, timezone: 'Europe/Berlin' } }] },
    {
      flow: 'sim',
      name: 'multi',
      paused: true,
      schedules: [
        { schedule: { kind: 'cron', cron: '*/5 * * * *', timezone: 'UTC' }, slug: 'five' },
        { schedule: { kind: 'interval', interval: 30, anchorDate: phase, timezone: 'UTC' }, slug: 'thirty' },
        { schedule: { kind: 'interval', interval: 15, anchorDate: phase, timezone: 'UTC' }, slug: 'off', active: false },
      ],
    },
    { flow: 'sim', name: 'stays-paused', paused: true, schedules: [{ schedule: { kind: 'interval', interval: 10, anchorDate: phase, timezone: 'UTC' } }] },
  ];
}

interface Scenario {
  settings: SchedulerSettings;
  deployments: SeededDeployment[];
  rows: Row[];
  passes: Array<{ at: number; inserted: number }>;
  switchedOn: number;
}

async function watch(settingsEnv: Record<string, string>, name: string): Promise<Scenario> {
  const s = await startSchedulerServer(h, { PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS: '2', ...settingsEnv }, name);
  servers.push(s);
  const api = prefectApi(s.server.info.apiUrl);
  const adminSettings = await api.get<{ server?: { services?: { scheduler?: Record<string, unknown> } } }>('/admin/settings');
  const settings = fromAdminSettings(adminSettings).settings;
  const deployments = await createDeployments(s.server.info.apiUrl, specs(Date.now()));
  const created = Date.now();
  // Before Prefect 3.4 the recent-deployments loop cannot be slowed down (5 s, hard-coded): let the
  // new deployments age out of its window, so only the main loop (the one simulated) inserts.
  if (!('recent_deployments_loop_seconds' in (adminSettings.server?.services?.scheduler ?? {}))) {
    await new Promise((r) => setTimeout(r, Math.max(0, created + 7_000 - Date.now())));
  }
  const on = deployments.filter((d) => d.name !== 'stays-paused').map((d) => d.id);
  // One statement, so every deployment becomes visible to the same pass.
  const [flip] = await sql<{ at: Date }>(h, 'UPDATE deployment SET paused = false WHERE id = ANY($1::uuid[]) RETURNING clock_timestamp() AS at', [on], s.database);
  const switchedOn = flip!.at.getTime();
  // Watch the real scheduler (its own loop is the clock here; its first pass can come a whole loop late).
  await waitFor(async () => (await s.passes()).filter((p) => p.at > switchedOn).length >= PASSES, WATCH_MS + LOOP_MS + 30_000);
  await s.server.kill();
  const raw = await sql<Row & { did: string }>(
    h,
    `SELECT created_by->>'id' AS sid, deployment_id::text AS did, next_scheduled_start_time AS t, created FROM flow_run WHERE deployment_id = ANY($1::uuid[]) AND auto_scheduled`,
    [deployments.map((d) => d.id)],
    s.database,
  );
  const rows = raw.map(({ did, ...r }) => (r.sid ? r : { ...r, sid: scheduleByTime(deployments.find((d) => d.id === did)!, r.t.getTime()) }));
  return { settings, deployments, rows, passes: await s.passes(), switchedOn };
}

/** Before 3.2 a run does not name its schedule: the deployment's active schedule whose times it is on. */
function scheduleByTime(d: SeededDeployment, t: number): string {
  const hit = d.schedules.filter((s) => s.active).find((s) => datesBetween(toSchedule(s.schedule), t - 0.5, t + 0.5, 2).some((x) => Math.abs(x - t) < 0.01));
  if (!hit) throw new Error(`${d.name}: a run at ${new Date(t).toISOString()} is on none of its schedules`);
  return hit.id;
}

async function waitFor(ok: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error('the scheduler did not run as many passes as expected');
    await new Promise((r) => setTimeout(r, 250));
  }
}

function inputs(sc: Scenario, heldBefore: (sid: string) => number[]): SimInputSchedule[] {
  return sc.deployments.flatMap((d) =>
    d.schedules.map((s) => ({
      key: s.id,
      deploymentId: d.id,
      active: s.active,
      paused: d.name === 'stays-paused',
      schedule: toSchedule(s.schedule),
      held: heldBefore(s.id),
    })),
  );
}

const key = (m: Map<string, number[]>) =>
  JSON.stringify(
    [...m.entries()]
      .filter(([, v]) => v.length)
      .map(([k, v]) => [k, [...v].sort((a, b) => a - b)])
      .sort(([a], [b]) => String(a).localeCompare(String(b))),
  );

/** Replays every logged pass; returns the passes no instant of their window could explain. */
function replay(sc: Scenario, opts: { stopAtMismatch?: boolean } = {}): { checked: number; inserting: number; mismatches: string[]; firstPass: { at: number; counts: Map<string, number> } | null } {
  const passes = sc.passes.filter((p) => p.at > sc.switchedOn);
  const mismatches: string[] = [];
  let firstPass: { at: number; counts: Map<string, number> } | null = null;
  let inserting = 0;
  let prev = sc.switchedOn;
  for (const p of passes) {
    const mine = sc.rows.filter((r) => r.created.getTime() > prev && r.created.getTime() <= p.at);
    const observed = new Map<string, number[]>();
    for (const r of mine) observed.set(r.sid, [...(observed.get(r.sid) ?? []), r.t.getTime()]);
    expect(mine.length, `pass at ${new Date(p.at).toISOString()}: "Scheduled N runs." counts our rows`).toBe(p.inserted);
    const before = sc.rows.filter((r) => r.created.getTime() <= prev);
    const upTo = mine.length ? Math.min(...mine.map((r) => r.created.getTime())) : p.at;
    const candidates = new Set<number>();
    for (let t = prev + 1; t <= upTo; t += 20) candidates.add(t);
    candidates.add(upTo);
    // Instants where a prediction can change: an occurrence entering [t, t+min) or [t, t+max].
    for (const r of sc.rows) {
      for (const edge of [r.t.getTime(), r.t.getTime() - sc.settings.minScheduledTime * 1000, r.t.getTime() - sc.settings.maxScheduledTime * 1000]) {
        if (edge > prev && edge <= upTo) [edge - 0.5, edge, edge + 0.5].forEach((x) => candidates.add(x));
      }
    }
    const want = key(observed);
    let matched: number | null = null;
    for (const t of [...candidates].sort((a, b) => a - b)) {
      const held = (sid: string) => before.filter((r) => r.sid === sid && r.t.getTime() >= t).map((r) => r.t.getTime());
      const got = simulate(inputs(sc, held), sc.settings, [t], MODEL).passes[0]!.inserted;
      if (key(got) === want) {
        matched = t;
        break;
      }
    }
    if (matched === null) mismatches.push(`pass at ${new Date(p.at).toISOString()} inserted ${mine.length} runs (${[...observed.entries()].map(([k, v]) => `${k.slice(0, 8)}:${v.length}`).join(' ')}) and no instant of its window predicts that`);
    if (mine.length && !firstPass && matched !== null) firstPass = { at: matched, counts: new Map([...observed.entries()].map(([k, v]) => [k, v.length])) };
    if (mine.length) inserting++;
    prev = p.at;
    if (opts.stopAtMismatch && mismatches.length) break;
  }
  return { checked: passes.length, inserting, mismatches, firstPass };
}

describe('the simulator predicts the real scheduler', () => {
  for (const [name, settingsEnv] of [
    ['min_runs 4, max_runs 12, 2 min..30 min', { PREFECT_SERVER_SERVICES_SCHEDULER_MIN_RUNS: '4', PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS: '12', PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME: 'PT2M', PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME: 'PT30M' }],
    ['min_runs 2, max_runs 40, 5 min..1 h', { PREFECT_SERVER_SERVICES_SCHEDULER_MIN_RUNS: '2', PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS: '40', PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME: 'PT5M', PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME: 'PT1H' }],
  ] as const) {
    it(`pass by pass, with ${name}`, async () => {
      const sc = await watch(settingsEnv, name.replace(/\W+/g, '-').slice(0, 20));
      const r = replay(sc);
      expect(r.checked).toBeGreaterThanOrEqual(PASSES);
      expect(r.inserting).toBeGreaterThan(1);
      expect(r.mismatches).toEqual([]);

      // The first pass gives each active schedule exactly the count the simulator keeps (run counts
      // per schedule), and nothing to inactive schedules or paused deployments.
      const first = r.firstPass!;
      // Schedules have no slugs before 3.2: the inactive one of `multi` is labelled by its flag.
      const ids = new Map(sc.deployments.flatMap((d) => d.schedules.map((s, i) => [s.id, `${d.name}${d.schedules.length > 1 ? `/${s.slug ?? (s.active ? i : 'off')}` : ''}`] as const)));
      const predicted = simulate(inputs(sc, () => []), sc.settings, [first.at], MODEL).schedules;
      const table = predicted.map((p) => ({ schedule: ids.get(p.key)!, real: first.counts.get(p.key) ?? 0, predicted: p.kept }));
      process.stderr.write(`[${name}] ${r.checked} passes replayed (${r.inserting} of them inserted runs); first pass: ${table.map((x) => `${x.schedule}=${x.real}/${x.predicted}`).join(' ')}\n`);
      for (const x of table) expect(x.real, `${x.schedule}: runs after the first pass vs the simulator's count`).toBe(x.predicted);
      expect(table.find((x) => x.schedule === 'multi/off')!.real).toBe(0);
      expect(table.find((x) => x.schedule === 'stays-paused')!.real).toBe(0);

      // A control: with a setting off by a little, the same replay must fail somewhere.
      // (Stopping at its first mismatch: trying every instant of every pass is the slow part.)
      const off = replay({ ...sc, settings: { ...sc.settings, minRuns: sc.settings.minRuns + 1, minScheduledTime: sc.settings.minScheduledTime + 90 } }, { stopAtMismatch: true });
      expect(off.mismatches.length).toBeGreaterThan(0);
    }, 300_000 + WATCH_MS);
  }
});

