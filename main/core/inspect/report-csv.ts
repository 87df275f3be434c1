/**
 * The report as CSV, in "long" form (one measurement per line: section, item, metric, value, unit,
 * exact), so a spreadsheet can filter and pivot it and new metrics never shift columns. RFC 4180
 * quoting; numbers are plain (no thousands separators).
 */
import { spaceReclaim } from '../../../shared/domain/reclaim';
import type { InspectReport } from '../../../shared/domain/inspect';

export const CSV_HEADER = ['section', 'item', 'metric', 'value', 'unit', 'exact'] as const;

export function csvField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function reportToCsv(r: InspectReport): string {
  const rows: Array<Array<string | number | boolean | null>> = [];
  const add = (section: string, item: string, metric: string, value: string | number | boolean | null, unit = '', exact: boolean | null = true) =>
    rows.push([section, item, metric, value, unit, exact]);

  add('report', r.connectionName, 'inspected_at', r.createdAt, 'iso8601');
  add('report', r.connectionName, 'source', r.source);
  add('report', r.connectionName, 'duration', Math.round(r.durationMs), 'ms');
  add('report', r.connectionName, 'prefect_version', r.server.prefectVersion);
  add('report', r.connectionName, 'database', r.server.database);
  for (const s of r.sections) add('section', s.id, 'status', s.status);

  const s = r.space;
  if (s?.kind === 'postgres') {
    add('database', s.databaseName, 'size', s.databaseBytes, 'bytes');
    add('database', s.databaseName, 'xid_age', s.xidAge, 'transactions');
    add('database', s.databaseName, 'reclaimable', s.reclaimableBytes, 'bytes', false);
    add('database', s.databaseName, 'reclaimable_margin', s.reclaimableMarginBytes, 'bytes', false);
    // The headline split the way the Overview shows it: tables (heaps) and their indexes.
    const split = spaceReclaim(s);
    add('database', s.databaseName, 'reclaimable_tables', Math.round(split.tables.bytes), 'bytes', false);
    add('database', s.databaseName, 'reclaimable_tables_margin', Math.round(split.tables.marginBytes), 'bytes', false);
    add('database', s.databaseName, 'reclaimable_indexes', Math.round(split.indexes.bytes), 'bytes', false);
    add('database', s.databaseName, 'reclaimable_indexes_margin', Math.round(split.indexes.marginBytes), 'bytes', false);
    for (const t of s.tables) {
      add('table', t.name, 'rows', t.rowsEstimate, 'rows', t.rowsExact);
      add('table', t.name, 'heap', t.heapBytes, 'bytes');
      add('table', t.name, 'indexes', t.indexBytes, 'bytes');
      add('table', t.name, 'toast', t.toastBytes, 'bytes');
      add('table', t.name, 'total', t.totalBytes, 'bytes');
      add('table', t.name, 'dead_tuples', t.deadTuples, 'rows');
      add('table', t.name, 'last_autovacuum', t.lastAutovacuum, 'iso8601');
      add('table', t.name, 'last_autoanalyze', t.lastAutoanalyze, 'iso8601');
      if (t.autovacuum) add('table', t.name, 'autovacuum_progress', Number(t.autovacuum.vacuumProgress.toFixed(4)), 'ratio');
      add('table', t.name, 'reclaimable', t.exact ? t.exact.reclaimableBytes : t.bloat.reclaimableBytes, 'bytes', t.exact !== null);
      add('table', t.name, 'confidence', t.exact ? 'measured' : t.bloat.confidence.level);
      const ix = split.perTable.find((x) => x.name === t.name)!.indexes;
      add('table', t.name, 'reclaimable_indexes', Math.round(ix.bytes), 'bytes', ix.known > 0 && ix.measured === ix.known);
      add('table', t.name, 'verdict', t.verdict.kind);
    }
    for (const i of s.indexes) {
      add('index', i.name, 'size', i.bytes, 'bytes');
      add('index', i.name, 'scans', i.scans, 'scans');
      if (i.unused) add('index', i.name, 'unused', true);
      if (i.duplicateOf) add('index', i.name, 'duplicate_of', i.duplicateOf);
      if (!i.valid) add('index', i.name, 'invalid', true);
    }
  } else if (s?.kind === 'sqlite') {
    add('database', s.file, 'size', s.fileBytes, 'bytes');
    add('database', s.file, 'free', s.freeBytes, 'bytes');
    add('database', s.file, 'wal', s.walBytes, 'bytes');
    add('database', s.file, 'verdict', s.verdict.kind);
    for (const t of s.tables) {
      add('table', t.name, 'rows', t.rowsEstimate, 'rows', t.rowsExact);
      if (s.dbstat) add('table', t.name, 'total', t.totalBytes, 'bytes');
    }
  }

  const h = r.runs;
  if (h) {
    add('runs', 'all', 'total', h.total, 'runs', h.totalExact);
    for (const t of h.byType) add('runs_by_type', t.type ?? '', 'count', t.count, 'runs', t.exact);
    for (const t of h.byName) add('runs_by_state', t.name ?? 'other', 'count', t.count, 'runs', t.exact);
    if (h.late) {
      add('late', 'all', 'count', h.late.count, 'runs', h.late.exact);
      for (const d of h.late.deployments) {
        add('late', d.name ?? d.deploymentId ?? '(no deployment)', 'count', d.count, 'runs');
        add('late', d.name ?? d.deploymentId ?? '(no deployment)', 'oldest_expected_start', d.first, 'iso8601');
      }
    }
    if (h.future) {
      add('future', 'all', 'count', h.future.count, 'runs', h.future.exact);
      for (const d of h.future.deployments) add('future', d.name ?? d.deploymentId ?? '(no deployment)', 'count', d.count, 'runs');
    }
    for (const b of h.terminalByAge) add('terminal_by_age', `${b.days}d`, 'count', b.count, 'runs', b.exact);
    const o = h.orphans;
    if (o.deploymentGone) add('orphans', 'scheduled_runs_deployment_gone', 'count', o.deploymentGone.count, 'runs');
    if (o.scheduleGone) add('orphans', 'scheduled_runs_schedule_gone', 'count', o.scheduleGone.count, 'runs');
    if (o.logs) add('orphans', 'logs', 'count', o.logs.count, 'rows', o.logs.exact);
    if (o.artifacts) add('orphans', 'artifacts', 'count', o.artifacts.count, 'rows', o.artifacts.exact);
  }
  for (const n of r.notes) add('note', n.section, n.level, n.hint ? `${n.message} ${n.hint}` : n.message);
  return [CSV_HEADER.join(','), ...rows.map((row) => row.map(csvField).join(','))].join('\r\n') + '\r\n';
}
