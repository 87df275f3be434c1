/**
 * The fast path on Postgres. One batch = one short transaction that locks the planned rows still
 * matching Prefect's stale predicate (FOR UPDATE SKIP LOCKED: a row a worker is moving to PENDING is
 * skipped, and under READ COMMITTED a row updated meanwhile is re-checked against the predicate on its
 * newest version), deletes them (states, task runs and inputs cascade), and deletes their logs and
 * artifacts in the same statement, since those tables have no foreign key and would be orphaned
 * (docs/prefect.md §3), repointing the keyed artifacts' "latest" rows as Prefect does.
 */
import { collectionFixPg } from '../batches/artifact-collections';
import { AppError } from '../../../shared/errors';
import type { PostgresTarget } from '../targets/postgres';
import type { BatchOptions, BatchResult, Deleter } from './deleter';
import { stalePredicatePg, type ResolvedPurgeFilter } from './predicate-pg';

/**
 * Keyed artifacts: Prefect keeps the latest artifact of each key in artifact_collection. When it
 * deletes an artifact it points that row at the newest remaining artifact of the key, or removes the
 * row when none remains (prefect/server/models/artifacts.py `delete_artifact`). The same here, in the
 * delete statement itself (so in the same transaction). One statement sees one snapshot, so the
 * artifacts this statement deletes (`a`) are excluded by hand; the UPDATE/DELETE re-check that the
 * collection still points at a deleted artifact, so a newer artifact Prefect wrote meanwhile wins.
 */
const COLLECTION_FIX = collectionFixPg('a');

export function pgDeleter(target: PostgresTarget, resolved: ResolvedPurgeFilter, createdBefore: string): Deleter {
  const pred = stalePredicatePg(resolved);
  const n = pred.params.length;
  return {
    kind: 'sql',
    maxBatch: 5000,
    async deleteBatch(ids: string[], opts: BatchOptions): Promise<BatchResult> {
      return target.write(
        async (q) => {
          const rows = await q<{ id: string; row: unknown; states: unknown; logs: number; artifacts: number }>(
            `WITH v AS (
               SELECT fr.id FROM flow_run fr
                WHERE fr.id = ANY($${n + 1}::uuid[]) AND ${pred.sql} AND fr.created <= $${n + 2}::timestamptz
                FOR UPDATE SKIP LOCKED
             ), st AS (
               SELECT s.flow_run_id, jsonb_agg(to_jsonb(s) ORDER BY s.timestamp) AS states
                 FROM flow_run_state s JOIN v ON s.flow_run_id = v.id
                WHERE $${n + 3}::boolean
                GROUP BY s.flow_run_id
             ), d AS (
               DELETE FROM flow_run f USING v WHERE f.id = v.id
               RETURNING f.id, CASE WHEN $${n + 3}::boolean THEN to_jsonb(f) END AS row
             ), l AS (
               DELETE FROM log WHERE flow_run_id IN (SELECT id FROM d) RETURNING 1
             ), a AS (
               DELETE FROM artifact WHERE flow_run_id IN (SELECT id FROM d) RETURNING id
             ), ${COLLECTION_FIX}
             SELECT d.id::text AS id, d.row, st.states,
                    (SELECT count(*) FROM l) AS logs, (SELECT count(*) FROM a) AS artifacts,
                    (SELECT count(*) FROM coll_repointed) + (SELECT count(*) FROM coll_removed) AS collections
               FROM d LEFT JOIN st ON st.flow_run_id = d.id`,
            [...pred.params, ids, createdBefore, opts.wantExport],
          );
          const deleted = rows.map((r) => (opts.wantExport ? { id: r.id, export: { flow_run: r.row, states: r.states ?? [] } } : { id: r.id }));
          const logs = Number(rows[0]?.logs ?? 0);
          const artifacts = Number(rows[0]?.artifacts ?? 0);
          // Durable export and the pending batch first: if writing them fails, the transaction rolls
          // back and nothing is lost; if we die after COMMIT, resume finds them and settles the batch.
          if (opts.beforeCommit && deleted.length) opts.beforeCommit({ victims: deleted, logs, artifacts });
          return { deleted, logs, artifacts };
        },
        { signal: opts.signal, lockTimeoutMs: 2000, statementTimeoutMs: 60_000 },
      );
    },
    async stillMatching(ids, signal) {
      if (!ids.length) return new Set();
      const rows = await target.readOnly(
        (q) => q<{ id: string }>(`SELECT fr.id::text AS id FROM flow_run fr WHERE fr.id = ANY($${n + 1}::uuid[]) AND ${pred.sql}`, [...pred.params, ids]),
        { signal },
      );
      return new Set(rows.map((r) => r.id));
    },
    async existing(ids, signal) {
      if (!ids.length) return new Set();
      const rows = await target.readOnly((q) => q<{ id: string }>('SELECT id::text AS id FROM flow_run WHERE id = ANY($1::uuid[])', [ids]), { signal });
      return new Set(rows.map((r) => r.id));
    },
    async children(ids, signal) {
      if (!ids.length) return { logs: 0, artifacts: 0 };
      const rows = await target.readOnly(
        (q) =>
          q<{ logs: number; artifacts: number }>(
            `SELECT (SELECT count(*) FROM log WHERE flow_run_id = ANY($1::uuid[])) AS logs,
                    (SELECT count(*) FROM artifact WHERE flow_run_id = ANY($1::uuid[])) AS artifacts`,
            [ids],
          ),
        { signal },
      );
      return { logs: Number(rows[0]?.logs ?? 0), artifacts: Number(rows[0]?.artifacts ?? 0) };
    },
    async recount(signal) {
      const rows = await target.readOnly((q) => q<{ n: number }>(`SELECT count(*) AS n FROM flow_run fr WHERE ${pred.sql}`, pred.params), { signal });
      return Number(rows[0]?.n ?? 0);
    },
    /** Lock waits, serialization conflicts, timeouts and lost connections (not logins): retry. */
    isTransient(e) {
      if (!(e instanceof AppError)) return false;
      const state = typeof e.details?.sqlstate === 'string' ? e.details.sqlstate : '';
      if (e.code === 'PG_CONNECT') return !/^(28|3D)/.test(state);
      return state === '55P03' || state === '40P01' || state === '40001' || (state === '57014' && e.code !== 'CANCELLED');
    },
    close: () => target.close(),
  };
}
