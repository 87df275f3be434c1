/** Text output of `housekeeper schedules ...` (the --json output is the contract's shapes). */
import { settingText } from '../../../shared/schedules/settings';
import type { ChangeOutcome, ChangePlan, ChangeRecord, ScheduleList, Simulation, SimResult } from '../../../shared/domain/schedules';
import { formatCount, formatDateTime, formatDuration, formatIsoWall, formatNumber, formatShare, formatSpan, plural } from '../../../shared/text/format';
import { table } from '../io';

// The one formatting standard (shared/text/format.ts), as on the Schedules screen: schedule times in
// their own zone with the zone named, counts with separators, plurals, spans in their largest unit.
const n = (x: number) => formatNumber(x, 1);
const short = (iso: string | undefined | null) => formatIsoWall(iso);
const dur = (seconds: number | null) => formatSpan(seconds);

export function formatList(l: ScheduleList): string {
  const rows: string[][] = [];
  for (const d of l.deployments) {
    if (d.schedules.length === 0) rows.push([d.fullName, '(no schedule)', '', '', '', '', formatCount(d.pastDue), d.paused ? 'paused' : '']);
    for (const [i, s] of d.schedules.entries()) {
      rows.push([
        i === 0 ? d.fullName + (d.paused ? ' (paused)' : '') : '',
        `${s.slug ? `${s.slug}: ` : ''}${s.description}${s.active ? '' : ' (inactive)'}`,
        s.timezone ?? 'UTC',
        short(s.nextRuns[0]),
        `${formatCount(s.held.future)}/${s.active && !d.paused ? (s.kept === null ? '?' : formatCount(s.kept)) : '—'}${s.held.offLattice ? ` (${formatCount(s.held.offLattice)} off)` : ''}`,
        s.runsPerHour === null ? '?' : n(s.runsPerHour),
        i === 0 ? formatCount(d.pastDue) : '',
        [...(i === 0 ? d.flags : []), ...s.flags].filter((f) => f.severity !== 'info').map((f) => f.code).join(' '),
      ]);
    }
  }
  const t = l.totals;
  const lines = [
    `${l.connectionName} · Prefect ${l.serverVersion} · ${formatDateTime(l.serverNow)} · settings: ${l.settings.source} (min_runs ${l.settings.settings.minRuns}, max_runs ${l.settings.settings.maxRuns}, min ${dur(l.settings.settings.minScheduledTime)}, max ${dur(l.settings.settings.maxScheduledTime)})`,
    '',
    table(['DEPLOYMENT', 'SCHEDULE', 'TZ', 'NEXT (LOCAL)', 'HELD/KEEPS', 'RUNS/H', 'PAST DUE', 'FLAGS'], rows),
    '',
    `${plural(t.deployments, 'deployment')}, ${plural(t.schedules, 'schedule')} (${formatCount(t.activeSchedules)} active): ${n(t.runsPerHour)} runs/hour; the server holds ${plural(t.heldFuture, 'future run')} and ${formatCount(t.pastDue)} past due.`,
  ];
  if (t.leftBehind) lines.push(`${plural(t.leftBehind, 'scheduled run')} ${t.leftBehind === 1 ? 'was' : 'were'} made by schedules that no longer exist.`);
  for (const f of l.flags) lines.push(`! ${f.message}`);
  for (const note of l.notes) lines.push(`- ${note}`);
  const details = l.deployments.flatMap((d) => [...d.flags, ...d.schedules.flatMap((s) => s.flags)].filter((f) => f.severity === 'danger').map((f) => `${d.fullName}: ${f.message}`));
  if (details.length) lines.push('', ...details.map((x) => `! ${x}`));
  return lines.join('\n');
}

function simTable(r: SimResult): string {
  return table(
    ['DEPLOYMENT', 'SCHEDULE', 'KEEPS', 'LIMIT', 'AHEAD', 'HELD', 'INSERTS/LOOP', 'SELECTED'],
    r.schedules.map((s) => [
      s.deployment,
      s.label + (s.active ? '' : ' (inactive)') + (s.paused ? ' (paused)' : ''),
      formatCount(s.kept),
      s.limitedBy,
      dur(s.horizonSeconds),
      `${formatCount(s.heldMin)}-${formatCount(s.heldMax)}`,
      `${n(s.insertsPerLoopAvg)} (max ${formatCount(s.insertsPerLoopMax)})`,
      formatShare(s.selectedShare),
    ]),
  );
}

function simTotals(r: SimResult): string {
  const t = r.totals;
  return `Held right after a pass: ${plural(t.held, 'run')}. Per loop (${dur(r.settings.settings.loopSeconds)}): ${n(t.insertsPerLoopAvg)} inserts on average (max ${formatCount(t.insertsPerLoopMax)}), ${n(t.deploymentsPerLoopAvg)} deployments selected (max ${formatCount(t.deploymentsPerLoopMax)}), ${n(t.datesGeneratedPerLoopAvg)} dates generated; ${n(t.insertsPerDay)} inserts a day.`;
}

export function formatSimulation(s: Simulation): string {
  const lines = [`Scheduler prediction for ${s.connectionName} from ${short(s.from)}, ${dur(s.horizonSeconds)} ahead, settings: ${s.baseline.settings.source}.`, '', simTable(s.baseline), '', simTotals(s.baseline)];
  if (s.modified) {
    lines.push('', `With ${Object.entries(s.overrides).map(([k, v]) => `${k}=${settingText(k, v)}`).join(', ')}:`, '', simTable(s.modified), '', simTotals(s.modified));
  }
  for (const note of s.notes) lines.push(`- ${note}`);
  return lines.join('\n');
}

export function formatPlan(p: ChangePlan): string {
  const lines = [`${p.kind} plan ${p.planId} on ${p.connectionName}${p.anchor ? `, anchor ${p.anchor}${p.anchorGiven === 'now' ? ' (now)' : ''}` : ''}`];
  for (const d of p.deployments) {
    const pause = d.pausedBefore === d.pausedAfter ? (d.pausedAfter ? ' (stays paused)' : '') : d.pausedAfter ? ' -> paused' : ' -> resumed';
    lines.push('', `${d.name}${pause}: ~${plural(d.futureRunsGoing, 'future run')} and ${plural(d.pastDueGoing, 'past-due run')} go`);
    if (d.action) lines.push(`  ${d.action}`);
    for (const s of d.schedules) {
      if (!s.after) {
        lines.push(`  = ${s.beforeText}`);
        continue;
      }
      lines.push(`  - ${s.beforeText}`, `  + ${s.afterText}   [${s.changes.join(', ')}]`);
      if (s.nextRuns.length) lines.push(`    next: ${s.nextRuns.slice(0, 3).map(short).join(', ')}`);
      for (const note of s.notes) lines.push(`    ${note}`);
    }
    for (const note of d.notes) lines.push(`  ${note}`);
  }
  const left = p.leftOut ?? [];
  if (left.length) {
    lines.push('', `Left out (${left.length} of the ${p.deployments.length + left.length} chosen):`);
    for (const l of left) lines.push(`  ${l.name}: ${l.reason}`);
  }
  const t = p.totals;
  lines.push('', `${plural(t.deployments, 'deployment')}, ${plural(t.schedules, 'schedule')} written; about ${plural(t.futureRunsGoing, 'future run')} (recreated by the scheduler) and ${plural(t.pastDueGoing, 'past-due run')} go.`);
  const steps: Record<ChangePlan['kind'], string> = {
    recreate: 'Applying: pause each deployment, write its schedules back (every field), purge the past-due runs, resume what ran before, check the new runs.',
    reset: 'Applying: pause each deployment, write its schedules back (every field), purge the past-due runs, resume what ran before, check the new runs.',
    pause: 'Applying: pause each deployment (Prefect drops its future scheduled runs).',
    resume: 'Applying: resume each deployment (the scheduler refills it within seconds).',
    restore: 'Applying: pause each deployment, write the original schedules back, set each paused flag as it was.',
  };
  lines.push(steps[p.kind]);
  if (p.purgePreview) lines.push(`Past-due backlog (Purge preview): ${plural(p.purgePreview.count, 'run')}, oldest ${formatDateTime(p.purgePreview.oldest)}${p.keepNewest ? `, keeping the newest ${formatCount(p.keepNewest)} per deployment` : ''}.`);
  for (const note of p.notes) lines.push(`- ${note}`);
  return lines.join('\n');
}

export function formatOutcome(o: ChangeOutcome): string {
  const lines = [o.message, ''];
  lines.push(table(['DEPLOYMENT', 'RESULT', 'ERROR'], o.deployments.map((d) => [d.name, d.status, d.error ?? ''])));
  if (o.purge) lines.push('', `Purge ${o.purge.planId}: deleted ${formatCount(o.purge.deleted)} of ${plural(o.purge.planned, 'past-due run')}.`);
  if (o.verify.length) lines.push('', table(['SCHEDULE', 'CHECK', 'RUNS', 'FIRST', 'NOTE'], o.verify.map((v) => [v.label, v.status, formatCount(v.runs), short(v.first), v.message])));
  lines.push('', `Took ${formatDuration(o.durationMs)}.`);
  return lines.join('\n');
}

export function formatChanges(rows: ChangeRecord[]): string {
  if (rows.length === 0) return 'No schedule changes recorded for this connection.';
  return table(
    ['CHANGE', 'KIND', 'WHEN', 'STATUS', 'DEPLOYMENTS', 'RESTORABLE', 'SUMMARY'],
    rows.map((r) => [r.planId, r.kind, formatDateTime(r.createdAt), r.status, formatCount(r.deployments), r.restorable ? 'yes' : '', r.summary.slice(0, 80)]),
  );
}
