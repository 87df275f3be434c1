/** Text output of the profiles commands (the --json output is the contract's value instead). */
import { humanDuration, parseTimedelta, type DiffEntry, type DriftReport, type ProfileIssue, type ProfileSummary, type ProfileView, type RevisionSummary } from '../../../shared/domain/profiles';
import { lookupSetting, type PrefectLine } from '../../../shared/domain/settings-catalog';
import { table } from '../io';

export function listText(list: ProfileSummary[]): string {
  if (list.length === 0) return 'No profiles yet. Create one with `housekeeper profiles create NAME` or import a file with `housekeeper profiles import FILE`.';
  return table(
    ['NAME', 'PREFECT', 'REV', 'SETTINGS', 'ERRORS', 'WARNINGS', 'UPDATED'],
    list.map((p) => [p.name + (p.deletedAt ? ' (deleted)' : ''), p.line, String(p.rev), String(p.settingsCount), String(p.errorCount), String(p.warningCount), p.updatedAt.replace('T', ' ').slice(0, 19)]),
  );
}

export function issuesText(issues: ProfileIssue[]): string {
  if (issues.length === 0) return 'No problems: Prefect accepts every value.';
  return issues
    .map((i) => {
      const extra = i.renameTo ? ` -> rename to ${i.renameTo} (housekeeper profiles edit NAME --fix-names)` : i.didYouMean?.length ? ` Did you mean ${i.didYouMean.join(' or ')}?` : '';
      return `  ${i.severity === 'error' ? 'ERROR' : 'warn '}  ${i.message}${extra}`;
    })
    .join('\n');
}

function shown(name: string, value: string | null, secret: boolean, line: PrefectLine): string {
  if (secret) return '(secret, stored encrypted)';
  const e = lookupSetting(name, line)?.entry;
  if (value !== null && (e?.kind === 'duration' || e?.kind === 'seconds-duration')) {
    const d = parseTimedelta(value);
    if (d.ok) return `${value}  (${humanDuration(d.seconds)})`;
  }
  return value ?? '';
}

export function viewText(v: ProfileView): string {
  const head = `Profile "${v.name}", revision ${v.shownRev}${v.shownRev !== v.rev ? ` (latest is ${v.rev})` : ''}${v.message ? `: ${v.message}` : ''}
For Prefect ${v.line} (checked with ${v.lineVersion}'s settings; change with --prefect-line).`;
  const rows = v.values.map((x) => [x.name, shown(x.name, x.value, x.secret, v.line), lookupSetting(x.name, v.line)?.entry.group ?? `not in Prefect ${v.line}`]);
  const body = rows.length ? table(['SETTING', 'VALUE', 'GROUP'], rows) : '(no settings)';
  return `${head}\n${body}\n\n${issuesText(v.issues)}`;
}

export function historyText(h: RevisionSummary[]): string {
  return table(['REV', 'WHEN', 'SOURCE', 'SETTINGS', 'MESSAGE'], h.map((r) => [String(r.rev), r.createdAt.replace('T', ' ').slice(0, 19), r.source, String(r.settingsCount), r.message]));
}

export function diffText(d: DiffEntry[]): string {
  if (d.length === 0) return 'No differences.';
  const sign = { added: '+', removed: '-', changed: '~', renamed: '>' } as const;
  return d
    .map((e) => {
      if (e.status === 'added') return `+ ${e.name} = ${e.after}`;
      if (e.status === 'removed') return `- ${e.name} (was ${e.before})`;
      if (e.status === 'renamed') return `> ${e.fromName} renamed to ${e.name}`;
      return `${sign[e.status]} ${e.name}: ${e.before} -> ${e.after}`;
    })
    .join('\n');
}

export function driftText(r: DriftReport, all: boolean): string {
  const label = { same: 'same', different: 'DIFFERENT', 'profile-only': 'only here', 'server-only': 'only on server', unknown: 'unknown' } as const;
  const entries = r.entries.filter((e) => all || e.status !== 'same');
  const head = `Profile "${r.profileName}" (revision ${r.rev}, for Prefect ${r.profileLine}) vs ${r.connectionName} (${r.apiUrl}, Prefect ${r.serverVersion ?? '?'}; compared with ${r.line}'s settings):
  ${r.counts.different} different, ${r.counts.profileOnly} only in the profile (the server does not know them), ${r.counts.serverOnly} set only on the server, ${r.counts.unknown} not comparable, ${r.counts.same} the same.${r.notes.map((n) => `\n  ${n}`).join('')}`;
  const body = entries.length
    ? table(['STATUS', 'SETTING', 'PROFILE', 'SERVER', 'DEFAULT'], entries.map((e) => [label[e.status], e.env, e.profileValue ?? '-', e.serverValue ?? '-', e.defaultValue ?? '-']))
    : 'No drift.';
  return `${head}\n${body}\n\n${r.restartNote}`;
}
