/**
 * Prefect's profiles.toml (settings/profiles.py): `active = "name"` and one `[profiles.<name>]`
 * table per profile whose keys are env var names with (normally string) values.
 *
 * Merging rewrites only the one table, as text, so comments and the other profiles stay exactly as
 * they were (Prefect's own CLI rewrites the whole file and drops comments). The result is re-parsed
 * and checked; if the text surgery cannot be proven right the whole file is re-serialised instead.
 */
import { parse, stringify, TomlError } from 'smol-toml';
import { lookupSetting, type PrefectLine, type SettingEntry } from '../../../../shared/domain/settings-catalog';
import { toIsoDuration, type ProfileValues } from '../../../../shared/domain/profiles';
import { parseError, partition, secretNote, type Parsed, type RenderInput, type Rendered } from './common';

type TomlTable = Record<string, unknown>;

export function parseToml(text: string): TomlTable {
  try {
    return parse(text) as TomlTable;
  } catch (e) {
    if (e instanceof TomlError) throw parseError('profiles.toml', e.message.split('\n')[0]!.replace(/^Invalid TOML document: /, ''), e.line);
    throw e;
  }
}

/** TOML values are typed; Prefect gets them as Python values. We keep strings, as env vars would be. */
function toText(name: string, v: unknown, notes: string[], entry: SettingEntry | undefined): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number' || typeof v === 'bigint') {
    // A TOML number is seconds to pydantic, but "3600" as a string is not: keep the meaning.
    if (entry?.kind === 'duration') {
      const iso = toIsoDuration(Number(v));
      notes.push(`${name}: the number ${String(v)} (seconds) was converted to ${iso}, the form Prefect accepts as text.`);
      return iso;
    }
    return String(v);
  }
  if (Array.isArray(v)) {
    if (entry && (entry.kind === 'retry-delays-json' || entry.kind === 'seconds-map' || entry.kind === 'json-object')) return JSON.stringify(v);
    return v.map(String).join(',');
  }
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    // Prefect's profile loader JSON-decodes dict settings and crashes on a TOML table (3.9.1).
    notes.push(`${name}: a TOML table here stops Prefect from starting; kept as JSON text, which Prefect reads.`);
    return JSON.stringify(v);
  }
  notes.push(`${name}: a ${v instanceof Date ? 'date' : typeof v} value cannot be a Prefect setting; skipped.`);
  return null;
}

export function parseProfilesToml(text: string, line?: PrefectLine): Parsed & { active: string | null } {
  const doc = parseToml(text);
  const notes: string[] = [];
  const profiles = doc.profiles;
  if (profiles !== undefined && (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles))) {
    throw parseError('profiles.toml', '"profiles" must be a table of profiles');
  }
  const out: Parsed['profiles'] = [];
  for (const [name, table] of Object.entries((profiles ?? {}) as TomlTable)) {
    if (typeof table !== 'object' || table === null || Array.isArray(table)) {
      notes.push(`profiles.${name} is not a table; skipped.`);
      continue;
    }
    const values: ProfileValues = {};
    for (const [k, v] of Object.entries(table as TomlTable)) {
      const t = toText(`${name}.${k}`, v, notes, lookupSetting(k, line)?.entry);
      if (t !== null) values[k] = t;
    }
    out.push({ name, values });
  }
  if (out.length === 0) notes.push('The file has no [profiles.<name>] tables.');
  return { profiles: out, notes, active: typeof doc.active === 'string' ? doc.active : null };
}

function tableKey(name: string): string {
  return /^[A-Za-z0-9_-]+$/.test(name) ? name : JSON.stringify(name);
}

function tableText(input: RenderInput): { text: string; omitted: string[] } {
  const { plain, secret, omitted } = partition(input);
  const name = input.options.profileName ?? input.name;
  const lines = [`[profiles.${tableKey(name)}]`];
  for (const [k, v] of [...plain, ...secret].sort(([a], [b]) => a.localeCompare(b))) lines.push(`${k} = ${JSON.stringify(v)}`);
  for (const k of omitted) lines.push(`# ${k} = (secret, left out by Housekeeper)`);
  return { text: lines.join('\n') + '\n', omitted };
}

/** A new profiles.toml holding only this profile, made active. */
export function renderProfilesToml(input: RenderInput): Rendered {
  const { text, omitted } = tableText(input);
  const name = input.options.profileName ?? input.name;
  return { content: `active = ${JSON.stringify(name)}\n\n${text}`, omitted, notes: [...secretNote(omitted), ...jsonNotes(input)] };
}

/**
 * Dict settings must be JSON text in profiles.toml (a TOML table crashes Prefect's profile loader),
 * but `prefect config validate` (3.9.1) then calls them invalid although servers read them fine.
 * Pinned by test/integration/profiles-prefect-cli.test.ts.
 */
function jsonNotes(input: RenderInput): string[] {
  const names = Object.keys(input.values).filter((k) => ['seconds-map', 'json-object'].includes(lookupSetting(k, input.line)?.entry.kind ?? ''));
  return names.length
    ? [`${names.join(', ')}: written as JSON text, which the server reads; \`prefect config validate\` wrongly reports it as "not a valid dictionary" (seen with Prefect 3.9.1).`]
    : [];
}

const HEADER = /^[ \t]*\[[ \t]*profiles[ \t]*\.[ \t]*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)[ \t]*\][ \t]*(#.*)?$/;
const ANY_HEADER = /^[ \t]*\[/;

function headerName(raw: string): string {
  if (raw.startsWith('"')) return JSON.parse(raw) as string;
  if (raw.startsWith("'")) return raw.slice(1, -1);
  return raw;
}

const KV = /^([ \t]*)("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)([ \t]*=[ \t]*)(.*)$/;

/** A single-line TOML value and what follows it (an inline comment), or null when unsure. */
function splitValue(rest: string): { value: string; tail: string } | null {
  let i: number;
  if (rest.startsWith('"""') || rest.startsWith("'''")) return null;
  if (rest[0] === '"') {
    i = 1;
    while (i < rest.length && rest[i] !== '"') i += rest[i] === '\\' ? 2 : 1;
    if (i >= rest.length) return null;
    i++;
  } else if (rest[0] === "'") {
    const j = rest.indexOf("'", 1);
    if (j < 0) return null;
    i = j + 1;
  } else {
    const hash = rest.indexOf('#');
    i = hash < 0 ? rest.length : hash;
    while (i > 0 && /[ \t]/.test(rest[i - 1]!)) i--;
  }
  const tail = rest.slice(i);
  return /^[ \t]*(#.*)?$/.test(tail) ? { value: rest.slice(0, i), tail } : null;
}

/**
 * The profile's own table edited line by line: values of settings it still has are replaced in place
 * (inline comments kept), settings it no longer has are removed, new ones are added at the end of
 * the table, comment and blank lines stay where they are. Secrets left out of the export keep
 * whatever line the file has for them. Null when a line is not a simple `KEY = value` (the caller
 * then replaces the table whole).
 */
function editTable(tableLines: string[], input: RenderInput): { lines: string[]; keptSecrets: Record<string, unknown> } | null {
  const { plain, secret, omitted } = partition(input);
  const wanted = new Map([...plain, ...secret]);
  const omittedSet = new Set(omitted);
  const out: string[] = [];
  const kept: string[] = [];
  const seenKeys = new Set<string>();
  for (const l of tableLines) {
    if (/^[ \t]*(#.*)?$/.test(l)) {
      out.push(l);
      continue;
    }
    const m = KV.exec(l);
    if (!m) return null;
    const key = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!.replace(/^'|'$/g, '');
    const v = splitValue(m[4]!);
    if (!v || seenKeys.has(key)) return null;
    seenKeys.add(key);
    if (omittedSet.has(key)) {
      out.push(l);
      kept.push(l);
    } else if (wanted.has(key)) {
      out.push(`${m[1]}${m[2]}${m[3]}${JSON.stringify(wanted.get(key))}${v.tail}`);
      wanted.delete(key);
    }
  }
  // New settings go after the last setting line, before trailing comments and blank lines.
  let at = out.length;
  while (at > 0 && /^[ \t]*(#.*)?$/.test(out[at - 1]!)) at--;
  const added = [...wanted].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} = ${JSON.stringify(v)}`);
  const text = out.join('\n');
  const notes = omitted.filter((k) => !seenKeys.has(k) && !text.includes(`# ${k} =`)).map((k) => `# ${k} = (secret, left out by Housekeeper)`);
  out.splice(at, 0, ...added, ...notes);
  const keptSecrets = kept.length ? ((parseToml(`[t]\n${kept.join('\n')}`).t ?? {}) as Record<string, unknown>) : {};
  return { lines: out, keptSecrets };
}

/**
 * Put this profile into an existing profiles.toml. Other profiles, `active` and comments are kept,
 * also the comments inside the profile's own table. Returns the new text and whether the table was
 * replaced or added.
 */
export function mergeProfilesToml(existing: string, input: RenderInput): Rendered & { replaced: boolean; otherProfiles: string[] } {
  const before = parseToml(existing);
  const name = input.options.profileName ?? input.name;
  const { text: table, omitted } = tableText(input);
  const lines = existing.split('\n');
  let start = -1;
  for (let i = 0; i < lines.length; i++) {
    const m = HEADER.exec(lines[i]!);
    if (m && headerName(m[1]!) === name) {
      start = i;
      break;
    }
  }
  let text: string;
  let newTable = (parseToml(table).profiles as TomlTable)[name] as TomlTable;
  let tableNote: string | null = null;
  if (start >= 0) {
    let end = start + 1;
    while (end < lines.length && !ANY_HEADER.test(lines[end]!)) end++;
    // Keep blank lines and comments that sit right before the next table with that table.
    while (end > start + 1 && /^\s*(#.*)?$/.test(lines[end - 1]!) && end < lines.length) end--;
    const edited = editTable(lines.slice(start + 1, end), input);
    if (edited) {
      newTable = { ...newTable, ...edited.keptSecrets };
      const kept = Object.keys(edited.keptSecrets);
      if (kept.length) tableNote = `${kept.join(', ')}: left as the file has ${kept.length === 1 ? 'it' : 'them'} (secrets are only written when included).`;
      text = [...lines.slice(0, start + 1), ...edited.lines, ...lines.slice(end)].join('\n');
    } else {
      text = [...lines.slice(0, start), ...table.trimEnd().split('\n'), ...lines.slice(end)].join('\n');
      tableNote = `The [profiles.${name}] table has lines Housekeeper cannot edit one by one (multi-line values), so it was replaced whole; comments inside it were lost (the backup keeps them).`;
    }
  } else {
    text = `${existing.replace(/\s*$/, '')}\n\n${table}`;
  }
  const beforeProfiles = (before.profiles ?? {}) as TomlTable;
  const expected = { ...before, profiles: { ...beforeProfiles, [name]: newTable } };
  const notes = [...secretNote(omitted), ...jsonNotes(input)];
  if (tableNote) notes.push(tableNote);
  let ok = false;
  try {
    ok = JSON.stringify(sortDeep(parseToml(text))) === JSON.stringify(sortDeep(expected));
  } catch {
    ok = false;
  }
  if (!ok) {
    text = stringify(expected);
    notes.push('The file could not be edited in place, so it was rewritten; comments in it were lost (the backup keeps them).');
  }
  return {
    content: text.endsWith('\n') ? text : text + '\n',
    omitted,
    notes,
    replaced: name in beforeProfiles,
    otherProfiles: Object.keys(beforeProfiles).filter((n) => n !== name),
  };
}

function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    return Object.fromEntries(Object.entries(v as TomlTable).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sortDeep(x)]));
  }
  return v;
}
