/** `profiles import`, `export` and `drift`. */
import { AppError } from '../../../shared/errors';
import { ExportFormatSchema, type ExportFormat, type ImportFormat } from '../../../shared/domain/profiles';
import type { AppContext } from '../../context';
import { driftAgainst } from '../../core/profiles/drift-live';
import { guessFormat } from '../../core/profiles/formats';
import type { ProfilesService } from '../../core/profiles/service';
import type { ProfileTransfer } from '../../core/profiles/transfer';
import type { Flags } from '../args';
import { resolveTarget } from '../connection-args';
import { EXIT } from '../exit';
import type { Out } from '../io';
import { confirm } from '../prompt';
import { driftText, issuesText } from './profiles-text';

function formatFlag(value: string | undefined, file: string | undefined): ExportFormat {
  const f = value ?? (file ? guessFormat(file) : undefined);
  if (f === undefined) {
    if (file) throw new AppError('VALIDATION', `Cannot tell the format of ${file}.`, { hint: 'Add --format toml|env|compose|k8s|helm|systemd.' });
    return 'toml';
  }
  const parsed = ExportFormatSchema.safeParse(f);
  if (!parsed.success) throw new AppError('VALIDATION', `Unknown format "${f}".`, { hint: 'Use --format toml, env, compose, k8s, helm or systemd.' });
  return parsed.data;
}

export async function importCommand(transfer: ProfileTransfer, file: string, flags: Flags, out: Out): Promise<number> {
  const format: ImportFormat = formatFlag(flags.format, file);
  const source = { format, path: file, service: flags.service, name: flags.name };
  const preview = transfer.previewImport(source);
  const names = preview.profiles.map((p) => p.name);
  let select = flags.profile;
  if (!select && !flags.all && names.length > 1) {
    throw new AppError('VALIDATION', `${file} holds ${names.length} profiles: ${names.join(', ')}.`, { hint: 'Pick with --profile NAME (repeatable) or take them all with --all.' });
  }
  if (flags.all) select = undefined;
  const rename = flags.name && (select?.length === 1 || names.length === 1) ? { [select?.[0] ?? names[0]!]: flags.name } : undefined;
  const r = transfer.import(source, { select, rename, onExisting: flags.replace ? 'revision' : 'refuse' });
  for (const n of r.notes) out.info(n);
  out.result(r, () =>
    r.imported.map((v) => `Imported "${v.name}" (revision ${v.rev}, ${v.settingsCount} settings).\n${issuesText(v.issues)}`).join('\n\n'),
  );
  return EXIT.ok;
}

export async function exportCommand(transfer: ProfileTransfer, name: string, rev: number | undefined, flags: Flags, out: Out): Promise<number> {
  const format = formatFlag(flags.format, flags.file);
  const options = { profileName: flags.profile?.[0], serviceName: flags.service, namespace: flags.namespace };
  const req = { id: name, rev, format, includeSecrets: flags['include-secrets'] ?? false, options, path: flags.file };
  const preview = transfer.previewExport(req);
  for (const n of preview.notes) out.info(n);
  if (!flags.file) {
    if (preview.errors.length) out.info(`Warning: Prefect would reject this profile:\n${issuesText(preview.errors)}`);
    if (out.json) out.result(preview, () => '');
    else out.data(preview.content);
    return preview.errors.length ? EXIT.failed : EXIT.ok;
  }
  const t = preview.target!;
  let overwrite = false;
  if (format !== 'toml' && t.exists) {
    overwrite = flags.yes || (await confirm(`${t.path} exists. Replace it (a backup is kept)? [y/N] `));
    if (!overwrite) {
      out.error({ code: 'FORBIDDEN', message: 'Not confirmed; nothing was written.', hint: 'Pass --yes to replace the file.' });
      return EXIT.refused;
    }
  }
  const w = transfer.writeExport({ ...req, path: flags.file, fingerprint: t.fingerprint, force: flags.force, overwrite });
  out.result(w, () =>
    [
      `Wrote ${w.path} (${w.bytes} bytes)${format === 'toml' && t.exists ? `; ${t.replaced ? 'replaced' : 'added'} the profile, kept ${t.otherProfiles.length} other(s)` : ''}.`,
      ...(w.backupPath ? [`Backup of the previous file: ${w.backupPath}`] : []),
      'Prefect reads settings when the server starts: restart it to apply.',
    ].join('\n'),
  );
  return EXIT.ok;
}

export async function driftCommand(ctx: AppContext, profiles: ProfilesService, name: string, rev: number | undefined, flags: Flags, out: Out): Promise<number> {
  const conn = resolveTarget(ctx.connections, flags);
  const r = await driftAgainst(profiles, name, rev, conn);
  out.result(r, () => driftText(r, flags.all ?? false));
  return r.counts.different + r.counts.profileOnly + r.counts.serverOnly > 0 ? EXIT.failed : EXIT.ok;
}
