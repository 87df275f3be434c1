/**
 * Import and export around the profiles store: parse a file into candidate profiles (preview), save
 * the chosen ones as new profiles or new revisions, render a revision in any format (preview), and
 * write it to disk safely (profiles.toml is merged into the existing file). Secrets leave only when
 * the user asks; exports of values Prefect would reject are refused unless forced.
 */
import { AppError } from '../../../shared/errors';
import {
  isSecretName,
  validateProfile,
  type ExportFormat,
  type ExportOptions,
  type ImportFormat,
  type ProfileIssue,
  type ProfileView,
  type ValueView,
} from '../../../shared/domain/profiles';
import { readSnapshot, readText, writeFileSafely, type WriteResult } from './file-io';
import { defaultFileName, mergeProfilesToml, parseFormat, renderFormat, type Parsed } from './formats';
import type { ProfilesService } from './service';

export interface ImportSource {
  format: ImportFormat;
  content?: string;
  path?: string;
  /** compose: only this service. */
  service?: string;
  /** env/systemd/helm: the suggested profile name. */
  name?: string;
}

export interface ImportCandidate {
  name: string;
  values: ValueView[];
  issues: ProfileIssue[];
  exists: boolean;
}

export interface ExportRequest {
  id: string;
  rev?: number;
  format: ExportFormat;
  includeSecrets: boolean;
  options: ExportOptions;
  path?: string;
}

export interface ExportPreview {
  content: string;
  fileName: string;
  omitted: string[];
  notes: string[];
  errors: ProfileIssue[];
  target: { path: string; exists: boolean; fingerprint: string | null; replaced: boolean; otherProfiles: string[] } | null;
}

export class ProfileTransfer {
  constructor(private readonly profiles: ProfilesService) {}

  private parse(src: ImportSource): Parsed {
    if ((src.content === undefined) === (src.path === undefined)) {
      throw new AppError('VALIDATION', 'Give either the file content or its path.');
    }
    const text = src.content ?? readText(src.path!);
    return parseFormat(src.format, text, { service: src.service, name: src.name });
  }

  previewImport(src: ImportSource): { profiles: ImportCandidate[]; notes: string[] } {
    const parsed = this.parse(src);
    return {
      notes: parsed.notes,
      profiles: parsed.profiles.map((p) => ({
        name: p.name,
        values: Object.entries(p.values)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, value]) => (isSecretName(name) ? { name, value: null, secret: true } : { name, value, secret: false })),
        issues: validateProfile(p.values),
        exists: this.exists(p.name),
      })),
    };
  }

  /**
   * Save profiles from a file. `select` picks profiles by their name in the file (default: all),
   * `rename` gives them other names here. An existing profile gets a new revision only with
   * onExisting 'revision'; otherwise nothing is imported and the clash is reported.
   */
  import(src: ImportSource, opts: { select?: string[]; rename?: Record<string, string>; onExisting: 'refuse' | 'revision' }): { imported: ProfileView[]; notes: string[] } {
    const parsed = this.parse(src);
    const chosen = opts.select ? parsed.profiles.filter((p) => opts.select!.includes(p.name)) : parsed.profiles;
    const missing = (opts.select ?? []).filter((n) => !parsed.profiles.some((p) => p.name === n));
    if (missing.length) {
      throw new AppError('NOT_FOUND', `The file has no profile ${missing.map((m) => `"${m}"`).join(', ')}.`, {
        hint: `It has: ${parsed.profiles.map((p) => p.name).join(', ') || 'none'}.`,
      });
    }
    if (chosen.length === 0) throw new AppError('VALIDATION', 'There is nothing to import in this file.', { hint: parsed.notes.join(' ') || undefined });
    const target = (n: string) => opts.rename?.[n] ?? n;
    const clashes = chosen.map((p) => target(p.name)).filter((n) => this.exists(n));
    if (clashes.length && opts.onExisting === 'refuse') {
      throw new AppError('CONFLICT', `A profile named ${clashes.map((c) => `"${c}"`).join(', ')} already exists; nothing was imported.`, {
        hint: 'Import under another name, or as a new revision of the existing profile.',
      });
    }
    const what = src.path ? src.path : `pasted ${src.format}`;
    const imported = chosen.map((p) => {
      const name = target(p.name);
      if (!this.exists(name)) return this.profiles.create(name, p.values, { source: 'import', message: `Imported from ${what}` });
      const head = this.profiles.get(name);
      const unset = head.values.map((v) => v.name).filter((n) => !(n in p.values));
      return this.profiles.save(head.id, head.rev, { set: p.values, unset }, { source: 'import', message: `Imported from ${what}` });
    });
    return { imported, notes: parsed.notes };
  }

  previewExport(req: ExportRequest): ExportPreview {
    const p = this.profiles.get(req.id, req.rev);
    const values = this.profiles.values(p.id, p.shownRev);
    const input = { name: p.name, values, includeSecrets: req.includeSecrets, options: req.options };
    const errors = validateProfile(values).filter((i) => i.severity === 'error');
    if (req.format === 'toml' && req.path) {
      const snap = readSnapshot(req.path);
      if (snap.exists) {
        const merged = mergeProfilesToml(snap.text, input);
        return {
          content: merged.content,
          fileName: defaultFileName('toml', p.name),
          omitted: merged.omitted,
          notes: merged.notes,
          errors,
          target: { path: snap.path, exists: true, fingerprint: snap.fingerprint, replaced: merged.replaced, otherProfiles: merged.otherProfiles },
        };
      }
    }
    const r = renderFormat(req.format, input);
    const snap = req.path ? readSnapshot(req.path) : null;
    return {
      content: r.content,
      fileName: defaultFileName(req.format, p.name),
      omitted: r.omitted,
      notes: r.notes,
      errors,
      target: snap ? { path: snap.path, exists: snap.exists, fingerprint: snap.fingerprint, replaced: false, otherProfiles: [] } : null,
    };
  }

  /**
   * Write the export to `path`. `fingerprint` is what the preview saw (null: no file); a file that
   * changed since is not touched. Only profiles.toml is merged; other formats replace an existing
   * file only with `overwrite`.
   */
  writeExport(req: ExportRequest & { path: string; fingerprint: string | null; force?: boolean; overwrite?: boolean }): WriteResult & { notes: string[] } {
    const preview = this.previewExport(req);
    if (preview.errors.length && !req.force) {
      throw new AppError('VALIDATION', `The profile has ${preview.errors.length} value(s) Prefect would reject: ${preview.errors.map((e) => e.message).join(' ')}`, {
        hint: 'Fix them first, or export anyway (force).',
      });
    }
    const t = preview.target!;
    if (t.fingerprint !== req.fingerprint) {
      throw new AppError('CONFLICT', `${t.path} changed on disk since the preview.`, { hint: 'Nothing was written. Preview again to merge with what is there now.' });
    }
    if (req.format !== 'toml' && t.exists && !req.overwrite) {
      throw new AppError('CONFLICT', `${t.path} already exists.`, { hint: 'Choose another file, or confirm replacing it (a backup is kept).' });
    }
    const w = writeFileSafely(t.path, preview.content, req.fingerprint);
    const notes = [...preview.notes];
    if (w.backupPath) notes.push(`The previous file was saved as ${w.backupPath}.`);
    return { ...w, notes };
  }

  private exists(name: string): boolean {
    try {
      this.profiles.find(name);
      return true;
    } catch {
      return false;
    }
  }
}
