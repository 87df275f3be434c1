/**
 * Profiles kept in the local store: create, copy, rename, delete (a mark, undoable), edit as changes
 * on a known revision, history, diff, restore. Every save is a new revision; restore is a new
 * revision too. Secret values (SecretStr settings such as the database URL or auth strings) go to
 * the encrypted secret table per revision; views show only that one is set.
 */
import crypto from 'node:crypto';
import { AppError } from '../../../shared/errors';
import { hasControlChars } from '../../../shared/domain/safe-text';
import {
  applyChanges,
  diffValues,
  isSecretName,
  MASK,
  validateProfile,
  type DiffEntry,
  type ProfileChanges,
  type ProfileIssue,
  type ProfileSummary,
  type ProfileValues,
  type ProfileView,
  type RevisionSource,
  type RevisionSummary,
} from '../../../shared/domain/profiles';
import { revisionSecretOwner, type ProfileRow, type ProfilesRepo, type RevisionRow } from '../../store/repos/profiles';
import type { SecretsRepo } from '../../store/repos/secrets';

/** Marks a secret carried over from the previous revision while changes are applied (never stored). */
const CARRY = '\u0000carry:';

export interface LoadedRevision {
  row: RevisionRow;
  plain: ProfileValues;
  secretNames: string[];
}

export class ProfilesService {
  constructor(
    private readonly repo: ProfilesRepo,
    private readonly secrets: SecretsRepo,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  list(includeDeleted = false): ProfileSummary[] {
    return this.repo.list(includeDeleted).map((p) => this.summary(p, this.load(p.id, p.head_rev)));
  }

  /** By id or by name (the CLI's NAME), live profiles only. */
  find(idOrName: string): ProfileRow {
    const row = this.repo.get(idOrName) ?? this.repo.getByName(idOrName);
    if (!row || row.deleted_at !== null) {
      const deleted = row ?? this.repo.deletedByName(idOrName)[0];
      throw new AppError('NOT_FOUND', `No profile named "${idOrName}".`, {
        hint: deleted ? 'It was deleted; undelete it to get it back.' : 'List them with `housekeeper profiles list`.',
        details: deleted ? { deletedId: deleted.id } : undefined,
      });
    }
    return row;
  }

  get(idOrName: string, rev?: number): ProfileView {
    const p = this.find(idOrName);
    return this.view(p, this.load(p.id, rev ?? p.head_rev));
  }

  create(name: string, values: ProfileValues, opts: { source?: RevisionSource; message?: string } = {}): ProfileView {
    this.assertNameFree(name);
    const id = crypto.randomUUID();
    const at = this.now();
    this.repo.transaction(() => {
      this.repo.insert({ id, name, head_rev: 1, created_at: at, updated_at: at, deleted_at: null });
      this.writeRevision(id, 1, opts.source ?? 'create', opts.message ?? 'Created', values, undefined);
    });
    return this.get(id);
  }

  copy(idOrName: string, newName: string): ProfileView {
    const src = this.find(idOrName);
    const loaded = this.load(src.id, src.head_rev);
    this.assertNameFree(newName);
    const id = crypto.randomUUID();
    const at = this.now();
    this.repo.transaction(() => {
      this.repo.insert({ id, name: newName, head_rev: 1, created_at: at, updated_at: at, deleted_at: null });
      const carried = { ...loaded.plain, ...Object.fromEntries(loaded.secretNames.map((n) => [n, CARRY + n])) };
      this.writeRevision(id, 1, 'copy', `Copied from ${src.name} revision ${src.head_rev}`, carried, { profileId: src.id, rev: src.head_rev });
    });
    return this.get(id);
  }

  rename(idOrName: string, newName: string): ProfileView {
    const p = this.find(idOrName);
    if (p.name !== newName) {
      const clash = this.repo.getByName(newName);
      if (clash && clash.id !== p.id) throw conflictName(newName);
      this.repo.rename(p.id, newName, this.now());
    }
    return this.get(p.id);
  }

  delete(idOrName: string): { id: string; name: string } {
    const p = this.find(idOrName);
    this.repo.setDeleted(p.id, this.now());
    return { id: p.id, name: p.name };
  }

  undelete(id: string): ProfileView {
    const p = this.repo.get(id);
    if (!p) throw new AppError('NOT_FOUND', 'No such profile.');
    if (p.deleted_at !== null) {
      if (this.repo.getByName(p.name)) throw conflictName(p.name, 'Rename the other profile first.');
      this.repo.setDeleted(p.id, null);
    }
    return this.get(p.id);
  }

  /**
   * Apply changes on top of `baseRev` (the revision the editor started from) and save them as a new
   * revision. A newer head means someone else saved meanwhile: CONFLICT, nothing written. A secret
   * set to the mask keeps its stored value. No change, no new revision.
   */
  save(idOrName: string, baseRev: number | undefined, changes: ProfileChanges, opts: { message?: string; source?: RevisionSource } = {}): ProfileView {
    const p = this.find(idOrName);
    if (baseRev !== undefined && baseRev !== p.head_rev) {
      throw new AppError('CONFLICT', `Profile "${p.name}" was saved again (revision ${p.head_rev}) after you opened revision ${baseRev}.`, {
        hint: 'Reload it; your edits are still on screen to apply again.',
        details: { headRev: p.head_rev, baseRev },
      });
    }
    const head = this.load(p.id, p.head_rev);
    const before = { ...head.plain, ...Object.fromEntries(head.secretNames.map((n) => [n, CARRY + n])) };
    const set = Object.fromEntries(
      Object.entries(changes.set ?? {}).filter(([n, v]) => !(v === MASK && isSecretName(n) && head.secretNames.some((s) => s.toUpperCase() === n.toUpperCase()))),
    );
    const after = applyChanges(before, { ...changes, set });
    if (sameValues(before, after)) return this.view(p, head);
    const rev = p.head_rev + 1;
    this.repo.transaction(() => {
      this.writeRevision(p.id, rev, opts.source ?? 'edit', opts.message ?? '', after, { profileId: p.id, rev: p.head_rev });
      this.repo.setHead(p.id, rev, this.now());
    });
    return this.get(p.id);
  }

  /** Restore = a new revision with the values (and secrets) of an earlier one. */
  restore(idOrName: string, rev: number): ProfileView {
    const p = this.find(idOrName);
    const old = this.load(p.id, rev);
    const next = p.head_rev + 1;
    this.repo.transaction(() => {
      const carried = { ...old.plain, ...Object.fromEntries(old.secretNames.map((n) => [n, CARRY + n])) };
      this.writeRevision(p.id, next, 'restore', `Restored revision ${rev}`, carried, { profileId: p.id, rev });
      this.repo.setHead(p.id, next, this.now());
    });
    return this.get(p.id);
  }

  history(idOrName: string): RevisionSummary[] {
    const p = this.find(idOrName);
    return this.repo.revisions(p.id).map((r) => ({
      rev: r.rev,
      createdAt: r.created_at,
      source: r.source as RevisionSource,
      message: r.message,
      settingsCount: Object.keys(JSON.parse(r.values_json) as object).length + (JSON.parse(r.secret_names) as string[]).length,
    }));
  }

  /** Differences from (a, aRev) to (b, bRev); secrets compared decrypted, shown masked. */
  diff(a: { id: string; rev?: number }, b: { id: string; rev?: number }): DiffEntry[] {
    const pa = this.find(a.id);
    const pb = this.find(b.id);
    const before = this.values(pa.id, a.rev ?? pa.head_rev);
    const after = this.values(pb.id, b.rev ?? pb.head_rev);
    return diffValues(before, after, isSecretName);
  }

  /** All values of a revision with secrets decrypted: only for exports and drift, never for views. */
  values(profileId: string, rev: number): ProfileValues {
    const l = this.load(profileId, rev);
    const out: ProfileValues = { ...l.plain };
    for (const n of l.secretNames) {
      const v = this.secrets.get(revisionSecretOwner(profileId, rev), n);
      if (v !== null) out[n] = v;
    }
    return out;
  }

  load(profileId: string, rev: number): LoadedRevision {
    const row = this.repo.revision(profileId, rev);
    if (!row) throw new AppError('NOT_FOUND', `Revision ${rev} does not exist.`, { hint: 'See the history for the revisions there are.' });
    return { row, plain: JSON.parse(row.values_json) as ProfileValues, secretNames: JSON.parse(row.secret_names) as string[] };
  }

  /** Issues of a revision, secrets included where this face can decrypt them. */
  issues(profileId: string, rev: number): ProfileIssue[] {
    let values: ProfileValues;
    try {
      values = this.values(profileId, rev);
    } catch {
      values = this.load(profileId, rev).plain;
    }
    return validateProfile(values);
  }

  private writeRevision(profileId: string, rev: number, source: RevisionSource, message: string, values: ProfileValues, from: { profileId: string; rev: number } | undefined): void {
    const plain: ProfileValues = {};
    const secretNames: string[] = [];
    const owner = revisionSecretOwner(profileId, rev);
    for (const [name, value] of Object.entries(values)) {
      if (value.startsWith(CARRY)) {
        if (!from) throw new Error('carried secret without a source revision');
        this.repo.copySecret(revisionSecretOwner(from.profileId, from.rev), owner, value.slice(CARRY.length), name);
        secretNames.push(name);
      } else if (isSecretName(name)) {
        this.secrets.set(owner, name, value);
        secretNames.push(name);
      } else plain[name] = value;
    }
    this.repo.insertRevision({
      profile_id: profileId,
      rev,
      created_at: this.now(),
      source,
      message,
      values_json: JSON.stringify(sortKeys(plain)),
      secret_names: JSON.stringify(secretNames.sort()),
    });
  }

  private assertNameFree(name: string): void {
    // Names from imported files too: never stored with control characters (issue #12, item 5).
    if (name.length > 100 || hasControlChars(name)) {
      throw new AppError('VALIDATION', 'A profile name cannot contain control characters (escape sequences, line breaks) or be longer than 100 characters.', { hint: 'Rename the profile in the file, or import it with --name NEW.' });
    }
    if (this.repo.getByName(name)) throw conflictName(name);
  }

  private summary(p: ProfileRow, head: LoadedRevision): ProfileSummary {
    const issues = this.issues(p.id, head.row.rev);
    return {
      id: p.id,
      name: p.name,
      rev: p.head_rev,
      createdAt: p.created_at,
      updatedAt: p.updated_at,
      deletedAt: p.deleted_at,
      settingsCount: Object.keys(head.plain).length + head.secretNames.length,
      errorCount: issues.filter((i) => i.severity === 'error').length,
      warningCount: issues.filter((i) => i.severity === 'warning').length,
    };
  }

  private view(p: ProfileRow, l: LoadedRevision): ProfileView {
    const issues = this.issues(p.id, l.row.rev);
    const values = [
      ...Object.entries(l.plain).map(([name, value]) => ({ name, value, secret: false })),
      ...l.secretNames.map((name) => ({ name, value: null, secret: true })),
    ].sort((a, b) => a.name.localeCompare(b.name));
    return {
      ...this.summary(p, this.load(p.id, p.head_rev)),
      shownRev: l.row.rev,
      message: l.row.message,
      source: l.row.source as RevisionSource,
      values,
      issues,
    };
  }
}

function conflictName(name: string, hint = 'Choose another name.'): AppError {
  return new AppError('CONFLICT', `A profile named "${name}" already exists.`, { hint });
}

function sortKeys(v: ProfileValues): ProfileValues {
  return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)));
}

function sameValues(a: ProfileValues, b: ProfileValues): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => k in b && a[k] === b[k]);
}
