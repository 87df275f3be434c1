/**
 * Password fallback when a connection has none stored, the way libpq does it: PGPASSWORD, then the
 * password file (PGPASSFILE or ~/.pgpass). `pg` 8 has this built in but deprecates it (removal in pg 9)
 * and prints a warning when it is used, so we do the lookup ourselves and hand `pg` a password function.
 *
 * File format (https://www.postgresql.org/docs/current/libpq-pgpass.html):
 * `hostname:port:database:username:password`, `*` matches anything, `\:` and `\\` are escapes, the first
 * matching line wins. libpq ignores the file when it is group/world readable; so do we (on POSIX).
 */
import { readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { registerSecret } from '../log/redact';

export interface PgpassQuery {
  host: string;
  port: number;
  database: string;
  user: string;
}

export interface PgpassEnv {
  env?: NodeJS.ProcessEnv;
  homedir?: string;
}

/** Splits one line on unescaped colons, unescaping `\:` and `\\`. */
export function splitPgpassLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
    } else if (c === ':') {
      out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(cur);
  return out;
}

export function matchPgpass(content: string, q: PgpassQuery): string | null {
  // libpq treats a Unix-socket host (or no host) as "localhost" when matching.
  const host = q.host.startsWith('/') ? 'localhost' : q.host;
  for (const rawLine of content.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const f = splitPgpassLine(line);
    if (f.length < 5) continue;
    const [h, p, d, u] = f;
    const pw = f.slice(4).join(':');
    const ok = (pattern: string | undefined, value: string) => pattern === '*' || pattern === value;
    if (ok(h, host) && ok(p, String(q.port)) && ok(d, q.database) && ok(u, q.user)) return pw;
  }
  return null;
}

export async function lookupPassword(q: PgpassQuery, opts: PgpassEnv = {}): Promise<string | null> {
  const env = opts.env ?? process.env;
  if (env.PGPASSWORD) {
    registerSecret(env.PGPASSWORD);
    return env.PGPASSWORD;
  }
  const file = env.PGPASSFILE || path.join(opts.homedir ?? os.homedir(), '.pgpass');
  try {
    const st = await stat(file);
    if (!st.isFile()) return null;
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) return null;
    const pw = matchPgpass(await readFile(file, 'utf8'), q);
    registerSecret(pw);
    return pw;
  } catch {
    return null;
  }
}
