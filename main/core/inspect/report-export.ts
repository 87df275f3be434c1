/**
 * One entry point for exports (JSON, Markdown, CSV), used by the CLI and the `inspect.export` request,
 * plus the history point a report contributes to the growth charts. Reports hold no secrets (no
 * passwords or keys are ever put in them); everything passes through the redactor anyway, because a
 * URL or an error message quoted in a note could carry one.
 */
import type { ExportFormat, HistoryPoint, InspectReport } from '../../../shared/domain/inspect';
import { redactValue } from '../log/redact';
import { reportToCsv } from './report-csv';
import { reportToMarkdown } from './report-md';

export function exportReport(report: InspectReport, format: ExportFormat): { content: string; mime: string; filename: string } {
  const safe = redactValue(report);
  const stamp = report.createdAt.replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
  const base = `housekeeper-inspect-${report.connectionName.replace(/[^A-Za-z0-9._-]+/g, '_')}-${stamp}`;
  switch (format) {
    case 'json':
      return { content: JSON.stringify(safe, null, 2) + '\n', mime: 'application/json', filename: `${base}.json` };
    case 'md':
      return { content: reportToMarkdown(safe), mime: 'text/markdown', filename: `${base}.md` };
    case 'csv':
      return { content: reportToCsv(safe), mime: 'text/csv', filename: `${base}.csv` };
  }
}

/** What the growth charts keep from a report. */
export function historyPoint(r: InspectReport): HistoryPoint {
  const tables: HistoryPoint['tables'] = {};
  if (r.space) for (const t of r.space.tables) if (t.prefect || t.totalBytes >= 1024 * 1024) tables[t.name] = { bytes: t.totalBytes, dead: t.deadTuples };
  const runsByType: Record<string, number> = {};
  for (const t of r.runs?.byType ?? []) if (t.type) runsByType[t.type] = t.count;
  return {
    id: r.id,
    at: r.createdAt,
    databaseBytes: r.space ? (r.space.kind === 'postgres' ? r.space.databaseBytes : r.space.fileBytes) : null,
    tables,
    runsByType,
    late: r.runs?.late?.count ?? null,
  };
}
