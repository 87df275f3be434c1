/** `--db` accepts a Postgres URL (any form Prefect users have), a SQLite URL, or a SQLite file path. */
import os from 'node:os';
import path from 'node:path';
import type { DbDraft } from '../../shared/domain/connection';
import { parseDatabaseUrl } from '../../shared/domain/pg-url';
import type { Result } from '../../shared/result';

export function parseDbArgument(input: string): Result<DbDraft> {
  const parsed = parseDatabaseUrl(input);
  if (!parsed.ok) return parsed;
  const v = parsed.value;
  if (v.kind === 'sqlite') {
    // Saved connections are used later from other folders, so store an absolute path.
    const p = v.path.startsWith('~') ? path.join(os.homedir(), v.path.slice(1)) : path.resolve(v.path);
    return { ok: true, value: { kind: 'sqlite', path: p } };
  }
  return {
    ok: true,
    value: { kind: 'postgres', ...v.fields, ...(v.password !== null ? { password: v.password } : {}) },
  };
}
