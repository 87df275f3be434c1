/**
 * Purge on a SQLite-backed Prefect server: the same predicate, plan and batches as on Postgres, on
 * Prefect's SQLite encoding (UUIDs as text, timestamps as naive UTC "YYYY-MM-DD HH:MM:SS.ffffff",
 * booleans as 0/1, JSON as text). Writes go through the target's writable handle, which enforces
 * foreign keys so states and task runs cascade. SQLite has no row locks: BEGIN IMMEDIATE serialises
 * us with the Prefect server, and the predicate in the DELETE is the re-check.
 */
import type Database from 'better-sqlite3';
import type { PurgeFilter, PurgeImpact } from '../../../shared/domain/purge';
import { AppError } from '../../../shared/errors';
import { SqliteTarget } from '../targets/sqlite';
import type { PurgeBackend } from './backends';
import type { BatchOptions, BatchResult, Deleter } from './deleter';
import { resolveDeployments, resolveQueueIds, type DeploymentName, type QueueRow } from './names';
import type { ResolvedPurgeFilter } from './predicate-pg';
import { selectAndSummarise, type Candidate } from './summarise';

/** ISO instant -> Prefect's SQLite timestamp text, so comparisons are plain string comparisons. */
export function toSqliteTimestamp(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}000`;
}

export function fromSqliteTimestamp(text: string | null): string | null {
  if (!text) return null;
  return new Date(text.replace(' ', 'T') + (/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? '' : 'Z')).toISOString();
}

function predicate(f: ResolvedPurgeFilter): { sql: string; params: Record<string, unknown> } {
  return {
    sql: `fr.state_type = 'SCHEDULED'
      AND fr.state_name IN (SELECT value FROM json_each(@stateNames))
      AND fr.run_count = 0
      AND fr.next_scheduled_start_time < @cutoff
      AND (@includeManual = 1 OR fr.auto_scheduled = 1)
      AND (json_array_length(@deploymentIds) = 0 OR fr.deployment_id IN (SELECT value FROM json_each(@deploymentIds)))
      AND (json_array_length(@workQueueIds) = 0 OR fr.work_queue_id IN (SELECT value FROM json_each(@workQueueIds)))
      AND NOT EXISTS (SELECT 1 FROM json_each(@tags) t WHERE t.value NOT IN (SELECT value FROM json_each(fr.tags)))`,
    params: {
      stateNames: JSON.stringify(f.stateNames),
      cutoff: toSqliteTimestamp(f.cutoff),
      includeManual: f.includeManual ? 1 : 0,
      deploymentIds: JSON.stringify(f.deploymentIds),
      workQueueIds: JSON.stringify(f.workQueueIds),
      tags: JSON.stringify(f.tags),
    },
  };
}

function resolveNames(db: Database.Database, filter: PurgeFilter): { deploymentIds: string[]; workQueueIds: string[]; names: Map<string, string> } {
  const deps = db.prepare(`SELECT d.id AS id, f.name || '/' || d.name AS fullName, d.name AS name FROM deployment d JOIN flow f ON f.id = d.flow_id`).all() as DeploymentName[];
  const wantQueues = filter.workPools.length > 0 || filter.workQueues.length > 0;
  const queues = wantQueues ? (db.prepare('SELECT wq.id AS id, wq.name AS queue, wp.name AS pool FROM work_queue wq JOIN work_pool wp ON wp.id = wq.work_pool_id').all() as QueueRow[]) : [];
  return {
    deploymentIds: resolveDeployments(filter.deployments, deps),
    workQueueIds: resolveQueueIds(filter.workPools, filter.workQueues, queues),
    names: new Map(deps.map((d) => [d.id, d.fullName])),
  };
}

function impactOf(db: Database.Database, ids: string[]): PurgeImpact {
  const count = (sql: string) => {
    let n = 0;
    // json_each over a large array parameter, in chunks to keep each statement small.
    for (let i = 0; i < ids.length; i += 5000) {
      n += (db.prepare(sql).get(JSON.stringify(ids.slice(i, i + 5000))) as { n: number }).n;
    }
    return n;
  };
  return {
    flowRuns: ids.length,
    flowRunStates: count('SELECT count(*) AS n FROM flow_run_state WHERE flow_run_id IN (SELECT value FROM json_each(?))'),
    taskRuns: count('SELECT count(*) AS n FROM task_run WHERE flow_run_id IN (SELECT value FROM json_each(?))'),
    taskRunStates: count('SELECT count(*) AS n FROM task_run_state WHERE task_run_id IN (SELECT id FROM task_run WHERE flow_run_id IN (SELECT value FROM json_each(?)))'),
    logs: count('SELECT count(*) AS n FROM log WHERE flow_run_id IN (SELECT value FROM json_each(?))'),
    artifacts: count('SELECT count(*) AS n FROM artifact WHERE flow_run_id IN (SELECT value FROM json_each(?))'),
    flowRunInputs: count('SELECT count(*) AS n FROM flow_run_input WHERE flow_run_id IN (SELECT value FROM json_each(?))'),
  };
}

export function openSqliteBackend(file: string): PurgeBackend {
  const target = new SqliteTarget(file);
  return {
    executor: 'sql',
    notes: ['SQLite: each batch takes the database write lock briefly; the Prefect server waits for it.'],
    serverNow: async () => new Date(),
    async plan(filter, cutoff) {
      return target.readOnly((db) => {
        const { deploymentIds, workQueueIds, names } = resolveNames(db, filter);
        const resolved: ResolvedPurgeFilter = { cutoff, stateNames: filter.stateNames, includeManual: filter.includeManual, deploymentIds, workQueueIds, tags: filter.tags, keepNewest: filter.keepNewest };
        const pred = predicate(resolved);
        const rows = db
          .prepare(
            `SELECT fr.id, fr.deployment_id, fr.name, fr.state_name, fr.next_scheduled_start_time AS scheduled, fr.auto_scheduled, fr.work_queue_name,
                    row_number() OVER (PARTITION BY fr.deployment_id ORDER BY fr.next_scheduled_start_time DESC, fr.id DESC) AS rn
               FROM flow_run fr WHERE ${pred.sql}
              ORDER BY fr.next_scheduled_start_time, fr.id`,
          )
          .all(pred.params) as { id: string; deployment_id: string | null; name: string; state_name: string; scheduled: string | null; auto_scheduled: number; work_queue_name: string | null; rn: number }[];
        const all: Candidate[] = rows.map((r) => ({
          id: r.id,
          deploymentId: r.deployment_id,
          name: r.name,
          stateName: r.state_name,
          scheduledStart: fromSqliteTimestamp(r.scheduled),
          autoScheduled: r.auto_scheduled === 1,
          workQueue: r.work_queue_name,
          rankNewest: r.rn,
        }));
        const summary = selectAndSummarise(all, filter.keepNewest, names);
        const impact = impactOf(db, summary.candidates.map((c) => c.id));
        return { resolved, serverNow: new Date().toISOString(), ...summary, impact, bytesEstimate: null };
      });
    },
    deleter: (resolved, createdBefore) => sqliteDeleter(target, resolved, createdBefore),
    close: async () => target.close(),
  };
}

/**
 * Keyed artifacts: point each artifact_collection row that named a deleted artifact at the newest
 * remaining artifact of its key, or remove it when none remains, as Prefect does when it deletes an
 * artifact (prefect/server/models/artifacts.py `delete_artifact`). Runs inside the batch's write
 * transaction, after the artifacts are gone.
 */
function repointCollections(db: Database.Database, goneArtifactIds: readonly string[]): void {
  if (!goneArtifactIds.length) return;
  const affected = db
    .prepare('SELECT key, latest_id FROM artifact_collection WHERE latest_id IN (SELECT value FROM json_each(?))')
    .all(JSON.stringify(goneArtifactIds)) as { key: string; latest_id: string }[];
  const newest = db.prepare('SELECT * FROM artifact WHERE key = ? ORDER BY created DESC, id DESC LIMIT 1');
  const repoint = db.prepare(
    `UPDATE artifact_collection SET latest_id = @id, data = @data, description = @description, type = @type, created = @created,
            updated = @updated, flow_run_id = @flow_run_id, task_run_id = @task_run_id, metadata_ = @metadata_
      WHERE key = @key AND latest_id = @old`,
  );
  const remove = db.prepare('DELETE FROM artifact_collection WHERE key = ? AND latest_id = ?');
  for (const c of affected) {
    const n = newest.get(c.key) as Record<string, unknown> | undefined;
    if (n) repoint.run({ id: n.id, data: n.data, description: n.description, type: n.type, created: n.created, updated: n.updated, flow_run_id: n.flow_run_id, task_run_id: n.task_run_id, metadata_: n.metadata_, key: c.key, old: c.latest_id });
    else remove.run(c.key, c.latest_id);
  }
}

function sqliteDeleter(target: SqliteTarget, resolved: ResolvedPurgeFilter, createdBefore: string): Deleter {
  const pred = predicate(resolved);
  const created = toSqliteTimestamp(createdBefore);
  return {
    kind: 'sql',
    maxBatch: 2000,
    async deleteBatch(ids: string[], opts: BatchOptions): Promise<BatchResult> {
      if (opts.signal.aborted) throw new AppError('CANCELLED', 'Cancelled by the user.');
      return target.write((db) => {
        const params = { ...pred.params, ids: JSON.stringify(ids), created };
        const victims = (
          db.prepare(`SELECT fr.id FROM flow_run fr WHERE fr.id IN (SELECT value FROM json_each(@ids)) AND ${pred.sql} AND fr.created <= @created`).all(params) as { id: string }[]
        ).map((r) => r.id);
        if (!victims.length) return { deleted: [], logs: 0, artifacts: 0 };
        const v = JSON.stringify(victims);
        let exported: Map<string, unknown> | null = null;
        if (opts.wantExport) {
          const runRows = db.prepare('SELECT * FROM flow_run WHERE id IN (SELECT value FROM json_each(?))').all(v) as Array<{ id: string }>;
          const states = db.prepare('SELECT * FROM flow_run_state WHERE flow_run_id IN (SELECT value FROM json_each(?)) ORDER BY timestamp').all(v) as Array<{ flow_run_id: string }>;
          exported = new Map(runRows.map((r) => [r.id, { flow_run: r, states: states.filter((s) => s.flow_run_id === r.id) }]));
        }
        const logs = db.prepare('DELETE FROM log WHERE flow_run_id IN (SELECT value FROM json_each(?))').run(v).changes;
        const goneArtifacts = db.prepare('DELETE FROM artifact WHERE flow_run_id IN (SELECT value FROM json_each(?)) RETURNING id').pluck().all(v) as string[];
        repointCollections(db, goneArtifacts);
        // The predicate again inside the write lock: the authoritative re-check.
        const deletedIds = (
          db.prepare(`DELETE FROM flow_run AS fr WHERE fr.id IN (SELECT value FROM json_each(@ids)) AND ${pred.sql} RETURNING id`).all({ ...pred.params, ids: v }) as { id: string }[]
        ).map((r) => r.id);
        const deleted = deletedIds.map((id) => (exported ? { id, export: exported.get(id) } : { id }));
        const artifacts = goneArtifacts.length;
        if (opts.beforeCommit && deleted.length) opts.beforeCommit({ victims: deleted, logs, artifacts });
        return { deleted, logs, artifacts };
      });
    },
    async stillMatching(ids) {
      return target.readOnly((db) => new Set((db.prepare(`SELECT fr.id FROM flow_run fr WHERE fr.id IN (SELECT value FROM json_each(@ids)) AND ${pred.sql}`).all({ ...pred.params, ids: JSON.stringify(ids) }) as { id: string }[]).map((r) => r.id)));
    },
    async existing(ids) {
      return target.readOnly((db) => new Set((db.prepare('SELECT id FROM flow_run WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids)) as { id: string }[]).map((r) => r.id)));
    },
    async children(ids) {
      return target.readOnly((db) => {
        const v = JSON.stringify(ids);
        const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE flow_run_id IN (SELECT value FROM json_each(?))`).get(v) as { n: number }).n;
        return { logs: count('log'), artifacts: count('artifact') };
      });
    },
    async recount() {
      return target.readOnly((db) => (db.prepare(`SELECT count(*) AS n FROM flow_run fr WHERE ${pred.sql}`).get(pred.params) as { n: number }).n);
    },
    isTransient: (e) => e instanceof AppError && e.code === 'SQLITE' && /locked/i.test(e.message),
    close: async () => target.close(),
  };
}
