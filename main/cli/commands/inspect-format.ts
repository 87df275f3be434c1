/** The report as readable terminal text (the CLI's output without --json or --format). */
import type { InspectReport } from '../../../shared/domain/inspect';
import { formatBytes, formatCount, formatInt, formatShare } from '../../../shared/text/bytes';
import { deadText, flaggedIndexes, indexFlag, nextAutovacuumText, notableTables, reclaimHeadline, reclaimLines, reclaimPartText, reclaimText, shortDate, xidText } from '../../core/inspect/report-common';
import { deploymentLabel } from '../../core/inspect/report-md';
import { table } from '../io';

const TOP = 12;

export function formatReport(r: InspectReport): string {
  const out: string[] = [];
  const facts = [r.server.prefectVersion ? `Prefect ${r.server.prefectVersion}` : null, r.server.database, `${Math.round(r.durationMs)} ms`].filter(Boolean).join(' · ');
  out.push(`Inspection of "${r.connectionName}" at ${shortDate(r.createdAt)} (${facts})`);
  for (const n of r.notes) out.push(`${n.level === 'warn' ? 'Warning' : 'Note'}: ${n.message}${n.hint ? `\n  ${n.hint}` : ''}`);

  const s = r.space;
  out.push('', 'SPACE');
  if (!s) out.push(`  ${r.sections.find((x) => x.id === 'space')?.message ?? 'not available'}`);
  else if (s.kind === 'postgres') {
    out.push(`Database ${s.databaseName}: ${formatBytes(s.databaseBytes)}; transaction ID age ${xidText(r) ?? '—'}`);
    out.push(`Reclaimable by a rewrite (estimates unless measured): ${reclaimHeadline(s)}`);
    out.push('');
    const shown = notableTables(s.tables);
    const lines = reclaimLines(s, shown);
    const blank = (n: number) => Array.from({ length: n }, () => '');
    out.push(
      table(
        ['TABLE', 'ROWS', 'TOTAL', 'HEAP', 'INDEXES', 'TOAST', 'DEAD', 'NEXT AUTOVACUUM', 'RECLAIM TABLE', 'RECLAIM INDEXES', 'CONF', 'VERDICT'],
        [...shown.map((t) => [
          t.name,
          formatCount(t.rowsEstimate, t.rowsExact),
          formatBytes(t.totalBytes),
          formatBytes(t.heapBytes),
          formatBytes(t.indexBytes),
          formatBytes(t.toastBytes),
          deadText(t),
          nextAutovacuumText(t),
          reclaimText(t),
          reclaimPartText(lines.byTable.get(t.name)!.indexes),
          t.exact ? 'exact' : t.bloat.confidence.level,
          t.verdict.kind,
        ]),
          // The headline is the sum of these lines: the tables not shown, then the total.
          [`other tables (${lines.other.count})`, ...blank(7), reclaimPartText(lines.other.heap), reclaimPartText(lines.other.indexes), '', ''],
          ['total', ...blank(7), reclaimPartText(lines.tables), reclaimPartText(lines.indexes), '', `= ${reclaimPartText(lines.total)}`],
        ],
      ),
    );
    const attention = s.tables.filter((t) => t.verdict.kind === 'rewrite' || t.verdict.kind === 'reuse');
    for (const t of attention) out.push(`${t.name}: ${t.verdict.summary}`);
    const flagged = flaggedIndexes(s.indexes);
    if (flagged.length > 0) {
      out.push('', table(['INDEX', 'TABLE', 'SIZE', 'SCANS', 'WHY'], flagged.map((i) => [i.name, i.table, formatBytes(i.bytes), i.scans === null ? '—' : formatInt(i.scans), indexFlag(i)])));
    }
  } else {
    out.push(`File ${s.file}: ${formatBytes(s.fileBytes)}, free pages ${formatBytes(s.freeBytes)} (${formatShare(s.fileBytes ? s.freeBytes / s.fileBytes : 0)}), WAL ${formatBytes(s.walBytes)}`);
    out.push(`Verdict: ${s.verdict.kind}: ${s.verdict.summary}`);
    out.push('', table(['TABLE', 'ROWS', 'SIZE', 'INDEXES'], notableTables(s.tables).map((t) => [t.name, formatCount(t.rowsEstimate, t.rowsExact), s.dbstat ? formatBytes(t.heapBytes) : '—', s.dbstat ? formatBytes(t.indexBytes) : '—'])));
  }

  const h = r.runs;
  out.push('', 'RUNS');
  if (!h) out.push(`  ${r.sections.find((x) => x.id === 'runs')?.message ?? 'not available'}`);
  else {
    out.push(`Total ${formatCount(h.total, h.totalExact)}: ${h.byType.map((t) => `${t.type} ${formatCount(t.count, t.exact)}`).join(', ')}`);
    out.push(`By state: ${h.byName.map((t) => `${t.name ?? 'other'} ${formatCount(t.count, t.exact)}`).join(', ')}`);
    if (h.late && h.late.count > 0) {
      out.push('', `Late backlog: ${formatCount(h.late.count, h.late.exact)} runs`);
      out.push(
        table(
          ['DEPLOYMENT', 'LATE', 'OLDEST', 'STATUS', 'LAST POLLED'],
          h.late.deployments.slice(0, TOP).map((d) => [deploymentLabel(d), formatInt(d.count), shortDate(d.first), d.paused ? 'paused' : (d.status ?? '—'), shortDate(d.lastPolled)]),
        ),
      );
      if (h.late.deployments.length > TOP) out.push(`... and ${h.late.deployments.length - TOP} more deployments`);
    } else if (h.late) out.push('No Late runs.');
    if (h.future) {
      out.push('', `Future scheduled runs: ${formatCount(h.future.count, h.future.exact)} in ${h.future.deployments.length} deployments`);
    }
    if (h.terminalByAge.length) {
      out.push(`Terminal runs that ended more than … ago (what that retention would remove): ${h.terminalByAge.map((b) => `${b.days}d ${formatCount(b.count, b.exact)}`).join(', ')}`);
    }
    const o = h.orphans;
    const sampled = (c: typeof o.logs) => (c ? `${formatCount(c.count, c.exact)}${c.exact ? '' : ` ±${formatInt(c.margin)}`}` : 'n/a');
    out.push(
      `Orphans: ${o.deploymentGone ? formatInt(o.deploymentGone.count) : 'n/a'} scheduled runs of deleted deployments, ${o.scheduleGone ? formatInt(o.scheduleGone.count) : 'n/a'} of deleted schedules; logs of deleted runs ${sampled(o.logs)}, artifacts ${sampled(o.artifacts)}`,
    );
  }

  if (r.maintenance) {
    out.push('', 'LIVE MAINTENANCE');
    if (r.maintenance.activities.length === 0) out.push('No vacuum or analyze running.');
    for (const a of r.maintenance.activities) out.push(`${a.kind} ${a.table ?? '?'}: ${a.phase}${a.progress !== null ? ` ${formatShare(a.progress)}` : ''}${a.waiting ? ` (waiting on ${a.waiting})` : ''}`);
  }
  const bad = r.sections.filter((x) => x.status === 'failed' || x.status === 'partial');
  if (bad.length) out.push('', `Incomplete: ${bad.map((x) => `${x.id} ${x.status}${x.message ? ` (${x.message})` : ''}`).join('; ')}`);
  out.push('', `Saved as inspection ${r.id}.`);
  return out.join('\n');
}
