/**
 * Pure logic of the desktop window (issue #9): where the window reopens against today's displays,
 * what the taskbar progress and notifications say about jobs, and the text-file reads/writes behind
 * the native dialogs. No Electron needed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobFinished, JobProgress } from '../../shared/domain/jobs';
import { closeQuestion, JobSignals, noticeFor } from '../../main/app/job-signals-logic';
import { readText, writeTextAtomically } from '../../main/app/text-files';
import { DEFAULT_SIZE, parseSavedState, placeWindow, type DisplayInfo } from '../../main/app/window-bounds';
import { electronAddonName, nativeDir } from '../../main/native/sqlite';
import { desktopUnavailable } from '../../main/handlers/desktop';
import { requests } from '../../shared/contract';

const laptop: DisplayInfo = { id: 1, workArea: { x: 0, y: 25, width: 1440, height: 875 } };
const external: DisplayInfo = { id: 2, workArea: { x: 1440, y: 0, width: 2560, height: 1415 } };

describe('window placement', () => {
  it('reopens exactly where it was when that screen is still there', () => {
    const saved = parseSavedState({ bounds: { x: 1600, y: 100, width: 1400, height: 900 }, maximized: false, fullScreen: false, displayId: 2 });
    expect(placeWindow(saved, [laptop, external])).toEqual({ bounds: { x: 1600, y: 100, width: 1400, height: 900 }, maximized: false, fullScreen: false });
  });

  it('centres on the primary screen when the saved screen is gone and the spot is off every screen', () => {
    const saved = parseSavedState({ bounds: { x: 1600, y: 100, width: 1400, height: 900 }, maximized: true, fullScreen: false, displayId: 2 });
    const p = placeWindow(saved, [laptop]);
    expect(p.bounds.x).toBeUndefined();
    expect(p.bounds.y).toBeUndefined();
    expect(p.bounds).toEqual({ width: 1400, height: 875 });
    expect(p.maximized).toBe(true);
  });

  it('pulls a window back inside when its screen shrank', () => {
    const small: DisplayInfo = { id: 2, workArea: { x: 1440, y: 0, width: 1280, height: 720 } };
    const saved = parseSavedState({ bounds: { x: 2200, y: 500, width: 1400, height: 900 }, maximized: false, fullScreen: false, displayId: 2 });
    const b = placeWindow(saved, [laptop, small]).bounds;
    expect(b).toEqual({ x: 1440, y: 0, width: 1280, height: 720 });
  });

  it('keeps a window whose title bar is reachable on another screen after display ids changed', () => {
    const renumbered: DisplayInfo = { ...external, id: 7 };
    const saved = parseSavedState({ bounds: { x: 1500, y: 40, width: 1200, height: 800 }, maximized: false, fullScreen: false, displayId: 2 });
    expect(placeWindow(saved, [laptop, renumbered]).bounds).toEqual({ x: 1500, y: 40, width: 1200, height: 800 });
  });

  it('ignores damaged or foreign state and never goes below the minimum size', () => {
    for (const junk of [null, 'x', {}, { bounds: { x: 'a', y: 0, width: 10, height: 10 } }, { bounds: { x: 0, y: 0, width: -5, height: 10 } }]) {
      expect(parseSavedState(junk)).toBeNull();
      expect(placeWindow(parseSavedState(junk), [laptop]).bounds).toEqual(DEFAULT_SIZE);
    }
    const tiny = parseSavedState({ bounds: { x: 10, y: 40, width: 200, height: 100 }, displayId: 1 });
    expect(placeWindow(tiny, [laptop]).bounds).toEqual({ x: 10, y: 40, width: 960, height: 600 });
  });
});

const job = (over: Partial<JobProgress>): JobProgress => ({
  jobId: 'j1',
  kind: 'purge',
  connectionId: null,
  title: 'Purge',
  link: ['purge'],
  status: 'running',
  phase: 'deleting',
  done: 0,
  total: 100,
  rate: null,
  etaSeconds: null,
  message: null,
  startedAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  ...over,
});
const done = (over: Partial<JobFinished>): JobFinished => ({ ...job({}), status: 'succeeded', error: null, result: null, ...over });

describe('job signals', () => {
  it('shows the combined fraction of purges, schedule changes and VACUUM, and nothing for other jobs', () => {
    const s = new JobSignals();
    expect(s.progress(job({ kind: 'inspect.exact', done: 5, total: 10 }))).toEqual({ value: -1, mode: 'none' });
    expect(s.progress(job({ jobId: 'a', done: 30, total: 100 }))).toEqual({ value: 0.3, mode: 'normal' });
    expect(s.progress(job({ jobId: 'b', kind: 'schedules.recreate', done: 10, total: 100 }))).toEqual({ value: 0.2, mode: 'normal' });
    expect(s.progress(job({ jobId: 'c', kind: 'vacuum', total: null }))).toEqual({ value: 2, mode: 'indeterminate' });
    expect(s.finished(done({ jobId: 'c', kind: 'vacuum' })).progress).toEqual({ value: 0.2, mode: 'normal' });
    expect(s.progress(job({ jobId: 'a', status: 'paused', done: 30 })).mode).toBe('normal');
    expect(s.progress(job({ jobId: 'b', kind: 'schedules.recreate', status: 'paused', done: 10 })).mode).toBe('paused');
    s.finished(done({ jobId: 'a' }));
    expect(s.finished(done({ jobId: 'b', kind: 'schedules.recreate' })).progress).toEqual({ value: -1, mode: 'none' });
  });

  it('says what happened, and only for the jobs a user waits for', () => {
    expect(noticeFor(done({ done: 1234, total: 1234 }))).toEqual({ title: 'Purge finished', body: '1,234 of 1,234 runs deleted.' });
    expect(noticeFor(done({ status: 'cancelled', done: 10, total: 50 })).body).toMatch(/resumed from the Purge screen/);
    expect(noticeFor(done({ kind: 'vacuum', status: 'failed', error: { code: 'PG_PERMISSION', message: 'must be owner of table flow_run' } }))).toEqual({
      title: 'VACUUM failed',
      body: 'must be owner of table flow_run',
    });
    expect(new JobSignals().finished(done({ kind: 'inspect.exact' })).notice).toBeNull();
    expect(closeQuestion([job({})]).message).toBe('A purge is still running.');
    expect(closeQuestion([job({}), job({ jobId: 'v', kind: 'vacuum' })]).message).toBe('2 jobs are still running (purge, VACUUM).');
  });
});

describe('text files behind the native dialogs', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-text-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads UTF-8 text (BOM dropped) and refuses binaries and oversize files with a clear error', async () => {
    fs.writeFileSync(path.join(dir, 'a.env'), '\uFEFFPREFECT_API_URL=http://x/api\n');
    expect(await readText(path.join(dir, 'a.env'))).toBe('PREFECT_API_URL=http://x/api\n');
    fs.writeFileSync(path.join(dir, 'b.bin'), Buffer.from([0xff, 0xfe, 0x00, 0xc3]));
    await expect(readText(path.join(dir, 'b.bin'))).rejects.toMatchObject({ code: 'VALIDATION', message: 'b.bin is not UTF-8 text.' });
    fs.writeFileSync(path.join(dir, 'big.toml'), Buffer.alloc(5 * 1024 * 1024 + 1, 0x61));
    await expect(readText(path.join(dir, 'big.toml'))).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(readText(path.join(dir, 'missing'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('writes atomically, private to the user, replacing the old file only when complete', async () => {
    const f = path.join(dir, 'report.md');
    fs.writeFileSync(f, 'old');
    expect(await writeTextAtomically(f, '# Report ✓\n')).toBe(Buffer.byteLength('# Report ✓\n'));
    expect(fs.readFileSync(f, 'utf8')).toBe('# Report ✓\n');
    if (process.platform !== 'win32') expect(fs.statSync(f).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    await expect(writeTextAtomically(path.join(dir, 'no-such-dir', 'x.md'), 'x')).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});

describe('the Electron add-on for better-sqlite3', () => {
  it('is named after the ABI, platform and architecture, and read from outside app.asar', () => {
    expect(electronAddonName('150', 'linux', 'x64')).toBe('better_sqlite3-electron-v150-linux-x64.node');
    expect(nativeDir('/opt/Housekeeper/resources/app.asar/dist/main')).toBe(path.join('/opt/Housekeeper/resources/app.asar.unpacked/dist/native'));
    expect(nativeDir('/home/me/housekeeper/dist/main')).toBe(path.join('/home/me/housekeeper/dist/native'));
  });
});

describe('the packaged CLI entry', () => {
  it('knows every command of the CLI, and only treats a leading command word as a CLI call', async () => {
    const { CLI_WORDS, cliArgs } = await import('../../main/app/cli-entry');
    const src = fs.readFileSync(path.join(__dirname, '..', '..', 'main', 'cli', 'index.ts'), 'utf8');
    const commands = [...src.matchAll(/case '([a-z]+)':/g)].map((m) => m[1]!);
    expect(commands.length).toBeGreaterThan(5);
    for (const c of commands) expect(CLI_WORDS.has(c), c).toBe(true);
    // Packaged: argv = [binary, ...args]; development: [electron, app-dir, ...args].
    expect(cliArgs(['/opt/Housekeeper/housekeeper', 'inspect', '-c', 'prod'], false)).toEqual(['inspect', '-c', 'prod']);
    expect(cliArgs(['electron', '/repo', '--version'], true)).toEqual(['--version']);
    expect(cliArgs(['/opt/Housekeeper/housekeeper'], false)).toBeNull();
    // What desktops and Chromium add when they start the window is not a CLI call.
    expect(cliArgs(['/opt/Housekeeper/housekeeper', '--no-sandbox'], false)).toBeNull();
    expect(cliArgs(['/Applications/Housekeeper.app/Contents/MacOS/Housekeeper', '-psn_0_12345'], false)).toBeNull();
  });
});

describe('desktop-only requests outside the window', () => {
  it('are refused with NOT_FOUND (web mode and CLI), and their input is checked like any request', async () => {
    const h = desktopUnavailable();
    await expect(h['desktop.openTextFile']({})).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h['desktop.saveTextFile']({ suggestedName: 'a.md', content: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const save = requests['desktop.saveTextFile'].input;
    expect(save.safeParse({ suggestedName: 'report.md', content: '# x' }).success).toBe(true);
    for (const bad of ['../etc/passwd', 'a/b.md', 'C:\\x\\y.md', '..', '']) {
      expect(save.safeParse({ suggestedName: bad, content: 'x' }).success, bad).toBe(false);
    }
    expect(requests['desktop.openTextFile'].input.safeParse({ filters: [{ name: 'TOML', extensions: ['.toml'] }] }).success).toBe(false);
    expect(requests['desktop.openTextFile'].input.safeParse({ path: '/etc/passwd' }).success).toBe(false);
  });
});
