/**
 * Inspect, end to end: pick the way in (Postgres, SQLite, or the API alone), assemble the report
 * section by section (a failing section is a note, never a crash), save it with its chart point, and
 * on demand measure exactly with pgstattuple as a job. Nothing here writes to the Prefect server:
 * every database read is a READ ONLY transaction, the SQLite handle is opened read-only, and the API
 * calls are counts and filters.
 */
import crypto from 'node:crypto';
import { AppError } from '../../../shared/errors';
import { spaceReclaim } from '../../../shared/domain/reclaim';
import { PREFECT_TABLES, type ExactMeasure, type InspectReport, type Maintenance, type TableSpace } from '../../../shared/domain/inspect';
import type { Store } from '../../store';
import type { ResolvedConnection } from '../connections/types';
import type { JobContext, JobRunner } from '../jobs/runner';
import { apiCapabilities, degradations } from '../targets/capabilities';
import { PostgresTarget } from '../targets/postgres';
import { inspectApi } from './api-only';
import { measureExact, type ExactTarget } from './exact-pg';
import { inspectPostgres, serverLine } from './inspect-pg';
import { historyPoint } from './report-export';
import { ReportBuilder } from './sections';
import { readServerFacts } from './server-pg';
import { inspectSqlite } from './sqlite';
import { maintenanceNow } from './vacuum-progress-pg';
import { TargetCache } from './target-cache';
import { tableVerdict } from './verdict';

export interface InspectRequest {
  conn: ResolvedConnection;
  signal?: AbortSignal;
  /** Do not save (tests of the read-only path, benchmarks). */
  save?: boolean;
  now?: Date;
}

export interface ExactResult {
  reportId: string | null;
  measured: Array<{ kind: 'table' | 'index'; name: string; measure: ExactMeasure | null; error: string | null }>;
}

const MIB = 1024 * 1024;

export class InspectService {
  private readonly targets = new TargetCache();

  constructor(
    private readonly store: Store,
    private readonly jobs: JobRunner,
  ) {}

  /** Closes the kept pools (the context calls this on the way out). */
  close(): Promise<void> {
    return this.targets.close();
  }

  async run(req: InspectRequest): Promise<InspectReport> {
    const t0 = Date.now();
    const { conn } = req;
    const b = new ReportBuilder();
    const createdAt = (req.now ?? new Date()).toISOString();
    let report: InspectReport;
    const base = { id: crypto.randomUUID(), connectionId: conn.id, connectionName: conn.name, createdAt };
    if (conn.db.kind === 'postgres') {
      const [pgr, version] = await Promise.all([inspectPostgres(this.targets.postgres(conn.db), b, { signal: req.signal, now: req.now }), this.prefectVersion(conn, b, req.signal)]);
      // The database could not be read at all (a wrong password, a dropped host): run health still
      // comes from the API, which answers (issue #13: "API only" with no run counts).
      if (!pgr.facts && version !== null) pgr.runs = await this.runsFromApi(conn, b, req);
      report = {
        ...base,
        durationMs: 0,
        source: 'postgres',
        server: { apiUrl: conn.apiUrl, prefectVersion: version, ...serverLine(pgr.facts) },
        sections: b.sections,
        notes: b.notes,
        space: pgr.space,
        runs: pgr.runs,
        maintenance: pgr.maintenance,
      };
    } else if (conn.db.kind === 'sqlite') {
      const file = conn.db.path;
      const [sq, version] = await Promise.all([inspectSqlite(file, b, { now: req.now }), this.prefectVersion(conn, b, req.signal)]);
      report = {
        ...base,
        durationMs: 0,
        source: 'sqlite',
        server: { apiUrl: conn.apiUrl, prefectVersion: version, migration: sq.migration, database: sq.version, databaseUser: null },
        sections: b.sections,
        notes: b.notes,
        space: sq.space,
        runs: sq.runs,
        maintenance: null,
      };
    } else {
      const api = this.targets.prefect(conn, { timeoutMs: 20_000 });
      const r = await inspectApi(api, b, { signal: req.signal, now: req.now });
      report = {
        ...base,
        durationMs: 0,
        source: 'api',
        server: { apiUrl: conn.apiUrl, prefectVersion: r.version, migration: null, database: null, databaseUser: null },
        sections: b.sections,
        notes: b.notes,
        space: null,
        runs: r.runs,
        maintenance: null,
      };
    }
    if (conn.db.kind !== 'none' && report.runs?.orphans.scheduleGone) await this.scheduleGoneOnOldServers(conn, report, b, req.signal);
    const order = ['server', 'space', 'runs', 'orphans', 'maintenance'];
    report.sections.sort((a, c) => order.indexOf(a.id) - order.indexOf(c.id));
    report.durationMs = Date.now() - t0;
    if (req.save !== false) this.store.inspections.save(report, historyPoint(report));
    return report;
  }

  /**
   * Run health through the API when the database failed: the counts the API-only report makes, put in
   * place of the database's failed run sections, with a note saying where they came from.
   */
  private async runsFromApi(conn: ResolvedConnection, b: ReportBuilder, req: InspectRequest): Promise<InspectReport['runs']> {
    const ba = new ReportBuilder();
    const api = this.targets.prefect(conn, { timeoutMs: 20_000 });
    const r = await inspectApi(api, ba, { signal: req.signal, now: req.now, hasDatabase: true });
    if (!r.runs) return null;
    for (const id of ['runs', 'orphans'] as const) {
      const from = ba.sections.find((x) => x.id === id);
      const at = b.sections.findIndex((x) => x.id === id);
      if (from && at >= 0) b.sections[at] = { ...from, status: 'partial', message: 'From the Prefect API: the database could not be read.' };
      else if (from) b.sections.push(from);
    }
    for (const n of ba.notes.filter((x) => x.section === 'runs' || x.section === 'orphans')) b.notes.push(n);
    b.note('runs', 'warn', 'The database could not be read, so run health below comes from the Prefect API (exact counts; no space, bloat or orphan sampling).', 'Fix the database access (see the note on the server section) for the full report.');
    return r.runs;
  }

  /** The Prefect version through the API, for reports read from the database; optional. */
  private async prefectVersion(conn: ResolvedConnection, b: ReportBuilder, signal?: AbortSignal): Promise<string | null> {
    try {
      const api = this.targets.prefect(conn, { timeoutMs: 5_000, maxRetries: 0 });
      return (await api.serverVersion({ signal })).version;
    } catch (e) {
      if (e instanceof AppError && e.code === 'CANCELLED') throw e;
      b.note('server', 'info', `The Prefect API did not answer (${(e as Error).message.replace(/\.$/, '')}), so the Prefect version is unknown; the database was inspected anyway.`);
      return null;
    }
  }

  /**
   * Before Prefect 3.2 runs do not record their schedule (created_by stays NULL), so the database
   * cannot tell runs of deleted schedules apart: say so instead of reporting 0 (targets/capabilities.ts).
   */
  private async scheduleGoneOnOldServers(conn: ResolvedConnection, report: InspectReport, b: ReportBuilder, signal?: AbortSignal): Promise<void> {
    try {
      const caps = await apiCapabilities(this.targets.prefect(conn, { timeoutMs: 5_000, maxRetries: 0 }), signal);
      const gap = degradations(caps).find((d) => d.feature === 'schedules.run-attribution');
      if (!gap || !report.runs) return;
      report.runs.orphans.scheduleGone = null;
      b.note('orphans', 'info', gap.reason);
    } catch (e) {
      if (e instanceof AppError && e.code === 'CANCELLED') throw e;
      // No API: the database's count stands (the server note already says the API did not answer).
    }
  }

  latest(connectionId: string): InspectReport | null {
    return this.store.inspections.latest(connectionId) ?? null;
  }

  get(id: string): InspectReport {
    const r = this.store.inspections.get(id);
    if (!r) {
      throw new AppError('NOT_FOUND', this.store.inspections.exists(id) ? 'That inspection is old: only its chart summary was kept.' : 'No such inspection.', {
        hint: 'Run a new inspection.',
      });
    }
    return r;
  }

  async maintenance(conn: ResolvedConnection, signal?: AbortSignal): Promise<Maintenance> {
    if (conn.db.kind !== 'postgres') {
      return {
        at: new Date().toISOString(),
        available: false,
        activities: [],
        notes: [conn.db.kind === 'sqlite' ? 'SQLite has no background vacuum.' : 'Live vacuum progress needs database access.'],
      };
    }
    const target = this.targets.postgres(conn.db);
    const facts = await target.readOnly(readServerFacts, { signal, statementTimeoutMs: 5_000 });
    return maintenanceNow(target, facts.readAllStats, signal);
  }

  /**
   * Exact measurement of the Prefect tables (and their btree indexes) of at least `minBytes`, as a
   * job. With `reportId`, the measurements are written into that saved report and the verdicts
   * recomputed from them.
   */
  startExact(conn: ResolvedConnection, opts: { reportId?: string; tables?: string[]; indexes?: boolean; minBytes?: number } = {}): { jobId: string; finished: Promise<unknown> } {
    if (conn.db.kind !== 'postgres') {
      throw new AppError('VALIDATION', 'Exact measurement uses the Postgres extension pgstattuple; this connection has no Postgres database.');
    }
    const db = conn.db;
    const report = opts.reportId ? this.get(opts.reportId) : null;
    return this.jobs.start({
      kind: 'inspect.exact',
      connectionId: conn.id,
      payload: { reportId: opts.reportId ?? null, tables: opts.tables ?? null },
      run: (ctx) => this.runExact(db, report, opts, ctx),
    });
  }

  private async runExact(
    db: Extract<ResolvedConnection['db'], { kind: 'postgres' }>,
    report: InspectReport | null,
    opts: { tables?: string[]; indexes?: boolean; minBytes?: number },
    ctx: JobContext,
  ): Promise<ExactResult> {
    const target = new PostgresTarget(db, { applicationName: 'housekeeper-inspect-exact', maxConnections: 1 });
    try {
      const facts = await target.readOnly(readServerFacts, { signal: ctx.signal });
      if (!facts.pgstattuple.usable) {
        throw new AppError('FORBIDDEN', facts.pgstattuple.installed ? 'pgstattuple is installed, but this role may not call it.' : 'The pgstattuple extension is not installed in this database.', {
          hint: `Housekeeper never installs extensions. To enable exact measurement: ${facts.pgstattuple.howTo ?? ''}`,
        });
      }
      const space = report?.space?.kind === 'postgres' ? report.space : null;
      const targets = await this.exactTargets(target, space?.tables ?? null, space?.indexes ?? null, opts, ctx.signal);
      const measured: ExactResult['measured'] = [];
      let i = 0;
      for (const t of targets) {
        ctx.report({ phase: `measuring ${t.name}`, done: i, total: targets.length });
        try {
          measured.push({ ...t, measure: await measureExact(target, t, ctx.signal), error: null });
        } catch (e) {
          if (e instanceof AppError && e.code === 'CANCELLED') throw e;
          measured.push({ ...t, measure: null, error: (e as Error).message });
        }
        i++;
      }
      ctx.report({ phase: 'done', done: targets.length, total: targets.length });
      if (report) this.store.inspections.replaceReport(applyExact(report, measured));
      return { reportId: report?.id ?? null, measured };
    } finally {
      await target.close();
    }
  }

  private async exactTargets(
    target: PostgresTarget,
    tables: TableSpace[] | null,
    indexes: Array<{ table: string; name: string; bytes: number; definition: string }> | null,
    opts: { tables?: string[]; indexes?: boolean; minBytes?: number },
    signal?: AbortSignal,
  ): Promise<ExactTarget[]> {
    const minBytes = opts.minBytes ?? MIB;
    let rows: Array<{ name: string; bytes: number; prefect: boolean }>;
    let idx: Array<{ table: string; name: string; bytes: number; btree: boolean }>;
    if (tables && indexes) {
      rows = tables.map((t) => ({ name: t.name, bytes: t.heapBytes, prefect: t.prefect }));
      idx = indexes.map((i) => ({ table: i.table, name: i.name, bytes: i.bytes, btree: / USING btree /.test(i.definition) }));
    } else {
      const r = await target.readOnly(
        (q) =>
          Promise.all([
            q<{ name: string; bytes: number }>(`SELECT c.relname::text AS name, pg_relation_size(c.oid) AS bytes FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'`),
            q<{ table: string; name: string; bytes: number; btree: boolean }>(
              `SELECT tc.relname::text AS table, ic.relname::text AS name, pg_relation_size(ic.oid) AS bytes, am.amname = 'btree' AS btree
                 FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class tc ON tc.oid = i.indrelid JOIN pg_am am ON am.oid = ic.relam
                WHERE tc.relnamespace = current_schema()::regnamespace`,
            ),
          ]),
        { signal },
      );
      const prefect = new Set<string>(PREFECT_TABLES);
      rows = r[0].map((x) => ({ ...x, bytes: Number(x.bytes), prefect: prefect.has(x.name) }));
      idx = r[1].map((x) => ({ ...x, bytes: Number(x.bytes) }));
    }
    const wanted = opts.tables?.length ? new Set(opts.tables) : null;
    if (wanted) {
      const known = new Set(rows.map((r) => r.name));
      const missing = [...wanted].filter((t) => !known.has(t));
      if (missing.length) throw new AppError('VALIDATION', `No table named ${missing.join(', ')} in this database.`);
    }
    const chosen = rows.filter((r) => (wanted ? wanted.has(r.name) : r.prefect && r.bytes >= minBytes)).sort((a, b) => b.bytes - a.bytes);
    const out: ExactTarget[] = [];
    for (const t of chosen) {
      out.push({ kind: 'table', name: t.name });
      if (opts.indexes !== false) {
        for (const i of idx.filter((x) => x.table === t.name && x.btree && x.bytes >= (wanted ? 0 : minBytes)).sort((a, b) => b.bytes - a.bytes)) {
          out.push({ kind: 'index', name: i.name });
        }
      }
    }
    return out;
  }
}

/** Puts exact measurements into a report and recomputes the affected verdicts. */
export function applyExact(report: InspectReport, measured: ExactResult['measured']): InspectReport {
  const space = report.space;
  if (!space || space.kind !== 'postgres') return report;
  const byName = new Map(measured.filter((m) => m.measure).map((m) => [`${m.kind}:${m.name}`, m.measure!]));
  const tables = space.tables.map((t) => {
    const m = byName.get(`table:${t.name}`);
    if (!m) return t;
    const ratio = m.sizeBytes > 0 ? m.reclaimableBytes / m.sizeBytes : 0;
    return {
      ...t,
      exact: m,
      verdict: tableVerdict({
        heapBytes: t.heapBytes,
        deadTuples: t.deadTuples,
        deadShare: t.deadShare,
        reclaimableBytes: m.reclaimableBytes,
        ratio,
        exact: true,
        confidence: 'high',
        autovacuum: t.autovacuum,
      }),
    };
  });
  const indexes = space.indexes.map((i) => {
    const m = byName.get(`index:${i.name}`);
    return m ? { ...i, exact: m } : i;
  });
  // The headline follows the rows: measured values replace the estimates they cover.
  const total = spaceReclaim({ tables, indexes }).total;
  return { ...report, space: { ...space, tables, indexes, reclaimableBytes: Math.round(total.bytes), reclaimableMarginBytes: Math.round(total.marginBytes) } };
}
