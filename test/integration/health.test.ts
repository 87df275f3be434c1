/**
 * The health strip's answers against real parts (issue #13 item 5): a healthy Prefect 3.9.1 on
 * Postgres; an API that accepts connections and never answers (hung) is "down" after exactly its
 * stated timeout, not after a retry loop; a wrong database password is "auth" while the API stays
 * "ok"; and an inspection with that wrong password still shows run health, from the API.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HealthSchema } from '../../shared/domain/health';
import { HealthService } from '../../main/core/health/service';
import { createHandlers } from '../../main/handlers';
import { dispatch } from '../../main/transport/dispatch';
import { pgConnection, tempContext } from './support/purge-fixture';

const h = inject('harness');
const env = tempContext();
let hung: net.Server;
let hungUrl: string;
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  // Accepts every connection and never says a word: what a wedged proxy or a stuck server looks like.
  hung = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => hung.listen(0, '127.0.0.1', () => r()));
  hungUrl = `http://127.0.0.1:${(hung.address() as AddressInfo).port}/api`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => hung.close(() => r()));
  await env.dispose();
});

describe('health of a connection', () => {
  it('a healthy server: API and database answer, with their versions, through the contract', async () => {
    const saved = env.ctx.connections.save(undefined, {
      name: 'health-ok',
      apiUrl: h.prefectPg.apiUrl,
      apiAuth: { kind: 'none' },
      db: { kind: 'postgres', host: h.pg.host, port: h.pg.port, database: h.pg.database, user: h.pg.owner.user, password: h.pg.owner.password, sslmode: 'disable' },
      readOnly: true,
    });
    const r = await dispatch(createHandlers(env.ctx), 'health.check', { connectionId: saved.id });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const health = HealthSchema.parse(r.ok ? r.value : null);
    expect(health.api).toMatchObject({ status: 'ok', label: `Prefect ${h.prefectPg.version}` });
    expect(health.database).toMatchObject({ status: 'ok', label: expect.stringMatching(/^PostgreSQL \d+/) });
    expect(health.api.lastOkAt).toBe(health.checkedAt);
  });

  it('a hung API is down after its one stated timeout, and keeps the time it last answered', async () => {
    const svc = new HealthService(1500);
    try {
      const conn = { ...pgConnection(h), id: 'c-hung', apiUrl: h.prefectPg.apiUrl };
      const good = await svc.check(conn);
      expect(good.api.status).toBe('ok');
      const t0 = Date.now();
      const bad = await svc.check({ ...conn, apiUrl: hungUrl });
      const took = Date.now() - t0;
      expect(bad.api).toMatchObject({ status: 'down', label: null, message: expect.stringMatching(/within 1\.5 s/) });
      expect(took).toBeGreaterThanOrEqual(1400);
      expect(took).toBeLessThan(4000);
      expect(bad.api.lastOkAt).toBe(good.api.lastOkAt);
      expect(bad.database.status).toBe('ok');
    } finally {
      await svc.close();
    }
  });

  it('a wrong database password is "auth"; the API is still ok', async () => {
    const svc = new HealthService();
    try {
      const conn = pgConnection(h);
      const r = await svc.check({ ...conn, id: 'c-auth', db: { ...conn.db, password: 'not-the-password' } as typeof conn.db });
      expect(r.api.status).toBe('ok');
      expect(r.database).toMatchObject({ status: 'auth', label: null, message: expect.stringMatching(/password/i) });
    } finally {
      await svc.close();
    }
  });

  it('an inspection with a wrong database password shows run health from the API, and says so', async () => {
    const conn = pgConnection(h);
    const r = await env.ctx.inspect.run({ conn: { ...conn, db: { ...conn.db, password: 'not-the-password' } as typeof conn.db }, save: false });
    expect(r.server.prefectVersion).toBe(h.prefectPg.version);
    expect(r.space).toBeNull();
    expect(r.runs).not.toBeNull();
    expect(r.runs!.byType.reduce((n, t) => n + t.count, 0)).toBeGreaterThan(0);
    expect(r.sections.find((s) => s.id === 'runs')).toMatchObject({ status: 'partial', message: expect.stringMatching(/Prefect API/) });
    expect(r.notes.map((n) => n.message).join(' ')).toMatch(/run health below comes from the Prefect API/);
  });
});
