/**
 * Bulk seeding of a SQLite-backed Prefect server's database: the same plan and recipes as the
 * Postgres writer (seed-plan.ts), written row by row with better-sqlite3 in one transaction.
 * Meant for smaller volumes (thousands of runs); SQLite has no generate_series by default and
 * better-sqlite3 inserts ~100k rows/s anyway.
 *
 * Storage formats match what Prefect 3.9.1 writes on SQLite (observed from a live server):
 * UUIDs as CHAR(36) text, timestamps as naive UTC text `YYYY-MM-DD HH:MM:SS.ffffff`, intervals as
 * `1970-01-01 HH:MM:SS.ffffff`, JSON as text, booleans as 0/1.
 *
 * FKs: Prefect enables `PRAGMA foreign_keys=ON` on its connections, so we do too; the circular
 * flow_run.state_id <-> flow_run_state.flow_run_id reference is satisfied with
 * `PRAGMA defer_foreign_keys=ON` (checked at COMMIT, so a bad row still fails the seed).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import {
  NAME_WORDS,
  STATE_DETAILS_TEMPLATE,
  TASK_FUNCS,
  durationOf,
  empiricalPolicy,
  expectedCounts,
  expectedEpoch,
  type Recipe,
  type SeedPlan,
  type TimeRef,
} from './seed-plan';
import type { SeedResult } from './seed-sql';

/** Microseconds since epoch → Prefect's SQLite DATETIME text. */
export function sqliteTs(us: number): string {
  const d = new Date(Math.floor(us / 1000));
  const micro = String(((us % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, '0');
  return `${d.toISOString().slice(0, 19).replace('T', ' ')}.${micro}`;
}

/** Seconds → Prefect's SQLite interval text (a DATETIME offset from the epoch). */
export function sqliteInterval(seconds: number): string {
  return sqliteTs(Math.round(seconds * 1e6));
}

export function uuid7(ms: number): string {
  const b = randomBytes(16);
  const t = BigInt(Math.floor(ms));
  for (let i = 0; i < 6; i++) b[i] = Number((t >> BigInt(8 * (5 - i))) & 0xffn);
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const fmtCache = new Map<string, Intl.DateTimeFormat>();
/** Wall-clock parts of an instant in a zone, and the zone's UTC offset in minutes. */
function zoned(us: number, tz: string): { date: string; time: string; offMin: number } {
  let f = fmtCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    fmtCache.set(tz, f);
  }
  const ms = Math.floor(us / 1000);
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const localMs = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
  const offMin = Math.round((localMs - Math.floor(ms / 1000) * 1000) / 60000);
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}:${p.second}`, offMin };
}

function fmtOffset(offMin: number): string {
  const a = Math.abs(offMin);
  return `${offMin < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** Python's str() of a tz-aware datetime (scheduler idempotency keys). */
export function pyStr(us: number, tz: string): string {
  const z = zoned(us, tz);
  return `${z.date} ${z.time}${fmtOffset(z.offMin)}`;
}

/** Pydantic's JSON of a datetime in a zone. */
export function pydanticIso(us: number, tz: string): string {
  const z = zoned(us, tz);
  const micro = ((us % 1_000_000) + 1_000_000) % 1_000_000;
  return `${z.date}T${z.time}${micro ? `.${String(micro).padStart(6, '0')}` : ''}${z.offMin === 0 ? 'Z' : fmtOffset(z.offMin)}`;
}

export function seedRunsSqlite(dbPath: string, plan: SeedPlan): SeedResult {
  const t0 = Date.now();
  const db = new Database(dbPath);
  try {
    db.pragma('busy_timeout = 60000');
    db.pragma('foreign_keys = ON');
    // `labels` (flow_run, task_run) exists from Prefect 3.1 on: written only where the schema has it.
    const hasLabels = (db.prepare(`SELECT count(*) AS n FROM pragma_table_info('flow_run') WHERE name = 'labels'`).get() as { n: number }).n > 0;
    const L_COL = hasLabels ? ', labels' : '';
    const L_VAL = hasLabels ? ', ?' : '';
    const runInsert = db.prepare(`INSERT INTO flow_run (id, created, updated, name, state_type, state_name, state_timestamp, state_id,
        run_count, expected_start_time, next_scheduled_start_time, start_time, end_time, total_run_time, parameters,
        idempotency_key, context, empirical_policy, tags${L_COL}, auto_scheduled, flow_id, deployment_id,
        work_queue_name, work_queue_id, created_by, job_variables)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}', ?, ?${L_VAL}, ?, ?, ?, ?, ?, ?, '{}')`);
    const taskInsert = db.prepare(`INSERT INTO task_run (id, created, updated, name, state_type, state_name, state_timestamp, state_id,
        run_count, expected_start_time, start_time, end_time, total_run_time, task_key, dynamic_key, empirical_policy,
        task_inputs, tags, flow_run_id, flow_run_run_count${L_COL})
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, '{}', '[]', ?, ?${L_VAL})`);
    // Labels are the one optional column, always the 19th (runs) / 18th (tasks) value: drop it when absent.
    const withoutLabels = (args: unknown[], at: number): unknown[] => (hasLabels ? args : [...args.slice(0, at), ...args.slice(at + 1)]);
    const ins = {
      run: { run: (...a: unknown[]) => runInsert.run(...withoutLabels(a, 18)) },
      state: db.prepare(`INSERT INTO flow_run_state (id, created, updated, type, timestamp, name, message, state_details, flow_run_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      task: { run: (...a: unknown[]) => taskInsert.run(...withoutLabels(a, 17)) },
      taskState: db.prepare(`INSERT INTO task_run_state (id, created, updated, type, timestamp, name, message, state_details, task_run_id)
        VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)`),
      log: db.prepare(`INSERT INTO log (id, created, updated, name, level, flow_run_id, task_run_id, message, timestamp)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      artifact: db.prepare(`INSERT INTO artifact (id, created, updated, key, type, data, metadata_, flow_run_id, description)
        VALUES (?, ?, ?, NULL, 'markdown', ?, 'null', ?, 'Run summary')`),
    };
    const nowUs = plan.now.getTime() * 1000;
    const T = plan.taskRunsPerRun;
    const L = plan.logsPerRun;
    const taskPolicy = JSON.stringify({ retries: 0, max_retries: 0, retry_delay: 0, retry_jitter_factor: null, retry_delay_seconds: 0 });

    const write = db.transaction(() => {
      db.pragma('defer_foreign_keys = ON');
      for (const row of plan.rows) {
        const recipe = plan.recipes.find((r) => r.id === row.recipe) as Recipe;
        const target = plan.targets[row.t]!;
        const labels = { 'prefect.flow.id': target.flowId, 'prefect.deployment.id': target.deploymentId };
        for (let g = 1; g <= row.n; g++) {
          const eUs = expectedEpoch(plan, row, g) * 1e6;
          const dur = durationOf(g);
          const at = (ref: TimeRef): number =>
            (ref.from === 'expected' ? eUs : nowUs) + Math.round((ref.off + ref.frac * dur) * 1e6);
          const sts = recipe.states.map((s) => at(s.at));
          const sids = sts.map((us) => uuid7(us / 1000));
          const runId = uuid7(sts[0]! / 1000);
          const lastI = recipe.states.length - 1;
          const last = recipe.states[lastI]!;
          const lastUs = sts[lastI]!;
          const startUs = recipe.startAt ? at(recipe.startAt) : null;
          const name = `${NAME_WORDS.adjectives[(g * 7 + row.t) % NAME_WORDS.adjectives.length]}-${
            NAME_WORDS.animals[(g * 13 + row.t * 5) % NAME_WORDS.animals.length]
          }`;
          ins.run.run(
            runId,
            sqliteTs(sts[0]!),
            sqliteTs(lastUs),
            name,
            last.type,
            last.name,
            recipe.stateTimestamp ? sqliteTs(lastUs) : null,
            sids[lastI],
            recipe.runCount,
            sqliteTs(eUs),
            recipe.nextScheduled ? sqliteTs(at(recipe.nextScheduled)) : null,
            startUs === null ? null : sqliteTs(startUs),
            recipe.terminal ? sqliteTs(lastUs) : null,
            sqliteInterval(recipe.runTimeFrac * dur),
            JSON.stringify(target.parameters),
            // Prefect < 3.2 (attributed false): no schedule id in the key, created_by NULL.
            recipe.auto
              ? `scheduled ${target.deploymentId} ${target.attributed === false ? '' : `${target.scheduleId} `}${pyStr(eUs, target.timezone)}`
              : null,
            JSON.stringify(empiricalPolicy(recipe.retries)),
            JSON.stringify(recipe.auto ? ['auto-scheduled', ...target.tags] : target.tags),
            JSON.stringify(labels),
            recipe.auto ? 1 : 0,
            target.flowId,
            target.deploymentId,
            target.workQueueName,
            target.workQueueId,
            recipe.auto && target.attributed !== false
              ? JSON.stringify({ id: target.scheduleId, type: 'SCHEDULE', display_value: target.displayValue })
              : null,
          );
          recipe.states.forEach((s, i) => {
            const details = {
              ...STATE_DETAILS_TEMPLATE,
              flow_run_id: s.detailsFlowRunId ? runId : null,
              scheduled_time: s.scheduledTime
                ? pydanticIso(at(s.scheduledTime), s.scheduledTimeLocal ? target.timezone : 'UTC')
                : null,
            };
            const t = sqliteTs(sts[i]!);
            ins.state.run(sids[i], t, t, s.type, t, s.name, s.message, JSON.stringify(details), runId);
          });

          const taskIds: { id: string; name: string; sUs: number }[] = [];
          if (recipe.tasks && startUs !== null && T > 0) {
            for (let j = 1; j <= T; j++) {
              const p = startUs + Math.round(((dur * (j - 0.95)) / T) * 1e6);
              const s = startUs + Math.round(((dur * (j - 0.9)) / T) * 1e6);
              const e = startUs + Math.round(((dur * (j - 0.1)) / T) * 1e6);
              const fn = TASK_FUNCS[(j - 1) % TASK_FUNCS.length]!;
              const dk = String(Math.floor((j - 1) / TASK_FUNCS.length));
              const fin = j === T ? recipe.tasks.finalLast : { type: 'COMPLETED', name: 'Completed' };
              const id = uuid7(p / 1000);
              const stateIds = [uuid7(p / 1000), uuid7(s / 1000), uuid7(e / 1000)];
              ins.task.run(
                id,
                sqliteTs(p),
                sqliteTs(e),
                `${fn}-${dk}`,
                fin.type,
                fin.name,
                sqliteTs(e),
                stateIds[2],
                sqliteTs(p),
                sqliteTs(s),
                sqliteTs(e),
                sqliteInterval((e - s) / 1e6),
                `${fn}-${createHash('md5').update(fn).digest('hex').slice(0, 8)}`,
                dk,
                taskPolicy,
                runId,
                recipe.runCount,
                JSON.stringify({ ...labels, 'prefect.flow-run.id': runId }),
              );
              const details = JSON.stringify({ ...STATE_DETAILS_TEMPLATE, flow_run_id: runId, task_run_id: id });
              ins.taskState.run(stateIds[0], sqliteTs(p), sqliteTs(p), 'PENDING', sqliteTs(p), 'Pending', details, id);
              ins.taskState.run(stateIds[1], sqliteTs(s), sqliteTs(s), 'RUNNING', sqliteTs(s), 'Running', details, id);
              ins.taskState.run(stateIds[2], sqliteTs(e), sqliteTs(e), fin.type, sqliteTs(e), fin.name, details, id);
              taskIds.push({ id, name: `${fn}-${dk}`, sUs: s });
            }
          }

          if (recipe.logs && startUs !== null && L > 0) {
            const fin = recipe.logs.final;
            for (let j = 1; j <= L; j++) {
              const isFinal = fin !== null && L >= 2 && j === L;
              const task = j > 1 && !isFinal && taskIds.length ? taskIds[(j - 2) % taskIds.length]! : null;
              let us: number;
              let message: string;
              if (j === 1) {
                us = startUs + 100_000;
                message = `Beginning flow run '${name}' for flow '${target.flowName}'`;
              } else if (isFinal) {
                us = lastUs - 50_000;
                message = fin.message;
              } else if (task) {
                us = task.sUs + 10_000;
                message = `Beginning task run '${task.name}'`;
              } else {
                us = startUs + Math.round(((dur * (j - 1)) / L) * 1e6) + 10_000;
                message = `Processed batch ${j} of ${L}`;
              }
              const t = sqliteTs(us);
              ins.log.run(
                uuid7(us / 1000),
                t,
                t,
                task ? 'prefect.task_runs' : 'prefect.flow_runs',
                isFinal ? fin.level : 20,
                runId,
                task?.id ?? null,
                message,
                t,
              );
            }
          }

          if (recipe.artifacts && plan.artifactEvery > 0 && g % plan.artifactEvery === 0) {
            const t = sqliteTs(lastUs);
            const data = JSON.stringify(`# Run report\n\nRows processed: ${(g * 37) % 10000}`);
            // Prefect gives artifacts uuid4 ids (observed), unlike runs/states/logs.
            ins.artifact.run(randomUUID(), t, t, data, runId);
          }
        }
      }
    });
    write();
    // No ANALYZE here: Prefect never runs it on SQLite, and sqlite_stat1 would change its query plans.
  } finally {
    db.close();
  }
  return { ...expectedCounts(plan), now: plan.now.toISOString(), ms: Date.now() - t0 };
}
