/**
 * `housekeeper retention repack` on the harness's real Postgres Prefect database (the harness creates
 * the pg_repack extension there; Debian's postgresql-<major>-repack gives the client), through the
 * built CLI: a bloated `log` table shrinks while its rows stay exactly as they were; a repack
 * stopped with Ctrl-C while pg_repack has its trigger and log table in place leaves the table as it
 * was (nothing of pg_repack's left on it); a database without the extension is refused with what to
 * install.
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHandlers } from '../../main/handlers';
import { dispatch } from '../../main/transport/dispatch';
import { superClient, tempContext } from './support/purge-fixture';
import { q } from './support/retention-fixture';

const h = inject('harness');
const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'bin', 'housekeeper.cjs');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-repack-'));
const env = { ...process.env, HOUSEKEEPER_HOME: home, CI: process.env.CI ?? '' };
// pg_repack needs a superuser (it creates its trigger and reads the repack schema).
const dbUrl = (database: string) => `postgresql://${h.pg.superuser.user}:${encodeURIComponent(h.pg.superuser.password)}@${h.pg.host}:${h.pg.port}/${database}?sslmode=disable`;
const target = (database = h.pg.database) => ['--api', h.prefectPg.apiUrl, '--db', dbUrl(database)];
const name = `rp-${crypto.randomBytes(3).toString('hex')}`;

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Our rows of `log`, as one fingerprint (count and an md5 over every column, in id order). */
async function fingerprint(): Promise<{ n: number; md5: string }> {
  const [r] = await q<{ n: string; md5: string }>(h, `SELECT count(*) AS n, md5(coalesce(string_agg(l::text, '|' ORDER BY l.id), '')) AS md5 FROM log l WHERE l.name = $1`, [name]);
  return { n: Number(r!.n), md5: r!.md5 };
}
const logBytes = async () => Number((await q<{ b: string }>(h, `SELECT pg_total_relation_size('log') AS b`))[0]!.b);
const leftovers = async () =>
  Number(
    (
      await q<{ n: string }>(
        h,
        `SELECT (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'log'::regclass AND tgname LIKE 'repack_trigger%')
              + (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'repack' AND c.relname IN ('log_' || 'log'::regclass::oid, 'table_' || 'log'::regclass::oid)) AS n`,
      )
    )[0]!.n,
  );

beforeAll(async () => {
  // Bloat: 60 000 log rows of ~1 kB, then 90 % of them deleted and vacuumed: the space is free inside
  // the file, which only a rewrite gives back.
  await q(
    h,
    `INSERT INTO log (id, created, updated, name, level, flow_run_id, message, timestamp)
     SELECT gen_random_uuid(), now(), now(), $1, 20, gen_random_uuid(), repeat(md5(g::text), 30), now() FROM generate_series(1, 60000) g`,
    [name],
  );
  await q(h, `DELETE FROM log WHERE name = $1 AND (hashtext(id::text) % 10) <> 0`, [name]);
  await q(h, 'VACUUM log');
}, 240_000);
const app = tempContext();
afterAll(async () => {
  fs.rmSync(home, { recursive: true, force: true });
  await app.dispose();
});

describe('housekeeper retention repack (pg_repack as a job)', () => {
  it('maintenance says pg_repack is ready; repack shrinks the bloated table and keeps every row', async () => {
    const m = run(['retention', 'maintenance', ...target(), '--json']);
    expect(m.code, m.stderr).toBe(0);
    const view = (JSON.parse(m.stdout) as { value: { repack: { usable: boolean; extension: string; client: { version: string } } } }).value;
    expect(view.repack.usable).toBe(true);
    expect(view.repack.client.version).toBe(view.repack.extension);

    const before = { bytes: await logBytes(), rows: await fingerprint() };
    expect(before.rows.n).toBeGreaterThan(3000);
    expect(run(['retention', 'repack', ...target(), '--table', 'log']).code).toBe(3); // no terminal to confirm on, no --yes
    const r = run(['retention', 'repack', ...target(), '--table', 'log', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/ACCESS EXCLUSIVE lock twice, each for a moment/);
    const out = (JSON.parse(r.stdout) as { value: { clientVersion: string; tables: Array<{ table: string; status: string; bytesBefore: number; bytesAfter: number }> } }).value;
    expect(out.tables).toHaveLength(1);
    expect(out.tables[0]!.status).toBe('repacked');
    const after = await logBytes();
    // At least a third of the table came back (the bloat is ~54 MB of free space).
    expect(after).toBeLessThan(before.bytes * 0.67);
    expect(out.tables[0]!.bytesAfter).toBeLessThan(out.tables[0]!.bytesBefore);
    expect(await fingerprint()).toEqual(before.rows);
    expect(await leftovers()).toBe(0);
    const audit = (JSON.parse(run(['audit', '--json']).stdout) as { value: Array<{ action: string; outcome: string }> }).value;
    expect(audit.some((e) => e.action === 'retention.repack' && e.outcome === 'succeeded')).toBe(true);
  });

  it('Ctrl-C while pg_repack waits with its trigger in place: cancelled, the table as it was, nothing of pg_repack left', async () => {
    const before = await fingerprint();
    // An open transaction in the Prefect database: pg_repack, having added its trigger and log
    // table, waits for it to end before it copies (it never cancels it: --no-kill-backend).
    const blocker = superClient(h);
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT txid_current()');
      const child = spawn(process.execPath, [cli, 'retention', 'repack', ...target(), '--table', 'log', '--yes'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline && (await leftovers()) === 0 && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      expect(await leftovers(), stderr).toBeGreaterThan(0);
      child.kill('SIGINT');
      expect(await exited, stderr).toBe(130);
      expect(stderr).toMatch(/Cancelled/);
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      await blocker.end();
    }
    expect(await leftovers()).toBe(0);
    expect(await fingerprint()).toEqual(before);
    const audit = (JSON.parse(run(['audit', '--json']).stdout) as { value: Array<{ action: string; outcome: string }> }).value;
    expect(audit.some((e) => e.action === 'retention.repack' && e.outcome === 'cancelled')).toBe(true);
  });

  it('Housekeeper killed while pg_repack waits: pg_repack finishes the table on its own, nothing of it left', async () => {
    const before = await fingerprint();
    const blocker = superClient(h);
    await blocker.connect();
    let released = false;
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT txid_current()');
      const child = spawn(process.execPath, [cli, 'retention', 'repack', ...target(), '--table', 'log', '--yes'], { env, stdio: 'ignore' });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline && (await leftovers()) === 0 && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      expect(await leftovers()).toBeGreaterThan(0);
      child.kill('SIGKILL');
      await exited;
      await blocker.query('ROLLBACK');
      released = true;
      // pg_repack (a separate process writing to a file) goes on: copy, swap, drop its trigger.
      const until = Date.now() + 120_000;
      while (Date.now() < until && (await leftovers()) > 0) await new Promise((r) => setTimeout(r, 250));
      expect(await leftovers()).toBe(0);
    } finally {
      if (!released) await blocker.query('ROLLBACK').catch(() => undefined);
      await blocker.end();
    }
    expect(await fingerprint()).toEqual(before);
  });

  it('refuses, changing nothing, where the extension is not created, saying what to install', () => {
    const r = run(['retention', 'repack', ...target('prefect_auth'), '--table', 'log', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not created in this database/);
    expect(r.stderr).toMatch(/CREATE EXTENSION pg_repack/);
    expect(r.stderr).toMatch(/postgresql-\d+-repack/);
    expect(run(['retention', 'repack', ...target(), '--table', 'not_a_table', '--yes']).code).toBe(2);
    expect(run(['retention', 'repack', ...target(), '--yes']).code).toBe(2);
  });

  it('through the RPC (as the screen starts it): a job in the tray that finishes; read-only and unknown tables refused', async () => {
    const db = { kind: 'postgres' as const, host: h.pg.host, port: h.pg.port, database: h.pg.database, user: h.pg.superuser.user, password: h.pg.superuser.password, sslmode: 'disable' as const };
    const rw = app.ctx.connections.save(undefined, { name: 'repack-rw', apiUrl: h.prefectPg.apiUrl, apiAuth: { kind: 'none' }, db, readOnly: false });
    const ro = app.ctx.connections.save(undefined, { name: 'repack-ro', apiUrl: h.prefectPg.apiUrl, apiAuth: { kind: 'none' }, db, readOnly: true });
    const handlers = createHandlers(app.ctx);
    const bad = await dispatch(handlers, 'retention.repack', { connectionId: rw.id, tables: ['pg_class'] });
    expect(bad.ok).toBe(false);
    const refused = await dispatch(handlers, 'retention.repack', { connectionId: ro.id, tables: ['flow_run_input'] });
    expect(refused.ok ? null : refused.error.code).toBe('FORBIDDEN');
    const r = await dispatch(handlers, 'retention.repack', { connectionId: rw.id, tables: ['flow_run_input'] });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const jobId = r.ok ? (r.value as { jobId: string }).jobId : '';
    const deadline = Date.now() + 120_000;
    let view = app.ctx.jobs.views().find((j) => j.jobId === jobId);
    while (Date.now() < deadline && view && !['succeeded', 'failed', 'cancelled'].includes(view.status)) {
      await new Promise((res) => setTimeout(res, 200));
      view = app.ctx.jobs.views().find((j) => j.jobId === jobId);
    }
    expect(view?.kind).toBe('repack');
    expect(view?.status, JSON.stringify(view?.error)).toBe('succeeded');
  });
});
