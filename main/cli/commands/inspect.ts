/**
 * `housekeeper inspect`: where the space went and how healthy the runs are, read-only.
 *   --json                 the report as one JSON document
 *   --format json|md|csv   an export instead (to stdout, or to --output FILE)
 *   --exact                also measure with pgstattuple (when installed), as a job with progress
 *   inspect history        the saved inspections' chart points
 * Ctrl-C cancels (queries are cancelled in Postgres). A failing section is reported, not fatal.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import { ExportFormatSchema, type InspectReport } from '../../../shared/domain/inspect';
import type { JobFinished } from '../../../shared/domain/jobs';
import { formatBytes, formatInt } from '../../../shared/text/bytes';
import { exportReport } from '../../core/inspect/report-export';
import type { ExactResult } from '../../core/inspect/service';
import type { AppContext } from '../../context';
import { intFlag, type Flags } from '../args';
import { resolveTarget } from '../connection-args';
import { EXIT } from '../exit';
import { table, type Out } from '../io';
import { printProgress } from '../progress';
import { formatReport } from './inspect-format';

export async function inspectCommand(ctx: AppContext, sub: string | undefined, _rest: string[], flags: Flags, out: Out): Promise<number> {
  if (sub === 'history') return history(ctx, flags, out);
  if (sub !== undefined) throw new AppError('VALIDATION', `Unknown command "inspect ${sub}".`, { hint: 'Use `housekeeper inspect`, or `housekeeper inspect history`.' });
  const format = flags.format === undefined ? null : ExportFormatSchema.safeParse(flags.format);
  if (format && !format.success) throw new AppError('VALIDATION', `--format must be json, md or csv (got "${flags.format}").`);
  if (flags.output && !format) throw new AppError('VALIDATION', '--output needs --format json|md|csv.');

  const conn = resolveTarget(ctx.connections, flags);
  const controller = new AbortController();
  const onSig = () => controller.abort();
  process.once('SIGINT', onSig);
  let report: InspectReport;
  let exactFailed: string | null = null;
  try {
    report = await ctx.inspect.run({ conn, signal: controller.signal });
    if (flags.exact) {
      if (conn.db.kind !== 'postgres') {
        exactFailed = 'Exact measurement needs a Postgres database (pgstattuple); skipped.';
      } else {
        const { jobId, finished } = ctx.inspect.startExact(conn, { reportId: report.id });
        const stop = printProgress(ctx.bus, jobId);
        const cancel = () => ctx.jobs.cancel(jobId);
        process.once('SIGINT', cancel);
        let f: JobFinished;
        try {
          f = (await finished) as JobFinished;
        } finally {
          process.removeListener('SIGINT', cancel);
          stop();
        }
        if (f.status !== 'succeeded') {
          exactFailed = `Exact measurement ${f.status}: ${f.error?.message ?? ''}${f.error?.hint ? `\n  ${f.error.hint}` : ''}`;
        } else {
          report = ctx.inspect.get(report.id);
          const failed = (f.result as ExactResult).measured.filter((m) => m.error);
          if (failed.length) exactFailed = `Could not measure ${failed.map((m) => `${m.name} (${m.error})`).join(', ')}`;
        }
      }
    }
  } finally {
    process.removeListener('SIGINT', onSig);
  }

  // Nothing could be read: that is an error (stderr, exit 1), not a report (issue #12).
  const applicable = report.sections.filter((s) => s.status !== 'unavailable');
  if (applicable.length > 0 && applicable.every((s) => s.status === 'failed')) {
    const first = report.notes.find((n) => n.level === 'warn');
    out.error({
      code: 'INTERNAL',
      message: `Nothing could be read from "${report.connectionName}": ${first?.message ?? applicable[0]?.message ?? 'every section failed'}`,
      hint: first?.hint ?? 'Check the connection with `housekeeper connections test`.',
      details: { reportId: report.id },
    });
    return EXIT.failed;
  }

  if (format?.success) {
    const e = exportReport(report, format.data);
    if (flags.output) {
      const file = path.resolve(flags.output);
      fs.writeFileSync(file, e.content, { mode: 0o600 });
      out.info(`Wrote ${format.data.toUpperCase()} report to ${file}`);
      if (out.json) out.result({ file, format: format.data, reportId: report.id }, () => '');
    } else {
      out.data(e.content);
    }
  } else {
    out.result(report, () => formatReport(report));
  }
  if (exactFailed) out.info(`housekeeper: ${exactFailed}`);
  return exactFailed ? EXIT.failed : EXIT.ok;
}

function history(ctx: AppContext, flags: Flags, out: Out): number {
  const conn = resolveTarget(ctx.connections, flags);
  const points = ctx.store.inspections.history(conn.id, intFlag(flags.limit, 'limit', 1, 2000) ?? 30);
  out.result(points, () =>
    points.length === 0
      ? 'No inspections saved for this connection yet.'
      : table(
          ['INSPECTED', 'DATABASE', 'RUNS', 'LATE', 'FLOW_RUN', 'LOG'],
          points.map((p) => [
            p.at.replace('T', ' ').slice(0, 19),
            formatBytes(p.databaseBytes),
            formatInt(Object.values(p.runsByType).reduce((a, b) => a + b, 0)),
            p.late === null ? '—' : formatInt(p.late),
            formatBytes(p.tables.flow_run?.bytes ?? null),
            formatBytes(p.tables.log?.bytes ?? null),
          ]),
        ),
  );
  return EXIT.ok;
}
