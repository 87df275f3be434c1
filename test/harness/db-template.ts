/**
 * Cached "freshly migrated" Prefect databases, so later harness starts skip Prefect's ~100 Alembic
 * migrations (about 4 s of CPU per server on this 2-core machine, the largest part of startup).
 *
 * The template is captured right after a server started on an empty database became healthy
 * (migrations done, block types registered, nothing seeded), keyed by the Prefect version, and
 * written atomically (temp file + rename) so a concurrent or interrupted run never leaves half a
 * template. Prefect sees the Alembic head on the next start and migrates nothing.
 * Set HK_NO_DB_TEMPLATE=1 to always migrate from scratch.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import type { PgCluster } from './postgres';
import { REPO_ROOT } from './venv';

const execFileAsync = promisify(execFile);

export const templatesEnabled = (): boolean => process.env.HK_NO_DB_TEMPLATE !== '1';

const cacheDir = (): string => path.join(REPO_ROOT, '.cache', 'db-templates');
export const sqliteTemplatePath = (version: string): string => path.join(cacheDir(), `prefect-${version}.sqlite`);
export const pgTemplatePath = (version: string): string => path.join(cacheDir(), `prefect-${version}.pgdump`);

const tmpName = (p: string): string => `${p}.${process.pid}.${Date.now()}.tmp`;

/** Copies the SQLite template to `dest` if one exists. Returns whether it did. */
export async function restoreSqliteTemplate(dest: string, version: string): Promise<boolean> {
  const src = sqliteTemplatePath(version);
  if (!templatesEnabled() || !existsSync(src)) return false;
  await copyFile(src, dest);
  return true;
}

/** Snapshots a live SQLite database (online backup API: consistent even while Prefect writes). */
export async function saveSqliteTemplate(dbPath: string, version: string): Promise<void> {
  if (!templatesEnabled()) return;
  await mkdir(cacheDir(), { recursive: true });
  const tmp = tmpName(sqliteTemplatePath(version));
  const db = new Database(dbPath, { readonly: true });
  try {
    await db.backup(tmp);
  } finally {
    db.close();
  }
  await rename(tmp, sqliteTemplatePath(version));
}

/** Restores the PG template into an empty `database` (owned by the owner role). Returns whether it did. */
export async function restorePgTemplate(pg: PgCluster, database: string, version: string): Promise<boolean> {
  const src = pgTemplatePath(version);
  if (!templatesEnabled() || !existsSync(src)) return false;
  // --role: objects end up owned by the owner role, as if Prefect had migrated them itself.
  await execFileAsync(
    path.join(pg.info.pgBinDir, 'pg_restore'),
    ['-h', pg.info.host, '-p', String(pg.info.port), '-U', pg.info.superuser.user, '-d', database,
      `--role=${pg.info.owner.user}`, '--no-owner', '--exit-on-error', '--single-transaction', src],
    { env: { ...process.env, PGPASSWORD: pg.info.superuser.password }, timeout: 120_000 },
  );
  return true;
}

/** Dumps a just-migrated, unseeded Prefect database as the template. */
export async function savePgTemplate(pg: PgCluster, database: string, version: string): Promise<void> {
  if (!templatesEnabled()) return;
  await mkdir(cacheDir(), { recursive: true });
  const tmp = tmpName(pgTemplatePath(version));
  try {
    await execFileAsync(
      path.join(pg.info.pgBinDir, 'pg_dump'),
      ['-h', pg.info.host, '-p', String(pg.info.port), '-U', pg.info.superuser.user, '-Fc', '--no-owner', '-f', tmp, database],
      { env: { ...process.env, PGPASSWORD: pg.info.superuser.password }, timeout: 120_000 },
    );
    await rename(tmp, pgTemplatePath(version));
  } finally {
    await rm(tmp, { force: true });
  }
}
