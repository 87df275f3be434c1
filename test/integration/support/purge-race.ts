/**
 * Helpers for the purge tests of issue #11: a racing "worker" that does what a Prefect worker does
 * (propose Pending, without force, on stale runs, through the API), keyed artifacts created through
 * Prefect's own API (so artifact_collection is Prefect's), a SQLite twin of seedScenario, and the
 * local journal read back from a CLI run's store.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { HarnessInfo } from '../../harness/types';
import { PrefectHttpError, prefectApi, type HarnessApi } from '../../harness/prefect-api';
import { createWorkPool, seedDeployments, type SeededDeployment } from '../../harness/seed-api';
import { planSeed, targetsFromDeployments, type RunVolume } from '../../harness/seed-plan';
import { seedRunsSqlite } from '../../harness/seed-sqlite';

export interface WorkerResult {
  /** Runs whose move to Pending Prefect accepted: the worker owns them, they must survive. */
  accepted: string[];
  /** Proposals Prefect aborted because the run was already Pending (claimed by the purge, or gone). */
  refused: number;
  /** Proposals on runs that no longer existed (deleted before the worker got there). */
  missing: number;
  attempts: number;
  /** Proposals without an answer (timeout, dropped connection): outcome unknown. */
  unknown: string[];
}

/**
 * Proposes PENDING "Pending" (force false) on the given runs in random order, `parallel` at a time,
 * with `pauseMs` between proposals, until every run was tried once or stop() is called.
 */
export function racingWorker(api: HarnessApi, ids: readonly string[], opts: { parallel?: number; pauseMs?: number } = {}) {
  const queue = [...ids].sort(() => Math.random() - 0.5);
  const out: WorkerResult = { accepted: [], refused: 0, missing: 0, attempts: 0, unknown: [] };
  let stopped = false;
  const one = async () => {
    while (!stopped && queue.length) {
      const id = queue.pop()!;
      out.attempts++;
      // A proposal whose answer never came (timeout on a busy server) may still have been accepted:
      // the worker does not know, and neither do we, so such runs are excluded from the checks.
      const res = await api.raw('POST', `/flow_runs/${id}/set_state`, { state: { type: 'PENDING', name: 'Pending' }, force: false }).catch(() => null);
      if (!res) out.unknown.push(id);
      else if (res.status === 404) out.missing++;
      else if (res.ok) {
        const body = (await res.json()) as { status: string };
        if (body.status === 'ACCEPT') out.accepted.push(id);
        else out.refused++;
      } else out.missing++;
      if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
    }
  };
  const running = Promise.all(Array.from({ length: opts.parallel ?? 1 }, one));
  return {
    async stop(): Promise<WorkerResult> {
      stopped = true;
      await running;
      return out;
    },
    done: running.then(() => out),
  };
}

/**
 * A SQLite-backed server answers 503 while its file is locked (by a VACUUM or a seed a moment ago),
 * and uvicorn may close an idle keep-alive socket just as fetch reuses it: setup calls are retried.
 * Creating work pools and deployments is an upsert by name, so a retry is harmless.
 */
async function retryBusy<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const busy = (e instanceof PrefectHttpError && e.status === 503) || (e instanceof TypeError && /fetch failed/.test(e.message)) || (e instanceof Error && /-> 503/.test(e.message));
      if (!busy || attempt >= 5) throw e;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

/** seedScenario's twin on the harness's SQLite-backed server. */
export async function seedScenarioSqlite(h: HarnessInfo, tag: string, volume: RunVolume, deploymentCount = 2): Promise<SeededDeployment[]> {
  const api = prefectApi(h.prefectSqlite.apiUrl);
  const pool = `purge-pool-${tag}`;
  const deployments = await retryBusy(async () => {
    await createWorkPool(api, pool);
    return seedDeployments(
      api,
      Array.from({ length: deploymentCount }, (_, i) => ({
        flow: `purge-flow-${tag}`,
        name: `dep-${i}`,
        schedules: [{ schedule: { kind: 'interval' as const, interval: 120 + 60 * i } }],
        workPool: pool,
        tags: ['purge-it'],
      })),
    );
  });
  if (h.prefectSqlite.db.kind !== 'sqlite') throw new Error('the SQLite server has no file');
  seedRunsSqlite(h.prefectSqlite.db.path, planSeed(targetsFromDeployments(deployments, { weight: () => 1 }), volume));
  return deployments;
}

export function sqliteFile(h: HarnessInfo): string {
  if (h.prefectSqlite.db.kind !== 'sqlite') throw new Error('the SQLite server has no file');
  return h.prefectSqlite.db.path;
}

/** Flow runs of these deployments, through the API (any backend): id, state and run_count. */
export async function runsOf(api: HarnessApi, deploymentIds: string[]): Promise<Map<string, { id: string; state_type: string; state_name: string; run_count: number; auto_scheduled: boolean; next_scheduled_start_time: string | null; state: { message: string | null } | null }>> {
  const out = new Map();
  for (let offset = 0; ; offset += 200) {
    const page = await api.post<Array<{ id: string }>>('/flow_runs/filter', { flow_runs: { deployment_id: { any_: deploymentIds } }, limit: 200, offset, sort: 'ID_DESC' });
    for (const r of page) out.set(r.id, r);
    if (page.length < 200) return out;
  }
}

export function staleIds(runs: Map<string, { id: string; state_type: string; state_name: string; run_count: number; auto_scheduled: boolean; next_scheduled_start_time: string | null }>, cutoff: string): string[] {
  return [...runs.values()]
    .filter((r) => r.state_type === 'SCHEDULED' && ['Scheduled', 'Late'].includes(r.state_name) && r.run_count === 0 && r.auto_scheduled && r.next_scheduled_start_time !== null && Date.parse(r.next_scheduled_start_time) < Date.parse(cutoff))
    .map((r) => r.id);
}

export interface KeyedScenario {
  /** key -> what artifact_collection must say after the purge: the surviving latest id, or null (row gone). */
  expectLatest: Map<string, string | null>;
  /** Artifacts on runs the purge deletes (all must be gone after it). */
  onDoomed: string[];
  /** Artifacts on runs that stay (all must stay). */
  onKept: string[];
}

/**
 * Through Prefect's API (POST /artifacts/, which maintains artifact_collection itself), on runs that
 * stay (`kept`) and runs the purge will delete (`doomed`):
 * - k1: older on a kept run, newest on a doomed run   -> collection must point at the kept one
 * - k2: only on doomed runs                            -> collection row must be removed
 * - k3: older on a doomed run, newest on a kept run    -> collection unchanged
 * - k4: two on kept runs, none doomed, between others  -> unchanged
 * - plus unkeyed artifacts on doomed runs (deleted) and one on a kept run (kept).
 */
export async function seedKeyedArtifacts(api: HarnessApi, tag: string, kept: string[], doomed: string[]): Promise<KeyedScenario> {
  const make = async (key: string | null, runId: string) => {
    const a = await api.post<{ id: string }>('/artifacts/', { ...(key ? { key } : {}), type: 'markdown', data: `report ${key ?? 'unkeyed'} for ${runId}`, description: 'purge test', flow_run_id: runId });
    // created timestamps must differ so "newest" is unambiguous
    await new Promise((r) => setTimeout(r, 15));
    return a.id;
  };
  const k = (n: number) => `purge-${tag}-k${n}`;
  const onDoomed: string[] = [];
  const onKept: string[] = [];
  const k1old = await make(k(1), kept[0]!);
  onKept.push(k1old);
  onDoomed.push(await make(k(1), doomed[0]!));
  onDoomed.push(await make(k(2), doomed[1]!));
  onDoomed.push(await make(k(2), doomed[2]!));
  onDoomed.push(await make(k(3), doomed[3]!));
  const k3new = await make(k(3), kept[1]!);
  onKept.push(k3new);
  const k4a = await make(k(4), kept[2]!);
  onKept.push(k4a);
  onDoomed.push(await make(k(1), doomed[4]!)); // k1's newest is doomed
  const k4b = await make(k(4), kept[3]!);
  onKept.push(k4b);
  for (const id of doomed.slice(5, 15)) onDoomed.push(await make(null, id));
  onKept.push(await make(null, kept[4]!));
  return {
    expectLatest: new Map([
      [k(1), k1old],
      [k(2), null],
      [k(3), k3new],
      [k(4), k4b],
    ]),
    onDoomed,
    onKept,
  };
}

/** artifact_collection as Prefect serves it (POST /artifacts/latest/filter): latest_id, or null when the row is gone. */
export async function latestOf(api: HarnessApi, key: string): Promise<string | null> {
  const rows = await api.post<Array<{ key: string; latest_id: string }>>('/artifacts/latest/filter', { artifacts: { key: { any_: [key] } }, limit: 10 });
  if (rows.length > 1) throw new Error(`two artifact_collection rows for ${key}`);
  return rows[0]?.latest_id ?? null;
}

export async function artifactExists(api: HarnessApi, id: string): Promise<boolean> {
  const res = await api.raw('GET', `/artifacts/${id}`);
  return res.ok;
}

/** The local store of a CLI run (HOUSEKEEPER_HOME), read-only. */
export function readJournal(home: string): { planId: string; byRun: Map<string, number>; totals: { logs: number; artifacts: number; batches: number }; exportFile: string | null; pendingBatch: { ids: string[] } | null } | null {
  const file = path.join(home, 'housekeeper.db');
  if (!fs.existsSync(file)) return null;
  let db: BetterSqlite3.Database | null = null;
  try {
    db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    const plan = db.prepare('SELECT id, deleted_logs, deleted_artifacts, batches, export_file, pending_batch FROM purge_plan ORDER BY created_at DESC LIMIT 1').get() as
      | { id: string; deleted_logs: number; deleted_artifacts: number; batches: number; export_file: string | null; pending_batch: string | null }
      | undefined;
    if (!plan) return null;
    const rows = db.prepare('SELECT run_id, state FROM purge_plan_run WHERE plan_id = ?').all(plan.id) as { run_id: string; state: number }[];
    return { planId: plan.id, byRun: new Map(rows.map((r) => [r.run_id, r.state])), totals: { logs: plan.deleted_logs, artifacts: plan.deleted_artifacts, batches: plan.batches }, exportFile: plan.export_file, pendingBatch: plan.pending_batch ? (JSON.parse(plan.pending_batch) as { ids: string[] }) : null };
  } catch {
    return null; // being created or migrated
  } finally {
    db?.close();
  }
}

/** A log line and an unkeyed artifact for each run, written into the running server's SQLite file. */
export function addLogsAndArtifactsSqlite(file: string, runIds: readonly string[]): void {
  const db = new BetterSqlite3(file);
  try {
    db.pragma('busy_timeout = 30000');
    const now = new Date().toISOString().replace('T', ' ').replace('Z', '000');
    const log = db.prepare("INSERT INTO log (id, created, updated, name, level, flow_run_id, message, timestamp) VALUES (?, ?, ?, 'prefect.flow_runs.worker', 40, ?, 'Failed to submit flow run: worker crashed', ?)");
    const art = db.prepare("INSERT INTO artifact (id, created, updated, key, type, data, flow_run_id) VALUES (?, ?, ?, NULL, 'markdown', '\"submission report\"', ?)");
    db.transaction(() => {
      for (const id of runIds) {
        log.run(crypto.randomUUID(), now, now, id, now);
        art.run(crypto.randomUUID(), now, now, id);
      }
    }).immediate();
  } finally {
    db.close();
  }
}

export function countSqlite(file: string, table: 'log' | 'artifact' | 'flow_run', runIds: readonly string[]): number {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    const col = table === 'flow_run' ? 'id' : 'flow_run_id';
    return (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${col} IN (SELECT value FROM json_each(?))`).get(JSON.stringify(runIds)) as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Splits a command line printed by Housekeeper (plain words and single-quoted words). */
export function splitCommand(line: string): string[] {
  const out: string[] = [];
  const re = /'((?:[^']|'\\'')*)'|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]!);
  return out;
}
