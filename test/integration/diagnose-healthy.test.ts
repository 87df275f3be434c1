/**
 * Silence on a healthy server: a real Prefect (3.9.1 in `npm test`, each line in the matrix) with its scheduler running at the default
 * settings, hourly and daily schedules (one rrule with a recent DTSTART, one paused deployment
 * without a backlog), no Late runs, a fresh database, flows logging through Prefect's default
 * batching, one server process. Every one of the sixteen checks must run and come back clear: a
 * finding is only ever raised on evidence. Through the API alone, the database checks say why they
 * cannot run instead of guessing.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FINDING_IDS, type Diagnosis } from '../../shared/domain/diagnose';
import { diagnoseOf } from '../../main/handlers/diagnose';
import { runFlow, serverSettingsOf, startDiagServer, type DiagServer } from './support/diagnose-fixture';
import { tempContext } from './support/purge-fixture';
import { createDeployments, quietMinute } from './support/schedules-fixture';

const h = inject('harness');

describe('diagnose: a healthy server', () => {
  let s: DiagServer;
  let env: ReturnType<typeof tempContext>;
  let d: Diagnosis;
  /** Connections per process at Prefect's defaults: pool 5 + overflow 10, + db_vacuum's own where the server has it (3.6.19+). */
  let perProcess = 15;

  beforeAll(async () => {
    s = await startDiagServer(h, 'healthy', { PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS: '2' }, { scheduler: true, lateRuns: true });
    const m = quietMinute(new Date(), 30);
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    await createDeployments(s.server.info.apiUrl, [
      { flow: 'etl', name: 'hourly', schedules: [{ schedule: { kind: 'cron', cron: `${m} * * * *`, timezone: 'UTC' } }] },
      { flow: 'etl', name: 'daily', schedules: [{ schedule: { kind: 'interval', interval: 86400, anchorDate: new Date(Date.now() + 3 * 3600_000).toISOString(), timezone: 'UTC' } }] },
      { flow: 'reports', name: 'weekly-rrule', schedules: [{ schedule: { kind: 'rrule', rrule: `DTSTART:${day}T${String((new Date().getUTCHours() + 5) % 24).padStart(2, '0')}0000\nRRULE:FREQ=DAILY`, timezone: 'UTC' } }] },
      { flow: 'ops', name: 'paused-clean', paused: true, schedules: [{ schedule: { kind: 'cron', cron: '0 3 * * *', timezone: 'UTC' } }] },
    ]);
    env = tempContext();
    await runFlow(h, s.server.info.apiUrl, env.home);
    // Let the scheduler make its runs (the deployments were created seconds ago).
    await new Promise((r) => setTimeout(r, 5000));
    perProcess = 15 + ((await serverSettingsOf(s.server.info.apiUrl)).dbVacuum?.length ? 1 : 0);
    d = await diagnoseOf(env.ctx).diagnose({ conn: s.conn() });
  }, 300_000);

  afterAll(async () => {
    await env?.dispose();
    await s?.stop();
  });

  it('raises nothing, and every check ran', () => {
    expect(d.findings, JSON.stringify(d.findings.map((f) => f.title))).toEqual([]);
    expect(d.checks.map((c) => c.id).sort()).toEqual([...FINDING_IDS].sort());
    for (const c of d.checks) expect(c.status, `${c.id}: ${c.note}`).toBe('clear');
  });

  it('says what it looked at, with numbers, for each check', () => {
    const note = (id: string) => d.checks.find((c) => c.id === id)!.note;
    expect(note('client.logs-one-by-one')).toMatch(/arrived in the same insert/);
    expect(note('database.pool-over-max-connections')).toContain(`1 server process × ${perProcess} connections = ${perProcess}`);
    // An older line has known fixes it lacks; a healthy server shows none of their symptoms.
    const v = d.prefectVersion!.replace(/\./g, '\\.');
    expect(note('server.version-known-fix')).toMatch(new RegExp(`Prefect ${v}(?: has every fix|: \\d+ known fixes are newer, but their symptoms are not seen)`));
    expect(d.facts.find((f) => f.label === 'In-memory parts')?.value).toMatch(/Messaging broker/);
    expect(d.metrics.find((m) => m.key === 'late')?.value).toBe(0);
  });

  it('through the API alone, says which checks need the database', async () => {
    const api = await diagnoseOf(env.ctx).diagnose({ conn: { ...s.conn(), db: { kind: 'none' } } });
    expect(api.findings).toEqual([]);
    const unavailable = api.checks.filter((c) => c.status === 'unavailable').map((c) => c.id).sort();
    expect(unavailable).toEqual(['client.logs-one-by-one', 'database.pool-over-max-connections', 'space.autovacuum-behind', 'space.rewrite-needed', 'space.xid-age']);
    for (const c of api.checks.filter((x) => x.status === 'unavailable')) expect(c.note).toMatch(/database/i);
  });
});
