/** Readable text for purge plans and outcomes (the CLI's non-JSON output). */
import type { PurgeOutcome, PurgePlan } from '../../../shared/domain/purge';
import type { VacuumOutcome } from '../../core/purge/vacuum';
import { formatBytes } from '../../../shared/text/bytes';
import { table } from '../io';

const n = (x: number | null) => (x === null ? 'n/a (API)' : String(x));

export function formatPlan(p: PurgePlan): string {
  const lines: string[] = [];
  lines.push(`Purge plan ${p.planId} on "${p.connectionName}" (${p.executor === 'sql' ? 'SQL' : 'Prefect API'})`);
  lines.push(`Stale scheduled runs scheduled before ${p.cutoff} (${p.cutoffGiven}): ${p.count}`);
  if (p.count > 0) {
    lines.push(`Oldest ${p.oldest}, newest ${p.newest}`);
    lines.push('');
    const top = p.byDeployment.slice(0, 15);
    lines.push(table(['DEPLOYMENT', 'RUNS', 'LATE', 'OLDEST'], top.map((g) => [g.name + (g.exists ? '' : ' (gone)'), String(g.count), String(g.late), g.oldest ?? '-'])));
    if (p.byDeployment.length > top.length) lines.push(`... and ${p.byDeployment.length - top.length} more deployments`);
    lines.push('');
    const i = p.impact;
    lines.push(`Rows deleted: flow_run ${i.flowRuns}, flow_run_state ${n(i.flowRunStates)}, task_run ${n(i.taskRuns)}, task_run_state ${n(i.taskRunStates)}, log ${n(i.logs)}, artifact ${n(i.artifacts)}, flow_run_input ${n(i.flowRunInputs)}`);
    lines.push(`Estimated space freed for reuse: ${p.bytesEstimate === null ? 'unknown' : formatBytes(p.bytesEstimate)}`);
  }
  for (const note of p.notes) lines.push(`Note: ${note}`);
  return lines.join('\n');
}

export function formatOutcome(o: PurgeOutcome): string {
  return [
    `Deleted ${o.deleted} of ${o.planned} planned runs in ${(o.durationMs / 1000).toFixed(1)} s (${o.batches} batches, p99 batch ${o.p99BatchMs ?? '-'} ms).`,
    o.skipped ? `${o.skipped} runs were no longer stale at delete time (picked up or changed) and were left alone.` : '',
    o.busy ? `${o.busy} runs stayed locked by a worker and were left alone.` : '',
    o.executor === 'api'
      ? `Also deleted: ${o.deletedArtifacts} artifacts; Prefect deletes the runs' logs itself (not counted through the API).`
      : `Also deleted: ${o.deletedLogs} logs, ${o.deletedArtifacts} artifacts.`,
    o.remaining !== null ? `Recount: ${o.remaining} runs still match the filter and cutoff.` : 'Recount unavailable.',
    o.exportedTo ? `Exported the deleted runs to ${o.exportedTo}.` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** The VACUUM result, readable: per table on Postgres; bytes on disk and the WAL checkpoint on SQLite. */
export function formatVacuum(v: VacuumOutcome): string {
  if (v.sqlite) {
    const s = v.sqlite;
    const total = (f: { file: number; wal: number }) => `${formatBytes(f.file + f.wal)} (file ${formatBytes(f.file)} + WAL ${formatBytes(f.wal)})`;
    const freed = v.freedBytes ?? 0;
    const lines = [
      `VACUUM of ${s.file}: ${total(s.before)} before, ${total(s.after)} after: ${freed >= 0 ? `${formatBytes(freed)} freed` : `${formatBytes(-freed)} more`} on disk.`,
    ];
    if (s.checkpoint === null) lines.push('The file is not in WAL mode; no checkpoint was needed.');
    else if (s.checkpoint.complete) lines.push(`The write-ahead log was checkpointed and truncated (${s.checkpoint.checkpointedFrames} frames copied back).`);
    if (s.pending) lines.push(s.pending);
    return lines.join('\n');
  }
  const done = v.tables.filter((t) => t.status === 'vacuumed');
  const lines = [`VACUUM (ANALYZE): ${done.length ? done.map((t) => `${t.table} (${(t.durationMs / 1000).toFixed(1)} s)`).join(', ') : 'no table'} vacuumed; the freed space is reused by Postgres (the files do not shrink).`];
  for (const t of v.tables.filter((x) => x.status === 'skipped')) lines.push(`${t.table} skipped: ${t.reason ?? ''}`);
  return lines.join('\n');
}
