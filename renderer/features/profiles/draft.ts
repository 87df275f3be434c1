/**
 * Unsaved edits of one profile, as data: assignments, removals and renames on top of the revision
 * the editor opened (baseRev). Saving sends exactly this; a CONFLICT keeps it on screen.
 */
import {
  applyChanges,
  diffValues,
  isSecretName,
  validateProfile,
  type DiffEntry,
  type ProfileIssue,
  type ProfileValues,
  type ProfileView,
} from '../../../shared/domain/profiles';

export interface Draft {
  set: Record<string, string>;
  unset: string[];
  rename: Record<string, string>;
}

export const EMPTY_DRAFT: Draft = { set: {}, unset: [], rename: {} };

/** Marks a stored secret whose value the renderer never sees. */
const STORED = '\u0000stored';

export function isEmpty(d: Draft): boolean {
  return Object.keys(d.set).length === 0 && d.unset.length === 0 && Object.keys(d.rename).length === 0;
}

/** The view's values, secrets as an opaque marker. */
export function baseValues(view: ProfileView): ProfileValues {
  return Object.fromEntries(view.values.map((v) => [v.name, v.secret ? STORED : (v.value ?? '')]));
}

export function draftValues(view: ProfileView, d: Draft): ProfileValues {
  return applyChanges(baseValues(view), d, view.line);
}

export function draftDiff(view: ProfileView, d: Draft): DiffEntry[] {
  return diffValues(baseValues(view), draftValues(view, d), isSecretName, view.line);
}

export function isStoredSecret(value: string | undefined): boolean {
  return value === STORED;
}

/**
 * Issues of the draft, checked here as the user types. Stored secrets cannot be checked in the
 * renderer (it never has them), so their issues come from the last save.
 */
export function draftIssues(view: ProfileView, d: Draft): ProfileIssue[] {
  const values = draftValues(view, d);
  const visible = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== STORED));
  const hidden = new Set(Object.keys(values).filter((k) => values[k] === STORED));
  return [...validateProfile(visible, view.line), ...view.issues.filter((i) => hidden.has(i.name) && i.code !== 'duplicate')];
}

/**
 * Errors the draft adds to the saved revision: the save is refused for these unless forced (the
 * service compares the same way), while errors that were already saved do not block other edits.
 */
export function newErrors(view: ProfileView, issues: readonly ProfileIssue[]): ProfileIssue[] {
  const key = (i: ProfileIssue) => `${i.name}|${i.code}|${i.message}`;
  const known = new Set(view.issues.filter((i) => i.severity === 'error').map(key));
  return issues.filter((i) => i.severity === 'error' && !known.has(key(i)));
}

export function withSet(d: Draft, name: string, value: string): Draft {
  return { ...d, set: { ...d.set, [name]: value }, unset: d.unset.filter((n) => n !== name) };
}

export function withUnset(d: Draft, name: string): Draft {
  const set = { ...d.set };
  delete set[name];
  return { ...d, set, unset: d.unset.includes(name) ? d.unset : [...d.unset, name] };
}

export function withRename(d: Draft, from: string, to: string): Draft {
  return { ...d, rename: { ...d.rename, [from]: to } };
}

/** Undo every draft change for one setting name. */
export function withReverted(d: Draft, name: string): Draft {
  const set = { ...d.set };
  delete set[name];
  const rename = Object.fromEntries(Object.entries(d.rename).filter(([from, to]) => from !== name && to !== name));
  return { set, unset: d.unset.filter((n) => n !== name), rename };
}
