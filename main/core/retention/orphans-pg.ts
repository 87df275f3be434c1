/**
 * Orphaned logs and artifacts (their flow run is gone: left by plain DELETEs, by interrupted
 * cleanups, by older Prefect versions). Beyond what a flow-run retention strictly needs; the same
 * walk as Prefect's own orphan vacuum (services/db_vacuum.py `_delete_orphaned_by_flow_run`): the
 * distinct flow_run_id values are walked in key order through the flow_run_id index (a loose index
 * scan, one probe per distinct value), checked against pk_flow_run, and only the rows of run ids that
 * do not exist are deleted, re-checked at delete time. Never the anti-join over the whole table.
 */
import { collectionFixPg } from '../batches/artifact-collections';
import type { PostgresTarget } from '../targets/postgres';
import type { Step, StepResult } from './types';

const TX = { lockTimeoutMs: 2_000, statementTimeoutMs: 60_000 };

/** The next `$2` distinct flow_run_id values after `$1` (fixed table names only). */
function distinctSql(table: 'log' | 'artifact'): string {
  return `WITH RECURSIVE ids AS (
            (SELECT t.flow_run_id AS id FROM ${table} t WHERE t.flow_run_id > $1::uuid ORDER BY t.flow_run_id LIMIT 1)
            UNION ALL
            SELECT (SELECT t.flow_run_id FROM ${table} t WHERE t.flow_run_id > ids.id ORDER BY t.flow_run_id LIMIT 1)
              FROM ids WHERE ids.id IS NOT NULL
          )
          SELECT id::text AS id, NOT EXISTS (SELECT 1 FROM flow_run fr WHERE fr.id = ids.id) AS orphan
            FROM ids WHERE id IS NOT NULL LIMIT $2`;
}

export function orphansStepPg(target: PostgresTarget, table: 'log' | 'artifact'): Step {
  const phase = table === 'log' ? 'orphan-logs' : 'orphan-artifacts';
  return {
    phase,
    minBatch: 50,
    initialBatch: 500,
    maxBatch: 20_000,
    async run(cursorIn, size, ctx): Promise<StepResult> {
      const cursor = (cursorIn as string | undefined) ?? '00000000-0000-0000-0000-000000000000';
      return target.write(
        async (q) => {
          const ids = await q<{ id: string; orphan: boolean }>(distinctSql(table), [cursor, size]);
          if (!ids.length) return { done: true, cursorAfter: cursor, delta: {}, units: 0, prepared: false };
          const cursorAfter = ids[ids.length - 1]!.id;
          const orphans = ids.filter((x) => x.orphan).map((x) => x.id);
          if (!orphans.length) return { done: false, cursorAfter, delta: {}, units: ids.length, prepared: false };
          const [{ xid } = { xid: '' }] = await q<{ xid: string }>('SELECT txid_current()::text AS xid');
          let delta;
          if (table === 'log') {
            const r = await q.result(
              'DELETE FROM log l WHERE l.flow_run_id = ANY($1::uuid[]) AND NOT EXISTS (SELECT 1 FROM flow_run fr WHERE fr.id = l.flow_run_id)',
              [orphans],
            );
            delta = { orphanLogs: r.rowCount, batches: 1 };
          } else {
            const [r] = await q<{ n: number; repointed: number; removed: number }>(
              `WITH gone AS (DELETE FROM artifact a WHERE a.flow_run_id = ANY($1::uuid[]) AND NOT EXISTS (SELECT 1 FROM flow_run fr WHERE fr.id = a.flow_run_id) RETURNING a.id),
               ${collectionFixPg('gone')}
               SELECT (SELECT count(*) FROM gone) AS n, (SELECT count(*) FROM coll_repointed) AS repointed, (SELECT count(*) FROM coll_removed) AS removed`,
              [orphans],
            );
            delta = { orphanArtifacts: Number(r?.n ?? 0), collectionsRepointed: Number(r?.repointed ?? 0), collectionsRemoved: Number(r?.removed ?? 0), batches: 1 };
          }
          ctx.beforeCommit({ xid, victims: [], delta, cursorAfter, retry: [] });
          return { done: false, cursorAfter, delta, units: ids.length, prepared: true };
        },
        { signal: ctx.signal, ...TX },
      );
    },
  };
}
