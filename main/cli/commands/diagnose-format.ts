/** Text output of `housekeeper diagnose …` (--json prints the contract's shapes; --format md the ticket report). */
import { actionText, formatValue, type Diagnosis, type Session, type SessionPlan } from '../../../shared/domain/diagnose';
import { table } from '../io';

const SEV: Record<string, string> = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW' };

const plain = (s: string) => s.replace(/\*\*/g, '').replace(/`/g, '');

export function formatDiagnosis(d: Diagnosis): string {
  const lines = [
    `${d.connectionName} · Prefect ${d.prefectVersion ?? '?'} · ${d.source === 'api' ? 'API only' : d.source} · ${d.processes.count} server process${d.processes.count === 1 ? '' : 'es'} (${d.processes.basis}) · diagnosed in ${d.durationMs} ms`,
    '',
  ];
  if (d.findings.length === 0) lines.push('No findings: every check came back clear or could not run.', '');
  for (const [i, f] of d.findings.entries()) {
    lines.push(`${i + 1}. [${SEV[f.severity]}] ${f.title}`, `   ${f.id}`);
    for (const m of f.measured) lines.push(`   - ${m.label}: ${m.exact ? '' : '≈'}${formatValue(m.value, m.unit)}   (${m.source})`);
    lines.push(`   Why: ${f.why}`);
    for (const a of f.actions) lines.push(`   Fix: ${plain(actionText(a)).replace(/\n/g, '\n   ')}`);
    for (const e of f.effect) lines.push(`   Effect: ${e.label}: ${formatValue(e.before, e.unit)} -> ${formatValue(e.after, e.unit)} (${e.basis}${e.note ? `, ${e.note}` : ''})`);
    for (const n of f.notes) lines.push(`   Note: ${n}`);
    lines.push('');
  }
  lines.push(table(['CHECK', 'RESULT', 'NOTE'], d.checks.map((c) => [c.id, c.status, c.note.length > 110 ? `${c.note.slice(0, 107)}...` : c.note])));
  for (const n of d.notes) lines.push(`- ${n}`);
  const fixable = d.findings.filter((f) => f.actions.some((a) => a.kind !== 'manual')).length;
  if (fixable) lines.push('', `Fix ${fixable === d.findings.length ? 'them' : `the ${fixable} Housekeeper can fix`} in one session: housekeeper diagnose fix ${d.connectionId ? '-c <connection>' : '--api …'} [--finding ID ...] [--dry-run]`);
  return lines.join('\n');
}

export function formatPlan(p: SessionPlan): string {
  const lines = [`Session for ${p.findings.length} finding${p.findings.length === 1 ? '' : 's'} on ${p.connectionName}:`];
  for (const f of p.findings) lines.push(`  [${SEV[f.severity]}] ${f.title} (${f.id})`);
  lines.push('', 'Steps, in this order:');
  for (const [i, s] of p.steps.entries()) {
    lines.push(`  ${i + 1}. ${s.title.padEnd(9)} ${s.count} ${s.unit}: ${s.detail}`);
    if (s.items.length) lines.push(`     ${s.items.slice(0, 6).join(', ')}${s.items.length > 6 ? `, and ${s.items.length - 6} more` : ''}`);
  }
  if (p.settings) {
    lines.push('', `Settings go into profile "${p.settings.profile}"${p.settings.profileExists ? ' (a new revision)' : ' (created)'} and are exported (${p.settings.format}) to ${p.settings.path}:`);
    for (const s of p.settings.set) lines.push(`  ${s.name}=${s.value}${s.scope === 'clients' ? '   (workers)' : ''}`);
    lines.push(`  ${p.settings.restartNote}`);
  }
  if (p.manual.length) {
    lines.push('', 'Left to the server’s owner:');
    for (const m of p.manual) lines.push(`  - ${m.title}: ${m.text}${m.command ? `\n      ${m.command}` : ''}`);
  }
  for (const n of p.notes) lines.push(`- ${n}`);
  return lines.join('\n');
}

export function formatSession(s: Session): string {
  const o = s.outcome;
  const lines = [`Session ${s.plan.sessionId} on ${s.plan.connectionName}: ${s.status}`];
  if (!o) return lines.join('\n');
  lines.push(o.message, '');
  lines.push(table(['STEP', 'RESULT', 'TOOK', 'WHAT HAPPENED'], o.steps.map((x) => [x.kind, x.status, `${Math.round(x.durationMs / 100) / 10} s`, x.message])));
  lines.push('', table(['', 'BEFORE', 'AFTER', 'AFTER RESTART (PREDICTED)'], o.comparison.map((c) => [c.label, formatValue(c.before, c.unit), formatValue(c.after, c.unit), c.afterRestart === null ? '' : formatValue(c.afterRestart, c.unit)])));
  if (o.restart) lines.push('', `The server's owner must restart it: ${o.restart}`);
  if (o.remaining.length || o.appeared.length) lines.push('', `Still shown: ${[...o.remaining, ...o.appeared.map((x) => `${x} (new)`)].join(', ')}`);
  lines.push('', `Report for a ticket: housekeeper diagnose report ${s.plan.sessionId} --format md -o session.md`);
  return lines.join('\n');
}
