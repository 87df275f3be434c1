/** Readable text for retention plans, outcomes and the after-retention maintenance (non-JSON CLI output). */
import { humanSeconds, type RetentionOutcome, type RetentionPlan } from '../../../shared/domain/retention';
import { formatCountValue, impactRows, totalsLine } from '../../../shared/domain/retention/format';
import type { MaintenanceView } from '../../../shared/domain/retention/maintenance';
import { formatBytes, formatInt } from '../../../shared/text/bytes';
import { table } from '../io';

export function formatRetentionPlan(p: RetentionPlan): string {
  const api = p.executor === 'api';
  const lines: string[] = [];
  lines.push(`Retention plan ${p.planId} on "${p.connectionName}" (${p.backend === 'api' ? 'Prefect API' : p.backend === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`);
  lines.push(`Finished runs (${p.filter.stateTypes.join(', ')}) that ended before ${p.cutoff} (${p.cutoffGiven}): ${formatCountValue(p.impact.flowRuns)}`);
  if (p.eventsCutoff) lines.push(`Events that occurred before ${p.eventsCutoff}`);
  if (p.byState.length) lines.push(`By state: ${p.byState.map((s) => `${s.stateType} ${formatInt(s.count)}`).join(', ')}`);
  if (p.oldestEnd || p.newestEnd) lines.push(`Ended between ${p.oldestEnd ?? '?'} and ${p.newestEnd ?? '?'}`);
  lines.push('');
  lines.push(table(['TABLE', 'WHAT', 'ROWS'], impactRows(p.impact, api).map((r) => [r.table, r.what, r.count ? formatCountValue(r.count) + (r.count.how ? ` (${r.count.how})` : '') : `- ${r.absent ?? ''}`])));
  if (p.bytesEstimate !== null) lines.push(`\nSpace the deleted rows occupy (reusable after VACUUM; files shrink only after a rewrite): about ${formatBytes(p.bytesEstimate)}`);
  lines.push('');
  lines.push(`Prefect's own vacuum: ${p.prefect.summary}`);
  if (p.prefect.presetChanges && !p.prefect.flowRunsOn) {
    lines.push(`  To make it keep this retention from now on, put these in the server's profile (Profiles preset "${p.prefect.presetId}"):`);
    for (const [k, v] of Object.entries(p.prefect.presetChanges)) lines.push(`    ${k}=${v}`);
    lines.push(`  e.g. housekeeper profiles edit PROFILE --preset ${p.prefect.presetId} --set PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD=${p.prefect.presetChanges.PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD}`);
  }
  if (p.prefect.eventsRetentionSeconds !== null && p.eventsCutoff) lines.push(`  Prefect keeps events ${humanSeconds(p.prefect.eventsRetentionSeconds)} (PREFECT_SERVER_EVENTS_RETENTION_PERIOD).`);
  if (p.indexes.length) {
    lines.push('');
    for (const ix of p.indexes) lines.push(`Index ${ix.table}.${ix.index}: ${ix.present ? 'present' : 'MISSING'}. ${ix.note}`);
  }
  if (p.beyondPrefect.length) {
    lines.push('');
    lines.push('Beyond what Prefect\'s vacuum deletes:');
    for (const b of p.beyondPrefect) lines.push(`  - ${b}`);
  }
  if (p.sample.length) {
    lines.push('');
    lines.push(table(['RUN', 'DEPLOYMENT', 'STATE', 'ENDED'], p.sample.slice(0, 5).map((s) => [s.name, s.deployment, s.stateType, s.endTime ?? '-'])));
  }
  for (const note of p.notes) lines.push(`Note: ${note}`);
  return lines.join('\n');
}

export function formatRetentionOutcome(o: RetentionOutcome): string {
  const t = o.totals;
  return [
    `Deleted ${totalsLine(t, o.executor === 'api')}.`,
    `${formatInt(t.batches)} batches in ${(o.durationMs / 1000).toFixed(1)} s, p99 batch ${o.p99BatchMs ?? '-'} ms.`,
    t.skipped ? `${formatInt(t.skipped)} runs no longer matched when their batch came (changed meanwhile) and were left alone.` : '',
    t.locked ? `${formatInt(t.locked)} runs stayed locked by someone else through every retry and were left alone.` : '',
    `Recount: ${o.remaining.runs === null ? 'unavailable' : `${formatInt(o.remaining.runs)} runs`}${o.remaining.events === null ? '' : `, ${formatInt(o.remaining.events)} events`} still match.`,
    o.exportedTo ? `Exported the deleted runs and their states to ${o.exportedTo}.` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

export function formatMaintenance(m: MaintenanceView): string {
  const lines: string[] = [];
  if (m.sqlite) {
    lines.push(`SQLite ${m.sqlite.file}: ${formatBytes(m.sqlite.bytes)}, ${formatBytes(m.sqlite.freeBytes)} in free pages; ${formatBytes(m.sqlite.diskFreeBytes)} free on its disk.`);
  }
  if (m.tables.length) {
    lines.push(table(['TABLE', 'SIZE', 'LIVE', 'DEAD', 'FREE (EST.)', 'VERDICT'], m.tables.map((t) => [t.table, formatBytes(t.totalBytes), formatInt(t.liveRows), formatInt(t.deadRows), t.freeBytes === null ? '?' : formatBytes(t.freeBytes), t.verdict])));
    for (const t of m.tables.filter((x) => x.verdict !== 'fine')) lines.push(`  ${t.table}: ${t.reason}`);
  }
  if (m.repack) {
    lines.push('');
    lines.push(`pg_repack: ${m.repack.reason}`);
    if (!m.repack.usable) for (const s of m.repack.install) lines.push(`  - ${s}`);
    lines.push(`Locks: ${m.repack.locks}`);
    lines.push(
      m.repack.usable
        ? 'Run it as a job: `housekeeper retention repack --table T` (online), or `housekeeper retention vacuum-full --table T` (exclusive lock).'
        : 'Until pg_repack is usable: `housekeeper retention vacuum-full --table T` (exclusive lock for the whole rewrite).',
    );
  }
  if (m.backend === 'postgres') lines.push(`\nVACUUM FULL: ${m.vacuumFullLocks}`);
  for (const n of m.notes) lines.push(`Note: ${n}`);
  return lines.join('\n');
}
