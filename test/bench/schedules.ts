/**
 * Recreating the schedules of 80 deployments from now, measured side by side on the same real Prefect
 * server (Postgres, scheduler off so nothing else writes meanwhile):
 *   1. Housekeeper: plan (reads every deployment, counts the runs that go) + apply (pause, PATCH each
 *      schedule with every field, purge the past-due runs, resume), deployments 8 at a time
 *   2. the way Prefect's CLI does it: one `prefect deployment schedule create NAME --interval S
 *      --anchor-date NOW --timezone TZ --replace -y` per deployment, one after the other (each call
 *      reads the deployment, DELETEs its schedules, POSTs the new one)
 * Each path gets its own 80 identical deployments with a Late backlog. Prints both times, the ratio,
 * and what each kept of the schedules (the CLI writes parameters {} and no slug). Asserts nothing.
 *
 *   node --import tsx test/bench/schedules.ts        (BENCH_DEPLOYMENTS=80)
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { JobFinished } from '../../shared/domain/jobs';
import type { ChangeOutcome } from '../../shared/domain/schedules';
import { restorePgTemplate } from '../harness/db-template';
import { startPostgres } from '../harness/postgres';
import { prefectApi, type HarnessApi } from '../harness/prefect-api';
import { startPrefectServer } from '../harness/prefect-server';
import { seedDeployments, type DeploymentSpec, type SeededDeployment } from '../harness/seed-api';
import { ensurePrefectVenv } from '../harness/venv';
import { tempContext } from '../integration/support/purge-fixture';

const N = Number(process.env.BENCH_DEPLOYMENTS ?? 80);
const ZONES = ['UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Tokyo'];

function specs(flow: string): DeploymentSpec[] {
  return Array.from({ length: N }, (_, i) => ({
    flow,
    name: `dep-${String(i).padStart(3, '0')}`,
    parameters: { shard: i },
    schedules: [
      {
        schedule: { kind: 'interval' as const, interval: [15, 30, 60, 120, 300][i % 5]!, anchorDate: '2020-01-01T00:00:00Z', timezone: ZONES[i % ZONES.length]! },
        slug: `every-${[15, 30, 60, 120, 300][i % 5]}s`,
        parameters: { priority: i % 3 },
      },
    ],
  }));
}

async function backlog(api: HarnessApi, deps: SeededDeployment[]): Promise<void> {
  const now = Date.now();
  for (const d of deps) {
    await api.post(`/deployments/${d.id}/schedule`, { start_time: new Date(now - 3_600_000).toISOString(), end_time: new Date(now - 60_000).toISOString(), max_runs: 20 });
  }
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${args.slice(0, 4).join(' ')} exited ${code}: ${err.slice(-500)}`))));
  });
}

async function kept(api: HarnessApi, deps: SeededDeployment[]) {
  let slugs = 0;
  let params = 0;
  let recent = 0;
  for (const d of deps) {
    const dep = await api.get<{ schedules: Array<{ slug: string | null; parameters: Record<string, unknown>; schedule: { anchor_date?: string } }> }>(`/deployments/${d.id}`);
    for (const s of dep.schedules) {
      if (s.slug) slugs++;
      if (Object.keys(s.parameters).length) params++;
      if (s.schedule.anchor_date && Date.now() - Date.parse(s.schedule.anchor_date) < 3_600_000) recent++;
    }
  }
  return { slugs, params, recent };
}

async function main(): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'hk-bench-sched-'));
  // The postgres OS user must traverse into the cluster dir below this one (as the harness does).
  await chmod(tmp, 0o711);
  const venv = await ensurePrefectVenv();
  const pg = await startPostgres({ parentDir: tmp });
  await restorePgTemplate(pg, 'prefect', venv.version);
  const server = await startPrefectServer({ name: 'bench', db: { kind: 'postgres', url: pg.url(pg.info.owner, 'prefect'), database: 'prefect' }, parentDir: tmp });
  const env = tempContext();
  try {
    const api = prefectApi(server.info.apiUrl);
    const [hk, cli] = [await seedDeployments(api, specs('bench-hk'), { concurrency: 8 }), await seedDeployments(api, specs('bench-cli'), { concurrency: 8 })];
    await backlog(api, hk);
    await backlog(api, cli);
    process.stderr.write(`seeded 2 x ${N} deployments with a Late backlog on ${server.info.apiUrl}\n`);

    // 1. Housekeeper
    const conn = {
      id: null,
      name: 'bench',
      apiUrl: server.info.apiUrl,
      apiAuth: { kind: 'none' as const },
      db: { kind: 'postgres' as const, host: pg.info.host, port: pg.info.port, database: 'prefect', user: pg.info.owner.user, password: pg.info.owner.password, sslmode: 'disable' as const },
      readOnly: false,
    };
    const t0 = performance.now();
    const plan = await env.ctx.schedules.plan({ conn, kind: 'recreate', deployments: hk.map((d) => d.id), anchor: 'now' });
    const t1 = performance.now();
    const { finished } = await env.ctx.schedules.apply({ conn, planId: plan.planId, confirmCount: plan.confirmCount, options: { verifyTimeoutMs: 0 } });
    const f = (await finished) as JobFinished;
    const t2 = performance.now();
    if (f.status !== 'succeeded') throw new Error(`apply ${f.status}: ${f.error?.message}`);
    const outcome = f.result as ChangeOutcome;

    // 2. The Prefect CLI, one call per deployment
    const cliEnv = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PREFECT_'))), PREFECT_API_URL: server.info.apiUrl, PREFECT_HOME: path.join(tmp, 'cli-home'), PREFECT_CLI_PROMPT: 'false' };
    const specsCli = specs('bench-cli');
    const c0 = performance.now();
    for (const [i, d] of cli.entries()) {
      const s = specsCli[i]!.schedules[0]!.schedule as { interval: number; timezone: string };
      await run(venv.prefectBin, ['deployment', 'schedule', 'create', d.fullName, '--interval', String(s.interval), '--anchor-date', new Date().toISOString(), '--timezone', s.timezone, '--replace', '-y'], cliEnv);
    }
    const c1 = performance.now();

    const hkKept = await kept(api, hk);
    const cliKept = await kept(api, cli);
    const hkS = (t2 - t0) / 1000;
    const cliS = (c1 - c0) / 1000;
    const lines = [
      '',
      `Recreate the schedules of ${N} deployments from now (Prefect ${server.info.version}, Postgres, local):`,
      '',
      `  Housekeeper   ${hkS.toFixed(2).padStart(7)} s   (plan ${((t1 - t0) / 1000).toFixed(2)} s + apply ${((t2 - t1) / 1000).toFixed(2)} s; ${((t2 - t0) / N).toFixed(0)} ms per deployment; ${outcome.purge?.deleted ?? 0} past-due runs purged)`,
      `  Prefect CLI   ${cliS.toFixed(2).padStart(7)} s   (${N} x \`prefect deployment schedule create --replace\`; ${((c1 - c0) / N).toFixed(0)} ms per deployment)`,
      '',
      `  ratio: the CLI way takes ${(cliS / hkS).toFixed(1)}x as long`,
      '',
      `  kept after recreate       slugs  parameters  anchored now`,
      `  Housekeeper               ${String(hkKept.slugs).padStart(5)}  ${String(hkKept.params).padStart(10)}  ${String(hkKept.recent).padStart(12)}`,
      `  Prefect CLI               ${String(cliKept.slugs).padStart(5)}  ${String(cliKept.params).padStart(10)}  ${String(cliKept.recent).padStart(12)}`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
  } finally {
    await env.dispose();
    await server.stop();
    await pg.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
