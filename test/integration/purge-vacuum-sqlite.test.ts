/**
 * Issue #11 item 7: VACUUM on the SQLite file of a RUNNING Prefect server (the harness's), which
 * keeps the file open in WAL mode. `purge --vacuum` checkpoints the WAL after the VACUUM, reports
 * the bytes actually freed on disk (file + WAL, before and after) and prints the result in its
 * readable output; when a connection keeps a read open so the checkpoint cannot finish, it says so,
 * and the shrink happens at the next full checkpoint.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { JobFinished } from '../../shared/domain/jobs';
import type { VacuumOutcome } from '../../main/core/purge/vacuum';
import { formatVacuum } from '../../main/cli/commands/purge-format';
import { prefectApi } from '../harness/prefect-api';
import { tempContext, uniqueTag } from './support/purge-fixture';
import { runsOf, seedScenarioSqlite, sqliteFile, staleIds } from './support/purge-race';

const h = inject('harness');
const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'bin', 'housekeeper.cjs');
const env = tempContext();
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-vac-'));
afterAll(async () => {
  fs.rmSync(home, { recursive: true, force: true });
  await env.dispose();
});

const footprint = (file: string) => {
  const size = (p: string) => (fs.existsSync(p) ? fs.statSync(p).size : 0);
  return { file: size(file), wal: size(`${file}-wal`) };
};

/** Stale runs with ~8 MB of logs on the running server's file; returns the deployments' names. */
async function bloatedScenario(): Promise<string[]> {
  const deps = await seedScenarioSqlite(h, uniqueTag(), { late: 200, future: 5 }, 2);
  const stale = staleIds(await runsOf(prefectApi(h.prefectSqlite.apiUrl), deps.map((d) => d.id)), new Date(Date.now() - 60_000).toISOString());
  const db = new BetterSqlite3(sqliteFile(h));
  try {
    db.pragma('busy_timeout = 30000');
    const now = new Date().toISOString().replace('T', ' ').replace('Z', '000');
    const ins = db.prepare("INSERT INTO log (id, created, updated, name, level, flow_run_id, message, timestamp) VALUES (?, ?, ?, 'prefect.flow_runs', 20, ?, ?, ?)");
    const text = 'x'.repeat(2000);
    db.transaction(() => {
      for (const id of stale) for (let i = 0; i < 20; i++) ins.run(crypto.randomUUID(), now, now, id, text, now);
    }).immediate();
  } finally {
    db.close();
  }
  return deps.map((d) => d.fullName);
}

function run(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { env: { ...process.env, HOUSEKEEPER_HOME: home, CI: process.env.CI ?? '' }, encoding: 'utf8', timeout: 600_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('VACUUM on SQLite while the Prefect server has the file open', () => {
  it('purge --vacuum checkpoints the WAL and reports the bytes the file and WAL really lost', async () => {
    const file = sqliteFile(h);
    const names = await bloatedScenario();
    const r = run(['purge', '--api', h.prefectSqlite.apiUrl, '--db', file, ...names.flatMap((n) => ['--deployment', n]), '--older-than', '1m', '--yes', '--vacuum', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const onDisk = footprint(file);
    const v = (JSON.parse(r.stdout) as { value: { vacuum: VacuumOutcome } }).value.vacuum;
    const s = v.sqlite!;
    expect(s.checkpoint?.complete).toBe(true);
    expect(s.pending).toBeNull();
    expect(v.freedBytes).toBe(s.before.file + s.before.wal - (s.after.file + s.after.wal));
    expect(v.freedBytes).toBeGreaterThan(5_000_000);
    // What it says is what is on disk (the idle server wrote nothing since).
    expect(s.after).toEqual(onDisk);
    expect(onDisk.wal).toBe(0);
    expect(onDisk.file).toBeLessThan(s.before.file);
  });

  it('prints the VACUUM result in the readable output', async () => {
    const file = sqliteFile(h);
    const names = await bloatedScenario();
    const r = run(['purge', '--api', h.prefectSqlite.apiUrl, '--db', file, ...names.flatMap((n) => ['--deployment', n]), '--older-than', '1m', '--yes', '--vacuum']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`VACUUM of ${file}:`);
    expect(r.stdout).toMatch(/before, .* after: [\d.]+ [KMG]?i?B freed on disk/);
    expect(r.stdout).toMatch(/write-ahead log was checkpointed and truncated/);
  });

  it('says when an open read keeps the checkpoint from finishing, and the file shrinks once it ends', async () => {
    const file = sqliteFile(h);
    const names = await bloatedScenario();
    const conn = { id: null, name: 'it-sqlite', apiUrl: h.prefectSqlite.apiUrl, apiAuth: { kind: 'none' as const }, db: { kind: 'sqlite' as const, path: file }, readOnly: false };
    const plan = await env.ctx.purge.plan({ conn, filter: { olderThan: '1m', deployments: names } });
    const { finished } = await env.ctx.purge.execute({ conn, planId: plan.planId, confirmCount: plan.count });
    expect(((await finished) as JobFinished).status).toBe('succeeded');
    // A connection in the middle of a read, as the server's is while it answers a request.
    const reader = new BetterSqlite3(file, { readonly: true });
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM flow_run').get();
    let v: VacuumOutcome;
    try {
      const { vacuumSqlite } = await import('../../main/core/purge/vacuum');
      const job = env.ctx.jobs.start({ kind: 'vacuum', connectionId: null, payload: {}, run: (jc) => vacuumSqlite(file, jc) });
      const f = (await job.finished) as JobFinished;
      expect(f.status, JSON.stringify(f.error)).toBe('succeeded');
      v = f.result as VacuumOutcome;
    } finally {
      reader.exec('COMMIT');
      reader.close();
    }
    expect(v.sqlite!.checkpoint?.complete).toBe(false);
    expect(v.sqlite!.pending).toMatch(/kept a read open/);
    expect(formatVacuum(v)).toContain(v.sqlite!.pending!);
    // The rewrite is in the WAL; the first full checkpoint after the read ends shrinks the file.
    const stuck = footprint(file);
    expect(stuck.file).toBe(v.sqlite!.after.file);
    const db = new BetterSqlite3(file);
    const cp = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
    db.close();
    expect(cp[0]!.busy).toBe(0);
    const later = footprint(file);
    expect(later.file + later.wal).toBeLessThan(v.sqlite!.before.file + v.sqlite!.before.wal - 5_000_000);
  });
});
