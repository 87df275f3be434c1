/** Edits as data: a set of assignments and removals applied to a profile's values, and their diff. */
import { catalogFor, PREFECT_LINES, type PrefectLine } from '../settings-catalog';
import type { DiffEntry, ProfileValues } from './types';

export interface ProfileChanges {
  set?: Record<string, string>;
  unset?: string[];
  /** Rename keys (legacy alias -> canonical), keeping the value. */
  rename?: Record<string, string>;
}

/**
 * Apply changes. Setting a canonical name drops the legacy names of the same setting, so the result
 * never holds two names Prefect would read for one setting. Unset matches names case-insensitively.
 */
export function applyChanges(values: ProfileValues, changes: ProfileChanges, line?: PrefectLine | null): ProfileValues {
  const cat = catalogFor(line);
  const out: ProfileValues = { ...values };
  for (const [from, to] of Object.entries(changes.rename ?? {})) {
    const key = findKey(out, from);
    if (key === undefined) continue;
    const v = out[key]!;
    delete out[key];
    out[to] = v;
  }
  for (const name of changes.unset ?? []) {
    const key = findKey(out, name);
    if (key !== undefined) delete out[key];
  }
  for (const [name, value] of Object.entries(changes.set ?? {})) {
    const hit = cat.lookup(name);
    if (hit && !hit.alias) {
      for (const a of hit.entry.aliases) {
        const k = findKey(out, a);
        if (k !== undefined) delete out[k];
      }
    }
    const existing = findKey(out, name);
    if (existing !== undefined && existing !== name) delete out[existing];
    out[name] = value;
  }
  return out;
}

function findKey(values: ProfileValues, name: string): string | undefined {
  if (name in values) return name;
  const upper = name.toUpperCase();
  return Object.keys(values).find((k) => k.toUpperCase() === upper);
}

export const MASK = '••••••';

/**
 * What changed between two sets of values, sorted by name. A legacy name replaced by its canonical
 * name with the same value is a rename, not a removal plus an addition. Secret values are masked.
 */
export function diffValues(before: ProfileValues, after: ProfileValues, isSecret: (name: string) => boolean, line?: PrefectLine | null): DiffEntry[] {
  const cat = catalogFor(line);
  const out: DiffEntry[] = [];
  const removed = new Set(Object.keys(before).filter((k) => !(k in after)));
  const added = new Set(Object.keys(after).filter((k) => !(k in before)));
  const show = (name: string, v: string | undefined) => (v === undefined ? null : isSecret(name) ? MASK : v);
  for (const name of [...added]) {
    const hit = cat.lookup(name);
    if (!hit) continue;
    const old = [...removed].find((r) => cat.lookup(r)?.entry.env === hit.entry.env && before[r] === after[name]);
    if (old) {
      removed.delete(old);
      added.delete(name);
      out.push({ name, status: 'renamed', fromName: old, before: show(old, before[old]), after: show(name, after[name]), secret: isSecret(name) });
    }
  }
  for (const name of added) out.push({ name, status: 'added', before: null, after: show(name, after[name]), secret: isSecret(name) });
  for (const name of removed) out.push({ name, status: 'removed', before: show(name, before[name]), after: null, secret: isSecret(name) });
  for (const name of Object.keys(after)) {
    if (name in before && before[name] !== after[name]) {
      out.push({ name, status: 'changed', before: show(name, before[name]), after: show(name, after[name]), secret: isSecret(name) });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Whether a setting name holds a secret: SecretStr in Prefect, or one Housekeeper treats as a secret
 * (custom headers). A name that is a secret in any line stays one in every line, so a profile's
 * stored secrets never turn into plain text when its target line changes; unknown names are treated
 * as secret if they look like one.
 */
export function isSecretName(name: string): boolean {
  const known = KNOWN_SECRET.get(name.trim().toUpperCase());
  if (known !== undefined) return known;
  return /PASSWORD|SECRET|TOKEN|API_KEY|AUTH_STRING|CONNECTION_URL/i.test(name);
}

/** Every name any line knows -> whether it is a secret in some line. */
const KNOWN_SECRET: ReadonlyMap<string, boolean> = (() => {
  const m = new Map<string, boolean>();
  for (const l of PREFECT_LINES) for (const e of catalogFor(l).settings) for (const n of [e.env, ...e.aliases]) m.set(n, (m.get(n) ?? false) || e.secret);
  return m;
})();
