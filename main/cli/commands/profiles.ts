/**
 * `housekeeper profiles ...`: the same store, validation, formats and drift as the Profiles screen.
 * Editing takes --set KEY=VALUE / --unset KEY (repeatable); presets and name fixes show the diff and
 * ask before saving, as the screen does.
 */
import { AppError } from '../../../shared/errors';
import {
  applyChanges,
  diffValues,
  isSecretName,
  presetById,
  presetChanges,
  PRESETS,
  SETTING_NAME,
  type ProfileChanges,
} from '../../../shared/domain/profiles';
import type { AppContext } from '../../context';
import { profilesOf } from '../../handlers/profiles';
import { intFlag, type Flags } from '../args';
import { EXIT } from '../exit';
import type { Out } from '../io';
import { confirm } from '../prompt';
import { driftCommand, exportCommand, importCommand } from './profiles-transfer';
import { diffText, historyText, issuesText, listText, viewText } from './profiles-text';

const USAGE = 'Use list, show, create, edit, rename, delete, undelete, history, diff, restore, import, export, drift or presets.';

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
      const v = flags.from ? profiles.copy(flags.from, name) : profiles.create(name, changesFromFlags(flags).set ?? {});
      out.result(v, () => `Created profile "${v.name}".\n${issuesText(v.issues)}`);
      return EXIT.ok;
    }
    case 'edit':
      return editCommand(ctx, need(rest[0], 'profile'), flags, out);
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
      out.result(PRESETS, () =>
        PRESETS.map((p) => `${p.id}: ${p.title}\n  ${p.summary}\n${p.settings.map((s) => `    ${s.name}=${s.value}\n      ${s.reason}`).join('\n')}`).join('\n\n'),
      );
      return EXIT.ok;
    }
    case 'import':
      return importCommand(transfer, need(rest[0] ?? flags.file, 'file'), flags, out);
    case 'export':
      return exportCommand(transfer, need(rest[0], 'profile'), rev, flags, out);
    case 'drift':
      return driftCommand(ctx, profiles, need(rest[0], 'profile'), rev, flags, out);
    default:
      throw new AppError('VALIDATION', `Unknown command "profiles ${sub}".`, { hint: USAGE });
  }
}

/** --set/--unset apply directly; --preset and --fix-names show the change and ask first. */
async function editCommand(ctx: AppContext, name: string, flags: Flags, out: Out): Promise<number> {
  const { profiles } = profilesOf(ctx);
  const p = profiles.find(name);
  const head = profiles.get(p.id);
  let changes = changesFromFlags(flags);
  let reviewed = false;
  if (flags.preset) {
    const preset = presetById(flags.preset);
    if (!preset) throw new AppError('NOT_FOUND', `No preset "${flags.preset}".`, { hint: `Presets: ${PRESETS.map((x) => x.id).join(', ')}.` });
    changes = { ...changes, set: { ...presetChanges(preset).set, ...changes.set } };
    reviewed = true;
    out.info(`${preset.title}: ${preset.summary}`);
  }
  if (flags['fix-names']) {
    changes = { ...changes, rename: Object.fromEntries(head.issues.filter((i) => i.renameTo).map((i) => [i.name, i.renameTo!])) };
    reviewed = true;
  }
  const plain = Object.fromEntries(head.values.map((v) => [v.name, v.secret ? '\u0000secret' : (v.value ?? '')]));
  const preview = diffValues(plain, applyChanges(plain, changes), isSecretName);
  if (preview.length === 0) {
    out.result(head, () => 'Nothing to change.');
    return EXIT.ok;
  }
  if (reviewed && !flags.yes) {
    out.info(diffText(preview));
    if (!(await confirm('Save these changes as a new revision? [y/N] '))) {
      out.error({ code: 'FORBIDDEN', message: 'Not confirmed; nothing was saved.', hint: 'Pass --yes to save without the question.' });
      return EXIT.refused;
    }
  }
  const v = profiles.save(p.id, head.rev, changes, { message: flags.message ?? (flags.preset ? `Preset ${flags.preset}` : ''), source: flags.preset ? 'preset' : 'edit' });
  out.result(v, () => `Saved revision ${v.rev} of "${v.name}".\n${diffText(preview)}\n\n${issuesText(v.issues)}`);
  return v.errorCount > 0 ? EXIT.failed : EXIT.ok;
}
