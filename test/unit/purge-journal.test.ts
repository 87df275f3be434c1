/**
 * The purge journal's pure logic (issue #11 items 4-6): migration 0070, one-transaction batch
 * commits, settling a pending batch after a kill, the resumable export, the ad hoc resume command,
 * and mapLimit's "no error before every call in flight answered". The deleter here is a fake in
 * memory (unit tests only); the real executors are exercised by test/integration/purge-*.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type StoreHandle } from '../../main/store/db';
import { MIGRATIONS } from '../../main/store/migrations';
import { PurgeRepo, RUN_DELETED, RUN_IN_FLIGHT, RUN_PENDING, RUN_SKIPPED } from '../../main/store/repos/purge';
import { JsonlSink } from '../../main/core/purge/export-sink';
import { adHocTarget, resumeCommand, sameTarget } from '../../main/core/purge/adhoc-target';
import { mapLimit } from '../../main/core/purge/api-claim';
import { runBatches } from '../../main/core/purge/run-batches';
import type { BatchOptions, Deleter } from '../../main/core/purge/deleter';
import type { ResolvedConnection } from '../../main/core/connections/types';

let home: string;
let store: StoreHandle;
let repo: PurgeRepo;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-pj-'));
  store = openStore(home);
  repo = new PurgeRepo(store.db);
});
afterEach(() => {
  store.close();
  fs.rmSync(home, { recursive: true, force: true });
});

const plan = (id: string, ids: string[]) =>
  repo.savePlan({ id, connection_id: null, created_at: 't', server_now: 't', cutoff: 'c', executor: 'sql', filter: '{}', resolved: '{}', plan: '{}' }, ids);

describe('migration 0070 (purge journal columns)', () => {
  it('upgrades a 0050 store: existing plans get zero totals and no pending batch', () => {
    store.close();
    fs.rmSync(home, { recursive: true, force: true });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-pj-'));
    const old = openStore(home, MIGRATIONS.filter((m) => m.version <= 50));
    old.db.prepare("INSERT INTO purge_plan (id, connection_id, created_at, server_now, cutoff, executor, filter, resolved, plan) VALUES ('old', NULL, 't', 't', 'c', 'sql', '{}', '{}', '{}')").run();
    old.close();
    store = openStore(home);
    repo = new PurgeRepo(store.db);
    expect(repo.totals('old')).toEqual({ logs: 0, artifacts: 0, batches: 0 });
    expect(repo.pendingBatch('old')).toBeNull();
    expect(repo.getPlan('old')).toMatchObject({ export_file: null, export_bytes: 0, target: null });
  });
});

describe('PurgeRepo batch journal', () => {
  it('commits ids, states, counts and the export size together', () => {
    plan('p', ['a', 'b', 'c', 'd', 'e']);
    repo.setState('p', ['a', 'b', 'c', 'd', 'e'], RUN_IN_FLIGHT);
    repo.setPendingBatch('p', { ids: ['a', 'b'], logs: 7, artifacts: 2, exportStart: 0, exportEnd: 100 });
    repo.commitBatch('p', { deleted: ['a', 'b'], skipped: ['c'], busy: [], retry: ['d'], deferred: ['e'], logs: 7, artifacts: 2, exportBytes: 100 });
    expect(repo.counts('p')).toMatchObject({ deleted: 2, skipped: 1, pending: 2, inFlight: 0 });
    expect(repo.totals('p')).toEqual({ logs: 7, artifacts: 2, batches: 1 });
    expect(repo.pendingBatch('p')).toBeNull();
    expect(repo.getPlan('p')?.export_bytes).toBe(100);
    expect(repo.attempts('p', ['d', 'e'])).toEqual(new Map([['d', 1], ['e', 0]]));
  });
});

/** A fake executor over an in-memory "server": which runs exist, and their logs/artifacts. */
function fakeDeleter(server: { runs: Set<string>; logs: Map<string, number>; artifacts: Map<string, number> }, kind: 'sql' | 'api' = 'sql'): Deleter {
  const sum = (m: Map<string, number>, ids: string[]) => ids.reduce((n, id) => n + (m.get(id) ?? 0), 0);
  return {
    kind,
    maxBatch: 2,
    async deleteBatch(ids: string[], opts: BatchOptions) {
      const victims = ids.filter((id) => server.runs.has(id));
      const logs = sum(server.logs, victims);
      const artifacts = sum(server.artifacts, victims);
      opts.beforeCommit?.({ victims: victims.map((id) => ({ id, export: { id } })), logs, artifacts });
      for (const id of victims) {
        server.runs.delete(id);
        server.logs.delete(id);
        server.artifacts.delete(id);
      }
      return { deleted: victims.map((id) => ({ id })), logs, artifacts };
    },
    stillMatching: async (ids) => new Set(ids.filter((id) => server.runs.has(id))),
    existing: async (ids) => new Set(ids.filter((id) => server.runs.has(id))),
    children: async (ids) => ({ logs: sum(server.logs, ids), artifacts: sum(server.artifacts, ids) }),
    recount: async () => server.runs.size,
    isTransient: () => false,
    close: async () => undefined,
  };
}

describe('runBatches settles what a killed run left', () => {
  const server = () => ({
    runs: new Set(['a', 'b', 'c', 'd']),
    logs: new Map([['a', 3], ['b', 3], ['c', 3], ['d', 3]]),
    artifacts: new Map([['a', 1], ['b', 1], ['c', 1], ['d', 1]]),
  });
  const loop = (deleter: Deleter, sink?: JsonlSink) =>
    runBatches({ planId: 'p', repo, deleter, signal: new AbortController().signal, report: () => undefined, ...(sink ? { sink } : {}), initialBatch: 2 });

  it('a batch the server committed before the kill: its runs, logs, artifacts and export lines count once', async () => {
    const s = server();
    plan('p', ['a', 'b', 'c', 'd']);
    const sink = new JsonlSink(path.join(home, 'x.jsonl'));
    repo.setExport('p', sink.file, 0);
    // The killed run: batch [a, b] journaled as pending, exported, committed on the server; then SIGKILL.
    repo.setState('p', ['a', 'b'], RUN_IN_FLIGHT);
    const r = sink.write([{ id: 'a', export: { id: 'a' } }, { id: 'b', export: { id: 'b' } }]);
    repo.setPendingBatch('p', { ids: ['a', 'b'], logs: 6, artifacts: 2, exportStart: r.start, exportEnd: r.end });
    for (const id of ['a', 'b']) {
      s.runs.delete(id);
      s.logs.delete(id);
      s.artifacts.delete(id);
    }
    const out = await loop(fakeDeleter(s), sink);
    expect(out.deletedLogs).toBe(12);
    expect(out.deletedArtifacts).toBe(4);
    expect(repo.counts('p')).toMatchObject({ deleted: 4, pending: 0, inFlight: 0 });
    const ids = fs.readFileSync(sink.file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids).toEqual(['a', 'b', 'c', 'd']);
    sink.close();
  });

  it('a batch killed before the server committed: nothing counted, its export lines cut, deleted on resume', async () => {
    const s = server();
    plan('p', ['a', 'b', 'c', 'd']);
    const sink = new JsonlSink(path.join(home, 'y.jsonl'));
    repo.setExport('p', sink.file, 0);
    repo.setState('p', ['a', 'b'], RUN_IN_FLIGHT);
    const r = sink.write([{ id: 'a', export: { id: 'a' } }, { id: 'b', export: { id: 'b' } }]);
    repo.setPendingBatch('p', { ids: ['a', 'b'], logs: 6, artifacts: 2, exportStart: r.start, exportEnd: r.end });
    const out = await loop(fakeDeleter(s), sink);
    expect(out.deletedLogs).toBe(12);
    expect(out.deletedArtifacts).toBe(4);
    const ids = fs.readFileSync(sink.file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids.sort()).toEqual(['a', 'b', 'c', 'd']);
    sink.close();
  });

  it('an API batch stopped half-way: the deleted part counts, the rest is finished, each exported once', async () => {
    const s = server();
    plan('p', ['a', 'b', 'c', 'd']);
    const sink = new JsonlSink(path.join(home, 'z.jsonl'));
    repo.setExport('p', sink.file, 0);
    repo.setState('p', ['a', 'b'], RUN_IN_FLIGHT);
    const r = sink.write([{ id: 'a', export: { id: 'a' } }, { id: 'b', export: { id: 'b' } }]);
    repo.setPendingBatch('p', { ids: ['a', 'b'], logs: null, artifacts: 2, exportStart: r.start, exportEnd: r.end });
    // Both artifacts were deleted, then run a, then the kill.
    s.artifacts.delete('a');
    s.artifacts.delete('b');
    s.runs.delete('a');
    const out = await loop(fakeDeleter(s, 'api'), sink);
    expect(out.deletedArtifacts).toBe(2 + 2); // the half-done batch's 2, then c and d's
    expect(repo.counts('p')).toMatchObject({ deleted: 4 });
    const ids = fs.readFileSync(sink.file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids.sort()).toEqual(['a', 'b', 'c', 'd']);
    sink.close();
  });

  it('in-flight runs without a pending batch never reached a commit: gone ones are not ours (skipped)', async () => {
    const s = server();
    plan('p', ['a', 'b', 'c', 'd']);
    repo.setState('p', ['a', 'b'], RUN_IN_FLIGHT);
    s.runs.delete('a'); // deleted by someone else
    await loop(fakeDeleter(s));
    expect(repo.idsInState('p', RUN_SKIPPED)).toEqual(['a']);
    expect(repo.idsInState('p', RUN_DELETED).sort()).toEqual(['b', 'c', 'd']);
    expect(repo.idsInState('p', RUN_PENDING)).toEqual([]);
  });
});

describe('ad hoc resume command', () => {
  const conn = (db: ResolvedConnection['db'], auth: ResolvedConnection['apiAuth'] = { kind: 'none' }): ResolvedConnection => ({ id: null, name: 'ad hoc', apiUrl: 'http://prefect.internal:4200/api/', apiAuth: auth, db, readOnly: false });

  it('prints --api and --db without secrets, and says where the secrets come from', () => {
    const t = adHocTarget(conn({ kind: 'postgres', host: 'db.internal', port: 5432, database: 'prefect', user: 'prefect', password: 's3cret!', sslmode: 'disable' }, { kind: 'basic', authString: 'admin:pw' }));
    const cmd = resumeCommand('PLAN', t);
    expect(cmd).toBe(
      "housekeeper purge resume PLAN --api http://prefect.internal:4200/api --db 'postgresql://prefect@db.internal:5432/prefect?sslmode=disable' (with the API auth string in HOUSEKEEPER_API_AUTH_STRING (or --api-auth) and the database password in PGPASSWORD or ~/.pgpass)",
    );
    expect(cmd).not.toContain('s3cret');
    expect(cmd).not.toContain('admin:pw');
    expect(JSON.stringify(t)).not.toMatch(/s3cret|admin:pw/);
  });

  it('an API-only and a SQLite target; the same server matches, another does not', () => {
    expect(resumeCommand('P', adHocTarget(conn({ kind: 'none' })))).toBe('housekeeper purge resume P --api http://prefect.internal:4200/api');
    expect(resumeCommand('P', adHocTarget(conn({ kind: 'sqlite', path: '/srv/prefect db/prefect.db' })))).toBe("housekeeper purge resume P --api http://prefect.internal:4200/api --db '/srv/prefect db/prefect.db'");
    const a = adHocTarget(conn({ kind: 'sqlite', path: '/a.db' }));
    expect(sameTarget(a, adHocTarget(conn({ kind: 'sqlite', path: '/a.db' })))).toBe(true);
    expect(sameTarget(a, adHocTarget(conn({ kind: 'sqlite', path: '/b.db' })))).toBe(false);
  });
});

describe('JsonlSink', () => {
  it('appends, cuts back and keeps only given runs of a range', () => {
    const sink = new JsonlSink(path.join(home, 'e.jsonl'));
    sink.write([{ id: 'a', export: { flow_run: { id: 'a' } } }]);
    const r = sink.write([{ id: 'b', export: { flow_run: { id: 'b' } } }, { id: 'c', export: { flow_run: { id: 'c' } } }]);
    sink.keepOnly(r.start, r.end, new Set(['c']));
    expect(fs.readFileSync(sink.file, 'utf8')).toBe('{"flow_run":{"id":"a"}}\n{"flow_run":{"id":"c"}}\n');
    sink.truncate(r.start);
    expect(fs.readFileSync(sink.file, 'utf8')).toBe('{"flow_run":{"id":"a"}}\n');
    sink.close();
  });
});

describe('mapLimit', () => {
  it('reports an error only after every call in flight has answered', async () => {
    const finished: number[] = [];
    const p = mapLimit([1, 2, 3, 4, 5], 3, async (n) => {
      if (n === 1) throw new Error('first fails');
      await new Promise((r) => setTimeout(r, 30));
      finished.push(n);
      return n;
    });
    await expect(p).rejects.toThrow('first fails');
    expect(finished.sort()).toEqual([2, 3]); // in flight when 1 failed; 4 and 5 never started
  });
});
