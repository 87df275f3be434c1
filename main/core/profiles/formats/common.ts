/** What every format renders from and parses to. */
import { AppError } from '../../../../shared/errors';
import { isSecretName, type ExportOptions, type ProfileValues } from '../../../../shared/domain/profiles';
import type { PrefectLine } from '../../../../shared/domain/settings-catalog';

export interface RenderInput {
  /** The profile's name (profiles.toml table, resource names). */
  name: string;
  /** All values, secrets decrypted. Which of them are written depends on includeSecrets. */
  values: ProfileValues;
  includeSecrets: boolean;
  options: ExportOptions;
  /** The Prefect line the file is for (the profile's): how values are spelled follows its catalog. */
  line?: PrefectLine;
}

export interface Rendered {
  content: string;
  /** Secret settings left out because includeSecrets was false. */
  omitted: string[];
  notes: string[];
}

export interface ParsedProfile {
  /** profiles.toml table, compose service or resource name; a suggestion for the new profile's name. */
  name: string;
  values: ProfileValues;
}

export interface Parsed {
  profiles: ParsedProfile[];
  /** Things the user should know: skipped keys, converted values, duplicates, interpolation. */
  notes: string[];
}

/** Split values into what is written and which secret names are left out, sorted by name. */
export function partition(input: RenderInput): { plain: [string, string][]; secret: [string, string][]; omitted: string[] } {
  const entries = Object.entries(input.values).sort(([a], [b]) => a.localeCompare(b));
  const secretEntries = entries.filter(([k]) => isSecretName(k));
  return {
    plain: entries.filter(([k]) => !isSecretName(k)),
    secret: input.includeSecrets ? secretEntries : [],
    omitted: input.includeSecrets ? [] : secretEntries.map(([k]) => k),
  };
}

export function parseError(what: string, detail: string, line?: number): AppError {
  return new AppError('VALIDATION', `This ${what} cannot be read${line !== undefined ? ` (line ${line})` : ''}: ${detail}`, {
    hint: 'Fix the file and import it again; nothing was imported.',
    details: line !== undefined ? { line } : undefined,
  });
}

/**
 * Prefect settings in an env-style key set: PREFECT_* names are kept, the rest are reported, by name
 * only when the name looks like a variable name (never text that could be a line of a key or token).
 * A PREFECT_* name set twice is an error: which one was meant cannot be guessed.
 */
export function keepPrefect(pairs: [string, string][], notes: string[], what: string): ProfileValues {
  const out: ProfileValues = {};
  const skipped: string[] = [];
  for (const [k, v] of pairs) {
    if (!/^PREFECT_/i.test(k)) {
      skipped.push(k);
      continue;
    }
    if (k in out) throw parseError(what, `${k} is set twice; keep one`);
    out[k] = v;
  }
  if (skipped.length) {
    const named = skipped.filter((k) => /^[A-Z][A-Z0-9_]{0,63}$/.test(k));
    const others = skipped.length - named.length;
    const list = [...named.slice(0, 20), ...(named.length > 20 ? [`${named.length - 20} more`] : []), ...(others ? [`${others} other entr${others === 1 ? 'y' : 'ies'}`] : [])];
    notes.push(`Skipped ${skipped.length} variable(s) in the ${what} that are not Prefect settings: ${list.join(', ')}.`);
  }
  return out;
}

export function secretNote(omitted: string[]): string[] {
  return omitted.length
    ? [`Left out ${omitted.length} secret setting(s): ${omitted.join(', ')}. Include secrets explicitly to write them.`]
    : [];
}
