/**
 * A diagnosis, or a whole session, as Markdown for a ticket: findings with their numbers and where
 * they came from, the actions, the predicted effects, and for a session the steps and the numbers
 * before and after side by side. Pure (the CLI writes it, the window saves it).
 */
import { formatBytes, formatInt, formatShare } from '../../text/bytes';
import type { Session } from './session';
import type { Action, Diagnosis, Finding, Unit } from './types';

export function formatValue(v: number | string | boolean | null, unit: Unit): string {
  if (v === null) return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') return v;
  switch (unit) {
    case 'bytes':
      return formatBytes(v);
    case 'ms':
      return `${formatInt(v)} ms`;
    case 'seconds':
      return `${formatInt(v)} s`;
    case 'share':
      return formatShare(v);
    case 'per-hour':
      return `${formatInt(v)}/h`;
    default:
      return Number.isInteger(v) ? formatInt(v) : String(Math.round(v * 10) / 10);
  }
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

export function actionText(a: Action): string {
  switch (a.kind) {
    case 'purge':
      return `**Purge**: ${a.title}${a.deployments.length <= 8 ? ` (${a.deployments.map((d) => d.name).join(', ')})` : ''}`;
    case 'recreate':
      return `**Recreate schedules**: ${a.title}${a.deployments.length <= 8 ? ` (${a.deployments.map((d) => d.name).join(', ')})` : ''}`;
    case 'settings':
      return [`**Settings** (${a.scope === 'server' ? 'server' : 'workers and flow processes'}): ${a.title}`, ...a.set.map((s) => `  - \`${s.name}=${s.value}\`: ${s.reason}`), ...a.inputs.map((i) => `  - \`${i.name}\`: ${i.label} (you give it)`)].join('\n');
    case 'retention':
      return `**Retention**: ${a.title}`;
    case 'vacuum':
      return `**VACUUM**: ${a.title}`;
    case 'manual':
      return `**By the server's owner**: ${a.title}. ${a.text}${a.command ? `\n\n  \`\`\`\n  ${a.command}\n  \`\`\`` : ''}`;
  }
}

export function findingMarkdown(f: Finding, i: number): string {
  const parts = [
    `### ${i + 1}. ${f.title}`,
    `\`${f.id}\` · severity **${f.severity}**`,
    '',
    table(['Measured', 'Value', 'Source'], f.measured.map((m) => [m.label, `${m.exact ? '' : '≈'}${formatValue(m.value, m.unit)}`, m.source])),
    '',
    `**Why it hurts.** ${f.why} (${f.refs.join('; ')})`,
    '',
    '**Fix.**',
    ...f.actions.map((a) => `- ${actionText(a)}`),
  ];
  if (f.effect.length) {
    parts.push('', table(['Predicted effect', 'Now', 'After', 'Basis'], f.effect.map((e) => [e.label + (e.note ? ` (${e.note})` : ''), formatValue(e.before, e.unit), formatValue(e.after, e.unit), e.basis])));
  }
  for (const n of f.notes) parts.push('', `> ${n}`);
  return parts.join('\n');
}

export function diagnosisMarkdown(d: Diagnosis): string {
  const out = [
    `# Diagnosis of ${d.connectionName}`,
    '',
    `${d.createdAt.replace('T', ' ').slice(0, 19)} UTC · Prefect ${d.prefectVersion ?? 'version unknown'} · ${d.source === 'api' ? 'API only' : d.source} · ${d.processes.count} server process${d.processes.count === 1 ? '' : 'es'} (${d.processes.basis}) · ${formatInt(d.durationMs)} ms`,
    '',
    `## Findings (${d.findings.length}), most harmful first`,
    '',
    d.findings.length ? d.findings.map(findingMarkdown).join('\n\n') : 'None: every check came back clear or could not run (see below).',
    '',
    '## Every check',
    '',
    table(['Check', 'Result', 'Note'], d.checks.map((c) => [`${c.title} (\`${c.id}\`)`, c.status, c.note])),
    '',
    '## What was read',
    '',
    table(['Group', 'Setting or number', 'Value', 'Source'], d.facts.map((f) => [f.group, f.label, f.value, f.source])),
  ];
  if (d.notes.length) out.push('', '## Notes', '', ...d.notes.map((n) => `- ${n}`));
  return `${out.join('\n')}\n`;
}

export function sessionMarkdown(s: Session): string {
  const p = s.plan;
  const o = s.outcome;
  const out = [
    `# Diagnose session on ${p.connectionName}`,
    '',
    `${p.createdAt.replace('T', ' ').slice(0, 19)} UTC · status **${s.status}**${o ? ` · ${formatInt(o.durationMs)} ms` : ''}`,
    '',
    o ? o.message : 'Planned, not run yet.',
    '',
    `## Findings this session fixes (${p.findings.length})`,
    '',
    ...p.findings.map((f) => `- **${f.severity}** ${f.title} (\`${f.id}\`)${o ? (o.resolved.includes(f.id) ? ' · resolved' : o.remaining.includes(f.id) ? ' · still shown' : '') : ''}`),
    '',
    '## Steps, in order',
    '',
    table(
      ['#', 'Step', 'What', 'Count', 'Result'],
      p.steps.map((st, i) => {
        const r = o?.steps.find((x) => x.kind === st.kind);
        return [String(i + 1), st.title, st.detail, `${formatInt(st.count)} ${st.unit}`, r ? `${r.status}: ${r.message}` : 'not run'];
      }),
    ),
  ];
  if (o?.comparison.length) {
    out.push(
      '',
      '## Before and after',
      '',
      table(
        ['', 'Before', 'After', 'After the restart (predicted)'],
        o.comparison.map((c) => [c.label, formatValue(c.before, c.unit), formatValue(c.after, c.unit), c.afterRestart === null ? '' : formatValue(c.afterRestart, c.unit)]),
      ),
    );
  }
  if (p.settings) {
    out.push('', '## Settings', '', table(['Setting', 'Value', 'Why'], p.settings.set.map((x) => [`${x.name}${x.scope === 'clients' ? ' (workers)' : ''}`, x.value, x.reason])));
    if (o?.settingsWritten) out.push('', `Saved as profile "${o.settingsWritten.profile}" revision ${o.settingsWritten.rev} and exported to \`${o.settingsWritten.path}\` (${o.settingsWritten.format}).`);
    out.push('', `**The server's owner must restart it:** ${o?.restart ?? p.settings.restartNote}`);
  }
  if (o && (o.remaining.length || o.appeared.length)) {
    out.push('', '## Still shown after the session', '', ...[...o.remaining, ...o.appeared].map((id) => `- \`${id}\`${o.appeared.includes(id) ? ' (new)' : ''}`));
  }
  if (p.manual.length) out.push('', '## Left to the server’s owner', '', ...p.manual.map((m) => `- **${m.title}** (\`${m.finding}\`): ${m.text}${m.command ? ` \`${m.command}\`` : ''}`));
  out.push('', '## The diagnosis before', '', ...s.before.findings.map((f, i) => findingMarkdown(f, i)).flatMap((x) => [x, '']));
  if (s.after) out.push('## The diagnosis after', '', s.after.findings.length ? s.after.findings.map((f) => `- **${f.severity}** ${f.title} (\`${f.id}\`)`).join('\n') : 'No findings.');
  return `${out.join('\n')}\n`;
}
