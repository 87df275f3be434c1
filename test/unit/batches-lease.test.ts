/**
 * The plan lease (main/core/batches/lease.ts, migration 0150) on a real local store in a temp folder:
 * one holder at a time, a dead holder taken over at once on this machine, a silent one after the
 * stale period anywhere, a taken-over holder stopping at its next check, purge and retention apart.
 * The two-process race itself runs in test/integration/retention-resume-lease.test.ts.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type StoreHandle } from '../../main/store/db';
import { MIGRATIONS } from '../../main/store/migrations';
import { PlanLeaseRepo } from '../../main/store/repos/plan-lease';
import { LEASE_STALE_MS, mayTakeOver, PlanLease, processAlive } from '../../main/core/batches/lease';

let home: string;
let store: StoreHandle;
let repo: PlanLeaseRepo;
const leases: PlanLease[] = [];
const take = (r = repo, plan = 'p', kind: 'purge' | 'retention' = 'retention') => {
  const l = PlanLease.acquire(r, plan, kind);
  leases.push(l);
  return l;
};

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-lease-'));
  store = openStore(home);
  repo = new PlanLeaseRepo(store.db, 'retention');
});
afterEach(() => {
  for (const l of leases.splice(0)) l.release();
  store.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('migration 0150', () => {
  it('adds plan_lease to a 0140 store and keeps what was there', () => {
    store.close();
    fs.rmSync(home, { recursive: true, force: true });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-lease-'));
    const old = openStore(home, MIGRATIONS.filter((m) => m.version <= 140));
    old.db.prepare("INSERT INTO retention_plan (id, created_at, server_now, cutoff, executor, filter, resolved, plan) VALUES ('r', 't', 't', 'c', 'sql', '{}', '{}', '{}')").run();
    old.close();
    store = openStore(home);
    expect(store.db.pragma('user_version', { simple: true })).toBe(150);
    expect(store.db.prepare("SELECT id FROM retention_plan").pluck().all()).toEqual(['r']);
    expect(store.db.prepare('SELECT count(*) FROM plan_lease').pluck().get()).toBe(0);
  });
});

describe('mayTakeOver (pure rule)', () => {
  const here = { host: 'box', alive: (pid: number) => pid === 1 };
  const now = 1_000_000;
  it('a live holder with a fresh heartbeat keeps the plan', () => {
    expect(mayTakeOver({ pid: 1, host: 'box', heartbeat_at: now - 1000 }, now, here)).toBe(false);
  });
  it('a holder whose process is gone on this machine is taken over at once', () => {
    expect(mayTakeOver({ pid: 2, host: 'box', heartbeat_at: now }, now, here)).toBe(true);
  });
  it('a holder on another machine is never judged by a local pid, only by its heartbeat', () => {
    expect(mayTakeOver({ pid: 2, host: 'other', heartbeat_at: now - 1000 }, now, here)).toBe(false);
    expect(mayTakeOver({ pid: 2, host: 'other', heartbeat_at: now - LEASE_STALE_MS - 1 }, now, here)).toBe(true);
  });
  it('a silent holder is taken over after the stale period even when its pid exists (reused pid, frozen process)', () => {
    expect(mayTakeOver({ pid: 1, host: 'box', heartbeat_at: now - LEASE_STALE_MS - 1 }, now, here)).toBe(true);
  });
  it('processAlive: this process yes, an exited one no', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(deadPid())).toBe(false);
    expect(processAlive(0)).toBe(false);
  });
});

describe('PlanLease on the store', () => {
  it('one holder at a time: the second is refused with CONFLICT / PLAN_IN_USE naming the holder, and changes nothing', () => {
    const first = take();
    first.setJob('job-1');
    let err: unknown;
    try {
      take();
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'CONFLICT', details: { reason: 'PLAN_IN_USE', pid: process.pid, host: os.hostname(), jobId: 'job-1' } });
    expect((err as Error).message).toMatch(/Another Housekeeper process \(pid \d+ on .+\) is executing this retention plan right now/);
    expect(repo.get('p')?.token).toBe(first.token);
    expect(() => first.check()).not.toThrow();
  });

  it('released, the plan can be taken again; other plans and the other kind are independent', () => {
    const a = take();
    const other = take(repo, 'q');
    const purge = take(new PlanLeaseRepo(store.db, 'purge'), 'p', 'purge');
    expect([other.token, purge.token]).not.toContain(a.token);
    a.release();
    expect(repo.get('p')).toBeUndefined();
    expect(take().token).not.toBe(a.token);
  });

  it('a holder killed on this machine is taken over at once; the dead one, were it to wake, stops at its next check', () => {
    const ghost = take();
    store.db.prepare('UPDATE plan_lease SET pid = ? WHERE plan_id = ?').run(deadPid(), 'p');
    const next = take();
    expect(repo.get('p')?.token).toBe(next.token);
    expect(() => ghost.check()).toThrow(/took this retention plan over; this one stopped before its next batch/);
    ghost.beat();
    expect(repo.get('p')?.token).toBe(next.token); // its heartbeat does not take the plan back
  });

  it('a live holder whose heartbeat went stale is taken over; a beating one is not', () => {
    const slow = take();
    store.db.prepare('UPDATE plan_lease SET heartbeat_at = ? WHERE plan_id = ?').run(Date.now() - LEASE_STALE_MS - 1000, 'p');
    slow.beat(); // the beat brings it back to fresh
    expect(() => take()).toThrow(/executing this retention plan/);
    store.db.prepare('UPDATE plan_lease SET heartbeat_at = ? WHERE plan_id = ?').run(Date.now() - LEASE_STALE_MS - 1000, 'p');
    const next = take();
    expect(() => slow.check()).toThrow();
    expect(() => next.check()).not.toThrow();
  });

  it('release only removes its own lease', () => {
    const ghost = take();
    store.db.prepare('UPDATE plan_lease SET pid = ? WHERE plan_id = ?').run(deadPid(), 'p');
    const next = take();
    ghost.release();
    expect(repo.get('p')?.token).toBe(next.token);
  });
});
