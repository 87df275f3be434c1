/**
 * The database findings on a real Prefect database (the harness's migrated schema, restored into a
 * database of its own) seeded into each condition with SQL, as the damage happens on real servers:
 *
 *   rewrite      log grown to ~150 MiB, then most of it deleted and vacuumed: free space only a rewrite returns
 *   autovacuum   artifact with autovacuum switched off for it and 20,000 dead rows
 *   xid age      flow_run given its own autovacuum_freeze_max_age, an open REPEATABLE READ
 *                transaction holding the horizon, and 150,000 transactions burnt past it
 *
 * Then the session's VACUUM step: FREEZE brings the table's age down once the holder is gone.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Diagnosis, Finding, SessionOutcome } from '../../shared/domain/diagnose';
import type { JobFinished } from '../../shared/domain/jobs';
import { diagnoseOf } from '../../main/handlers/diagnose';
import { bigConnection, dropDatabase, withSuper } from './support/inspect-fixture';
import { tempContext } from './support/purge-fixture';
import { createDatabase } from './support/scheduler-server';

const h = inject('harness');

describe('diagnose: space, autovacuum and transaction ID age on a seeded Prefect database', () => {
  let database: string;
  let env: ReturnType<typeof tempContext>;
  let holder: pg.Client | null = null;
  let d: Diagnosis;
  const find = (id: string): Finding => {
    const f = d.findings.find((x) => x.id === id);
    if (!f) throw new Error(`${id} not raised: ${JSON.stringify(d.checks.find((c) => c.id === id))}`);
    return f;
  };
  const conn = () => ({ ...bigConnection(h, database, 'owner'), readOnly: false });

  beforeAll(async () => {
    database = await createDatabase(h, 'hk_diag_space');
    await withSuper(h, database, async (c) => {
      // ~150 MiB of logs, of which 80 % are then deleted and vacuumed (space for reuse, file unchanged).
      await c.query(`INSERT INTO log (name, level, flow_run_id, message, "timestamp")
                     SELECT 'prefect.flow_runs', 20, gen_random_uuid(), repeat(md5(g::text), 28), now() - (g || ' seconds')::interval
                       FROM generate_series(1, 140000) g`);
      await c.query(`DELETE FROM log WHERE ctid IN (SELECT ctid FROM log TABLESAMPLE BERNOULLI (80))`);
      // The delete's counters reach pg_stat_user_tables when its session flushes them; flush before
      // VACUUM, or they would land after it and count the removed rows as dead again.
      await c.query('SELECT pg_stat_force_next_flush()');
    });
    await withSuper(h, database, async (c) => {
      await c.query('VACUUM (ANALYZE) log');
      // Autovacuum off for artifact, then 20,000 dead rows it will never remove by itself.
      await c.query('ALTER TABLE artifact SET (autovacuum_enabled = false)');
      await c.query(`INSERT INTO artifact (key, type) SELECT 'k' || g, 'markdown' FROM generate_series(1, 30000) g`);
      await c.query('ANALYZE artifact');
      await c.query(`DELETE FROM artifact WHERE key <= 'k3'`);
      // flow_run may only reach 100,000 transactions before autovacuum must freeze it.
      await c.query('ALTER TABLE flow_run SET (autovacuum_freeze_max_age = 100000)');
      await c.query(`CREATE PROCEDURE hk_burn(n int) LANGUAGE plpgsql AS $$ BEGIN FOR i IN 1..n LOOP PERFORM txid_current(); COMMIT; END LOOP; END $$`);
    });
    // An old transaction left open by some client (same role as Prefect): freezing cannot pass it.
    holder = new pg.Client({ host: h.pg.host, port: h.pg.port, user: h.pg.owner.user, password: h.pg.owner.password, database, application_name: 'reporting-job' });
    holder.on('error', () => undefined);
    await holder.connect();
    await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await holder.query('SELECT count(*) FROM flow_run');
    await withSuper(h, database, (c) => c.query('CALL hk_burn(150000)'));
    // Statistics reach pg_stat_user_tables asynchronously.
    await new Promise((r) => setTimeout(r, 1500));
    env = tempContext();
    d = await diagnoseOf(env.ctx).diagnose({ conn: conn() });
  }, 300_000);

  afterAll(async () => {
    await holder?.end().catch(() => undefined);
    await env?.dispose();
    if (database) await dropDatabase(h, database);
  });

  it('raises log as free space only a rewrite returns, with the bloat estimate', () => {
    const f = find('space.rewrite-needed');
    expect(f.title).toMatch(/^log:/);
    const reclaim = Number(f.measured.find((m) => /^log reclaimable/.test(m.label))!.value);
    const size = Number(f.measured.find((m) => /^log size/.test(m.label))!.value);
    expect(reclaim).toBeGreaterThan(64 * 1024 * 1024);
    expect(reclaim / size).toBeGreaterThan(0.5);
    expect(f.actions.find((a) => a.kind === 'manual')).toMatchObject({ command: expect.stringContaining(`pg_repack --dbname=${database} --table=log`) });
    expect(f.effect[0]).toMatchObject({ label: 'log size', before: size, after: size - reclaim, basis: 'inspection' });
  });

  it('raises autovacuum falling behind on artifact, and says it is switched off', () => {
    const f = find('space.autovacuum-behind');
    expect(f.title).toMatch(/artifact/);
    const dead = Number(f.measured.find((m) => m.label === 'artifact dead rows')!.value);
    expect(dead).toBeGreaterThanOrEqual(10_000);
    expect(f.measured.find((m) => /artifact last autovacuum/.test(m.label))!.label).toMatch(/autovacuum off/);
    expect(f.actions[0]).toMatchObject({ kind: 'vacuum', tables: ['artifact'], freeze: false });
    expect(f.actions[1]).toMatchObject({ kind: 'manual', command: 'ALTER TABLE artifact RESET (autovacuum_enabled);' });
  });

  it('raises the transaction ID age of flow_run and names the transaction holding it back', () => {
    const f = find('space.xid-age');
    const age = Number(f.measured.find((m) => /^flow_run age/.test(m.label))!.value);
    expect(age).toBeGreaterThan(100_000);
    const held = f.measured.find((m) => /^Oldest horizon held by session/.test(m.label));
    expect(held?.label).toMatch(/reporting-job/);
    expect(f.actions.map((a) => a.kind)).toEqual(['vacuum', 'manual']);
    expect(f.actions[0]).toMatchObject({ tables: ['flow_run'], freeze: true });
  });

  it('stays quiet about what is fine here: the scheduler findings need schedules, not tables', () => {
    expect(d.checks.find((c) => c.id === 'space.rewrite-needed')?.status).toBe('raised');
    expect(d.findings.every((x) => x.id !== 'database.pool-over-max-connections')).toBe(true);
  });

  it('runs VACUUM (FREEZE) in a session once the holder is gone, and the age drops', async () => {
    const svc = diagnoseOf(env.ctx);
    const plan = svc.plan({ conn: conn(), diagnosisId: d.id, findings: ['space.xid-age', 'space.autovacuum-behind'] });
    // The owner ends the old transaction (Housekeeper never ends other sessions), then runs the session.
    await holder!.query('ROLLBACK');
    await holder!.end();
    holder = null;
    expect(plan.steps.map((s) => s.kind)).toEqual(['vacuum']);
    expect(plan.targets).toMatchObject({ freeze: true });
    expect(plan.targets.vacuumTables.sort()).toEqual(['artifact', 'flow_run']);
    const { finished } = svc.apply({ conn: conn(), sessionId: plan.sessionId, confirmCount: plan.confirmCount });
    const job = (await finished) as JobFinished;
    const o = job.result as SessionOutcome;
    expect(o.status, JSON.stringify(o.steps)).toBe('done');
    expect(o.resolved.sort()).toEqual(['space.autovacuum-behind', 'space.xid-age']);
    const [age] = await withSuper(h, database, (c) => c.query<{ a: number }>(`SELECT age(relfrozenxid) AS a FROM pg_class WHERE oid = 'flow_run'::regclass`)).then((r) => r.rows);
    expect(Number(age!.a)).toBeLessThan(100_000);
    const dead = o.comparison.find((c) => c.key === 'deadTuplesHot')!;
    expect(dead.after!).toBeLessThan(dead.before!);
  }, 180_000);
});
