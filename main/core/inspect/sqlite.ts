/**
 * Inspecting a Prefect server on SQLite, through the read-only handle (it cannot change the file).
 * Space: page size × page count, free pages (what VACUUM would give back), the WAL beside it, and
 * per-table sizes from the dbstat virtual table when this SQLite has it. Run health: the same
 * questions as on Postgres, answered exactly (SQLite-backed servers are small, and SQLite keeps no
 * planner statistics we could use instead), with the orphan checks still sampled.
 *
 * Timestamps: Prefect stores DATETIME as naive UTC text "YYYY-MM-DD HH:MM:SS.ffffff", so times are
 * passed in that form and compared as text.
 */
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import {
  AGE_BUCKET_DAYS,
  PREFECT_TABLES,
  type AgeBucket,
  type DeploymentBacklog,
  type RunHealth,
  type SampledCount,
  type SqliteSpace,
  type StateCount,
  type TableSpace,
} from '../../../shared/domain/inspect';
import { SqliteTarget } from '../targets/sqlite';
import type { ReportBuilder } from './sections';
import { extrapolateClusters } from './stats-math';
import { sqliteVerdict } from './verdict';

/** dbstat reads every page; above this the per-table breakdown is skipped (file totals stay exact). */
export const DBSTAT_MAX_BYTES = 2 * 1024 ** 3;
const SAMPLE_CHUNKS = 8;
const CHUNK_ROWS = 2_000;

export function sqliteTime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '').replace(/\.(\d{3})$/, '.$1000');
}

function parseSqliteTime(s: string | null): string | null {
  if (!s) return null;
  const d = new Date(`${s.replace(' ', 'T').slice(0, 23)}Z`);
  return Number.isNaN(d.getTime()) ? s : d.toISOString();
}

const PREFECT = new Set<string>(PREFECT_TABLES);

export interface SqliteInspection {
  space: SqliteSpace | null;
  runs: RunHealth | null;
  version: string | null;
  migration: string | null;
}

export async function inspectSqlite(file: string, b: ReportBuilder, opts: { now?: Date } = {}): Promise<SqliteInspection> {
  const now = opts.now ?? new Date();
  const target = new SqliteTarget(file);
  try {
    const facts = await b.run('server', async () => {
      const info = target.info();
      const tables = target.readOnly((db) => new Set((db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((r) => r.name)));
      const migration = tables.has('alembic_version')
        ? target.readOnly((db) => (db.prepare('SELECT version_num AS v FROM alembic_version').get() as { v: string } | undefined)?.v ?? null)
        : null;
      const warnings = tables.has('flow_run') ? [] : [`${file} has no flow_run table: it is not a Prefect database.`];
      return { value: { info, tables, migration }, warnings };
    });
    if (!facts) {
      b.skipped(['space', 'runs', 'orphans'], 'The database file could not be read.');
      b.unavailable('maintenance', 'SQLite has no background vacuum to watch.');
      return { space: null, runs: null, version: null, migration: null };
    }
    const space = await b.run('space', async () => {
      const s = target.readOnly((db) => readSpace(db, file, facts.info.sizeBytes, facts.tables));
      return { value: s.space, warnings: s.notes, partial: !s.space.dbstat };
    });
    const prefect = facts.tables.has('flow_run');
    const runs = prefect
      ? await b.run('runs', async () => ({ value: target.readOnly((db) => readRuns(db, facts.tables, now)) }))
      : null;
    if (prefect && runs) {
      await b.run('orphans', async () => {
        const out = target.readOnly((db) => ({
          logs: facts.tables.has('log') ? sampleOrphans(db, 'log') : null,
          artifacts: facts.tables.has('artifact') ? sampleOrphans(db, 'artifact') : null,
        }));
        runs.orphans = { ...runs.orphans, ...out };
        return { value: null };
      });
    } else if (!prefect) {
      b.unavailable('runs', 'Not a Prefect database.');
      b.unavailable('orphans', 'Not a Prefect database.');
    }
    b.unavailable('maintenance', 'SQLite has no background vacuum to watch; space comes back only with VACUUM.');
    return { space, runs, version: `SQLite ${facts.info.version}`, migration: facts.migration };
  } finally {
    target.close();
  }
}

function readSpace(db: Database.Database, file: string, fileBytes: number, tables: Set<string>): { space: SqliteSpace; notes: string[] } {
  const notes: string[] = [];
  const pageSize = Number(db.pragma('page_size', { simple: true }));
  const pageCount = Number(db.pragma('page_count', { simple: true }));
  const freelistCount = Number(db.pragma('freelist_count', { simple: true }));
  let walBytes = 0;
  try {
    walBytes = fs.statSync(`${file}-wal`).size;
  } catch {
    walBytes = 0;
  }
  const sizes = new Map<string, { heap: number; index: number }>();
  let dbstat = false;
  if (fileBytes > DBSTAT_MAX_BYTES) {
    notes.push(`Per-table sizes skipped: dbstat reads every page, and the file is over ${Math.round(DBSTAT_MAX_BYTES / 1024 ** 3)} GiB.`);
  } else {
    try {
      const owners = new Map((db.prepare(`SELECT name, tbl_name, type FROM sqlite_master WHERE type IN ('table', 'index')`).all() as { name: string; tbl_name: string; type: string }[]).map((r) => [r.name, r]));
      const rows = db.prepare(`SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name`).all() as { name: string; bytes: number }[];
      for (const r of rows) {
        const o = owners.get(r.name);
        const table = o?.tbl_name ?? r.name;
        const s = sizes.get(table) ?? { heap: 0, index: 0 };
        if (o?.type === 'index') s.index += Number(r.bytes);
        else s.heap += Number(r.bytes);
        sizes.set(table, s);
      }
      dbstat = true;
    } catch {
      notes.push('This SQLite build has no dbstat virtual table: only file totals are shown.');
    }
  }
  const out: TableSpace[] = [];
  for (const name of tables) {
    if (name.startsWith('sqlite_')) continue;
    const s = sizes.get(name);
    const known = PREFECT.has(name);
    // Exact counts only for Prefect's tables (SQLite counts by walking the smallest index).
    const rows = known ? Number((db.prepare(`SELECT count(*) AS n FROM "${name.replace(/"/g, '""')}"`).get() as { n: number }).n) : null;
    out.push({
      name,
      prefect: known,
      rowsEstimate: rows,
      rowsExact: rows !== null,
      heapBytes: s?.heap ?? 0,
      indexBytes: s?.index ?? 0,
      toastBytes: 0,
      totalBytes: (s?.heap ?? 0) + (s?.index ?? 0),
      liveTuples: rows,
      deadTuples: null,
      deadShare: null,
      modsSinceAnalyze: null,
      lastVacuum: null,
      lastAutovacuum: null,
      lastAnalyze: null,
      lastAutoanalyze: null,
      vacuumCount: null,
      autovacuumCount: null,
      autovacuum: null,
      xidAge: null,
      bloat: { reclaimableBytes: null, expectedBytes: null, ratio: null, confidence: { level: 'none', margin: null, reasons: ['SQLite keeps free space per file, not per table: see the free pages'] } },
      exact: null,
      verdict: { kind: 'fine', summary: 'Per-table free space is not tracked by SQLite; see the file verdict.' },
    });
  }
  out.sort((a, b) => b.totalBytes - a.totalBytes || a.name.localeCompare(b.name));
  const freeBytes = freelistCount * pageSize;
  if (walBytes > 64 * 1024 * 1024) notes.push(`The write-ahead log is ${Math.round(walBytes / 1024 ** 2)} MiB: a checkpoint (the Prefect server does them) folds it back.`);
  return {
    space: {
      kind: 'sqlite',
      file,
      fileBytes,
      walBytes,
      pageSize,
      pageCount,
      freelistCount,
      freeBytes,
      dbstat,
      tables: out,
      verdict: sqliteVerdict(fileBytes, freeBytes),
    },
    notes,
  };
}

const NAME_SQL = `SELECT state_type AS type, state_name AS name, count(*) AS n FROM flow_run GROUP BY state_type, state_name`;

function readRuns(db: Database.Database, tables: Set<string>, now: Date): RunHealth {
  const nowText = sqliteTime(now);
  const byNameRows = db.prepare(NAME_SQL).all() as { type: string | null; name: string | null; n: number }[];
  const byType = new Map<string, number>();
  const byName: StateCount[] = [];
  for (const r of byNameRows) {
    byType.set(r.type ?? '(none)', (byType.get(r.type ?? '(none)') ?? 0) + Number(r.n));
    byName.push({ type: r.type, name: r.name, count: Number(r.n), exact: true });
  }
  const hasSchedules = tables.has('deployment_schedule');
  const pass = db
    .prepare(
      `SELECT fr.deployment_id, fr.state_name, fr.next_scheduled_start_time > ? AS future, count(*) AS n,
              min(fr.expected_start_time) AS oldest, min(fr.next_scheduled_start_time) AS first_next, max(fr.next_scheduled_start_time) AS last_next,
              (fr.deployment_id IS NULL OR d.id IS NOT NULL) AS dep_exists,
              ${hasSchedules ? `(fr.auto_scheduled = 1 AND json_extract(fr.created_by, '$.type') = 'SCHEDULE' AND NOT EXISTS (SELECT 1 FROM deployment_schedule s WHERE s.id = json_extract(fr.created_by, '$.id')))` : '0'} AS sched_gone,
              f.name || '/' || d.name AS dep_name, d.paused, d.status, d.last_polled
         FROM flow_run fr
         LEFT JOIN deployment d ON d.id = fr.deployment_id
         LEFT JOIN flow f ON f.id = d.flow_id
        WHERE fr.state_type = 'SCHEDULED'
        GROUP BY fr.deployment_id, fr.state_name, future, dep_exists, sched_gone`,
    )
    .all(nowText) as Array<{
    deployment_id: string | null;
    state_name: string | null;
    future: number;
    n: number;
    oldest: string | null;
    first_next: string | null;
    last_next: string | null;
    dep_exists: number;
    sched_gone: number;
    dep_name: string | null;
    paused: number | null;
    status: string | null;
    last_polled: string | null;
  }>;
  const late = new Map<string | null, DeploymentBacklog>();
  const future = new Map<string | null, DeploymentBacklog>();
  let goneCount = 0;
  const goneDeps = new Set<string>();
  let goneOldest: string | null = null;
  let schedGone = 0;
  let schedOldest: string | null = null;
  const min = (a: string | null, b: string | null) => (a && b ? (a < b ? a : b) : (a ?? b));
  const max = (a: string | null, b: string | null) => (a && b ? (a > b ? a : b) : (a ?? b));
  const entry = (m: Map<string | null, DeploymentBacklog>, r: (typeof pass)[number]): DeploymentBacklog => {
    const e = m.get(r.deployment_id) ?? {
      deploymentId: r.deployment_id,
      name: r.dep_name,
      exists: r.dep_exists === 1,
      paused: r.paused === null ? null : r.paused === 1,
      status: r.status,
      lastPolled: parseSqliteTime(r.last_polled),
      count: 0,
      first: null,
      last: null,
    };
    m.set(r.deployment_id, e);
    return e;
  };
  for (const r of pass) {
    const n = Number(r.n);
    if (r.state_name === 'Late') {
      const e = entry(late, r);
      e.count += n;
      e.first = min(e.first, parseSqliteTime(r.oldest));
    }
    if (r.future === 1) {
      const e = entry(future, r);
      e.count += n;
      e.first = min(e.first, parseSqliteTime(r.first_next));
      e.last = max(e.last, parseSqliteTime(r.last_next));
    }
    if (r.dep_exists !== 1 && r.deployment_id) {
      goneCount += n;
      goneDeps.add(r.deployment_id);
      goneOldest = min(goneOldest, parseSqliteTime(r.oldest));
    } else if (r.sched_gone === 1) {
      schedGone += n;
      schedOldest = min(schedOldest, parseSqliteTime(r.oldest));
    }
  }
  const lateList = [...late.values()].sort((a, b) => b.count - a.count);
  const futureList = [...future.values()].sort((a, b) => b.count - a.count);
  const ageStmt = db.prepare(`SELECT count(*) AS n FROM flow_run WHERE end_time < ? AND state_type IN ('COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED')`);
  const terminalByAge: AgeBucket[] = AGE_BUCKET_DAYS.map((days) => {
    const before = new Date(now.getTime() - days * 86_400_000);
    return { days, before: before.toISOString(), count: Number((ageStmt.get(sqliteTime(before)) as { n: number }).n), exact: true };
  });
  const types = [...byType].map(([type, count]) => ({ type, name: null, count, exact: true }));
  return {
    method: 'sql',
    total: types.reduce((n, t) => n + t.count, 0),
    totalExact: true,
    byType: types.sort((a, b) => b.count - a.count),
    byName: byName.sort((a, b) => b.count - a.count),
    late: { count: lateList.reduce((n, d) => n + d.count, 0), exact: true, deployments: lateList },
    future: { count: futureList.reduce((n, d) => n + d.count, 0), exact: true, deployments: futureList },
    terminalByAge,
    orphans: {
      deploymentGone: { count: goneCount, deployments: goneDeps.size, oldest: goneOldest },
      scheduleGone: hasSchedules ? { count: schedGone, oldest: schedOldest } : null,
      logs: null,
      artifacts: null,
    },
    recent: null,
  };
}

/**
 * Orphan sample on SQLite: a few windows of consecutive rowids spread over the table, each row
 * checked against flow_run's primary key. Bounded by SAMPLE_CHUNKS × CHUNK_ROWS whatever the size.
 */
export function sampleOrphans(db: Database.Database, table: 'log' | 'artifact'): SampledCount {
  // min/max(rowid) are two b-tree descents, not a scan.
  const span = db.prepare(`SELECT min(rowid) AS lo, max(rowid) AS hi FROM ${table}`).get() as { lo: number | null; hi: number | null };
  const lo = span.lo;
  const hi = span.hi;
  if (lo === null || hi === null) return { count: 0, exact: true, sampledRows: 0, foundInSample: 0, margin: 0 };
  const stmt = db.prepare(
    `SELECT count(*) AS n, sum(CASE WHEN x.flow_run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM flow_run fr WHERE fr.id = x.flow_run_id) THEN 1 ELSE 0 END) AS k
       FROM (SELECT flow_run_id FROM ${table} WHERE rowid >= ? ORDER BY rowid LIMIT ?) x`,
  );
  const range = hi - lo + 1;
  if (range <= SAMPLE_CHUNKS * CHUNK_ROWS) {
    const r = stmt.get(lo, range) as { n: number; k: number | null };
    return { count: Number(r.k ?? 0), exact: true, sampledRows: Number(r.n), foundInSample: Number(r.k ?? 0), margin: 0 };
  }
  const clusters: { n: number; k: number }[] = [];
  for (let i = 0; i < SAMPLE_CHUNKS; i++) {
    // Evenly spaced windows (deterministic: two inspections of an unchanged file agree).
    const start = lo + Math.floor(((i + 0.5) * range) / SAMPLE_CHUNKS) - Math.floor(CHUNK_ROWS / 2);
    const r = stmt.get(start, CHUNK_ROWS) as { n: number; k: number | null };
    clusters.push({ n: Number(r.n), k: Number(r.k ?? 0) });
  }
  // Population: rowids are dense unless rows were deleted, so the span is a (slight) upper bound; an
  // exact count(*) would walk the whole table, which is what this sample avoids.
  return extrapolateClusters(clusters, range, Math.ceil(range / CHUNK_ROWS));
}
