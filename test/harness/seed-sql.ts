/**
 * Bulk seeding of Prefect's run tables on PostgreSQL with set-based SQL (`INSERT ... SELECT
 * generate_series`). This is how the harness fakes "realistic damage at scale": the real Prefect
 * schema (migrated by the real server), row contents shaped like the ones Prefect 3.9.1 writes
 * (see seed-plan.ts). Rough speed on the 2-core CI machine: ~10 µs per row, i.e. 100k runs with 4
 * states, 2 task runs (3 states each) and 3 logs each (~1.7M rows) in ~25 s; the cost is CPU
 * (expression evaluation and the ~30 indexes on flow_run), hence the parallel workers.
 *
 * Technique:
 * - Per recipe, one temp table holds every run's computed values (expected time, duration, each
 *   state's time and id); another holds the task runs. The INSERTs into Prefect's tables then mostly
 *   copy columns, so nothing is computed twice and no UPDATE creates dead tuples.
 * - Every INSERT is ordered by the row's own time, so each table's rows lie in time order as a server
 *   that wrote them over months leaves them (runs by their last state change, which is when Prefect
 *   rewrites the row). Without it, rows lay by deployment and recipe, and a walk in time order (as
 *   retention's and Prefect's own vacuum are) jumped between hundreds of regions of every table, a
 *   layout no real server has (docs/bench-retention.md, 5 December).
 * - Ids are UUIDv7 whose time part is the row's own timestamp, as Prefect's are since 3.4
 *   (artifacts stay uuid4, as Prefect's do).
 * - `session_replication_role = replica` skips FK triggers for the transaction: flow_run.state_id
 *   and flow_run_state.flow_run_id reference each other and neither FK is deferrable. Consistency
 *   is by construction (and checked by test/integration/harness.test.ts). Needs a superuser.
 * - Generated SQL only interpolates our own constants (recipe names, messages); all data travels in
 *   bind parameters. HK_SEED_DEBUG=1 prints each statement's duration.
 */
import pg from 'pg';
import {
  STATE_DETAILS_TEMPLATE,
  NAME_WORDS,
  TASK_FUNCS,
  empiricalPolicy,
  expectedCounts,
  type Recipe,
  type SeedCounts,
  type SeedPlan,
  type TimeRef,
} from './seed-plan';

export type { RunVolume, SeedTarget, SeedPlan, SeedCounts, RunCategory } from './seed-plan';
export { planSeed, targetsFromDeployments, expectedCounts } from './seed-plan';

const PgClient = pg.Client;

export interface SeedResult extends SeedCounts {
  /** The `now` the plan was laid out against (ISO). */
  now: string;
  ms: number;
}

const lit = (s: string | null): string => (s === null ? 'NULL' : `'${s.replace(/'/g, "''")}'`);
const num = (n: number): string => {
  if (!Number.isFinite(n)) throw new Error(`bad number ${n}`);
  return String(n);
};

/** SQL for a point in time of a run (alias `a` has columns e, dur). */
function ts(ref: TimeRef, a = 'x'): string {
  const secs = ref.frac ? `${num(ref.off)} + ${num(ref.frac)} * ${a}.dur` : num(ref.off);
  const base = ref.from === 'expected' ? `${a}.e` : `current_setting('hk.now')::timestamptz`;
  return `(${base} + make_interval(secs => ${secs}))`;
}

/** Temp helper functions (pg_temp: nothing is added to Prefect's schema). */
const HELPERS = `
-- UUIDv7 for a given time: a v4 uuid with its first 48 bits replaced by the epoch milliseconds and
-- the version nibble turned from 4 (0100) into 7 (0111).
CREATE FUNCTION pg_temp.hk_uuid7(ts timestamptz) RETURNS uuid LANGUAGE sql VOLATILE AS $$
  SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
    PLACING substring(int8send((extract(epoch FROM ts) * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
$$;
-- Python's str() of a tz-aware datetime, the format in scheduler idempotency keys.
CREATE FUNCTION pg_temp.hk_pyts(ts timestamptz, tz text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(ts AT TIME ZONE tz, 'YYYY-MM-DD HH24:MI:SS')
    || CASE WHEN off < interval '0' THEN '-' ELSE '+' END
    || to_char(CASE WHEN off < interval '0' THEN -off ELSE off END, 'HH24:MI')
  FROM (SELECT (ts AT TIME ZONE tz) - (ts AT TIME ZONE 'UTC') AS off) o
$$;
-- Pydantic's JSON of a datetime: ISO with 'Z' for UTC, microseconds only when non-zero.
CREATE FUNCTION pg_temp.hk_iso(ts timestamptz, tz text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(ts AT TIME ZONE tz, 'YYYY-MM-DD"T"HH24:MI:SS')
    || CASE WHEN extract(microseconds FROM ts)::bigint % 1000000 = 0 THEN ''
            ELSE '.' || lpad((extract(microseconds FROM ts)::bigint % 1000000)::text, 6, '0') END
    || CASE WHEN off = interval '0' THEN 'Z'
            ELSE CASE WHEN off < interval '0' THEN '-' ELSE '+' END
                 || to_char(CASE WHEN off < interval '0' THEN -off ELSE off END, 'HH24:MI') END
  FROM (SELECT (ts AT TIME ZONE tz) - (ts AT TIME ZONE 'UTC') AS off) o
$$;
`;

/**
 * Statements for one recipe. Per-run values (times, ids) are computed once into hk_r_<recipe>,
 * per-task values into hk_t_<recipe>; the INSERTs into Prefect's tables then mostly copy columns.
 */
function recipeStatements(recipe: Recipe, plan: SeedPlan): string[] {
  const runs = `hk_r_${recipe.id}`;
  const tasks = `hk_t_${recipe.id}`;
  const states = recipe.states;
  const lastI = states.length - 1;
  const from = `FROM ${runs} r JOIN hk_target tg USING (t)`;
  const labels = `jsonb_build_object('prefect.flow.id', tg.flow_id, 'prefect.deployment.id', tg.deployment_id)`;
  const details = lit(JSON.stringify(STATE_DETAILS_TEMPLATE));
  const out: string[] = [];

  const stateCols = states.flatMap((s, i) => [
    `${ts(s.at)} AS s${i}_ts`,
    ...(s.scheduledTime ? [`${ts(s.scheduledTime)} AS sch${i}_ts`] : []),
  ]);
  const extraCols = [
    recipe.startAt ? `${ts(recipe.startAt)} AS start_ts` : 'NULL::timestamptz AS start_ts',
    recipe.nextScheduled ? `${ts(recipe.nextScheduled)} AS next_ts` : 'NULL::timestamptz AS next_ts',
  ];
  const idCols = ['pg_temp.hk_uuid7(y.s0_ts) AS id', ...states.map((_, i) => `pg_temp.hk_uuid7(y.s${i}_ts) AS s${i}_id`)];
  out.push(`CREATE TEMP TABLE ${runs} ON COMMIT DROP AS
    SELECT y.*, ${idCols.join(', ')} FROM (
      SELECT x.*, ${[...stateCols, ...extraCols].join(', ')} FROM (
        SELECT p.t, g,
          to_timestamp(floor(extract(epoch FROM current_setting('hk.now')::timestamptz) / tg.step) * tg.step
            + ${recipe.when === 'future' ? '(p.k0 + p.stride * (g - 1) + 1)' : '-(p.k0 + p.stride * (g - 1))'} * tg.step
            + ${recipe.offLattice ? 17 : 0}) AS e,
          (20 + (g::bigint * 7919) % 280)::double precision AS dur,
          (ARRAY[${NAME_WORDS.adjectives.map(lit).join(',')}])[1 + (g * 7 + p.t) % ${NAME_WORDS.adjectives.length}]
            || '-' || (ARRAY[${NAME_WORDS.animals.map(lit).join(',')}])[1 + (g * 13 + p.t * 5) % ${NAME_WORDS.animals.length}] AS name
        FROM hk_plan p JOIN hk_target tg USING (t) CROSS JOIN LATERAL generate_series(1, p.n) g
        WHERE p.recipe = ${lit(recipe.id)}
      ) x
    ) y`);
  out.push(`ANALYZE ${runs}`);

  const last = states[lastI]!;
  const lastTs = `r.s${lastI}_ts`;
  // Prefect < 3.2 (tg.attributed false) keys runs by deployment and time only, and leaves created_by NULL.
  const idem = recipe.auto
    ? `'scheduled ' || tg.deployment_id || ' ' || CASE WHEN tg.attributed THEN tg.schedule_id || ' ' ELSE '' END || pg_temp.hk_pyts(r.e, tg.tz)`
    : 'NULL';
  const tags = recipe.auto ? `'["auto-scheduled"]'::jsonb || tg.tags` : 'tg.tags';
  const createdBy = recipe.auto
    ? `CASE WHEN tg.attributed THEN jsonb_build_object('id', tg.schedule_id, 'type', 'SCHEDULE', 'display_value', tg.display_value) END`
    : 'NULL';
  // `labels` (flow_run, task_run) exists from 3.1 on.
  const hasLabels = plan.columns?.flowRunLabels ?? true;
  out.push(`INSERT INTO flow_run (id, created, updated, name, state_type, state_name, state_timestamp, state_id,
      run_count, expected_start_time, next_scheduled_start_time, start_time, end_time, total_run_time,
      parameters, idempotency_key, context, empirical_policy, tags, ${hasLabels ? 'labels, ' : ''}auto_scheduled,
      flow_id, deployment_id, work_queue_name, work_queue_id, created_by, job_variables)
    SELECT r.id, r.s0_ts, ${lastTs}, r.name, ${lit(last.type)}, ${lit(last.name)},
      ${recipe.stateTimestamp ? lastTs : 'NULL'}, r.s${lastI}_id, ${recipe.runCount}, r.e, r.next_ts, r.start_ts,
      ${recipe.terminal ? lastTs : 'NULL'}, make_interval(secs => ${num(recipe.runTimeFrac)} * r.dur),
      tg.parameters, ${idem}, '{}'::jsonb, ${lit(JSON.stringify(empiricalPolicy(recipe.retries)))}::jsonb,
      ${tags}, ${hasLabels ? `${labels}, ` : ''}${recipe.auto}, tg.flow_id, tg.deployment_id, tg.wq_name, tg.wq_id, ${createdBy}, '{}'::jsonb
    ${from} ORDER BY ${lastTs}`);

  const stateSelects = states.map((s, i) => {
    const sched = s.scheduledTime ? `pg_temp.hk_iso(r.sch${i}_ts, ${s.scheduledTimeLocal ? 'tg.tz' : `'UTC'`})` : 'NULL';
    return `SELECT r.s${i}_id, r.s${i}_ts, r.s${i}_ts, ${lit(s.type)}::state_type, r.s${i}_ts, ${lit(s.name)}, ${lit(s.message)},
      ${details}::jsonb || jsonb_build_object('flow_run_id', ${s.detailsFlowRunId ? 'r.id' : 'NULL'}, 'scheduled_time', ${sched}),
      r.id ${from}`;
  });
  out.push(`INSERT INTO flow_run_state (id, created, updated, type, timestamp, name, message, state_details, flow_run_id)
    ${stateSelects.join('\nUNION ALL\n')}
    ORDER BY 5`);

  const T = plan.taskRunsPerRun;
  const funcs = `(ARRAY[${TASK_FUNCS.map(lit).join(',')}])`;
  const hasTasks = Boolean(recipe.tasks && recipe.startAt && T > 0);
  if (recipe.tasks && hasTasks) {
    const fin = recipe.tasks.finalLast;
    // Task j runs within [start + D*(j-0.9)/T, start + D*(j-0.1)/T], Pending shortly before.
    out.push(`CREATE TEMP TABLE ${tasks} ON COMMIT DROP AS
      SELECT z.*, pg_temp.hk_uuid7(z.p_ts) AS id, pg_temp.hk_uuid7(z.p_ts) AS s0_id,
        pg_temp.hk_uuid7(z.s_ts) AS s1_id, pg_temp.hk_uuid7(z.e_ts) AS s2_id FROM (
        SELECT r.id AS run_id, r.t, j AS tj,
          r.start_ts + make_interval(secs => r.dur * (j - 0.95) / ${T}) AS p_ts,
          r.start_ts + make_interval(secs => r.dur * (j - 0.9) / ${T}) AS s_ts,
          r.start_ts + make_interval(secs => r.dur * (j - 0.1) / ${T}) AS e_ts,
          ${funcs}[1 + (j - 1) % ${TASK_FUNCS.length}] AS fn, ((j - 1) / ${TASK_FUNCS.length})::text AS dk,
          CASE WHEN j = ${T} THEN ${lit(fin.type)} ELSE 'COMPLETED' END AS st_type,
          CASE WHEN j = ${T} THEN ${lit(fin.name)} ELSE 'Completed' END AS st_name
        FROM ${runs} r CROSS JOIN generate_series(1, ${T}) j
      ) z`);
    out.push(`ANALYZE ${tasks}`);
    out.push(`INSERT INTO task_run (id, created, updated, name, state_type, state_name, state_timestamp, state_id,
        run_count, expected_start_time, start_time, end_time, total_run_time, task_key, dynamic_key,
        empirical_policy, task_inputs, tags, flow_run_id, flow_run_run_count${hasLabels ? ', labels' : ''})
      SELECT k.id, k.p_ts, k.e_ts, k.fn || '-' || k.dk, k.st_type::state_type, k.st_name, k.e_ts, k.s2_id,
        1, k.p_ts, k.s_ts, k.e_ts, k.e_ts - k.s_ts, k.fn || '-' || substr(md5(k.fn), 1, 8), k.dk,
        '{"retries": 0, "max_retries": 0, "retry_delay": 0, "retry_jitter_factor": null, "retry_delay_seconds": 0}'::jsonb,
        '{}'::jsonb, '[]'::jsonb, k.run_id, ${recipe.runCount}
        ${hasLabels ? `, ${labels} || jsonb_build_object('prefect.flow-run.id', k.run_id)` : ''}
      FROM ${tasks} k JOIN hk_target tg USING (t) ORDER BY k.e_ts`);
    const tState = (i: number, tsCol: string, type: string, name: string): string =>
      `SELECT k.s${i}_id, k.${tsCol}, k.${tsCol}, (${type})::state_type, k.${tsCol}, ${name}, NULL,
        ${details}::jsonb || jsonb_build_object('flow_run_id', k.run_id, 'task_run_id', k.id), k.id FROM ${tasks} k`;
    out.push(`INSERT INTO task_run_state (id, created, updated, type, timestamp, name, message, state_details, task_run_id)
      ${tState(0, 'p_ts', `'PENDING'`, `'Pending'`)}
      UNION ALL ${tState(1, 's_ts', `'RUNNING'`, `'Running'`)}
      UNION ALL ${tState(2, 'e_ts', 'k.st_type', 'k.st_name')}
      ORDER BY 5`);
  }

  const L = plan.logsPerRun;
  if (recipe.logs && recipe.startAt && L > 0) {
    const fin = recipe.logs.final;
    const isFinal = fin && L >= 2 ? `j = ${L}` : 'false';
    const middle = `(j > 1 AND NOT (${isFinal}))`;
    const tj = `(1 + (j - 2) % ${Math.max(T, 1)})`;
    const tsExpr = `CASE WHEN j = 1 THEN r.start_ts + interval '100 milliseconds'
        WHEN ${isFinal} THEN ${lastTs} - interval '50 milliseconds'
        ELSE ${hasTasks ? 'k.s_ts' : `r.start_ts + make_interval(secs => r.dur * (j - 1) / ${L})`} + interval '10 milliseconds' END`;
    out.push(`INSERT INTO log (id, created, updated, name, level, flow_run_id, task_run_id, message, timestamp)
      SELECT pg_temp.hk_uuid7(v.ts), v.ts, v.ts,
        CASE WHEN ${middle} AND ${hasTasks} THEN 'prefect.task_runs' ELSE 'prefect.flow_runs' END,
        CASE WHEN ${isFinal} THEN ${fin?.level ?? 20} ELSE 20 END,
        r.id, ${hasTasks ? `CASE WHEN ${middle} THEN k.id END` : 'NULL::uuid'},
        CASE WHEN j = 1 THEN 'Beginning flow run ''' || r.name || ''' for flow ''' || tg.flow_name || ''''
             WHEN ${isFinal} THEN ${lit(fin?.message ?? '')}
             ${hasTasks ? `ELSE 'Beginning task run ''' || k.fn || '-' || k.dk || ''''` : `ELSE 'Processed batch ' || j || ' of ${L}'`} END,
        v.ts
      ${from} CROSS JOIN generate_series(1, ${L}) j
      ${hasTasks ? `LEFT JOIN ${tasks} k ON k.run_id = r.id AND k.tj = ${tj}` : ''}
      CROSS JOIN LATERAL (SELECT ${tsExpr} AS ts) v
      ORDER BY v.ts`);
  }

  if (recipe.artifacts && plan.artifactEvery > 0) {
    out.push(`INSERT INTO artifact (id, created, updated, key, type, data, metadata_, flow_run_id, description)
      SELECT gen_random_uuid(), ${lastTs}, ${lastTs}, NULL, 'markdown',
        to_json('# Run report' || chr(10) || chr(10) || 'Rows processed: ' || ((r.g * 37) % 10000)), NULL, r.id, 'Run summary'
      ${from} WHERE r.g % ${plan.artifactEvery} = 0 ORDER BY ${lastTs}`);
  }
  return out;
}

/** Every statement the plan needs, in order (exposed for debugging: `console.log(planSql(p).join(';\n'))`). */
export function planSql(plan: SeedPlan): string[] {
  const used = new Set(plan.rows.map((r) => r.recipe));
  return plan.recipes.filter((r) => used.has(r.id)).flatMap((r) => recipeStatements(r, plan));
}

export interface SeedPgOptions {
  /**
   * Parallel connections (default 2). Each writes the runs of a disjoint subset of targets in its own
   * transaction; worth it because the cost is CPU (expression evaluation, ~30 indexes on flow_run).
   */
  workers?: number;
}

/** One worker: the plan rows of some targets, in one transaction. */
async function seedPart(client: pg.Client, plan: SeedPlan, rows: SeedPlan['rows']): Promise<void> {
  const targets = plan.targets.map((t, i) => ({
    t: i,
    deployment_id: t.deploymentId,
    flow_id: t.flowId,
    flow_name: t.flowName,
    schedule_id: t.scheduleId,
    display_value: t.displayValue,
    tz: t.timezone,
    step: t.stepSeconds,
    wq_name: t.workQueueName,
    wq_id: t.workQueueId,
    tags: t.tags,
    parameters: t.parameters,
    attributed: t.attributed ?? true,
  }));
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL statement_timeout = 0`);
    await client.query(`SET LOCAL session_replication_role = replica`).catch((err: unknown) => {
      throw new Error(`seedRunsPg needs a superuser connection (session_replication_role): ${String(err)}`);
    });
    await client.query(`SELECT set_config('hk.now', $1, true)`, [plan.now.toISOString()]);
    await client.query(HELPERS);
    await client.query(
      `CREATE TEMP TABLE hk_target ON COMMIT DROP AS SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
        t int, deployment_id uuid, flow_id uuid, flow_name text, schedule_id uuid, display_value text, tz text,
        step int, wq_name text, wq_id uuid, tags jsonb, parameters jsonb, attributed boolean)`,
      [JSON.stringify(targets)],
    );
    await client.query(
      `CREATE TEMP TABLE hk_plan ON COMMIT DROP AS SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
        t int, recipe text, n int, k0 int, stride int)`,
      [JSON.stringify(rows)],
    );
    for (const sql of planSql({ ...plan, rows })) {
      const t1 = Date.now();
      await client.query(sql);
      if (process.env.HK_SEED_DEBUG) process.stderr.write(`${Date.now() - t1} ms: ${sql.slice(0, 70).replace(/\s+/g, ' ')}\n`);
    }
    await client.query(`DROP FUNCTION pg_temp.hk_uuid7, pg_temp.hk_pyts, pg_temp.hk_iso`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/** The columns that differ between Prefect releases, from the catalog of the database seeded. */
async function catalogColumns(conn: pg.ClientConfig): Promise<NonNullable<SeedPlan['columns']>> {
  const client = new PgClient({ ...conn, application_name: 'housekeeper-harness-seed' });
  await client.connect();
  try {
    const r = await client.query<{ labels: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('flow_run') AND attname = 'labels' AND NOT attisdropped) AS labels`,
    );
    return { flowRunLabels: r.rows[0]?.labels ?? false };
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Writes the plan into the Prefect database `conn` points at. `conn` must be a superuser (see the
 * header). Then ANALYZEs the touched tables so planner statistics and pg_stat counters are current.
 * Returns the counts computed from the plan (expectedCounts), which tests compare with the database.
 */
export async function seedRunsPg(conn: pg.ClientConfig, plan0: SeedPlan, opts: SeedPgOptions = {}): Promise<SeedResult> {
  const t0 = Date.now();
  const plan: SeedPlan = { ...plan0, columns: await catalogColumns(conn) };
  const workers = Math.max(1, Math.min(opts.workers ?? 2, plan.targets.length));
  // Balance by row count: greedy assignment of targets to the least-loaded worker.
  const perTarget = new Map<number, number>();
  for (const r of plan.rows) perTarget.set(r.t, (perTarget.get(r.t) ?? 0) + r.n);
  const load = Array.from({ length: workers }, () => 0);
  const owner = new Map<number, number>();
  for (const [t, n] of [...perTarget].sort((a, b) => b[1] - a[1])) {
    const w = load.indexOf(Math.min(...load));
    owner.set(t, w);
    load[w]! += n;
  }
  const parts = Array.from({ length: workers }, (_, w) => plan.rows.filter((r) => owner.get(r.t) === w));
  const clients: pg.Client[] = [];
  try {
    await Promise.all(
      parts
        .filter((rows) => rows.length > 0)
        .map(async (rows) => {
          const client = new PgClient({ ...conn, application_name: 'housekeeper-harness-seed' });
          client.on('error', () => {});
          clients.push(client);
          await client.connect();
          await seedPart(client, plan, rows);
        }),
    );
    if (clients[0]) await clients[0].query('ANALYZE flow_run, flow_run_state, task_run, task_run_state, log, artifact');
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
  }
  return { ...expectedCounts(plan), now: plan.now.toISOString(), ms: Date.now() - t0 };
}
