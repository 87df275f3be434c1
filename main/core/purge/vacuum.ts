/**
 * After a purge: VACUUM (ANALYZE) the touched tables so Postgres can reuse the space and the planner
 * sees the new row counts. Plain VACUUM never shrinks the files (only a rewrite such as pg_repack or
 * VACUUM FULL does) and takes no lock that blocks Prefect. Progress comes from
 * pg_stat_progress_vacuum, polled on a second connection. On SQLite, VACUUM rewrites the whole file
 * (it needs about the file's size in free disk and an exclusive lock), so free space is checked first,
 * and the WAL is checkpointed after it (see vacuumSqlite).
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import type { ResolvedConnection } from '../connections/types';
import type { JobContext } from '../jobs/runner';
import { PostgresTarget } from '../targets/postgres';
import { SqliteTarget } from '../targets/sqlite';

export const PURGE_TABLES = ['flow_run', 'flow_run_state', 'task_run', 'task_run_state', 'log', 'artifact', 'flow_run_input'] as const;

export interface VacuumOutcome {
  tables: Array<{ table: string; status: 'vacuumed' | 'skipped'; reason?: string; durationMs: number }>;
  /** SQLite: bytes the file and its WAL lost on disk (negative: they grew). Postgres: null (plain VACUUM frees space for reuse, it does not shrink files). */
  freedBytes: number | null;
  sqlite?: SqliteVacuumDetails;
}

export async function vacuumPg(db: Extract<ResolvedConnection['db'], { kind: 'postgres' }>, tables: readonly string[], ctx: JobContext): Promise<VacuumOutcome> {
  // No statement timeout for VACUUM itself: a big table legitimately takes minutes. Cancel still works.
  const worker = new PostgresTarget(db, { applicationName: 'housekeeper-vacuum', statementTimeoutMs: 0, maxConnections: 1 });
  const watcher = new PostgresTarget(db, { applicationName: 'housekeeper-vacuum-progress', maxConnections: 1 });
  const out: VacuumOutcome = { tables: [], freedBytes: null };
  try {
    const allowed = await watcher.readOnly((q) =>
      q<{ relname: string; ok: boolean }>(
        `SELECT c.relname,
                (pg_has_role(current_user, c.relowner, 'USAGE')
                 OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                 OR (current_setting('server_version_num')::int >= 170000 AND pg_has_role(current_user, 'pg_maintain', 'USAGE'))) AS ok
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname = ANY($1::text[])`,
        [tables],
      ),
    );
    const ok = new Map(allowed.map((r) => [r.relname, r.ok]));
    let i = 0;
    for (const table of tables) {
      ctx.report({ phase: `vacuum ${table}`, done: i, total: tables.length, message: null });
      const t0 = Date.now();
      if (!ok.has(table)) {
        out.tables.push({ table, status: 'skipped', reason: 'table not found', durationMs: 0 });
      } else if (!ok.get(table)) {
        out.tables.push({
          table,
          status: 'skipped',
          reason: 'only the table owner, a superuser or (PG 17+) pg_maintain may VACUUM it; autovacuum will still reclaim the space',
          durationMs: 0,
        });
      } else {
        const poll = setInterval(() => {
          void watcher
            .query<{ phase: string; total: number; scanned: number }>(
              `SELECT p.phase, p.heap_blks_total AS total, p.heap_blks_scanned AS scanned
                 FROM pg_stat_progress_vacuum p WHERE p.relid = $1::regclass`,
              [table],
            )
            .then((rows) => {
              const r = rows[0];
              if (r) ctx.report({ message: `${table}: ${r.phase}, ${r.total ? Math.round((100 * Number(r.scanned)) / Number(r.total)) : 0}% of heap scanned` });
            })
            .catch(() => undefined);
        }, 500);
        try {
          // Identifiers come from the fixed PURGE_TABLES list, never from input.
          if (!(PURGE_TABLES as readonly string[]).includes(table)) throw new AppError('VALIDATION', `Not a table Housekeeper vacuums: ${table}`);
          await worker.query(`VACUUM (ANALYZE) ${table}`, [], { signal: ctx.signal });
        } finally {
          clearInterval(poll);
        }
        out.tables.push({ table, status: 'vacuumed', durationMs: Date.now() - t0 });
      }
      i++;
    }
    ctx.report({ phase: 'done', done: tables.length, total: tables.length });
    return out;
  } finally {
    await Promise.allSettled([worker.close(), watcher.close()]);
  }
}

/** Bytes of a SQLite database on disk: the main file and its write-ahead log. */
export interface SqliteFootprint {
  file: number;
  wal: number;
}

export interface SqliteVacuumDetails {
  file: string;
  before: SqliteFootprint;
  after: SqliteFootprint;
  /** PRAGMA wal_checkpoint(TRUNCATE) after the VACUUM (null: the file is not in WAL mode). */
  checkpoint: { complete: boolean; walFrames: number; checkpointedFrames: number; attempts: number } | null;
  /** Why the file did not shrink yet, when it did not. */
  pending: string | null;
}

function footprint(file: string): SqliteFootprint {
  const size = (p: string) => {
    try {
      return fs.statSync(p).size;
    } catch {
      return 0;
    }
  };
  return { file: size(file), wal: size(`${file}-wal`) };
}

const CHECKPOINT_ATTEMPTS = 10;

/**
 * SQLite: VACUUM, then checkpoint. Prefect runs SQLite in WAL mode (PRAGMA journal_mode = WAL in
 * prefect/server/database/configurations.py), where VACUUM writes the rewritten database into the
 * WAL and the file only shrinks when a checkpoint copies all of it back, which cannot finish while
 * another connection (the Prefect server's) still reads an older snapshot. So we ask for
 * wal_checkpoint(TRUNCATE) a few times, and report the bytes actually freed (file + WAL, before and
 * after), or that the shrink is still pending on the server's open read.
 */
export async function vacuumSqlite(file: string, ctx: JobContext): Promise<VacuumOutcome> {
  const before = footprint(file);
  const st = fs.statfsSync(path.dirname(file));
  const free = Number(st.bavail) * Number(st.bsize);
  if (free < before.file * 1.1) {
    throw new AppError('VALIDATION', `VACUUM needs about ${Math.ceil(before.file / 1e6)} MB free next to ${file}; only ${Math.floor(free / 1e6)} MB are free. Nothing was changed.`, {
      hint: 'Free some disk space first, or skip VACUUM: the deleted space is reused by SQLite anyway.',
    });
  }
  ctx.report({ phase: 'vacuum', done: 0, total: 2, message: 'Rewriting the database file (the Prefect server waits for the lock)' });
  const t0 = Date.now();
  const target = new SqliteTarget(file, { busyTimeoutMs: 30_000 });
  let checkpoint: SqliteVacuumDetails['checkpoint'] = null;
  try {
    target.write(() => undefined); // proves we can take the write lock and that foreign keys are on
    target.vacuum();
    ctx.report({ phase: 'checkpoint', done: 1, total: 2, message: 'Checkpointing the write-ahead log so the file shrinks' });
    checkpoint = await checkpointWal(file, ctx.signal);
  } finally {
    target.close();
  }
  const after = footprint(file);
  const pending =
    checkpoint && !checkpoint.complete
      ? `The Prefect server kept a read open, so only ${checkpoint.checkpointedFrames} of ${checkpoint.walFrames} WAL frames were copied back and the file could not be truncated yet; it shrinks at the server's next full checkpoint (or after a restart of the server).`
      : null;
  ctx.report({ phase: 'done', done: 2, total: 2 });
  const sqlite: SqliteVacuumDetails = { file, before, after, checkpoint, pending };
  return {
    tables: [{ table: path.basename(file), status: 'vacuumed', durationMs: Date.now() - t0 }],
    freedBytes: before.file + before.wal - (after.file + after.wal),
    sqlite,
  };
}

/**
 * wal_checkpoint(TRUNCATE) on a connection of our own (journal_mode is per file, so this is a no-op
 * outside WAL). busy = 1 means a reader (the Prefect server) kept the checkpoint from completing:
 * retried briefly, since the server's reads are short.
 */
async function checkpointWal(file: string, signal: AbortSignal): Promise<SqliteVacuumDetails['checkpoint']> {
  // TRUNCATE waits (busy handler) for readers to finish: a short timeout per attempt, several attempts.
  const db = new Database(file, { fileMustExist: true, timeout: 500 });
  try {
    if (String(db.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return null;
    let last = { busy: 1, log: 0, checkpointed: 0 };
    for (let attempt = 1; attempt <= CHECKPOINT_ATTEMPTS; attempt++) {
      last = (db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number; log: number; checkpointed: number }>)[0] ?? last;
      if (last.busy === 0) return { complete: true, walFrames: last.log, checkpointedFrames: last.checkpointed, attempts: attempt };
      if (signal.aborted) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    return { complete: false, walFrames: last.log, checkpointedFrames: last.checkpointed, attempts: CHECKPOINT_ATTEMPTS };
  } finally {
    db.close();
  }
}
