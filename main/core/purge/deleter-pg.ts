/**
 * The fast path on Postgres. One batch = one short transaction that locks the planned rows still
 * matching Prefect's stale predicate (FOR UPDATE SKIP LOCKED: a row a worker is moving to PENDING is
 * skipped, and under READ COMMITTED a row updated meanwhile is re-checked against the predicate on its
 * newest version), deletes them (states, task runs and inputs cascade), and deletes their logs and
 * artifacts in the same statement, since those tables have no foreign key and would be orphaned
 * (docs/prefect.md §3).
 */
import { AppError } from '../../../shared/errors';
import type { PostgresTarget } from '../targets/postgres';
import type { BatchOptions, BatchResult, Deleter } from './deleter';
import { stalePredicatePg, type ResolvedPurgeFilter } from './predicate-pg';

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
               DELETE FROM artifact WHERE flow_run_id IN (SELECT id FROM d) RETURNING 1
             )
             SELECT d.id::text AS id, d.row, st.states,
                    (SELECT count(*) FROM l) AS logs, (SELECT count(*) FROM a) AS artifacts
               FROM d LEFT JOIN st ON st.flow_run_id = d.id`,
            [...pred.params, ids, createdBefore, opts.wantExport],
          );
          const deleted = rows.map((r) => (opts.wantExport ? { id: r.id, export: { flow_run: r.row, states: r.states ?? [] } } : { id: r.id }));
          // Durable export first: if writing it fails, the transaction rolls back and nothing is lost.
          if (opts.beforeCommit && deleted.length) opts.beforeCommit(deleted);
          return { deleted, logs: Number(rows[0]?.logs ?? 0), artifacts: Number(rows[0]?.artifacts ?? 0) };
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
