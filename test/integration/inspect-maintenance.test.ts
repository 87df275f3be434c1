/**
 * Live maintenance while another role's VACUUM runs (issue #13 item 4). The first Overview of a
 * session showed "Housekeeper returned an unexpected shape for inspect.maintenance" and a refresh
 * cured it: the Prefect-owner role is not in pg_read_all_stats, and the rows of an autovacuum (run by
 * the bootstrap superuser) reach it with every counter NULL, the phase included, so the answer failed
 * the contract while autovacuum happened to run. Here a superuser's VACUUM (FREEZE) is held in its
 * heap scan (it waits for a buffer pin a cursor keeps) so the row is there for sure, and the request
 * goes through the same dispatch path the window and the web mode use, contract check on.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type pg from 'pg';
import { MaintenanceSchema } from '../../shared/domain/inspect';
import { createHandlers } from '../../main/handlers';
import { dispatch } from '../../main/transport/dispatch';
import { HIDDEN_PHASE } from '../../main/core/inspect/vacuum-progress-pg';
import { superClient, tempContext } from './support/purge-fixture';

const h = inject('harness');
const env = tempContext();
const TABLE = 'hk_vacuum_probe';
let holder: pg.Client;
let vacuumer: pg.Client;
let vacuum: Promise<unknown>;

async function vacuumRunning(c: pg.Client): Promise<boolean> {
  const r = await c.query(`SELECT 1 FROM pg_stat_progress_vacuum WHERE relid = $1::regclass`, [TABLE]);
  return r.rowCount! > 0;
}

beforeAll(async () => {
  holder = superClient(h);
  vacuumer = superClient(h);
  await holder.connect();
  await vacuumer.connect();
  await holder.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await holder.query(`CREATE TABLE ${TABLE} (id int, pad text)`);
  await holder.query(`INSERT INTO ${TABLE} SELECT g, repeat('x', 100) FROM generate_series(1, 2000) g`);
  // A cursor keeps a pin on the first heap page; VACUUM (FREEZE) must freeze it, so it waits there
  // (wait event BufferPin) with its progress row visible, for as long as the cursor stays open.
  await holder.query('BEGIN');
  await holder.query(`DECLARE c CURSOR FOR SELECT * FROM ${TABLE}`);
  await holder.query('FETCH 1 FROM c');
  vacuum = vacuumer.query(`VACUUM (FREEZE) ${TABLE}`).catch((e: unknown) => e);
  const deadline = Date.now() + 15_000;
  const probe = superClient(h);
  await probe.connect();
  try {
    while (!(await vacuumRunning(probe))) {
      if (Date.now() > deadline) throw new Error('the probe VACUUM never showed in pg_stat_progress_vacuum');
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await probe.end();
  }
});

afterAll(async () => {
  await holder?.query('ROLLBACK').catch(() => undefined);
  await vacuum;
  await holder?.query(`DROP TABLE IF EXISTS ${TABLE}`).catch(() => undefined);
  await holder?.end();
  await vacuumer?.end();
  await env.dispose();
});

describe('live maintenance while a vacuum of another role runs', () => {
  it('answers the contract for a role that sees the row without its phase, and says what is hidden', async () => {
    const conn = env.ctx.connections.save(undefined, {
      name: 'maintenance-owner',
      apiUrl: h.prefectPg.apiUrl,
      apiAuth: { kind: 'none' },
      db: { kind: 'postgres', host: h.pg.host, port: h.pg.port, database: h.pg.database, user: h.pg.owner.user, password: h.pg.owner.password, sslmode: 'disable' },
      readOnly: true,
    });
    const r = await dispatch(createHandlers(env.ctx), 'inspect.maintenance', { connectionId: conn.id });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const m = MaintenanceSchema.parse(r.ok ? r.value : null);
    // The owner cannot see which table or phase; the row is there, said in words, never a crash.
    const hidden = m.activities.filter((a) => a.phase === HIDDEN_PHASE);
    expect(hidden.length).toBeGreaterThan(0);
    expect(hidden[0]).toMatchObject({ table: null, progress: null });
    expect(m.notes.join(' ')).toMatch(/pg_monitor/);
  });

  it('the monitor role sees the same vacuum with its table and phase', async () => {
    const conn = env.ctx.connections.save(undefined, {
      name: 'maintenance-monitor',
      apiUrl: h.prefectPg.apiUrl,
      apiAuth: { kind: 'none' },
      db: { kind: 'postgres', host: h.pg.host, port: h.pg.port, database: h.pg.database, user: h.pg.monitor.user, password: h.pg.monitor.password, sslmode: 'disable' },
      readOnly: true,
    });
    const r = await dispatch(createHandlers(env.ctx), 'inspect.maintenance', { connectionId: conn.id });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const m = MaintenanceSchema.parse(r.ok ? r.value : null);
    const probe = m.activities.find((a) => a.table === TABLE);
    expect(probe).toMatchObject({ kind: 'vacuum', phase: 'scanning heap' });
    expect(probe?.waiting).toMatch(/BufferPin/);
  });
});
