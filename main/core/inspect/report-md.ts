/**
 * The report as Markdown: something to paste into an incident ticket or a runbook. Estimates carry
 * "≈" and their margin; every note keeps its hint.
 */
import type { InspectReport } from '../../../shared/domain/inspect';
import { formatBytes, formatCount, formatInt, formatShare } from '../../../shared/text/bytes';
import { deadText, flaggedIndexes, indexFlag, nextAutovacuumText, notableTables, reclaimHeadline, reclaimLines, reclaimPartText, reclaimText, shortDate, xidText } from './report-common';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
function table(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(headers), `|${headers.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}

export function reportToMarkdown(r: InspectReport): string {
  const out: string[] = [];
  out.push(`# Housekeeper inspection: ${r.connectionName}`);
  const facts = [
    `Inspected ${shortDate(r.createdAt)} in ${Math.round(r.durationMs)} ms`,
    r.source === 'api' ? 'through the Prefect API only' : `from the ${r.source === 'postgres' ? 'Postgres' : 'SQLite'} database`,
    r.server.prefectVersion ? `Prefect ${r.server.prefectVersion}` : null,
    r.server.database,
    r.server.migration ? `migration ${r.server.migration}` : null,
  ].filter(Boolean);
  out.push('', facts.join(' · '), '', `API: ${r.server.apiUrl}`);

  if (r.notes.length > 0) {
    out.push('', '## Notes', '');
    for (const n of r.notes) out.push(`- ${n.level === 'warn' ? '**Warning:** ' : ''}${n.message}${n.hint ? ` — ${n.hint}` : ''}`);
  }

  const s = r.space;
  out.push('', '## Space', '');
  if (!s) {
    out.push('Not available: ' + (r.sections.find((x) => x.id === 'space')?.message ?? 'no database access.'));
  } else if (s.kind === 'postgres') {
    out.push(`Database ${s.databaseName}: ${formatBytes(s.databaseBytes)}. Transaction ID age: ${xidText(r) ?? '—'}.`);
    out.push(`Reclaimable by a rewrite (estimates unless measured): ${reclaimHeadline(s)}.`);
    out.push('');
    const shown = notableTables(s.tables);
    const lines = reclaimLines(s, shown);
    const blank = (n: number) => Array.from({ length: n }, () => '');
    out.push(
      table(
        ['Table', 'Rows', 'Heap', 'Indexes', 'TOAST', 'Dead rows', 'Last autovacuum', 'Next autovacuum', 'Reclaimable (table)', 'Reclaimable (indexes)', 'Confidence', 'Verdict'],
        [...shown.map((t) => [
          t.name,
          formatCount(t.rowsEstimate, t.rowsExact),
          formatBytes(t.heapBytes),
          formatBytes(t.indexBytes),
          formatBytes(t.toastBytes),
          deadText(t),
          shortDate(t.lastAutovacuum ?? t.lastVacuum),
          nextAutovacuumText(t),
          reclaimText(t),
          reclaimPartText(lines.byTable.get(t.name)!.indexes),
          t.exact ? 'measured' : t.bloat.confidence.level,
          `${t.verdict.kind}: ${t.verdict.summary}`,
        ]),
          // The headline is the sum of these lines: the tables not shown, then the total.
          [`other tables (${lines.other.count})`, ...blank(7), reclaimPartText(lines.other.heap), reclaimPartText(lines.other.indexes), '', ''],
          ['total', ...blank(7), reclaimPartText(lines.tables), reclaimPartText(lines.indexes), '', `= ${reclaimPartText(lines.total)}`],
        ],
      ),
    );
    const flagged = flaggedIndexes(s.indexes);
    if (flagged.length > 0) {
      out.push('', '### Indexes to look at', '');
      out.push(table(['Index', 'Table', 'Size', 'Scans', 'Why'], flagged.map((i) => [i.name, i.table, formatBytes(i.bytes), i.scans === null ? '—' : formatInt(i.scans), indexFlag(i)])));
    }
    if (!s.pgstattuple.usable && s.pgstattuple.howTo) out.push('', `Exact measurement: ${s.pgstattuple.howTo}`);
  } else {
    out.push(`File ${s.file}: ${formatBytes(s.fileBytes)} (${formatInt(s.pageCount)} pages of ${s.pageSize} B), free pages ${formatInt(s.freelistCount)} = ${formatBytes(s.freeBytes)}, WAL ${formatBytes(s.walBytes)}.`);
    out.push('', `Verdict: ${s.verdict.kind}: ${s.verdict.summary}`, '');
    out.push(table(['Table', 'Rows', 'Size', 'Indexes'], notableTables(s.tables).map((t) => [t.name, formatCount(t.rowsEstimate, t.rowsExact), s.dbstat ? formatBytes(t.heapBytes) : '—', s.dbstat ? formatBytes(t.indexBytes) : '—'])));
  }

  const h = r.runs;
  out.push('', '## Runs', '');
  if (!h) {
    out.push('Not available: ' + (r.sections.find((x) => x.id === 'runs')?.message ?? ''));
  } else {
    out.push(`Total: ${formatCount(h.total, h.totalExact)} flow runs (≈ marks estimates from planner statistics).`, '');
    out.push(table(['State type', 'Runs'], h.byType.map((t) => [t.type ?? '—', formatCount(t.count, t.exact)])));
    out.push('', table(['State', 'Type', 'Runs'], h.byName.map((t) => [t.name ?? 'other', t.type ?? '—', formatCount(t.count, t.exact)])));
    if (h.late) {
      out.push('', `### Late backlog: ${formatCount(h.late.count, h.late.exact)} runs`, '');
      if (h.late.deployments.length > 0) {
        out.push(
          table(
            ['Deployment', 'Late runs', 'Oldest expected start', 'Status', 'Last polled'],
            h.late.deployments.map((d) => [deploymentLabel(d), formatInt(d.count), shortDate(d.first), d.paused ? 'paused' : (d.status ?? '—'), shortDate(d.lastPolled)]),
          ),
        );
      }
    }
    if (h.future) {
      out.push('', `### Future scheduled runs: ${formatCount(h.future.count, h.future.exact)}`, '');
      if (h.future.deployments.length > 0) {
        out.push(table(['Deployment', 'Runs', 'Next', 'Last'], h.future.deployments.map((d) => [deploymentLabel(d), formatInt(d.count), shortDate(d.first), shortDate(d.last)])));
      }
    }
    if (h.terminalByAge.length > 0) {
      out.push('', '### Terminal runs by age (what a retention of that length would remove)', '');
      out.push(table(['Ended more than', 'Runs'], h.terminalByAge.map((b) => [`${b.days} days ago`, formatCount(b.count, b.exact)])));
    }
    const o = h.orphans;
    out.push('', '### Orphans', '');
    out.push(`- Scheduled runs of deleted deployments: ${o.deploymentGone ? `${formatInt(o.deploymentGone.count)}${o.deploymentGone.deployments ? ` (${o.deploymentGone.deployments} deployments)` : ''}` : 'not checked'}`);
    out.push(`- Scheduled runs of deleted or recreated schedules: ${o.scheduleGone ? formatInt(o.scheduleGone.count) : 'not checked'}`);
    for (const [label, c] of [['Logs', o.logs], ['Artifacts', o.artifacts]] as const) {
      out.push(`- ${label} of deleted runs: ${c ? `${formatCount(c.count, c.exact)}${c.exact ? '' : ` ±${formatInt(c.margin)} (sampled ${formatInt(c.sampledRows)} rows)`}` : 'not checked'}`);
    }
  }

  if (r.maintenance) {
    out.push('', '## Live maintenance', '');
    if (r.maintenance.activities.length === 0) out.push('No vacuum or analyze was running.');
    else {
      out.push(
        table(
          ['Kind', 'Table', 'Phase', 'Progress', 'Started'],
          r.maintenance.activities.map((a) => [a.kind, a.table ?? '—', a.phase, a.progress === null ? '—' : formatShare(a.progress), shortDate(a.startedAt)]),
        ),
      );
    }
  }

  out.push('', '## Sections', '');
  out.push(table(['Section', 'Status', 'Time', 'Message'], r.sections.map((x) => [x.id, x.status, `${Math.round(x.durationMs)} ms`, x.message ?? ''])));
  return out.join('\n') + '\n';
}

export function deploymentLabel(d: { name: string | null; deploymentId: string | null; exists: boolean }): string {
  if (d.deploymentId === null) return '(no deployment)';
  if (!d.exists) return `deleted deployment ${d.deploymentId.slice(0, 8)}`;
  return d.name ?? d.deploymentId;
}
