/**
 * Small helpers shared by the Postgres inspection sections.
 */
import { AppError } from '../../../shared/errors';
import type { Query } from '../targets/postgres';

/**
 * Runs an optional part of a section inside a savepoint: if it fails (a view this role may not read,
 * a column an older Prefect lacks, a statement timeout) the transaction survives and the section
 * reports what it could. Connection-level failures and cancels still propagate.
 */
export async function optional<T>(q: Query, name: string, fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: AppError }> {
  await q(`SAVEPOINT ${name}`);
  try {
    const value = await fn();
    await q(`RELEASE SAVEPOINT ${name}`);
    return { ok: true, value };
  } catch (e) {
    const ae = e instanceof AppError ? e : new AppError('PG_QUERY', (e as Error).message, { cause: e });
    if (ae.code === 'PG_CONNECT' || ae.code === 'CANCELLED') throw ae;
    await q(`ROLLBACK TO SAVEPOINT ${name}`);
    return { ok: false, error: ae };
  }
}

/**
 * The overview must never read flow_run, flow_run_state or log end to end: every query is written to
 * be served by an index. The planner does not know that rule and, on a table where the filtered rows
 * are a large share (a huge Late backlog), may still judge a full scan cheaper for this one query.
 * Switching sequential scans off for our own read-only transaction makes it take the index path it
 * has; it cannot invent an index that does not exist (such a plan still shows a Seq Scan, which the
 * EXPLAIN integration test catches). Statement timeouts bound the rest.
 */
export async function preferIndexes(q: Query): Promise<void> {
  await q(`SELECT set_config('enable_seqscan', 'off', true)`);
}

export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
