/** Safe writes: fingerprints, backup, atomic replace, clear refusals. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSnapshot, writeFileSafely } from '../../main/core/profiles/file-io';
import type { AppError } from '../../shared/errors';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-fileio-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const thrown = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e as AppError;
  }
  throw new Error('no error');
};

describe('writeFileSafely', () => {
  it('creates a new file 0600 when none existed', () => {
    const f = path.join(dir, 'profiles.toml');
    const r = writeFileSafely(f, 'a = "1"\n', null);
    expect(r.backupPath).toBeNull();
    expect(fs.readFileSync(f, 'utf8')).toBe('a = "1"\n');
    if (process.platform !== 'win32') expect(fs.statSync(f).mode & 0o777).toBe(0o600);
  });

  it('backs up the old file, keeps its mode and leaves no temp file', () => {
    const f = path.join(dir, 'profiles.toml');
    fs.writeFileSync(f, 'old\n', { mode: 0o640 });
    fs.chmodSync(f, 0o640);
    const snap = readSnapshot(f);
    const r = writeFileSafely(f, 'new\n', snap.fingerprint, new Date('2026-01-02T03:04:05Z'));
    expect(fs.readFileSync(f, 'utf8')).toBe('new\n');
    expect(fs.readFileSync(r.backupPath!, 'utf8')).toBe('old\n');
    expect(path.basename(r.backupPath!)).toBe('profiles.toml.bak-2026-01-02T03-04-05-000Z');
    if (process.platform !== 'win32') expect(fs.statSync(f).mode & 0o777).toBe(0o640);
    expect(fs.readdirSync(dir).sort()).toEqual(['profiles.toml', 'profiles.toml.bak-2026-01-02T03-04-05-000Z']);
  });

  it('refuses when the file changed since it was read, writing nothing', () => {
    const f = path.join(dir, 'profiles.toml');
    fs.writeFileSync(f, 'v1\n');
    const snap = readSnapshot(f);
    fs.writeFileSync(f, 'v2 from prefect config set\n');
    const e = thrown(() => writeFileSafely(f, 'ours\n', snap.fingerprint));
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toMatch(/changed on disk/);
    expect(fs.readFileSync(f, 'utf8')).toBe('v2 from prefect config set\n');
    expect(fs.readdirSync(dir)).toEqual(['profiles.toml']);
  });

  it('refuses when a file appeared that was not there at preview', () => {
    const f = path.join(dir, '.env');
    fs.writeFileSync(f, 'X=1\n');
    expect(thrown(() => writeFileSafely(f, 'Y=1\n', null)).code).toBe('CONFLICT');
  });

  it('explains a missing folder and an unwritable one', () => {
    expect(thrown(() => writeFileSafely(path.join(dir, 'nope', 'a.env'), 'x', null)).code).toBe('NOT_FOUND');
    if (process.platform === 'win32' || process.getuid?.() === 0) return;
    const ro = path.join(dir, 'ro');
    fs.mkdirSync(ro, { mode: 0o500 });
    const e = thrown(() => writeFileSafely(path.join(ro, 'a.env'), 'x', null));
    expect(e.code).toBe('FORBIDDEN');
  });
});
