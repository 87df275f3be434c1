/**
 * Inspect against the harness's real Prefect server on Postgres, through the owner role and the
 * pg_monitor + SELECT role, and the bad inputs: a role without SELECT on Prefect's tables, a database
 * that is not Prefect's, a server that cannot be reached. Every case ends in a report (partial where it
 * must be), never in an exception. Plus the CLI: `inspect --json`, the readable table, and exports.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { InspectReportSchema, type PostgresSpace } from '../../shared/domain/inspect';
import { main } from '../../main/cli/index';
import { pgConnection, superClient, tempContext } from './support/purge-fixture';
import { recordStatements } from './support/record-sql';

const h = inject('harness');
const env = tempContext();
const LIMITED = 'hk_inspect_nosel';

async function asSuper<T>(fn: (c: import('pg').Client) => Promise<T>, database = h.pg.database): Promise<T> {
  const c = superClient(h, database);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  // A role with pg_monitor but no SELECT on Prefect's tables: what a half-done GRANT looks like.
  await asSuper(async (c) => {
    await c.query(`DROP ROLE IF EXISTS ${LIMITED}`);
    await c.query(`CREATE ROLE ${LIMITED} LOGIN PASSWORD 'limited-pass' IN ROLE pg_monitor`);
    await c.query(`GRANT CONNECT ON DATABASE ${h.pg.database} TO ${LIMITED}`);
  });
});

afterAll(async () => {
  await env.dispose();
  await asSuper(async (c) => {
    await c.query(`REVOKE ALL ON DATABASE ${h.pg.database} FROM ${LIMITED}`);
    await c.query(`DROP ROLE IF EXISTS ${LIMITED}`);
  });
});

describe('inspect on the harness Postgres server', () => {
  it('reports space, run health and maintenance for the owner role, read-only, and saves it', async () => {
    const rec = recordStatements();
    let r;
    try {
      r = await env.ctx.inspect.run({ conn: pgConnection(h) });
    } finally {
      rec.restore();
    }
    expect(rec.statements.filter((s) => s.mode !== 'READ ONLY')).toEqual([]);
    expect(InspectReportSchema.safeParse(r).success).toBe(true);
    expect(r.source).toBe('postgres');
    expect(r.server.prefectVersion).toBe(h.prefectPg.version);
    expect(r.server.database).toMatch(/^PostgreSQL \d+/);
    expect(r.sections.filter((s) => s.status !== 'ok')).toEqual([]);
    // Before Prefect 3.2 the database cannot tell runs of deleted schedules: not counted, and said so.
    if (!h.prefect.runsAttributed) {
      expect(r.runs!.orphans.scheduleGone).toBeNull();
      expect(r.notes.map((n) => n.message).join(' ')).toMatch(/does not record which schedule made a run/);
    }

    const space = r.space as PostgresSpace;
    expect(space.databaseBytes).toBeGreaterThan(1_000_000);
    expect(space.xidAge).toBeGreaterThan(0);
    const fr = space.tables.find((t) => t.name === 'flow_run')!;
    expect(fr.prefect).toBe(true);
    expect(fr.heapBytes + fr.indexBytes).toBeLessThanOrEqual(fr.totalBytes);
    expect(fr.autovacuum?.vacuumTrigger).toBeGreaterThan(0);
    expect(['fine', 'reuse', 'rewrite', 'unknown']).toContain(fr.verdict.kind);
    for (const name of ['flow_run_state', 'task_run', 'task_run_state', 'log', 'artifact', 'events', 'event_resources', 'deployment', 'deployment_schedule']) {
      expect(space.tables.map((t) => t.name)).toContain(name);
    }
    expect(space.indexes.find((i) => i.name === 'ix_log__flow_run_id')?.duplicateOf).toBe('ix_log__flow_run_id_timestamp');
    expect(space.pgstattuple.installed).toBe(false);
    expect(space.pgstattuple.howTo).toMatch(/CREATE EXTENSION pgstattuple/);

    // Small database: every count is exact and equals a plain GROUP BY.
    const truth = await asSuper((c) => c.query<{ t: string; n: string }>('SELECT state_type::text AS t, count(*) AS n FROM flow_run GROUP BY 1'));
    const runs = r.runs!;
    for (const row of truth.rows) expect(runs.byType.find((x) => x.type === row.t)).toMatchObject({ count: Number(row.n), exact: true });
    const late = await asSuper((c) =>
      c.query<{ d: string; n: string }>(`SELECT deployment_id::text AS d, count(*) AS n FROM flow_run WHERE state_type = 'SCHEDULED' AND state_name = 'Late' GROUP BY 1`),
    );
    expect(runs.late!.count).toBe(late.rows.reduce((n, x) => n + Number(x.n), 0));
    expect(runs.late!.deployments.every((d) => d.name === null || /\//.test(d.name))).toBe(true);
    expect(runs.terminalByAge.map((b) => b.days)).toEqual([1, 7, 30, 90, 180, 365]);
    expect(r.maintenance?.available).toBe(true);

    expect(env.ctx.store.inspections.latest(null)?.id).toBe(r.id);
    expect(env.ctx.store.inspections.history(null).at(-1)?.runsByType.SCHEDULED).toBe(runs.byType.find((x) => x.type === 'SCHEDULED')?.count);
  });

  it('works for the pg_monitor + SELECT role', async () => {
    const r = await env.ctx.inspect.run({ conn: pgConnection(h, { role: 'monitor' }), save: false });
    expect(r.sections.filter((s) => s.status !== 'ok')).toEqual([]);
    expect(r.runs!.late!.count).toBeGreaterThan(0);
    expect(r.notes.filter((n) => n.level === 'warn')).toEqual([]);
  });

  it('degrades with clear notes for a role that cannot SELECT Prefect\'s tables', async () => {
    const conn = pgConnection(h);
    const r = await env.ctx.inspect.run({
      conn: { ...conn, db: { ...(conn.db as Extract<typeof conn.db, { kind: 'postgres' }>), user: LIMITED, password: 'limited-pass' } },
      save: false,
    });
    expect(InspectReportSchema.safeParse(r).success).toBe(true);
    // Sizes and vacuum statistics are catalog-wide: still there.
    const space = r.space as PostgresSpace;
    expect(space.tables.find((t) => t.name === 'flow_run')!.heapBytes).toBeGreaterThan(0);
    // But pg_stats hides every column: no bloat number, and it says why instead of guessing.
    const fr = space.tables.find((t) => t.name === 'flow_run')!;
    expect(fr.bloat.reclaimableBytes).toBeNull();
    expect(fr.bloat.confidence.level).toBe('none');
    expect(fr.bloat.confidence.reasons.join(' ')).toMatch(/SELECT/);
    // Run health needs SELECT: reported, not thrown.
    const runs = r.sections.find((s) => s.id === 'runs')!;
    expect(['partial', 'failed']).toContain(runs.status);
    expect(r.notes.some((n) => n.section === 'runs' && /permission denied/i.test(n.message))).toBe(true);
  });

  it('says plainly when the database is not Prefect\'s', async () => {
    const conn = pgConnection(h);
    const r = await env.ctx.inspect.run({
      conn: { ...conn, db: { ...(conn.db as Extract<typeof conn.db, { kind: 'postgres' }>), database: h.pg.otherDatabase, user: h.pg.superuser.user, password: h.pg.superuser.password } },
      save: false,
    });
    expect(r.notes.some((n) => /not a Prefect database/.test(n.message))).toBe(true);
    expect(r.sections.find((s) => s.id === 'runs')?.status).toBe('unavailable');
    expect(r.runs).toBeNull();
    expect(r.space).not.toBeNull();
  });

  it('returns a failed report, not an exception, when the database cannot be reached', async () => {
    const conn = pgConnection(h);
    const r = await env.ctx.inspect.run({ conn: { ...conn, apiUrl: 'http://127.0.0.1:9/api', db: { ...(conn.db as Extract<typeof conn.db, { kind: 'postgres' }>), port: 9 } }, save: false });
    expect(r.sections.find((s) => s.id === 'server')?.status).toBe('failed');
    expect(r.sections.filter((s) => s.status === 'failed').map((s) => s.id).sort()).toEqual(['maintenance', 'orphans', 'runs', 'server', 'space']);
    expect(r.notes.find((n) => n.section === 'server' && n.level === 'warn')?.message).toMatch(/Reading the server failed/);
    expect(r.space).toBeNull();
  });

  it('CLI: --json, the readable table, --format md/csv --output, and history', async () => {
    const home = path.join(env.home, 'cli');
    process.env.HOUSEKEEPER_HOME = home;
    const db = `postgresql://${h.pg.monitor.user}:${encodeURIComponent(h.pg.monitor.password)}@${h.pg.host}:${h.pg.port}/${h.pg.database}?sslmode=disable`;
    const args = ['--api', h.prefectPg.apiUrl, '--db', db];
    const capture = async (argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const w1 = process.stdout.write.bind(process.stdout);
      const w2 = process.stderr.write.bind(process.stderr);
      process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
      process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
      try {
        const code = await main(argv);
        return { code, out: out.join(''), err: err.join('') };
      } finally {
        process.stdout.write = w1;
        process.stderr.write = w2;
      }
    };
    try {
      const json = await capture(['inspect', '--json', ...args]);
      expect(json.code).toBe(0);
      const doc = JSON.parse(json.out) as { ok: boolean; value: unknown };
      expect(doc.ok).toBe(true);
      expect(InspectReportSchema.safeParse(doc.value).success).toBe(true);
      expect(json.out).not.toContain(h.pg.monitor.password);

      const text = await capture(['inspect', ...args]);
      expect(text.code).toBe(0);
      expect(text.out).toMatch(/SPACE[\s\S]*TABLE\s+ROWS\s+TOTAL/);
      expect(text.out).toMatch(/Late backlog: [\d,]+ runs/);

      for (const format of ['md', 'csv', 'json']) {
        const file = path.join(env.home, `report.${format}`);
        const r = await capture(['inspect', '--format', format, '--output', file, ...args]);
        expect(r.code).toBe(0);
        const content = fs.readFileSync(file, 'utf8');
        expect(content.length).toBeGreaterThan(200);
        expect(content).not.toContain(h.pg.monitor.password);
      }
      expect(fs.readFileSync(path.join(env.home, 'report.md'), 'utf8')).toMatch(/^# Housekeeper inspection/);
      expect(fs.readFileSync(path.join(env.home, 'report.csv'), 'utf8')).toMatch(/^section,item,metric,value,unit,exact\r\n/);

      const bad = await capture(['inspect', '--format', 'xml', ...args]);
      expect(bad.code).toBe(2);
      const hist = await capture(['inspect', 'history', '--json', ...args]);
      expect((JSON.parse(hist.out) as { value: unknown[] }).value.length).toBeGreaterThanOrEqual(4);
    } finally {
      delete process.env.HOUSEKEEPER_HOME;
    }
  });
});
