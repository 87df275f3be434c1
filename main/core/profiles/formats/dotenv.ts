/**
 * `.env` files as Prefect reads them: pydantic-settings hands them to python-dotenv
 * (`dotenv_values`, interpolation on). Grammar followed here: optional `export`, `KEY=VALUE`,
 * comments, single quotes (only \\ and \' are escapes), double quotes (C escapes, may span lines),
 * unquoted values with ` #` inline comments.
 *
 * Rendering writes every value so that Prefect's loader (python-dotenv) and POSIX sh
 * (`set -a; . ./.env`) read the same text (issue #10 part 4; test/integration/profiles-env-readers
 * runs both); systemd's EnvironmentFile= uses the shell's quoting rules (systemd.exec(5)).
 *
 * - Plain values stay unquoted.
 * - python-dotenv fills in `${NAME}` and `${NAME:-default}` in every value, quoted or not, from the
 *   lines above and the environment (dotenv/variables.py; there is no escape). sh does the same in
 *   double quotes, so such values go in double quotes, and the settings they name are written first:
 *   Prefect's own `${PREFECT_SERVER_DATABASE_PASSWORD}` in a connection URL then gets the same
 *   password from both readers.
 * - Other values go in single quotes (literal in sh; python-dotenv takes them as written, a bare
 *   `$HOME` included) unless they hold ' or \, then in double quotes with \\ and \" escaped (the
 *   same two escapes in both) unless they also hold $ or `, which sh would expand there.
 * - A value with no common form is refused, naming the setting, never echoing the value.
 * `docker run --env-file` keeps quotes as part of the value, so the file is for Docker only when no
 * value needed quoting; the export says which case it is.
 */
import { AppError } from '../../../../shared/errors';
import { keepPrefect, parseError, partition, secretNote, type Parsed, type RenderInput, type Rendered } from './common';

const PLAIN = /^[A-Za-z0-9_.,:/@+%=*-]*$/;
const DOUBLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
/** The expansions python-dotenv and sh read alike: ${NAME} and ${NAME:-text}. */
const EXPANSION = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}$`\\"]*))?\}/g;

/** Names a value refers to with ${NAME} (python-dotenv fills them in). */
export function referencedNames(v: string): string[] {
  return [...v.matchAll(EXPANSION)].map((m) => m[1]!);
}

/** The value as python-dotenv and sh both read it back, or null when no such form exists. */
export function quoteDotenv(v: string): string | null {
  if (PLAIN.test(v)) return v;
  const dq = (x: string) => `"${x.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  if (v.includes('${')) {
    // Only the shared expansion forms, and no other $ or ` that sh would expand in double quotes.
    const rest = v.replace(EXPANSION, '');
    return /[$`]/.test(rest) || /\\|"/.test(v.match(EXPANSION)?.join('') ?? '') ? null : dq(v);
  }
  if (!/['\\]/.test(v)) return `'${v}'`;
  if (!/[$`]/.test(v)) return dq(v);
  return null;
}

/** Alphabetical, except that a setting comes after the settings its ${NAME} refers to. */
function orderForExpansion(entries: [string, string][]): [string, string][] {
  const byName = new Map(entries);
  const out: [string, string][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (k: string) => {
    if (state.get(k)) return;
    state.set(k, 'visiting');
    for (const ref of referencedNames(byName.get(k)!)) if (byName.has(ref) && ref !== k) visit(ref);
    state.set(k, 'done');
    out.push([k, byName.get(k)!]);
  };
  for (const [k] of entries) visit(k);
  return out;
}

export function renderDotenv(input: RenderInput, header = true): Rendered {
  const { plain, secret, omitted } = partition(input);
  const entries = orderForExpansion([...plain, ...secret].sort(([a], [b]) => a.localeCompare(b)));
  const body: string[] = [];
  const quoted: string[] = [];
  const expanded: string[] = [];
  for (const [k, v] of entries) {
    const q = quoteDotenv(v);
    if (q === null) {
      throw new AppError(
        'VALIDATION',
        `${k} cannot be written to a .env file that Prefect's loader and a shell read the same way (it mixes quotes or backslashes with "$" or a backquote).`,
        { hint: 'Export this profile as systemd, compose or Kubernetes instead, or change the value.' },
      );
    }
    if (q !== v) quoted.push(k);
    if (referencedNames(v).length) expanded.push(k);
    body.push(`${k}=${q}`);
  }
  const readers = quoted.length
    ? "Reads the same in Prefect's .env loader, POSIX sh (set -a; . ./.env) and systemd EnvironmentFile=; not with docker run --env-file, which keeps quotes."
    : "Reads the same in Prefect's .env loader, POSIX sh (set -a; . ./.env), systemd EnvironmentFile= and docker run --env-file.";
  const lines: string[] = header ? [`# Prefect settings from Housekeeper profile "${input.name}". Servers read them at start: restart to apply.`, `# ${readers}`] : [];
  lines.push(...body);
  for (const k of omitted) lines.push(`# ${k}=  (secret, left out by Housekeeper)`);
  const notes = [...secretNote(omitted)];
  if (quoted.length) notes.push(`${quoted.join(', ')} ${quoted.length === 1 ? 'is' : 'are'} quoted: the file is for Prefect's .env loader, sh and systemd; docker run --env-file would keep the quotes (use the compose format for Docker).`);
  if (expanded.length) {
    notes.push(
      `${expanded.join(', ')}: Prefect's .env loader and sh fill in \${...} from the lines above or the environment when they read the file (so does systemd, depending on its version); set the variables it names there, or the value is cut short.`,
    );
  }
  return { content: lines.join('\n') + '\n', omitted, notes };
}

/**
 * Parse a .env file into ordered pairs; throws VALIDATION with the line of the first malformed entry
 * or duplicate key. Errors and notes name lines and variable names, never other text of the file (a
 * private key picked by mistake must not be echoed: issue #12 item 3).
 */
export function parseDotenvPairs(text: string, what = '.env file'): { pairs: [string, string][]; notes: string[] } {
  const pairs: [string, string][] = [];
  const notes: string[] = [];
  const bare: number[] = [];
  const seen = new Map<string, number>();
  let i = 0;
  let line = 1;
  const src = text.replace(/\r\n?/g, '\n');
  const n = src.length;
  const skipSpaces = () => {
    while (i < n && (src[i] === ' ' || src[i] === '\t')) i++;
  };
  while (i < n) {
    const startLine = line;
    skipSpaces();
    if (src[i] === '\n') {
      i++;
      line++;
      continue;
    }
    if (src[i] === '#') {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    if (src.startsWith('export', i) && /[ \t]/.test(src[i + 6] ?? '')) {
      i += 6;
      skipSpaces();
    }
    const km = /^[^=#\s'"]+/.exec(src.slice(i));
    if (!km || !VAR_NAME.test(km[0])) throw parseError(what, 'expected KEY=VALUE with a variable name as KEY', startLine);
    const key = km[0];
    i += key.length;
    skipSpaces();
    if (src[i] !== '=') {
      while (i < n && src[i] !== '\n') i++;
      bare.push(startLine);
      continue;
    }
    i++;
    skipSpaces();
    let value: string;
    const q = src[i];
    if (q === "'" || q === '"') {
      i++;
      let out = '';
      for (;;) {
        if (i >= n) throw parseError(what, `the quoted value of ${key} is not closed`, startLine);
        const c = src[i]!;
        if (c === q) {
          i++;
          break;
        }
        if (c === '\n') line++;
        if (c === '\\' && i + 1 < n) {
          const e = src[i + 1]!;
          if (q === "'" && (e === '\\' || e === "'")) {
            out += e;
            i += 2;
            continue;
          }
          if (q === '"' && e in DOUBLE_ESCAPES) {
            out += DOUBLE_ESCAPES[e];
            i += 2;
            continue;
          }
        }
        out += c;
        i++;
      }
      value = out;
      skipSpaces();
      if (src[i] === '#') while (i < n && src[i] !== '\n') i++;
      if (i < n && src[i] !== '\n') throw parseError(what, `unexpected text after the quoted value of ${key}`, line);
    } else {
      let end = src.indexOf('\n', i);
      if (end < 0) end = n;
      value = src.slice(i, end).replace(/[ \t]+#.*$/, '').trimEnd();
      if (value.startsWith('#')) value = '';
      i = end;
    }
    if (value.includes('${')) notes.push(`${key}: python-dotenv replaces \${...} in this value when Prefect reads the file (quoted or not); kept as written.`);
    const prev = seen.get(key);
    // python-dotenv would silently take the last one; an import that guesses which was meant is worse.
    if (prev !== undefined) throw parseError(what, `${key} is set twice (lines ${prev} and ${startLine}); keep one`, startLine);
    seen.set(key, startLine);
    pairs.push([key, value]);
  }
  if (bare.length) notes.push(`Line${bare.length === 1 ? '' : 's'} ${bare.join(', ')} name${bare.length === 1 ? 's' : ''} a variable without a value; skipped.`);
  return { pairs, notes };
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseDotenv(text: string, name = 'imported'): Parsed {
  const { pairs, notes } = parseDotenvPairs(text);
  return { profiles: [{ name, values: keepPrefect(pairs, notes, '.env file') }], notes };
}
