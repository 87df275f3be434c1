/**
 * The harness itself, checked against the real things it started: every role can log in and has
 * exactly its privileges, every Prefect server is up and is the pinned version, the auth server
 * really requires auth, and the databases hold exactly what the seed plan says (queried by state,
 * through SQL and through Prefect's own API), with consistent references between the seeded rows.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BASELINE_NAMES } from '../harness/baseline';
import { prefectApi } from '../harness/prefect-api';
import { compareRelease } from '../harness/prefect-releases';
import { PREFECT_VERSION } from '../harness/prefect-version';
import type { PgRoleInfo } from '../harness/types';

const h = inject('harness');
const seed = h.seed;

async function withClient<T>(role: PgRoleInfo, database: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ host: h.pg.host, port: h.pg.port, user: role.user, password: role.password, database });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe('PostgreSQL cluster', () => {
  it.each([
    ['superuser', h.pg.superuser, 'postgres'],
    ['owner', h.pg.owner, h.pg.database],
    ['monitor', h.pg.monitor, h.pg.database],
  ])('accepts the %s role with its password', async (_label, role, db) => {
    const user = await withClient(role, db, async (c) => (await c.query('SELECT current_user AS u')).rows[0].u);
    expect(user).toBe(role.user);
  });

  it('rejects a wrong password', async () => {
    await expect(withClient({ user: h.pg.owner.user, password: 'wrong' }, h.pg.database, async () => 1)).rejects.toThrow(
      /password authentication failed/,
    );
  });

  it('listens on 127.0.0.1 only, on the advertised port', () => {
    expect(h.pg.host).toBe('127.0.0.1');
    expect(h.pg.port).toBeGreaterThan(0);
  });

  it('the owner role owns the Prefect databases', async () => {
    const rows = await withClient(h.pg.superuser, 'postgres', async (c) =>
      (
        await c.query(
          `SELECT datname, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname IN ('prefect','prefect_auth') ORDER BY 1`,
        )
      ).rows,
    );
    expect(rows).toEqual([
      { datname: 'prefect', owner: h.pg.owner.user },
      { datname: 'prefect_auth', owner: h.pg.owner.user },
    ]);
  });

  it('has an unrelated database with an unrelated table', async () => {
    const n = await withClient(h.pg.superuser, h.pg.otherDatabase, async (c) => (await c.query('SELECT count(*)::int AS n FROM inventory')).rows[0].n);
    expect(n).toBe(100);
    const hasFlowRun = await withClient(h.pg.superuser, h.pg.otherDatabase, async (c) =>
      (await c.query(`SELECT to_regclass('public.flow_run') IS NOT NULL AS x`)).rows[0].x,
    );
    expect(hasFlowRun).toBe(false);
  });

  it('the monitor role can read Prefect tables and statistics but cannot DELETE', async () => {
    await withClient(h.pg.monitor, h.pg.database, async (c) => {
      const { rows } = await c.query('SELECT count(*)::int AS n FROM flow_run');
      expect(rows[0].n).toBeGreaterThan(0);
      // pg_monitor: other sessions' queries are visible, which a plain role does not get.
      const member = await c.query(`SELECT pg_has_role(current_user, 'pg_monitor', 'MEMBER') AS m`);
      expect(member.rows[0].m).toBe(true);
      const stats = await c.query(`SELECT n_live_tup FROM pg_stat_user_tables WHERE relname = 'flow_run'`);
      expect(stats.rows).toHaveLength(1);
      await expect(c.query('DELETE FROM flow_run WHERE false')).rejects.toMatchObject({ code: '42501' });
      await expect(c.query(`UPDATE flow_run SET name = name WHERE false`)).rejects.toMatchObject({ code: '42501' });
    });
  });
});

describe.each([
  ['prefectPg', h.prefectPg],
  ['prefectSqlite', h.prefectSqlite],
  ['prefectAuth', h.prefectAuth],
])('Prefect server %s', (_label, server) => {
  const api = prefectApi(server.apiUrl, server.authString);

  it('answers /api/health', async () => {
    expect(await api.get('/health')).toBe(true);
  });

  it('is the Prefect release asked for (PREFECT_VERSION: a release, or a minor line and its newest patch)', async () => {
    expect(server.version).toBe(h.prefect.version);
    expect(await api.get('/admin/version')).toBe(h.prefect.version);
    if (/^\d+\.\d+\.\d+$/.test(PREFECT_VERSION)) expect(server.version).toBe(PREFECT_VERSION);
    else expect(server.version.startsWith(`${PREFECT_VERSION}.`)).toBe(true);
  });
});

// PREFECT_SERVER_API_AUTH_STRING exists from Prefect 3.1; on 3.0 the harness says so and the server runs open.
// The auth tests below and elsewhere skip on that fact alone, so it must never be false on a line that
// has basic auth (a broken detection would otherwise hide them).
it('detects basic auth exactly on the lines that have it (3.1+)', () => {
  const [major, minor] = h.prefect.line.split('.').map(Number);
  expect(h.prefect.basicAuth).toBe(major! > 3 || (major === 3 && minor! >= 1));
});

describe.skipIf(!h.prefect.basicAuth)('auth-protected server (Prefect 3.1+)', () => {
  it('returns 401 without credentials and 200 with them', async () => {
    const anon = prefectApi(h.prefectAuth.apiUrl);
    expect((await anon.raw('GET', '/admin/version')).status).toBe(401);
    expect((await anon.raw('POST', '/flow_runs/count', {})).status).toBe(401);
    const wrong = prefectApi(h.prefectAuth.apiUrl, 'admin:nope');
    expect((await wrong.raw('GET', '/admin/version')).status).toBe(401);
    const authed = prefectApi(h.prefectAuth.apiUrl, h.prefectAuth.authString);
    expect((await authed.raw('GET', '/admin/version')).status).toBe(200);
  });

  it('keeps /health open (Prefect exempts it)', async () => {
    expect((await prefectApi(h.prefectAuth.apiUrl).raw('GET', '/health')).status).toBe(200);
  });

  it('the other servers need no auth', async () => {
    expect(h.prefectPg.authString).toBeUndefined();
    expect((await prefectApi(h.prefectPg.apiUrl).raw('GET', '/admin/version')).status).toBe(200);
  });
});

describe('baseline seed', () => {
  it('is present', () => {
    expect(seed, 'the harness must be started with its baseline seed').toBeDefined();
  });

  // Other test files add their own deployments and runs to the same servers (and may delete their
  // own), so every check is scoped to the baseline deployments' runs. Tests must not modify those.
  type Rows = Record<string, number>;
  const toMap = (rows: { k: string; n: number | string }[]): Rows => Object.fromEntries(rows.map((r) => [r.k, Number(r.n)]));
  const ids = (key: 'prefectPg' | 'prefectSqlite' | 'prefectAuth'): string[] => seed![key].deployments.map((d) => d.id);

  describe.each([
    ['prefectPg', 'prefect'],
    ['prefectAuth', 'prefect_auth'],
  ] as const)('%s (Postgres)', (key, database) => {
    let c: pg.Client;
    beforeAll(async () => {
      c = new pg.Client({ host: h.pg.host, port: h.pg.port, user: h.pg.superuser.user, password: h.pg.superuser.password, database });
      await c.connect();
      // The baseline runs, as a temp table the checks below join against.
      await c.query(`CREATE TEMP TABLE base AS SELECT id FROM flow_run WHERE deployment_id = ANY($1::uuid[])`, [ids(key)]);
      await c.query(`CREATE TEMP TABLE base_tasks AS SELECT id FROM task_run WHERE flow_run_id IN (SELECT id FROM base)`);
    });
    afterAll(async () => {
      await c.end();
    });
    const counts = () => seed![key].counts;
    const q = async (sql: string): Promise<number> => Number((await c.query(sql)).rows[0].n);

    it('has exactly the planned runs per state', async () => {
      const { rows } = await c.query(
        `SELECT state_type || '/' || state_name AS k, count(*) AS n FROM flow_run WHERE id IN (SELECT id FROM base) GROUP BY 1`,
      );
      expect(toMap(rows)).toEqual(counts().byState);
    });

    it('has the planned child rows', async () => {
      expect(await q('SELECT count(*) AS n FROM flow_run_state WHERE flow_run_id IN (SELECT id FROM base)')).toBe(counts().flowRunStates);
      expect(await q('SELECT count(*) AS n FROM base_tasks')).toBe(counts().taskRuns);
      expect(await q('SELECT count(*) AS n FROM task_run_state WHERE task_run_id IN (SELECT id FROM base_tasks)')).toBe(counts().taskRunStates);
      expect(await q('SELECT count(*) AS n FROM log WHERE flow_run_id IN (SELECT id FROM base)')).toBe(counts().logs);
      expect(await q('SELECT count(*) AS n FROM artifact WHERE flow_run_id IN (SELECT id FROM base)')).toBe(counts().artifacts);
      expect(await q('SELECT count(*) AS n FROM flow_run WHERE auto_scheduled AND id IN (SELECT id FROM base)')).toBe(counts().autoScheduled);
    });

    it('has the planned runs per deployment, and none for paused deployments', async () => {
      const { rows } = await c.query(`SELECT deployment_id::text AS k, count(*) AS n FROM flow_run WHERE id IN (SELECT id FROM base) GROUP BY 1`);
      const expected = Object.fromEntries(Object.entries(counts().byDeployment).map(([id, d]) => [id, d.total]));
      expect(toMap(rows)).toEqual(expected);
      for (const d of seed![key].deployments.filter((x) => x.paused)) expect(expected[d.id]).toBeUndefined();
    });

    it('keeps references consistent (current state, tasks, logs)', async () => {
      // flow_run.state_id points at a state row of the same run with the same type and name...
      expect(
        await q(`SELECT count(*) AS n FROM flow_run f LEFT JOIN flow_run_state s ON s.id = f.state_id
                 WHERE f.id IN (SELECT id FROM base)
                   AND (s.id IS NULL OR s.flow_run_id <> f.id OR s.type <> f.state_type OR s.name <> f.state_name)`),
      ).toBe(0);
      // ...and it is the newest state of that run.
      expect(
        await q(`SELECT count(*) AS n FROM flow_run f WHERE f.id IN (SELECT id FROM base)
                 AND f.state_id <> (SELECT s.id FROM flow_run_state s WHERE s.flow_run_id = f.id ORDER BY s.timestamp DESC LIMIT 1)`),
      ).toBe(0);
      expect(
        await q(`SELECT count(*) AS n FROM task_run t LEFT JOIN task_run_state s ON s.id = t.state_id
                 WHERE t.id IN (SELECT id FROM base_tasks) AND (s.id IS NULL OR s.task_run_id <> t.id OR s.name <> t.state_name)`),
      ).toBe(0);
      expect(
        await q(`SELECT count(*) AS n FROM log l WHERE l.flow_run_id IN (SELECT id FROM base) AND l.task_run_id IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM task_run t WHERE t.id = l.task_run_id AND t.flow_run_id = l.flow_run_id)`),
      ).toBe(0);
      // Every run belongs to its deployment's flow.
      expect(
        await q(`SELECT count(*) AS n FROM flow_run f WHERE f.id IN (SELECT id FROM base)
                 AND NOT EXISTS (SELECT 1 FROM deployment d WHERE d.id = f.deployment_id AND d.flow_id = f.flow_id)`),
      ).toBe(0);
    });

    it('shapes never-started and auto-scheduled runs like Prefect does', async () => {
      const where = `id IN (SELECT id FROM base)`;
      // Late and Scheduled runs never started; the backlog is in the past, all states are <= now.
      expect(await q(`SELECT count(*) AS n FROM flow_run WHERE ${where} AND state_name IN ('Late','Scheduled') AND (run_count <> 0 OR start_time IS NOT NULL)`)).toBe(0);
      expect(await q(`SELECT count(*) AS n FROM flow_run WHERE ${where} AND state_name = 'Late' AND next_scheduled_start_time >= now()`)).toBe(0);
      expect(await q(`SELECT count(*) AS n FROM flow_run WHERE ${where} AND state_type = 'SCHEDULED' AND next_scheduled_start_time IS NULL`)).toBe(0);
      expect(await q(`SELECT count(*) AS n FROM flow_run WHERE ${where} AND state_type <> 'SCHEDULED' AND next_scheduled_start_time IS NOT NULL`)).toBe(0);
      expect(await q(`SELECT count(*) AS n FROM flow_run_state WHERE flow_run_id IN (SELECT id FROM base) AND timestamp > now()`)).toBe(0);
      expect(await q(`SELECT count(*) AS n FROM flow_run WHERE ${where} AND state_name = 'AwaitingRetry' AND run_count <> 1`)).toBe(0);
      // Scheduler provenance: created_by points at an existing schedule; the key has its format.
      // Before 3.2 the scheduler wrote no created_by and keyed runs by deployment and time only.
      expect(
        await q(
          h.prefect.runsAttributed
            ? `SELECT count(*) AS n FROM flow_run f WHERE f.${where} AND f.auto_scheduled AND NOT (
                   f.created_by->>'type' = 'SCHEDULE'
                   AND EXISTS (SELECT 1 FROM deployment_schedule s WHERE s.id::text = f.created_by->>'id' AND s.deployment_id = f.deployment_id)
                   AND f.idempotency_key LIKE 'scheduled ' || f.deployment_id || ' ' || (f.created_by->>'id') || ' ____-__-__ __:__:__%'
                   AND f.tags ? 'auto-scheduled')`
            : `SELECT count(*) AS n FROM flow_run f WHERE f.${where} AND f.auto_scheduled AND NOT (
                   f.created_by IS NULL
                   AND f.idempotency_key LIKE 'scheduled ' || f.deployment_id || ' ____-__-__ __:__:__%'
                   AND f.tags ? 'auto-scheduled')`,
        ),
      ).toBe(0);
      expect(await q(`SELECT count(*) AS n FROM flow_run WHERE ${where} AND NOT auto_scheduled AND (created_by IS NOT NULL OR idempotency_key IS NOT NULL)`)).toBe(0);
      // Terminal runs are days old and finished.
      expect(
        await q(`SELECT count(*) AS n FROM flow_run WHERE ${where} AND state_type IN ('COMPLETED','FAILED','CANCELLED','CRASHED')
                 AND (end_time IS NULL OR end_time > now() - interval '47 hours')`),
      ).toBe(0);
    });
  });

  it('prefectPg: non-UTC schedules format keys in their zone; slugs become display values (3.2+)', async () => {
    const deps = seed!.prefectPg.deployments;
    const ny = deps.find((d) => d.name === BASELINE_NAMES.nyCron)!;
    const params = deps.find((d) => d.name === BASELINE_NAMES.params)!;
    await withClient(h.pg.superuser, 'prefect', async (c) => {
      const keys = await c.query(`SELECT idempotency_key AS k FROM flow_run WHERE deployment_id = $1 AND auto_scheduled`, [ny.id]);
      expect(keys.rows.length).toBeGreaterThan(0);
      for (const r of keys.rows) expect(r.k).toMatch(/ \d{4}-\d\d-\d\d \d\d:\d\d:00-0[45]:00$/);
      if (!h.prefect.runsAttributed) return;
      const dv = await c.query(
        `SELECT DISTINCT created_by->>'display_value' AS v FROM flow_run WHERE deployment_id = $1 AND auto_scheduled ORDER BY 1`,
        [params.id],
      );
      expect(dv.rows.map((r) => r.v)).toEqual(['fast', 'nightly']);
      // Runs of a slugged schedule carry the deployment parameters overlaid by the schedule's.
      const p = await c.query(`SELECT DISTINCT parameters AS p FROM flow_run WHERE created_by->>'display_value' = 'fast'`);
      expect(p.rows).toEqual([{ p: { model: 'v3', threshold: 0.9 } }]);
    });
  });

  it('prefectPg: schedules are stored as Prefect normalises them', () => {
    const deps = seed!.prefectPg.deployments;
    const noDt = deps.find((d) => d.name === BASELINE_NAMES.rruleNoDtstart)!;
    // Prefect writes a DTSTART into a rule saved without one from 3.6.26 (normalize_rrule_string).
    const injects = compareRelease(h.prefect.version, '3.6.26') >= 0;
    expect(String(noDt.schedules[0]!.schedule.rrule)).toMatch(injects ? /^DTSTART:\d{8}T\d{6}\n.*FREQ=MINUTELY;INTERVAL=10/ : /^FREQ=MINUTELY;INTERVAL=10$/);
    const inactive = deps.find((d) => d.name === BASELINE_NAMES.inactive)!;
    expect(inactive.schedules.map((s) => s.active)).toEqual([false]);
    expect(deps.find((d) => d.name === BASELINE_NAMES.paused)!.paused).toBe(true);
    for (const d of deps) expect(d.workQueueId, d.name).toBeTruthy();
  });

  it('prefectSqlite: has exactly the planned runs and child rows (Prefect SQLite formats)', () => {
    if (h.prefectSqlite.db.kind !== 'sqlite') throw new Error('expected a SQLite server');
    const db = new Database(h.prefectSqlite.db.path, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 10000');
      const counts = seed!.prefectSqlite.counts;
      const inBase = `(SELECT id FROM flow_run WHERE deployment_id IN (${ids('prefectSqlite').map((i) => `'${i}'`).join(',')}))`;
      const rows = db.prepare(`SELECT state_type || '/' || state_name AS k, count(*) AS n FROM flow_run WHERE id IN ${inBase} GROUP BY 1`).all() as {
        k: string;
        n: number;
      }[];
      expect(toMap(rows)).toEqual(counts.byState);
      const n = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
      const tasks = `(SELECT id FROM task_run WHERE flow_run_id IN ${inBase})`;
      expect(n(`SELECT count(*) AS n FROM flow_run_state WHERE flow_run_id IN ${inBase}`)).toBe(counts.flowRunStates);
      expect(n(`SELECT count(*) AS n FROM task_run WHERE flow_run_id IN ${inBase}`)).toBe(counts.taskRuns);
      expect(n(`SELECT count(*) AS n FROM task_run_state WHERE task_run_id IN ${tasks}`)).toBe(counts.taskRunStates);
      expect(n(`SELECT count(*) AS n FROM log WHERE flow_run_id IN ${inBase}`)).toBe(counts.logs);
      expect(n(`SELECT count(*) AS n FROM artifact WHERE flow_run_id IN ${inBase}`)).toBe(counts.artifacts);
      expect(n(`SELECT count(*) AS n FROM flow_run WHERE auto_scheduled = 1 AND id IN ${inBase}`)).toBe(counts.autoScheduled);
      expect(
        n(`SELECT count(*) AS n FROM flow_run f LEFT JOIN flow_run_state s ON s.id = f.state_id
           WHERE f.id IN ${inBase} AND (s.id IS NULL OR s.flow_run_id <> f.id OR s.name <> f.state_name)`),
      ).toBe(0);
      // Same text formats Prefect writes on SQLite.
      const sample = db
        .prepare(`SELECT id, expected_start_time AS e, total_run_time AS t FROM flow_run WHERE state_type = 'COMPLETED' AND id IN ${inBase} LIMIT 1`)
        .get() as { id: string; e: string; t: string };
      expect(sample.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(sample.e).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
      expect(sample.t).toMatch(/^1970-01-01 \d\d:\d\d:\d\d\.\d{6}$/);
      expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
    } finally {
      db.close();
    }
  });

  it.each([
    ['prefectPg', h.prefectPg],
    ['prefectSqlite', h.prefectSqlite],
    ['prefectAuth', h.prefectAuth],
  ] as const)('%s: Prefect’s own API sees the seeded runs', async (key, server) => {
    const api = prefectApi(server.apiUrl, server.authString);
    const counts = seed![key].counts;
    const scope = { deployment_id: { any_: ids(key) } };
    const late = await api.post<number>('/flow_runs/count', { flow_runs: { ...scope, state: { name: { any_: ['Late'] } } } });
    expect(late).toBe(counts.byState['SCHEDULED/Late'] ?? 0);
    const total = await api.post<number>('/flow_runs/count', { flow_runs: scope });
    expect(total).toBe(counts.flowRuns);
    // A seeded run reads back through the API with its state history.
    const [run] = await api.post<{ id: string; state: { name: string } }[]>('/flow_runs/filter', {
      limit: 1,
      flow_runs: { ...scope, state: { type: { any_: ['COMPLETED'] } } },
    });
    expect(run?.state.name).toBe('Completed');
    const states = await api.get<{ name: string }[]>(`/flow_run_states/?flow_run_id=${run!.id}`);
    expect(states.map((s) => s.name)).toContain('Completed');
  });
});
