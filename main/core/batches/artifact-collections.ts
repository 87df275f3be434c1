/**
 * Keyed artifacts: Prefect keeps the latest artifact of each key in artifact_collection. When it
 * deletes an artifact it points that row at the newest remaining artifact of the key, or removes the
 * row when none remains (prefect/server/models/artifacts.py `delete_artifact`); its db_vacuum
 * reconciles stale rows the same way (services/db_vacuum.py `_reconcile_artifact_collections`).
 *
 * Neutral home for every feature that deletes artifacts in bulk (retention uses it; the purge's
 * copy in main/core/purge/deleter-pg.ts and backend-sqlite.ts can switch to it).
 */
import type Database from 'better-sqlite3';

/**
 * CTEs to append to a data-modifying WITH whose CTE `gone` is `DELETE FROM artifact ... RETURNING
 * id`. One statement sees one snapshot, so the artifacts it deletes are excluded by hand when
 * looking for the next latest; the UPDATE/DELETE re-check that the collection still points at a
 * deleted artifact, so a newer artifact Prefect wrote meanwhile wins. Defines `coll_repointed`
 * and `coll_removed` (one row each per collection row changed).
 */
export function collectionFixPg(gone: string): string {
  return `coll_affected AS (
               SELECT c.id, c.key, c.latest_id FROM artifact_collection c WHERE c.latest_id IN (SELECT id FROM ${gone})
             ), coll_next AS (
               SELECT DISTINCT ON (x.key) x.id, x.key, x.data, x.description, x.type, x.created, x.updated, x.flow_run_id, x.task_run_id, x.metadata_
                 FROM artifact x JOIN coll_affected f ON x.key = f.key
                WHERE x.id NOT IN (SELECT id FROM ${gone})
                ORDER BY x.key, x.created DESC, x.id DESC
             ), coll_repointed AS (
               UPDATE artifact_collection c
                  SET latest_id = n.id, data = n.data, description = n.description, type = n.type, created = n.created,
                      updated = n.updated, flow_run_id = n.flow_run_id, task_run_id = n.task_run_id, metadata_ = n.metadata_
                 FROM coll_affected f JOIN coll_next n ON n.key = f.key
                WHERE c.id = f.id AND c.latest_id = f.latest_id
               RETURNING 1
             ), coll_removed AS (
               DELETE FROM artifact_collection c USING coll_affected f
                WHERE c.id = f.id AND c.latest_id = f.latest_id AND NOT EXISTS (SELECT 1 FROM coll_next n WHERE n.key = f.key)
               RETURNING 1
             )`;
}

/** SQLite: the same repair, inside the batch's write transaction, after the artifacts are gone. */
export function repointCollectionsSqlite(db: Database.Database, goneArtifactIds: readonly string[]): { repointed: number; removed: number } {
  const out = { repointed: 0, removed: 0 };
  if (!goneArtifactIds.length) return out;
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
    if (n) {
      out.repointed += repoint.run({ id: n.id, data: n.data, description: n.description, type: n.type, created: n.created, updated: n.updated, flow_run_id: n.flow_run_id, task_run_id: n.task_run_id, metadata_: n.metadata_, key: c.key, old: c.latest_id }).changes;
    } else {
      out.removed += remove.run(c.key, c.latest_id).changes;
    }
  }
  return out;
}
