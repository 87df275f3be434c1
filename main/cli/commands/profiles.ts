/**
 * `housekeeper profiles ...`: the same store, validation, formats and drift as the Profiles screen.
 * Editing takes --set KEY=VALUE / --unset KEY (repeatable); presets and name fixes show the diff and
 * ask before saving, as the screen does. --prefect-line picks the Prefect line a profile targets;
 * values that line would reject are refused (exit 2, nothing saved) unless --force.
 */
import { AppError } from '../../../shared/errors';
import {
  applyChanges,
  diffValues,
  isSecretName,
  presetById,
  presetForLine,
  PRESETS,
  PrefectLineSchema,
  SETTING_NAME,
  type ProfileChanges,
} from '../../../shared/domain/profiles';
import { catalogFor, PREFECT_LINES, type PrefectLine } from '../../../shared/domain/settings-catalog';
import type { AppContext } from '../../context';
import { profilesOf } from '../../handlers/profiles';
import { intFlag, type Flags } from '../args';
import { EXIT } from '../exit';
import type { Out } from '../io';
import { confirm } from '../prompt';
import { driftCommand, exportCommand, importCommand } from './profiles-transfer';
import { diffText, historyText, issuesText, listText, viewText } from './profiles-text';

const USAGE = 'Use list, show, create, edit, rename, delete, undelete, history, diff, restore, import, export, drift, presets or lines.';

/** --prefect-line 3.4 (also accepts a full version such as 3.4.25). */
export function lineFlag(value: string | undefined): PrefectLine | undefined {
  if (value === undefined) return undefined;
  const m = /^(3\.\d+)(\.\d+.*)?$/.exec(value.trim());
  const parsed = PrefectLineSchema.safeParse(m?.[1]);
  if (!parsed.success) {
    throw new AppError('VALIDATION', `--prefect-line must be a Prefect 3 line Housekeeper knows (got "${value}").`, {
      hint: `Use one of ${PREFECT_LINES.join(', ')}, e.g. --prefect-line 3.4 for a 3.4.x server (\`housekeeper profiles lines\` lists them).`,
    });
  }
  return parsed.data;
}

function need(v: string | undefined, what: string): string {
  if (!v) throw new AppError('VALIDATION', `Which ${what}?`, { hint: 'Run `housekeeper --help` for the profiles commands.' });
  return v;
}

/** --set KEY=VALUE (the value may contain "=") and --unset KEY. */
export function changesFromFlags(flags: Flags): ProfileChanges {
  const set: Record<string, string> = {};
  for (const s of flags.set ?? []) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new AppError('VALIDATION', `--set needs KEY=VALUE (got "${s}").`);
    const key = s.slice(0, eq).trim();
    if (!SETTING_NAME.safeParse(key).success) throw new AppError('VALIDATION', `"${key}" is not a setting name.`, { hint: 'Setting names look like PREFECT_SERVER_API_DEFAULT_LIMIT.' });
    set[key] = s.slice(eq + 1);
  }
  return { set, unset: flags.unset ?? [] };
}

export async function profilesCommand(ctx: AppContext, sub: string | undefined, rest: string[], flags: Flags, out: Out): Promise<number> {
  const { profiles, transfer } = profilesOf(ctx);
  const rev = intFlag(flags.rev, 'rev', 1, 1_000_000);
  const line = lineFlag(flags['prefect-line']);
  switch (sub) {
    case 'list':
    case undefined: {
      const list = profiles.list(flags.all ?? false);
      out.result(list, () => listText(list));
      return EXIT.ok;
    }
    case 'show': {
      const v = profiles.get(need(rest[0], 'profile'), rev);
      out.result(v, () => viewText(v));
      return EXIT.ok;
    }
    case 'create': {
      const name = need(rest[0] ?? flags.name, 'name');
      let v = flags.from ? profiles.copy(flags.from, name) : profiles.create(name, changesFromFlags(flags).set ?? {}, { line, force: flags.force });
      if (flags.from && line) v = profiles.setLine(v.id, line);
      out.result(v, () => `Created profile "${v.name}" for Prefect ${v.line} (${v.lineVersion}).\n${issuesText(v.issues)}`);
      return EXIT.ok;
    }
    case 'lines': {
      const lines = PREFECT_LINES.map((l) => ({ line: l, version: catalogFor(l).info.version, settings: catalogFor(l).settings.length }));
      out.result(lines, () => lines.map((l) => `${l.line}  catalog from Prefect ${l.version}, ${l.settings} settings`).join('\n'));
      return EXIT.ok;
    }
    case 'edit':
      return editCommand(ctx, need(rest[0], 'profile'), line, flags, out);
    case 'rename': {
      const v = profiles.rename(need(rest[0], 'profile'), need(rest[1] ?? flags.name, 'new name'));
      out.result(v, () => `Renamed to "${v.name}".`);
      return EXIT.ok;
    }
    case 'delete': {
      const p = profiles.find(need(rest[0], 'profile'));
      const ok = flags.yes || (await confirm(`Delete profile "${p.name}"? Its history is kept and \`housekeeper profiles undelete\` brings it back. [y/N] `));
      if (!ok) {
        out.error({ code: 'FORBIDDEN', message: 'Not confirmed; nothing was deleted.', hint: 'Pass --yes to skip the question.' });
        return EXIT.refused;
      }
      const d = profiles.delete(p.id);
      out.result(d, () => `Deleted "${d.name}" (id ${d.id}); undo with \`housekeeper profiles undelete ${d.id}\`.`);
      return EXIT.ok;
    }
    case 'undelete': {
      const id = need(rest[0], 'profile id');
      const v = profiles.undelete(id);
      out.result(v, () => `Restored profile "${v.name}".`);
      return EXIT.ok;
    }
    case 'history': {
      const h = profiles.history(need(rest[0], 'profile'));
      out.result(h, () => historyText(h));
      return EXIT.ok;
    }
    case 'diff': {
      const p = profiles.find(need(rest[0], 'profile'));
      const [x, y] = [rest[1], rest[2]];
      let a: { id: string; rev?: number };
      let b: { id: string; rev?: number };
      if (x !== undefined && !/^\d+$/.test(x)) {
        a = { id: p.id };
        b = { id: profiles.find(x).id };
      } else {
        const from = x !== undefined ? Number(x) : Math.max(1, p.head_rev - 1);
        a = { id: p.id, rev: from };
        b = { id: p.id, rev: y !== undefined ? Number(y) : p.head_rev };
      }
      const d = profiles.diff(a, b);
      out.result(d, () => diffText(d));
      return EXIT.ok;
    }
    case 'restore': {
      const r = intFlag(rest[1] ?? flags.rev, 'rev', 1, 1_000_000);
      if (r === undefined) throw new AppError('VALIDATION', 'Which revision?', { hint: 'housekeeper profiles restore NAME REV (see `profiles history NAME`).' });
      const v = profiles.restore(need(rest[0], 'profile'), r);
      out.result(v, () => `Restored as revision ${v.rev}.`);
      return EXIT.ok;
    }
    case 'presets': {
      const forLine = PRESETS.map((p) => presetForLine(p, line));
      out.result(forLine, () =>
        forLine
          .map(
            (f) =>
              `${f.preset.id}: ${f.preset.title} (Prefect ${f.line})\n  ${f.preset.summary}\n${f.settings.map((s) => `    ${s.name}=${s.value}\n      ${s.reason}`).join('\n')}${f.skipped.map((x) => `\n    (left out: ${x.reason})`).join('')}`,
          )
          .join('\n\n'),
      );
      return EXIT.ok;
    }
    case 'import':
      return importCommand(transfer, need(rest[0] ?? flags.file, 'file'), line, flags, out);
    case 'export':
      return exportCommand(transfer, need(rest[0], 'profile'), rev, flags, out);
    case 'drift':
      return driftCommand(ctx, profiles, need(rest[0], 'profile'), rev, flags, out);
    default:
      throw new AppError('VALIDATION', `Unknown command "profiles ${sub}".`, { hint: USAGE });
  }
}

/**
 * --set/--unset apply directly; --preset and --fix-names show the change and ask first;
 * --prefect-line changes the line the profile targets (first, so the changes are checked for it).
 */
async function editCommand(ctx: AppContext, name: string, line: PrefectLine | undefined, flags: Flags, out: Out): Promise<number> {
  const { profiles } = profilesOf(ctx);
  const p = profiles.find(name);
  let head = profiles.get(p.id);
  let changes = changesFromFlags(flags);
  let reviewed = false;
  if (line && line !== head.line) {
    const before = head.line;
    head = profiles.setLine(p.id, line);
    out.info(`"${head.name}" now targets Prefect ${head.line} (was ${before}): its values are checked with ${head.lineVersion}'s settings.`);
  }
  if (flags.preset) {
    const preset = presetById(flags.preset);
    if (!preset) throw new AppError('NOT_FOUND', `No preset "${flags.preset}".`, { hint: `Presets: ${PRESETS.map((x) => x.id).join(', ')}.` });
    const forLine = presetForLine(preset, head.line);
    if (forLine.settings.length === 0) {
      throw new AppError('VALIDATION', `The preset ${preset.id} has nothing for Prefect ${head.line}: ${forLine.skipped.map((x) => x.reason).join(' ')}`, { hint: 'Pick another preset, or change the profile\'s line.' });
    }
    changes = { ...changes, set: { ...Object.fromEntries(forLine.settings.map((x) => [x.name, x.value])), ...changes.set } };
    reviewed = true;
    out.info(`${preset.title}: ${preset.summary}`);
    for (const skip of forLine.skipped) out.info(`Left out: ${skip.reason}`);
  }
  if (flags['fix-names']) {
    changes = { ...changes, rename: Object.fromEntries(head.issues.filter((i) => i.renameTo).map((i) => [i.name, i.renameTo!])) };
    reviewed = true;
  }
  const plain = Object.fromEntries(head.values.map((v) => [v.name, v.secret ? '\u0000secret' : (v.value ?? '')]));
  const preview = diffValues(plain, applyChanges(plain, changes, head.line), isSecretName, head.line);
  if (preview.length === 0) {
    out.result(head, () => (line ? issuesText(head.issues) : 'Nothing to change.'));
    return EXIT.ok;
  }
  if (reviewed && !flags.yes) {
    out.info(diffText(preview));
    if (!(await confirm('Save these changes as a new revision? [y/N] '))) {
      out.error({ code: 'FORBIDDEN', message: 'Not confirmed; nothing was saved.', hint: 'Pass --yes to save without the question.' });
      return EXIT.refused;
    }
  }
  const v = profiles.save(p.id, head.rev, changes, { message: flags.message ?? (flags.preset ? `Preset ${flags.preset}` : ''), source: flags.preset ? 'preset' : 'edit', force: flags.force });
  out.result(v, () => `Saved revision ${v.rev} of "${v.name}".\n${diffText(preview)}\n\n${issuesText(v.issues)}`);
  return EXIT.ok;
}
