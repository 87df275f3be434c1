/**
 * Inspect against the harness's Prefect server on SQLite (read-only handle: page counts, free pages,
 * dbstat sizes, exact run health) and through the API alone (counts and history from the real server,
 * space plainly unavailable), including the basic-auth server.
 */
import { prefectApi } from '../harness/prefect-api';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { InspectReportSchema, type SqliteSpace } from '../../shared/domain/inspect';
import type { ResolvedConnection } from '../../main/core/connections/types';
import { SqliteTarget } from '../../main/core/targets/sqlite';
import { superClient, tempContext } from './support/purge-fixture';

const h = inject('harness');
const env = tempContext();
afterAll(() => env.dispose());

function sqliteConn(): ResolvedConnection {
  if (h.prefectSqlite.db.kind !== 'sqlite') throw new Error('harness sqlite server has no sqlite db');
  return { id: null, name: 'it-sqlite', apiUrl: h.prefectSqlite.apiUrl, apiAuth: { kind: 'none' }, db: { kind: 'sqlite', path: h.prefectSqlite.db.path }, readOnly: true };
}

describe('inspect on the SQLite-backed server', () => {
  it('reports file space, free pages, per-table sizes and exact run health without writing', async () => {
    const write = vi.spyOn(SqliteTarget.prototype, 'write');
    const vacuum = vi.spyOn(SqliteTarget.prototype, 'vacuum');
    const r = await env.ctx.inspect.run({ conn: sqliteConn() });
    expect(write).not.toHaveBeenCalled();
    expect(vacuum).not.toHaveBeenCalled();
    write.mockRestore();
    vacuum.mockRestore();

    expect(InspectReportSchema.safeParse(r).success).toBe(true);
    expect(r.source).toBe('sqlite');
    expect(r.server.database).toMatch(/^SQLite 3\./);
    expect(r.server.prefectVersion).toBe(h.prefectSqlite.version);
    const s = r.space as SqliteSpace;
    expect(s.kind).toBe('sqlite');
    expect(s.pageCount * s.pageSize).toBeGreaterThan(0);
    expect(s.freeBytes).toBe(s.freelistCount * s.pageSize);
    expect(s.dbstat).toBe(true);
    expect(s.tables.find((t) => t.name === 'flow_run')!.heapBytes).toBeGreaterThan(0);
    expect(r.sections.find((x) => x.id === 'maintenance')?.status).toBe('unavailable');

    const path = (sqliteConn().db as { path: string }).path;
    const db = new Database(path, { readonly: true });
    try {
      const truth = db.prepare('SELECT state_type AS t, count(*) AS n FROM flow_run GROUP BY 1').all() as { t: string; n: number }[];
      for (const row of truth) expect(r.runs!.byType.find((x) => x.type === row.t)).toMatchObject({ count: row.n, exact: true });
      const late = db.prepare(`SELECT count(*) AS n FROM flow_run WHERE state_type = 'SCHEDULED' AND state_name = 'Late'`).get() as { n: number };
      expect(r.runs!.late!.count).toBe(late.n);
      const rows = db.prepare('SELECT count(*) AS n FROM flow_run').get() as { n: number };
      expect(s.tables.find((t) => t.name === 'flow_run')).toMatchObject({ rowsEstimate: rows.n, rowsExact: true });
    } finally {
      db.close();
    }
    expect(r.runs!.orphans.logs).not.toBeNull();
    expect(r.runs!.late!.deployments.every((d) => d.exists && d.name !== null)).toBe(true);
  });

  it('fails the file sections, not the report, for a path that is not a database', async () => {
    const r = await env.ctx.inspect.run({ conn: { ...sqliteConn(), db: { kind: 'sqlite', path: '/nonexistent/prefect.db' } }, save: false });
    expect(r.sections.find((s) => s.id === 'server')?.status).toBe('failed');
    expect(r.notes.some((n) => /no file/.test(n.message))).toBe(true);
  });
});

describe('inspect through the Prefect API only', () => {
  const apiConn: ResolvedConnection = { id: null, name: 'it-api', apiUrl: h.prefectPg.apiUrl, apiAuth: { kind: 'none' }, db: { kind: 'none' }, readOnly: true };

  it('counts runs through the API, matching the database, and says plainly that space needs database access', async () => {
    const r = await env.ctx.inspect.run({ conn: apiConn });
    expect(InspectReportSchema.safeParse(r).success).toBe(true);
    expect(r.source).toBe('api');
    expect(r.space).toBeNull();
    expect(r.sections.find((s) => s.id === 'space')?.status).toBe('unavailable');
    expect(r.notes.find((n) => n.section === 'space')?.message).toMatch(/Space needs database access/);

    const c = superClient(h);
    await c.connect();
    try {
      const types = await c.query<{ t: string; n: string }>('SELECT state_type::text AS t, count(*) AS n FROM flow_run GROUP BY 1');
      for (const row of types.rows) expect(r.runs!.byType.find((x) => x.type === row.t)?.count).toBe(Number(row.n));
      const late = await c.query<{ d: string; n: string }>(
        `SELECT deployment_id::text AS d, count(*) AS n FROM flow_run WHERE state_type = 'SCHEDULED' AND state_name = 'Late' AND deployment_id IN (SELECT id FROM deployment) GROUP BY 1`,
      );
      const byDep = new Map(r.runs!.late!.deployments.map((d) => [d.deploymentId, d.count]));
      for (const row of late.rows) expect(byDep.get(row.d)).toBe(Number(row.n));
    } finally {
      await c.end();
    }
    expect(r.runs!.method).toBe('api');
    expect(r.runs!.recent?.points.length).toBeGreaterThan(0);
    expect(r.runs!.terminalByAge.every((b) => b.exact)).toBe(true);
  });

  // PREFECT_SERVER_API_AUTH_STRING exists from Prefect 3.1 (the harness's 3.0 server runs open).
  it.skipIf(!h.prefect.basicAuth)('sends credentials to a server with basic auth (Prefect 3.1+)', async () => {
    const r = await env.ctx.inspect.run({
      conn: { ...apiConn, apiUrl: h.prefectAuth.apiUrl, apiAuth: { kind: 'basic', authString: h.prefectAuth.authString ?? '' } },
      save: false,
    });
    // Without FlowRunFilter.created_by (before 3.6.13) runs of deleted schedules cannot be counted:
    // the section is partial and says why (asked of the server itself here).
    const createdBy = (await prefectApi(h.prefectAuth.apiUrl, h.prefectAuth.authString).raw('POST', '/flow_runs/count', { flow_runs: { created_by: { type_: ['SCHEDULE'] } } })).status === 200;
    expect(r.sections.find((s) => s.id === 'runs')?.status).toBe(createdBy ? 'ok' : 'partial');
    if (!createdBy) expect(r.notes.map((n) => n.message).join(' ')).toMatch(/cannot filter runs by created_by/);
    expect(r.runs!.total).toBeGreaterThan(0);
    const denied = await env.ctx.inspect.run({ conn: { ...apiConn, apiUrl: h.prefectAuth.apiUrl }, save: false });
    expect(denied.sections.find((s) => s.id === 'server')?.status).toBe('failed');
    expect(denied.notes[0]?.message).toMatch(/401|credentials|auth/i);
  });
});
