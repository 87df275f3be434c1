/**
 * `.env` files as Prefect reads them: pydantic-settings hands them to python-dotenv
 * (`dotenv_values`, interpolation on). Grammar followed here: optional `export`, `KEY=VALUE`,
 * comments, single quotes (only \\ and \' are escapes), double quotes (C escapes, may span lines),
 * unquoted values with ` #` inline comments. The last of duplicate keys wins, as in python-dotenv.
 *
 * Rendering uses single quotes whenever a value is not plain, because python-dotenv expands ${VAR}
 * in unquoted and double-quoted values but not in single-quoted ones (a connection URL with
 * Prefect's own ${PREFECT_SERVER_DATABASE_PASSWORD} must reach Prefect unchanged).
 */
import { keepPrefect, parseError, partition, secretNote, type Parsed, type RenderInput, type Rendered } from './common';

const PLAIN = /^[A-Za-z0-9_.,:/@+%=*-]*$/;
const DOUBLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

export function quoteDotenv(v: string): string {
  if (PLAIN.test(v)) return v;
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function renderDotenv(input: RenderInput, header = true): Rendered {
  const { plain, secret, omitted } = partition(input);
  const lines: string[] = header ? [`# Prefect settings from Housekeeper profile "${input.name}". Servers read them at start: restart to apply.`] : [];
  for (const [k, v] of [...plain, ...secret].sort(([a], [b]) => a.localeCompare(b))) lines.push(`${k}=${quoteDotenv(v)}`);
  for (const k of omitted) lines.push(`# ${k}=  (secret, left out by Housekeeper)`);
  return { content: lines.join('\n') + '\n', omitted, notes: secretNote(omitted) };
}

/** Parse a .env file into ordered pairs; throws VALIDATION with the line of the first malformed entry. */
export function parseDotenvPairs(text: string, what = '.env file'): { pairs: [string, string][]; notes: string[] } {
  const pairs: [string, string][] = [];
  const notes: string[] = [];
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
    if (!km) throw parseError(what, 'expected KEY=VALUE', startLine);
    const key = km[0];
    i += key.length;
    skipSpaces();
    if (src[i] !== '=') {
      while (i < n && src[i] !== '\n') i++;
      notes.push(`${key} (line ${startLine}) has no value; skipped.`);
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
    if (prev !== undefined) {
      notes.push(`${key} appears twice (lines ${prev} and ${startLine}); the last one wins, as when Prefect reads the file.`);
      const idx = pairs.findIndex(([k]) => k === key);
      pairs.splice(idx, 1);
    }
    seen.set(key, startLine);
    pairs.push([key, value]);
  }
  return { pairs, notes };
}

export function parseDotenv(text: string, name = 'imported'): Parsed {
  const { pairs, notes } = parseDotenvPairs(text);
  return { profiles: [{ name, values: keepPrefect(pairs, notes, '.env file') }], notes };
}
