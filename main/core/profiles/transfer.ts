/**
 * Import and export around the profiles store: parse a file into candidate profiles (preview), save
 * the chosen ones as new profiles or new revisions, render a revision in any format (preview), and
 * write it to disk safely (profiles.toml is merged into the existing file). Secrets leave only when
 * the user asks. Values the target Prefect line would reject stop an import (nothing imported) and an
 * export (nothing written or printed) unless forced. A file that is not a settings file is refused
 * without echoing any of it.
 */
import { AppError } from '../../../shared/errors';
import { LATEST_LINE, type PrefectLine } from '../../../shared/domain/settings-catalog';
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
import { assertAccepted, type ProfilesService } from './service';

export interface ImportSource {
  format: ImportFormat;
  content?: string;
  path?: string;
  /** compose: only this service. */
  service?: string;
  /** env/systemd/helm: the suggested profile name. */
  name?: string;
  /** The file's name when its content was read in the UI (for the history: "Imported from file x"). */
  fileName?: string;
  /** The Prefect line new profiles target (default: the newest); existing ones keep theirs. */
  line?: PrefectLine;
}

export interface ImportCandidate {
  name: string;
  values: ValueView[];
  issues: ProfileIssue[];
  exists: boolean;
  /** The line the values were checked for. */
  line: PrefectLine;
}

export interface ExportRequest {
  id: string;
  rev?: number;
  format: ExportFormat;
  includeSecrets: boolean;
  options: ExportOptions;
  path?: string;
  /** profiles.toml text to merge into (the web face's picked file); never with `path`. */
  mergeInto?: string;
}

export interface ExportPreview {
  /** The Prefect line the export is checked and spelled for (the profile's). */
  line: PrefectLine;
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
    const what = src.fileName ?? (src.path ? 'This file' : 'The pasted text');
    // Binary files (a DER key, an archive) are not settings files; say so without showing any of it.
    if (text.includes('\u0000')) throw notSettings(what, src.format, 'it is a binary file');
    const parsed = parseFormat(src.format, text, { service: src.service, name: src.name, line: src.line });
    const count = parsed.profiles.reduce((n, p) => n + Object.keys(p.values).length, 0);
    const tables = src.format === 'toml' && parsed.profiles.length > 0;
    if (count === 0 && !tables) throw notSettings(what, src.format, 'it has no PREFECT_* settings');
    return parsed;
  }

  /** The line a parsed profile is checked for: an existing profile's own, else the requested one. */
  private lineFor(name: string, src: ImportSource): PrefectLine {
    try {
      return this.profiles.get(name).line;
    } catch {
      return src.line ?? LATEST_LINE;
    }
  }

  previewImport(src: ImportSource): { profiles: ImportCandidate[]; notes: string[] } {
    const parsed = this.parse(src);
    return {
      notes: parsed.notes,
      profiles: parsed.profiles.map((p) => {
        const line = this.lineFor(p.name, src);
        return {
          name: p.name,
          values: Object.entries(p.values)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([name, value]) => (isSecretName(name) ? { name, value: null, secret: true } : { name, value, secret: false })),
          issues: validateProfile(p.values, line),
          exists: this.exists(p.name),
          line,
        };
      }),
    };
  }

  /**
   * Save profiles from a file. `select` picks profiles by their name in the file (default: all),
   * `rename` gives them other names here. An existing profile gets a new revision only with
   * onExisting 'revision'; otherwise nothing is imported and the clash is reported.
   */
  import(
    src: ImportSource,
    opts: { select?: string[]; rename?: Record<string, string>; onExisting: 'refuse' | 'revision'; force?: boolean },
  ): { imported: ProfileView[]; notes: string[] } {
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
    // Every profile is checked before anything is saved: one rejected value imports nothing.
    if (!opts.force) {
      for (const p of chosen) {
        const line = this.lineFor(target(p.name), src);
        assertAccepted(validateProfile(p.values, line), line, `nothing was imported (${p.name})`, 'Fix the file and import it again, or import anyway with --force.');
      }
    }
    const what = src.path ? src.path : src.fileName ? `file ${src.fileName}` : `pasted ${src.format} text`;
    const imported = this.profiles.transactionally(() =>
      chosen.map((p) => {
        const name = target(p.name);
        if (!this.exists(name)) return this.profiles.create(name, p.values, { source: 'import', message: `Imported from ${what}`, line: src.line, force: true });
        const head = this.profiles.get(name);
        const unset = head.values.map((v) => v.name).filter((n) => !(n in p.values));
        return this.profiles.save(head.id, head.rev, { set: p.values, unset }, { source: 'import', message: `Imported from ${what}`, force: true });
      }),
    );
    return { imported, notes: parsed.notes };
  }

  previewExport(req: ExportRequest): ExportPreview {
    const p = this.profiles.get(req.id, req.rev);
    const values = this.profiles.values(p.id, p.shownRev);
    const input = { name: p.name, values, includeSecrets: req.includeSecrets, options: req.options, line: p.line };
    const errors = validateProfile(values, p.line).filter((i) => i.severity === 'error');
    if (req.mergeInto !== undefined) {
      if (req.format !== 'toml') throw new AppError('VALIDATION', 'Only a profiles.toml can be merged into.', { hint: 'Choose the profiles.toml format, or export without a file to merge into.' });
      if (req.path) throw new AppError('VALIDATION', 'Give either a file path or the text to merge into, not both.');
      const merged = mergeProfilesToml(req.mergeInto, input);
      const notes = [...merged.notes, mergedNote(merged.replaced, input.options.profileName ?? p.name, merged.otherProfiles)];
      return { line: p.line, content: merged.content, fileName: 'profiles.toml', omitted: merged.omitted, notes, errors, target: null };
    }
    if (req.format === 'toml' && req.path) {
      const snap = readSnapshot(req.path);
      if (snap.exists) {
        const merged = mergeProfilesToml(snap.text, input);
        return {
          line: p.line,
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
      line: p.line,
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
    if (!req.force) assertExportable(preview, 'nothing was written');
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

  /** The export's text for stdout or a download; refused like a write when Prefect would reject values. */
  exportText(req: ExportRequest & { force?: boolean }): ExportPreview {
    const preview = this.previewExport({ ...req, path: undefined });
    if (!req.force) assertExportable(preview, 'nothing was exported');
    return preview;
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

function mergedNote(replaced: boolean, name: string, others: string[]): string {
  const kept = others.length ? `keeps ${others.length === 1 ? 'its other profile' : `its ${others.length} other profiles`} (${others.join(', ')})` : 'has no other profiles';
  return `Merged into the chosen profiles.toml: ${replaced ? 'replaces' : 'adds'} profile "${name}" and ${kept}.`;
}

/** VALIDATION (nothing exported) when the preview holds values the profile's line would reject. */
export function assertExportable(preview: ExportPreview, what: string): void {
  assertAccepted(preview.errors, preview.line, what, 'Fix the values first, or export anyway with --force (in the window: "Export anyway").');
}

function notSettings(what: string, format: ImportFormat, why: string): AppError {
  return new AppError('VALIDATION', `${what} is not a settings file: ${why}. Nothing was imported.`, {
    hint: `Choose a profiles.toml, .env, compose, Kubernetes, Helm or systemd file with PREFECT_* settings (read as ${format}).`,
  });
}
