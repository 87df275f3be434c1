/**
 * A systemd EnvironmentFile (systemd.exec(5) "EnvironmentFile="): one KEY=VALUE per line, `#` and
 * `;` comments, single quotes literal, double quotes with backslash escapes. Recent systemd versions
 * expand ${VAR} in these files, so values with `$` get a note to check them. A value with a line
 * break is refused rather than guessed.
 */
import { AppError } from '../../../../shared/errors';
import { keepPrefect, parseError, partition, secretNote, type Parsed, type RenderInput, type Rendered } from './common';

const PLAIN = /^[A-Za-z0-9_.,:/@+%=*-]*$/;

export function quoteSystemd(k: string, v: string): string {
  if (/[\n\r]/.test(v)) {
    throw new AppError('VALIDATION', `${k} has a line break, which a systemd EnvironmentFile cannot hold.`, { hint: 'Export as .env or Kubernetes instead.' });
  }
  if (PLAIN.test(v)) return v;
  return `"${v.replace(/[\\"`]/g, (c) => `\\${c}`)}"`;
}

export function renderSystemd(input: RenderInput): Rendered {
  const { plain, secret, omitted } = partition(input);
  const lines = [
    `# Prefect settings from Housekeeper profile "${input.name}".`,
    '# Use with EnvironmentFile= in the server unit, then: systemctl restart <unit> (settings are read at start).',
  ];
  for (const [k, v] of [...plain, ...secret].sort(([a], [b]) => a.localeCompare(b))) lines.push(`${k}=${quoteSystemd(k, v)}`);
  for (const k of omitted) lines.push(`# ${k}=  (secret, left out by Housekeeper)`);
  const dollar = [...plain, ...secret].filter(([, v]) => v.includes('$')).map(([k]) => k);
  const notes = [...secretNote(omitted), 'Keep this file readable only by the service user (chmod 600) if it holds secrets.'];
  if (dollar.length) notes.push(`${dollar.join(', ')} contain "$": newer systemd versions expand \${VAR} in EnvironmentFile; check the value the server sees.`);
  return { content: lines.join('\n') + '\n', omitted, notes };
}

function unquote(raw: string, key: string, line: number): string {
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const c = raw[i]!;
    if (c === "'") {
      const end = raw.indexOf("'", i + 1);
      if (end < 0) throw parseError('EnvironmentFile', `the quoted value of ${key} is not closed`, line);
      out += raw.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= raw.length) throw parseError('EnvironmentFile', `the quoted value of ${key} is not closed`, line);
        const d = raw[i]!;
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\' && i + 1 < raw.length) {
          out += raw[i + 1];
          i += 2;
        } else {
          out += d;
          i++;
        }
      }
    } else if (c === '\\' && i + 1 < raw.length) {
      out += raw[i + 1];
      i += 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

export function parseSystemd(text: string, name = 'imported'): Parsed {
  const notes: string[] = [];
  const pairs = new Map<string, string>();
  text.replace(/\r\n?/g, '\n').split('\n').forEach((l, idx) => {
    const t = l.trim();
    if (t === '' || t.startsWith('#') || t.startsWith(';')) return;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(t);
    if (!m) throw parseError('EnvironmentFile', 'expected KEY=VALUE', idx + 1);
    if (pairs.has(m[1]!)) throw parseError('EnvironmentFile', `${m[1]} is set twice; keep one`, idx + 1);
    pairs.set(m[1]!, unquote(m[2]!, m[1]!, idx + 1));
  });
  return { profiles: [{ name, values: keepPrefect([...pairs], notes, 'EnvironmentFile') }], notes };
}
