/**
 * The capability probe (main/core/targets/capabilities.ts) against the harness's real servers, on
 * whatever 3.x line the harness runs (`npm run test:compat` runs it on every one). Each claim is
 * checked against what the server actually does: a filter it claims is sent and must be accepted (or
 * refused with 422 when it claims none), an endpoint it claims must exist, a schedule field it claims
 * must be written; the database facts are compared with the catalog read here with plain SQL; the
 * behaviour facts with the harness's own knowledge of its release (test/harness/server-facts.ts).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiCapabilities, clearCapabilityCache, dbCapabilities, degradations, hasColumn, type ApiCapabilities } from '../../main/core/targets/capabilities';
import { PostgresTarget } from '../../main/core/targets/postgres';
import { PrefectApi } from '../../main/core/targets/prefect-api';
import { SqliteTarget } from '../../main/core/targets/sqlite';
import { prefectApi } from '../harness/prefect-api';
import { compareRelease } from '../harness/prefect-releases';
import type { SeededDeployment } from '../harness/seed-api';
import { createDeployments, sql } from './support/schedules-fixture';

const h = inject('harness');
const harnessApi = prefectApi(h.prefectPg.apiUrl);
const api = new PrefectApi({ apiUrl: h.prefectPg.apiUrl, apiAuth: { kind: 'none' } });
let caps: ApiCapabilities;
let dep: SeededDeployment;

beforeAll(async () => {
  clearCapabilityCache();
  caps = await apiCapabilities(api);
  [dep] = await createDeployments(h.prefectPg.apiUrl, [
    { flow: `caps-${crypto.randomBytes(3).toString('hex')}`, name: 'probe', schedules: [{ schedule: { kind: 'interval', interval: 3600, anchorDate: '2026-01-01T00:00:00Z', timezone: 'UTC' } }] },
  ]) as [SeededDeployment];
});
afterAll(() => clearCapabilityCache());

describe(`the API of Prefect ${h.prefect.version}`, () => {
  it('is read from the server itself: its version and its OpenAPI document', () => {
    expect(caps.prefectVersion).toBe(h.prefect.version);
    expect(caps.source).toBe('openapi');
  });

  it('claims the created_by filter exactly when the server accepts it', async () => {
    const res = await harnessApi.raw('POST', '/flow_runs/count', { flow_runs: { created_by: { type_: ['SCHEDULE'] } } });
    expect(res.status).toBe(caps.filters.flowRunCreatedBy ? 200 : 422);
  });

  it('claims bulk delete exactly when the endpoint exists (probed with a filter that matches nothing)', async () => {
    const res = await harnessApi.raw('POST', '/flow_runs/bulk_delete', { flow_runs: { id: { any_: [crypto.randomUUID()] } }, limit: 1 });
    if (caps.endpoints.flowRunsBulkDelete) expect(res.status).toBe(200);
    else expect([404, 405]).toContain(res.status);
  });

  it('writes only schedule fields the server has: each claimed one is accepted, slug and parameters refused where not claimed', async () => {
    const s = dep.schedules[0]!;
    const patch = (body: Record<string, unknown>) => harnessApi.raw('PATCH', `/deployments/${dep.id}/schedules/${s.id}`, { active: true, ...body });
    for (const [field, value] of [['slug', 'probe-slug'], ['parameters', {}], ['max_scheduled_runs', 5]] as const) {
      expect((await patch({ [field]: value })).status, field).toBe(caps.schedules.fields.has(field) ? 204 : 422);
    }
    expect(caps.schedules.fields.has('slug')).toBe(h.prefect.scheduleFields.includes('slug'));
  });

  it('knows the behaviour of this release as the harness does', () => {
    expect(caps.schedules.runsAttributed).toBe(h.prefect.runsAttributed);
    expect(caps.schedules.runsKeyedBySchedule).toBe(h.prefect.runsAttributed);
    expect(caps.schedules.updatesKeepPastDue).toBe(h.prefect.updatesKeepPastDue);
    expect(caps.schedules.perScheduleSelection).toBe(h.prefect.perScheduleSelection);
    expect(caps.schedules.loopSecondsHonoured).toBe(h.prefect.schedulerLoopHonoured);
  });

  it('names every degradation of an older line, and none on the newest', () => {
    const got = degradations(caps).map((d) => d.feature).sort();
    const want = [
      ...(caps.filters.flowRunCreatedBy ? [] : ['inspect.schedule-gone']),
      ...(caps.endpoints.flowRunsBulkDelete ? [] : ['purge.bulk-delete']),
      ...(!h.prefect.runsAttributed ? ['schedules.run-attribution'] : caps.filters.flowRunCreatedBy ? [] : ['schedules.created-by-filter']),
      ...(h.prefect.perScheduleSelection ? [] : ['schedules.scheduler-selection']),
      ...(h.prefect.schedulerLoopHonoured ? [] : ['schedules.scheduler-loop']),
      ...(h.prefect.scheduleFields.includes('slug') ? [] : ['schedules.slug-parameters']),
      ...(h.prefect.updatesKeepPastDue ? [] : ['schedules.update-deletes-backlog']),
    ].sort();
    expect(got).toEqual(want);
    if (compareRelease(h.prefect.version, '3.6.19') >= 0) expect(got).toEqual([]);
    // The compatibility matrix (test/harness/compat-matrix.ts) tabulates what was found here.
    if (process.env.HK_COMPAT_OUT) {
      fs.mkdirSync(process.env.HK_COMPAT_OUT, { recursive: true });
      const file = path.join(process.env.HK_COMPAT_OUT, `capabilities-${h.prefect.version}.json`);
      fs.writeFileSync(file, `${JSON.stringify({ version: h.prefect.version, source: caps.source, degraded: degradations(caps) }, null, 1)}\n`);
    }
  });

  it('is cached per server', async () => {
    expect(await apiCapabilities(new PrefectApi({ apiUrl: h.prefectPg.apiUrl, apiAuth: { kind: 'none' } }))).toBe(caps);
    const other = await apiCapabilities(new PrefectApi({ apiUrl: h.prefectSqlite.apiUrl, apiAuth: { kind: 'none' } }));
    expect(other).not.toBe(caps);
    expect(other.prefectVersion).toBe(h.prefect.version);
  });
});

describe('the databases', () => {
  it('Postgres: revision, tables, columns and indexes as the catalog has them', async () => {
    const target = new PostgresTarget({ kind: 'postgres', host: h.pg.host, port: h.pg.port, database: h.pg.database, user: h.pg.monitor.user, password: h.pg.monitor.password, sslmode: 'disable' });
    try {
      const db = await dbCapabilities(target);
      const [rev] = await sql<{ v: string }>(h, 'SELECT version_num AS v FROM alembic_version');
      expect(db).toMatchObject({ kind: 'postgres', migration: rev!.v });
      const cols = await sql<{ c: string }>(h, `SELECT column_name AS c FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'deployment_schedule'`);
      expect([...db.columns.get('deployment_schedule')!].sort()).toEqual(cols.map((r) => r.c).sort());
      const idx = await sql<{ i: string }>(h, `SELECT indexname AS i FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'flow_run'`);
      for (const r of idx) expect(db.indexes.has(r.i), r.i).toBe(true);
      // What differs between lines: schedule slugs (3.2) and run labels (3.1).
      expect(hasColumn(db, 'deployment_schedule', 'slug')).toBe(h.prefect.scheduleFields.includes('slug'));
      expect(hasColumn(db, 'flow_run', 'labels')).toBe(compareRelease(h.prefect.version, '3.1.0') >= 0);
      expect(hasColumn(db, 'flow_run')).toBe(true);
    } finally {
      await target.close();
    }
  });

  it('SQLite: the same facts from sqlite_master', async () => {
    if (h.prefectSqlite.db.kind !== 'sqlite') throw new Error('harness: expected a SQLite server');
    const target = new SqliteTarget(h.prefectSqlite.db.path);
    try {
      const db = await dbCapabilities(target);
      const raw = new Database(h.prefectSqlite.db.path, { readonly: true });
      try {
        expect(db.migration).toBe((raw.prepare('SELECT version_num AS v FROM alembic_version').get() as { v: string }).v);
        const cols = (raw.prepare(`SELECT name FROM pragma_table_info('flow_run')`).all() as { name: string }[]).map((r) => r.name);
        expect([...db.columns.get('flow_run')!].sort()).toEqual(cols.sort());
      } finally {
        raw.close();
      }
      expect(db.kind).toBe('sqlite');
      expect(hasColumn(db, 'deployment_schedule', 'parameters')).toBe(h.prefect.scheduleFields.includes('parameters'));
    } finally {
      target.close();
    }
  });
});
