/**
 * `.env` files as Prefect reads them: pydantic-settings hands them to python-dotenv
 * (`dotenv_values`, interpolation on). Grammar followed here: optional `export`, `KEY=VALUE`,
 * comments, single quotes (only \\ and \' are escapes), double quotes (C escapes, may span lines),
 * unquoted values with ` #` inline comments.
 *
 * Rendering writes every value so that three readers get the same text (issue #10 part 4): Prefect's
 * loader (python-dotenv), POSIX sh (`set -a; . ./.env`) and systemd's EnvironmentFile=, whose
 * quoting follows the shell's (systemd.exec(5)). Plain values stay unquoted; others go in single
 * quotes (literal in sh and systemd, and python-dotenv does not expand ${VAR} there, so Prefect's own
 * ${PREFECT_SERVER_DATABASE_PASSWORD} placeholder survives) unless they hold ' or \, then in double
 * quotes with \\ and \" escaped (the same two escapes in all three) unless they also hold $ or `,
 * which sh would expand there: such a value has no common form and is refused, naming the setting.
 * `docker run --env-file` keeps quotes as part of the value, so the file is for Docker only when no
 * value needed quoting; the export says which case it is.
 */
import { AppError } from '../../../../shared/errors';
import { keepPrefect, parseError, partition, secretNote, type Parsed, type RenderInput, type Rendered } from './common';

const PLAIN = /^[A-Za-z0-9_.,:/@+%=*-]*$/;
const DOUBLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** The value as python-dotenv, sh and systemd all read it back, or null when no such form exists. */
export function quoteDotenv(v: string): string | null {
  if (PLAIN.test(v)) return v;
  if (!/['\\]/.test(v)) return `'${v}'`;
  if (!/[$`]/.test(v)) return `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return null;
}

export function renderDotenv(input: RenderInput, header = true): Rendered {
  const { plain, secret, omitted } = partition(input);
  const entries = [...plain, ...secret].sort(([a], [b]) => a.localeCompare(b));
  const body: string[] = [];
  const quoted: string[] = [];
  for (const [k, v] of entries) {
    const q = quoteDotenv(v);
    if (q === null) {
      throw new AppError('VALIDATION', `${k} holds a single quote or backslash together with "$" or a backquote; no .env quoting reads the same in Prefect's loader and in a shell.`, {
        hint: 'Export this profile as systemd, compose or Kubernetes instead, or change the value.',
      });
    }
    if (q !== v) quoted.push(k);
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
    if (q !== "'" && value.includes('${')) notes.push(`${key}: python-dotenv replaces \${...} in this value when Prefect reads the file; kept as written.`);
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
