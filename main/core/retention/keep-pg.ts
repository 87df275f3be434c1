/**
 * --keep-newest N: the newest N matching runs of each deployment (runs without a deployment form one
 * group) stay. They are found once, at plan time, by walking the plan's runs newest first through
 * the end_time index in read-only pages (no deployment_id index exists on Prefect 3.1.6 to 3.8.x,
 * docs/prefect.md §6), and frozen with the plan: N per deployment, a few thousand ids at most.
 */
import type { PostgresTarget } from '../targets/postgres';
import { END_TEXT, Params, topLevelPg } from './predicate-pg';
import type { ResolvedRetention } from './types';

const PAGE = 20_000;

export async function keepNewestPg(target: PostgresTarget, r: ResolvedRetention, signal?: AbortSignal): Promise<{ ids: string[]; scanned: number }> {
  const n = r.keepNewest;
  if (n <= 0) return { ids: [], scanned: 0 };
  const groups = new Map<string, string[]>();
  const wanted = r.deploymentIds.length ? r.deploymentIds : null;
  let cursor: { end: string; id: string } | null = null;
  let scanned = 0;
  for (;;) {
    const ps = new Params();
    const pred = topLevelPg(r, ps, []);
    const after: string = cursor
      ? ` AND fr.end_time <= ${ps.p(cursor.end)}::timestamptz AND (fr.end_time < ${ps.p(cursor.end)}::timestamptz OR fr.id < ${ps.p(cursor.id)}::uuid)`
      : '';
    const rows: Array<{ id: string; dep: string | null; end_text: string }> = await target.readOnly(
      (q) =>
        q<{ id: string; dep: string | null; end_text: string }>(
          `SELECT fr.id::text AS id, fr.deployment_id::text AS dep, ${END_TEXT} AS end_text FROM flow_run fr
            WHERE ${pred}${after} ORDER BY fr.end_time DESC, fr.id DESC LIMIT ${ps.p(PAGE)}`,
          ps.values,
        ),
      { ...(signal ? { signal } : {}), statementTimeoutMs: 120_000 },
    );
    for (const row of rows) {
      const key = row.dep ?? '';
      const list = groups.get(key) ?? [];
      if (list.length < n) {
        list.push(row.id);
        groups.set(key, list);
      }
    }
    scanned += rows.length;
    if (rows.length < PAGE) break;
    if (wanted && wanted.every((d) => (groups.get(d)?.length ?? 0) >= n)) break;
    const last: { id: string; end_text: string } = rows[rows.length - 1]!;
    cursor = { end: last.end_text, id: last.id };
  }
  return { ids: [...groups.values()].flat(), scanned };
}
