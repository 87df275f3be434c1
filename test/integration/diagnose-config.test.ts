/**
 * The configuration findings on a real Prefect server (3.9.1 in `npm test`, each line in the matrix) started with the settings under test:
 * PREFECT_SERVER_API_DEFAULT_LIMIT raised to 5000 over 4,000 runs, a pool of 120 per process that two
 * processes cannot fit into max_connections, in-memory messaging with two processes, and flows run
 * by a real Prefect client whose PREFECT_LOGGING_TO_API_BATCH_SIZE equals MAX_LOG_SIZE (so every log
 * is its own request). With one process, the pool and messaging findings stay silent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Diagnosis, Finding, SessionOutcome } from '../../shared/domain/diagnose';
import type { JobFinished } from '../../shared/domain/jobs';
import { diagnoseOf } from '../../main/handlers/diagnose';
import { versionAtLeast } from '../../main/core/targets/prefect-version';
import { planSeed, targetsFromDeployments } from '../harness/seed-plan';
import { seedRunsPg } from '../harness/seed-sql';
import { runFlow, serverSettingsOf, startDiagServer, type DiagServer } from './support/diagnose-fixture';
import { tempContext } from './support/purge-fixture';
import { createDeployments } from './support/schedules-fixture';

const h = inject('harness');
/**
 * The client sends every log on its own when BATCH_SIZE equals MAX_LOG_SIZE only where its batch is
 * BATCH_SIZE - MAX_LOG_SIZE - 1 (at least one log): prefect/logging/handlers.py APILogWorker in 3.9.1.
 * Before (3.1.15 ... 3.8.8) the batch is at least MAX_LOG_SIZE, so the same settings still batch and
 * the finding, which rests on the log rows, must stay silent. The flows run with the line's own client.
 */
const clientSplitsLogs = versionAtLeast(h.prefectPg.version, '3.9.0');

describe('diagnose: server configuration findings', () => {
  let s: DiagServer;
  let env: ReturnType<typeof tempContext>;
  let d: Diagnosis;
  /** db_vacuum's own connection per process (servers with the service, 3.6.19+), and whether the server has Docket (3.6+). */
  let vacuumConnection = 0;
  let hasDocket = true;
  const find = (id: string): Finding => {
    const f = d.findings.find((x) => x.id === id);
    if (!f) throw new Error(`${id} not raised: ${JSON.stringify(d.checks.find((c) => c.id === id))}`);
    return f;
  };

  beforeAll(async () => {
    s = await startDiagServer(h, 'config', {
      PREFECT_SERVER_API_DEFAULT_LIMIT: '5000',
      PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE: '120',
      PREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW: '0',
    });
    const deps = await createDeployments(s.server.info.apiUrl, [{ flow: 'etl', name: 'nightly', schedules: [{ schedule: { kind: 'cron', cron: '0 2 * * *', timezone: 'UTC' } }] }]);
    await seedRunsPg(
      { host: h.pg.host, port: h.pg.port, user: h.pg.superuser.user, password: h.pg.superuser.password, database: s.database },
      planSeed(targetsFromDeployments(deps), { completedOld: 4000, statesPerTerminalRun: 1, logsPerRun: 0, taskRunsPerRun: 0, artifactEvery: 0 }),
      { workers: 1 },
    );
    env = tempContext();
    // Workers whose batch size equals the largest log: every log line is its own POST /api/logs/.
    await runFlow(h, s.server.info.apiUrl, env.home, { PREFECT_LOGGING_TO_API_BATCH_SIZE: '1000000' });
    await runFlow(h, s.server.info.apiUrl, env.home, { PREFECT_LOGGING_TO_API_BATCH_SIZE: '1000000' });
    const settings = await serverSettingsOf(s.server.info.apiUrl);
    vacuumConnection = settings.dbVacuum?.length ? 1 : 0;
    hasDocket = settings.messaging.docketUrl !== null;
    d = await diagnoseOf(env.ctx).diagnose({ conn: s.conn(), serverProcesses: 2 });
  }, 300_000);

  afterAll(async () => {
    await env?.dispose();
    await s?.stop();
  });

  it('raises DEFAULT_LIMIT 5000 with list calls timed with and without a limit', () => {
    const f = find('api.default-limit-high');
    const v = (re: RegExp) => Number(f.measured.find((m) => re.test(m.label))!.value);
    expect(v(/^server\.api\.default_limit$/)).toBe(5000);
    expect(v(/^Runs returned without a limit$/)).toBeGreaterThan(4000);
    expect(v(/^Time without a limit/)).toBeGreaterThan(v(/^Time with limit 200/));
    expect(f.actions[0]).toMatchObject({ kind: 'settings', set: [{ name: 'PREFECT_SERVER_API_DEFAULT_LIMIT', value: '200' }] });
    expect(f.effect[0]).toMatchObject({ after: 200, basis: 'measurement' });
  });

  it('raises the pool budget of two processes against max_connections, and sizes the pool to fit', () => {
    const f = find('database.pool-over-max-connections');
    const budget = f.effect[0]!;
    // 120 + 0 overflow (+ db_vacuum's own connection where the server has the service), per process.
    expect(budget.before).toBe(2 * (120 + vacuumConnection));
    expect(budget.after!).toBeLessThanOrEqual(200);
    const set = f.actions[0]!.kind === 'settings' ? f.actions[0]!.set : [];
    const pool = Number(set.find((x) => x.name === 'PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE')!.value);
    const overflow = Number(set.find((x) => x.name === 'PREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW')!.value);
    expect(2 * (pool + overflow + vacuumConnection)).toBe(budget.after);
    expect(f.measured.find((m) => m.label === 'max_connections')?.value).toBe(200);
  });

  it('raises in-memory messaging shared by two server processes', () => {
    const f = find('messaging.in-memory-multi-process');
    expect(f.measured.map((m) => m.label)).toEqual(expect.arrayContaining(['Messaging broker', ...(hasDocket ? ['Docket URL'] : [])]));
    // A server without Docket (before 3.6) gets no Docket setting, and the finding says why.
    const names = f.actions[0]!.kind === 'settings' ? f.actions[0]!.set.map((x) => x.name) : [];
    expect(names.includes('PREFECT_SERVER_DOCKET_URL')).toBe(hasDocket);
    if (!hasDocket) expect(f.notes.join(' ')).toMatch(/has no .*server\.docket\.url settings? \(.* came in a later Prefect release\)/);
    const settings = f.actions[0]!;
    expect(settings.kind === 'settings' && settings.inputs.map((i) => i.name)).toEqual(['PREFECT_REDIS_MESSAGING_HOST']);
  });

  it('raises client logs sent one by one, from the log rows the real client wrote', () => {
    if (!clientSplitsLogs) {
      // This line's client batched them: nothing to raise, and the note says what the rows showed.
      const c = d.checks.find((x) => x.id === 'client.logs-one-by-one')!;
      expect(c.status).toBe('clear');
      expect(c.note).toMatch(/arrived in the same insert/);
      return;
    }
    const f = find('client.logs-one-by-one');
    const ex = f.measured.find((m) => /^Flow run .*inserts$/.test(m.label))!;
    // 42 logs (40 lines and the engine's own), each its own POST; inserts are told apart by their
    // write times, so two requests the server handles within SAME_INSERT_S count as one (an idle
    // machine did: 38). Most of them, not all, is what the finding rests on.
    expect(Number(ex.value)).toBeGreaterThanOrEqual(30);
    expect(f.actions[0]).toMatchObject({ kind: 'settings', scope: 'clients' });
  });

  it('keeps pool and messaging silent when one process is all there is', async () => {
    const one = await diagnoseOf(env.ctx).diagnose({ conn: s.conn() });
    expect(one.processes).toMatchObject({ count: 1, basis: 'assumed' });
    for (const id of ['database.pool-over-max-connections', 'messaging.in-memory-multi-process']) expect(one.checks.find((c) => c.id === id)?.status, id).toBe('clear');
  });

  it('needs the Redis host before it plans, then writes the settings as a profiles.toml profile', async () => {
    const svc = diagnoseOf(env.ctx);
    const picked = ['api.default-limit-high', 'database.pool-over-max-connections', 'messaging.in-memory-multi-process', ...(clientSplitsLogs ? ['client.logs-one-by-one'] : [])];
    const file = path.join(env.home, 'profiles.toml');
    expect(() => svc.plan({ conn: s.conn(), diagnosisId: d.id, findings: picked, settings: { format: 'toml', path: file } })).toThrow(/Redis host \(PREFECT_REDIS_MESSAGING_HOST\)/);
    const plan = svc.plan({ conn: s.conn(), diagnosisId: d.id, findings: picked, settings: { profile: 'prod', format: 'toml', path: file }, inputs: { PREFECT_REDIS_MESSAGING_HOST: 'redis.internal' } });
    expect(plan.steps.map((x) => x.kind)).toEqual(['settings']);
    expect(plan.settings!.set.find((x) => x.name === 'PREFECT_SERVER_DOCKET_URL')?.value).toBe(hasDocket ? 'redis://redis.internal:6379/1' : undefined);
    if (clientSplitsLogs) expect(plan.settings!.set.filter((x) => x.scope === 'clients').map((x) => x.name)).toContain('PREFECT_LOGGING_TO_API_BATCH_SIZE');
    // Nothing is deleted, so the findings it fixes confirm it.
    expect(plan).toMatchObject({ confirmCount: picked.length, confirmUnit: 'findings' });
    const { finished } = svc.apply({ conn: s.conn(), sessionId: plan.sessionId, confirmCount: picked.length });
    const o = ((await finished) as JobFinished).result as SessionOutcome;
    expect(o.status).toBe('done');
    expect(o.settingsWritten).toMatchObject({ profile: 'prod', rev: 1, format: 'toml' });
    const toml = fs.readFileSync(file, 'utf8');
    expect(toml).toMatch(/\[profiles\.prod\]/);
    expect(toml).toMatch(/PREFECT_SERVER_API_DEFAULT_LIMIT = "200"/);
    expect(toml).toMatch(/PREFECT_REDIS_MESSAGING_HOST = "redis.internal"/);
    // Nothing on the server changed: settings wait for the owner's restart.
    expect(o.remaining).toEqual(expect.arrayContaining(['api.default-limit-high']));
    expect(o.restart).toMatch(/Restart the Prefect server/);
  }, 120_000);
});
