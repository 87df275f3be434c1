import { describe, expect, it } from 'vitest';
import { InspectReportSchema } from '../../shared/domain/inspect';
import { formatBytes, formatCompact, formatCount, formatInt, formatShare } from '../../shared/text/bytes';
import { csvField, reportToCsv, CSV_HEADER } from '../../main/core/inspect/report-csv';
import { reportToMarkdown } from '../../main/core/inspect/report-md';
import { exportReport, historyPoint } from '../../main/core/inspect/report-export';
import { formatReport } from '../../main/cli/commands/inspect-format';
import { sampleReport } from './support/inspect-report-fixture';

describe('number formatting', () => {
  it('formats bytes, counts and shares the same way everywhere', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(50 * 1024 ** 3)).toBe('50 GiB');
    expect(formatBytes(null)).toBe('—');
    expect(formatInt(1234567)).toBe('1,234,567');
    expect(formatCount(1234, false)).toBe('≈1,234');
    expect(formatCount(1234, true)).toBe('1,234');
    expect(formatCompact(1_250_000)).toBe('1.3M');
    expect(formatShare(0.237)).toBe('24%');
    expect(formatShare(0.004)).toBe('0.4%');
  });
});

describe('report exports', () => {
  const r = sampleReport();

  it('the fixture is a valid report (the contract shape)', () => {
    expect(InspectReportSchema.safeParse(r).success).toBe(true);
  });

  it('Markdown names estimates, margins, verdicts, orphans and the hint of every note', () => {
    const md = reportToMarkdown(r);
    expect(md).toMatch(/^# Housekeeper inspection: prod, eu/);
    expect(md).toContain('≈1,000,000');
    expect(md).toContain('| flow_run |');
    expect(md).toContain('rewrite: About 500 MiB');
    expect(md).toContain('duplicate of ix_log__flow_run_id_timestamp');
    expect(md).toContain('INVALID');
    expect(md).toContain('deleted deployment deadbeef');
    expect(md).toContain('GRANT SELECT ON flow_run TO monitor;');
    expect(md).toContain('≈20,000 ±3,000 (sampled 40,000 rows)');
    expect(md).toContain('| autovacuum | flow_run_state | scanning heap | 40% |');
  });

  it('CSV is long-form, quoted per RFC 4180 and marks estimates', () => {
    const csv = reportToCsv(r);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(CSV_HEADER.join(','));
    expect(lines).toContain('report,"prod, eu",source,postgres,,true');
    expect(lines).toContain('table,flow_run,rows,1000000,rows,false');
    expect(lines).toContain('late,etl/sync-every-2m,count,50000,runs,true');
    expect(lines).toContain('orphans,logs,count,20000,rows,false');
    expect(csvField('a "b", c')).toBe('"a ""b"", c"');
    expect(csvField(null)).toBe('');
  });

  it('exports redact credentials that slipped into the report', () => {
    for (const f of ['json', 'md', 'csv'] as const) {
      const e = exportReport(r, f);
      expect(e.content).not.toContain('s3cret');
      expect(e.filename).toMatch(new RegExp(`^housekeeper-inspect-prod_eu-2026-11-29T09-00-00Z\\.${f}$`));
    }
    expect(JSON.parse(exportReport(r, 'json').content).runs.total).toBe(1_000_000);
  });

  it('keeps what the growth charts need in the history point', () => {
    const p = historyPoint(r);
    expect(p).toMatchObject({ id: 'r-1', databaseBytes: 4096 * 1024 * 1024, late: 55_000, runsByType: { COMPLETED: 900_000, SCHEDULED: 60_000 } });
    expect(p.tables.flow_run).toEqual({ bytes: 1100 * 1024 * 1024, dead: 250_000 });
  });

  it('the CLI text shows the backlog, the orphans and what is incomplete', () => {
    const t = formatReport(r);
    expect(t).toContain('Late backlog: 55,000 runs');
    expect(t).toContain('etl/sync-every-2m');
    expect(t).toContain('Incomplete: runs partial');
    expect(t).toMatch(/logs of deleted runs ≈20,000 ±3,000/);
  });

  it('API-only and failed reports still render', () => {
    const api = sampleReport({ source: 'api', space: null, maintenance: null, sections: [{ id: 'space', status: 'unavailable', durationMs: 0, message: 'Space needs database access.' }] });
    expect(reportToMarkdown(api)).toContain('Not available: Space needs database access.');
    expect(formatReport(api)).toContain('Space needs database access.');
    const failed = sampleReport({ space: null, runs: null, maintenance: null });
    expect(() => reportToCsv(failed)).not.toThrow();
  });
});
