/**
 * The Schedules screen at real size, measured not asserted (issue #13, item 10): a real Prefect
 * server on the harness's PostgreSQL, seeded through the harness's seeders with 1,000 deployments
 * and 3,000 schedules (API: deployments and schedules as `prefect deploy` makes them; SQL: a Late
 * backlog and future runs), Housekeeper's real web mode (`housekeeper serve`), Chromium.
 *
 * Printed side by side with the targets:
 *   - time to first paint of the list: from the moment the schedules.list answer has arrived to the
 *     frame that shows the rows (target < 300 ms); the server-side read is printed beside it;
 *   - time to filter: from typing into the search box (or choosing a filter) to the next painted
 *     frame, median and worst of several (target < 50 ms);
 *   - frames while scrolling the whole list: main-thread tasks from a Chromium trace (target: none
 *     over 16 ms) and the gaps between animation frames.
 *
 *   npm run bench:ui       (BENCH_DEPLOYMENTS=1000, BENCH_SCHEDULES_EACH=3; builds first)
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { restorePgTemplate } from '../harness/db-template';
import { startPostgres } from '../harness/postgres';
import { prefectApi } from '../harness/prefect-api';
import { startPrefectServer } from '../harness/prefect-server';
import { seedDeployments, type DeploymentSpec, type ScheduleSpec } from '../harness/seed-api';
import { planSeed, targetsFromDeployments } from '../harness/seed-plan';
import { seedRunsPg } from '../harness/seed-sql';
import { ensurePrefectVenv } from '../harness/venv';
import { rpc } from '../e2e/support/rpc';
import { startServe, type ServeHandle } from '../e2e/support/serve';

const N = Number(process.env.BENCH_DEPLOYMENTS ?? 1000);
const EACH = Number(process.env.BENCH_SCHEDULES_EACH ?? 3);
const FLOWS = ['etl', 'ingest', 'reports', 'ml', 'billing', 'sync', 'notify', 'dbt', 'export', 'audit'];
const ZONES = ['UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Tokyo'];

function specs(): DeploymentSpec[] {
  return Array.from({ length: N }, (_, i) => {
    const flow = FLOWS[i % FLOWS.length]!;
    const kinds: ScheduleSpec[] = [
      { kind: 'interval', interval: [60, 120, 300, 600][i % 4]!, anchorDate: '2026-01-01T00:00:00Z', timezone: ZONES[i % ZONES.length]! },
      { kind: 'cron', cron: `${i % 60} * * * *`, timezone: ZONES[(i + 1) % ZONES.length]! },
      { kind: 'rrule', rrule: 'FREQ=DAILY;BYHOUR=3;BYMINUTE=0', timezone: 'UTC' },
    ];
    return {
      flow,
      name: `${flow}-dep-${String(i).padStart(4, '0')}`,
      paused: i % 53 === 52,
      parameters: { shard: i },
      schedules: Array.from({ length: EACH }, (_, k) => ({ schedule: kinds[k % kinds.length]!, slug: `s${k}`, active: !(k === 2 && i % 7 === 0) })),
    };
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const ms = (x: number) => `${x.toFixed(0)} ms`;

/** Types (or picks) and waits for the frame after React has rendered: input -> painted. */
async function timeInput(page: Page, selector: string, value: string): Promise<number> {
  return page.evaluate(
    `(async () => {
      const el = document.querySelector(${JSON.stringify(selector)});
      const proto = el.tagName === 'SELECT' ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
      const setter = Object.getOwnPropertyDescriptor(proto, 'value').set;
      const t0 = performance.now();
      setter.call(el, ${JSON.stringify(value)});
      el.dispatchEvent(new Event(el.tagName === 'SELECT' ? 'change' : 'input', { bubbles: true }));
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      return performance.now() - t0;
    })()`,
  ) as Promise<number>;
}

interface TraceEvent {
  name: string;
  ph: string;
  dur?: number;
  ts: number;
  tid: number;
  pid: number;
  args?: { name?: string };
}

async function main(): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'hk-bench-ui-'));
  await chmod(tmp, 0o711);
  const venv = await ensurePrefectVenv();
  const pg = await startPostgres({ parentDir: tmp });
  await restorePgTemplate(pg, 'prefect', venv.version);
  const server = await startPrefectServer({ name: 'bench-ui', db: { kind: 'postgres', url: pg.url(pg.info.owner, 'prefect'), database: 'prefect' }, parentDir: tmp });
  let hk: ServeHandle | undefined;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    const api = prefectApi(server.info.apiUrl);
    const t0 = performance.now();
    const deployments = await seedDeployments(api, specs(), { concurrency: 8 });
    const schedules = deployments.reduce((n, d) => n + d.schedules.length, 0);
    const t1 = performance.now();
    const seed = await seedRunsPg(
      { host: pg.info.host, port: pg.info.port, user: pg.info.superuser.user, password: pg.info.superuser.password, database: 'prefect' },
      planSeed(targetsFromDeployments(deployments), { late: 20_000, scheduledPast: 500, future: 9_000, running: 20, pending: 10, completedOld: 5_000, failed: 500, cancelled: 100, crashed: 50, manual: 50, awaitingRetry: 10, statesPerTerminalRun: 1, logsPerRun: 0, taskRunsPerRun: 0, artifactEvery: 0 }),
    );
    process.stderr.write(`seeded ${N} deployments / ${schedules} schedules via the API in ${((t1 - t0) / 1000).toFixed(1)} s, ${seed.flowRuns} runs via SQL\n`);

    const s = await startServe();
    hk = s;
    const conn = await rpc<{ id: string }>(s.openUrl, 'connections.save', {
      draft: { name: 'bench-1000', apiUrl: server.info.apiUrl, db: { kind: 'postgres', host: pg.info.host, port: pg.info.port, database: 'prefect', user: pg.info.owner.user, password: pg.info.owner.password, sslmode: 'disable' } },
    });
    await rpc(s.openUrl, 'connections.use', { id: conn.id });

    const rows: Array<[string, string, string]> = [];
    // One page: the list is read once (the server side takes minutes at this size), then measured at
    // both window sizes.
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(s.openUrl);
    await page.getByTestId('nav-schedules').waitFor();
    const c0 = Date.now();
    await page.getByTestId('nav-schedules').click();
    await page.getByTestId('schedules-row').first().waitFor({ timeout: 1_800_000 });
    const clickToRows = Date.now() - c0;
    await page.waitForFunction(`performance.getEntriesByName('hk-table:schedules-table:painted').length > 0`);
    const t = (await page.evaluate(`(() => {
      const res = performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/rpc/schedules.list')).pop();
      const painted = performance.getEntriesByName('hk-table:schedules-table:painted')[0];
      const committed = performance.getEntriesByName('hk-table:schedules-table')[0];
      return { fetch: res.responseEnd - res.startTime, toCommit: committed.startTime - res.responseEnd, toPaint: painted.startTime - res.responseEnd, bytes: res.encodedBodySize };
    })()`)) as { fetch: number; toCommit: number; toPaint: number; bytes: number };
    const count = await page.getByTestId('schedules-table-count').innerText();
    rows.push(
      ['1440x900: list shown after the click', ms(clickToRows), ''],
      ['  schedules.list (server reads Prefect)', ms(t.fetch), `${(t.bytes / 1024).toFixed(0)} KiB, ${count}`],
      ['  answer -> rows committed', ms(t.toCommit), 'parse, contract check, render'],
      ['  answer -> first paint of the list', ms(t.toPaint), 'target < 300 ms'],
    );

    for (const [w, h] of [
      [1440, 900],
      [1024, 700],
    ] as const) {
      await page.setViewportSize({ width: w, height: h });
      await page.waitForTimeout(500);
      // Filtering: words typed one at a time, a clear, and the drop-down filters.
      const search = '[data-testid="schedules-table-search"]';
      const filterTimes: number[] = [];
      for (const v of ['e', 'et', 'etl', 'etl-dep-07', 'etl-dep-0777', '', 'Late backlog', '', 'rrule', '']) filterTimes.push(await timeInput(page, search, v));
      for (const [sel, v] of [
        ['[data-testid="schedules-table-filter-state"]', 'backlog'],
        ['[data-testid="schedules-table-filter-state"]', 'paused'],
        ['[data-testid="schedules-table-filter-state"]', ''],
        ['[data-testid="schedules-table-filter-kind"]', 'cron'],
        ['[data-testid="schedules-table-filter-kind"]', ''],
      ] as const)
        filterTimes.push(await timeInput(page, sel, v));
      const sortStart = Date.now();
      await page.getByTestId('schedules-table-sort-deployment').click();
      await page.evaluate('new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))');
      const sortMs = Date.now() - sortStart;

      // Scrolling the whole list, top to bottom, 60 px a frame, under a trace.
      await browser.startTracing(page, { categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline'] });
      const gaps = (await page.evaluate(`(async () => {
        const el = document.querySelector('[data-testid="schedules-table-scroll"]');
        el.scrollTop = 0;
        const gaps = [];
        let last = performance.now();
        while (el.scrollTop + el.clientHeight < el.scrollHeight - 1) {
          await new Promise((r) => requestAnimationFrame(r));
          const now = performance.now();
          gaps.push(now - last);
          last = now;
          el.scrollTop += 60;
        }
        return gaps;
      })()`)) as number[];
      const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] };
      // Main-thread tasks of the renderer.
      const mains = new Set(trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
      const tasks = trace.traceEvents.filter((e) => e.ph === 'X' && (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') && e.dur !== undefined && mains.has(`${e.pid}:${e.tid}`)).map((e) => e.dur! / 1000);
      const longTasks = tasks.filter((d) => d > 16);
      const sortedGaps = [...gaps].sort((a, b) => a - b);
      rows.push(
        [`${w}x${h}: filter, input -> painted (median)`, ms(median(filterTimes)), `${filterTimes.length} inputs; target < 50 ms`],
        ['  filter: input -> painted (worst)', ms(Math.max(...filterTimes)), ''],
        ['  sort by name: click -> painted', ms(sortMs), ''],
        ['  scroll: frames', String(gaps.length), `${N} deployments top to bottom, 60 px a frame`],
        ['  scroll: frame gap p50 / p95 / max', `${sortedGaps[Math.floor(gaps.length / 2)]?.toFixed(1)} / ${sortedGaps[Math.floor(gaps.length * 0.95)]?.toFixed(1)} / ${sortedGaps[gaps.length - 1]?.toFixed(1)} ms`, '16.7 ms = every vsync'],
        ['  scroll: main-thread tasks over 16 ms', `${longTasks.length} of ${tasks.length}`, `longest ${Math.max(0, ...tasks).toFixed(1)} ms; target none`],
      );
    }
    if (problems.length) rows.push(['console errors', String(problems.length), problems[0]!.slice(0, 80)]);
    const load = os.loadavg()[0]!.toFixed(1);
    rows.push(['load average (1 min) at the end', load, `${os.cpus().length} cores`]);

    const width = Math.max(...rows.map((r) => r[0].length));
    process.stdout.write(
      [
        '',
        `Schedules screen with ${N.toLocaleString('en-US')} deployments and ${schedules.toLocaleString('en-US')} schedules (Prefect ${server.info.version}, PostgreSQL, Chromium headless, this machine)`,
        '',
        ...rows.map(([a, b, c]) => `${a.padEnd(width)}  ${b.padStart(22)}  ${c}`),
        '',
      ].join('\n'),
    );
  } finally {
    await browser.close();
    await hk?.stop();
    await server.stop();
    await pg.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
