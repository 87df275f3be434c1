/**
 * Writing a user's file without ever leaving it half-written: read with a fingerprint, refuse if the
 * file changed on disk since (someone ran `prefect config set` meanwhile), back up the old file next
 * to it, write a temp file in the same directory, fsync, rename over. A new file is created 0600
 * (it may hold secrets, and Prefect creates profiles.toml 0600 too); an existing one keeps its mode.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../../../shared/errors';

export interface FileSnapshot {
  path: string;
  exists: boolean;
  text: string;
  /** sha256 of the bytes, or null when the file does not exist. */
  fingerprint: string | null;
}

export function expandHome(p: string): string {
  return p === '~' ? os.homedir() : p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p;
}

function fileError(e: unknown, p: string, doing: string): AppError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new AppError('FORBIDDEN', `Cannot ${doing} ${p}: permission denied.`, { hint: 'Choose a file you can write, or fix its permissions.', cause: e });
  }
  if (code === 'ENOENT' || code === 'ENOTDIR') return new AppError('NOT_FOUND', `Cannot ${doing} ${p}: the folder does not exist.`, { hint: 'Create the folder first or choose another path.', cause: e });
  if (code === 'EISDIR') return new AppError('VALIDATION', `${p} is a folder, not a file.`, { cause: e });
  return new AppError('INTERNAL', `Cannot ${doing} ${p}: ${(e as Error).message}`, { cause: e });
}

export function readSnapshot(file: string): FileSnapshot {
  const p = path.resolve(expandHome(file));
  let buf: Buffer;
  try {
    buf = fs.readFileSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { path: p, exists: false, text: '', fingerprint: null };
    throw fileError(e, p, 'read');
  }
  return { path: p, exists: true, text: buf.toString('utf8'), fingerprint: sha256(buf) };
}

export function readText(file: string, maxBytes = 5 * 1024 * 1024): string {
  const p = path.resolve(expandHome(file));
  try {
    const st = fs.statSync(p);
    if (st.size > maxBytes) throw new AppError('VALIDATION', `${p} is larger than ${maxBytes / 1024 / 1024} MB; that is not a settings file.`);
    return fs.readFileSync(p, 'utf8');
  } catch (e) {
    if (e instanceof AppError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('NOT_FOUND', `There is no file ${p}.`);
    throw fileError(e, p, 'read');
  }
}

function sha256(b: Buffer): string {
  return crypto.createHash('sha256').update(b).digest('hex');
}

export interface WriteResult {
  path: string;
  backupPath: string | null;
  bytes: number;
}

/**
 * Replace `file` with `content` if it still has `expected` fingerprint (null: it must not exist).
 * `now` names the backup; injectable for tests.
 */
export function writeFileSafely(file: string, content: string, expected: string | null, now: Date = new Date()): WriteResult {
  const p = path.resolve(expandHome(file));
  const current = readSnapshot(p);
  if (current.fingerprint !== expected) {
    throw new AppError(
      'CONFLICT',
      expected === null ? `${p} appeared on disk after it was read.` : current.exists ? `${p} changed on disk since it was read.` : `${p} was removed since it was read.`,
      { hint: 'Nothing was written. Preview the export again to merge with what is there now.' },
    );
  }
  let mode = 0o600;
  let backupPath: string | null = null;
  if (current.exists) {
    mode = fs.statSync(p).mode & 0o777;
    backupPath = `${p}.bak-${now.toISOString().replace(/[:.]/g, '-')}`;
    try {
      fs.copyFileSync(p, backupPath, fs.constants.COPYFILE_EXCL);
      fs.chmodSync(backupPath, mode);
    } catch (e) {
      throw fileError(e, backupPath, 'back up to');
    }
  }
  const tmp = path.join(path.dirname(p), `.${path.basename(p)}.tmp-${crypto.randomBytes(4).toString('hex')}`);
  try {
    const fd = fs.openSync(tmp, 'wx', mode);
    try {
      fs.writeFileSync(fd, content);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, p);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw fileError(e, p, 'write');
  }
  try {
    const dir = fs.openSync(path.dirname(p), 'r');
    fs.fsyncSync(dir);
    fs.closeSync(dir);
  } catch {
    // Directory fsync is best effort (not supported everywhere); the rename already happened.
  }
  return { path: p, backupPath, bytes: Buffer.byteLength(content) };
}
