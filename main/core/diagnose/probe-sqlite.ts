/**
 * SQLite reads for Diagnose beyond the inspection: the newest log rows (how clients send logs).
 * Prefect stores times as naive UTC text with microseconds, which is all the comparison needs.
 */
import type { LogSample } from '../../../shared/domain/diagnose';
import { SqliteTarget } from '../targets/sqlite';
import { LOG_SAMPLE_ROWS, summarizeLogs } from './probe-pg';

function epoch(text: string | null): number {
  if (!text) return Number.NaN;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?/.exec(text);
  if (!m) return Number.NaN;
  const base = Date.parse(`${m[1]}T${m[2]}Z`) / 1000;
  return base + (m[3] ? Number(`0.${m[3]}`) : 0);
}

export function sampleLogsSqlite(file: string): LogSample {
  const target = new SqliteTarget(file);
  try {
    const rows = target.readOnly((db) => {
      const has = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'log'`).get();
      if (!has) return [] as Array<{ run: string; t: string; u: string }>;
      return db.prepare(`SELECT flow_run_id AS run, "timestamp" AS t, updated AS u FROM log WHERE flow_run_id IS NOT NULL ORDER BY updated DESC LIMIT ?`).all(LOG_SAMPLE_ROWS) as Array<{ run: string; t: string; u: string }>;
    });
    return summarizeLogs(rows.map((r) => ({ run: String(r.run), t: epoch(r.t), u: epoch(r.u) })).filter((r) => Number.isFinite(r.t) && Number.isFinite(r.u)));
  } finally {
    target.close();
  }
}
