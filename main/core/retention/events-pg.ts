/**
 * Old events on Postgres, as Prefect's db_vacuum deletes them (services/db_vacuum.py
 * `vacuum_old_events`): event_resources by their own `occurred` first (the event's timestamp,
 * copied; there is no foreign key), then events by `occurred`. Every row older than the frozen
 * cutoff goes, so the walks only ever move forward:
 * - through an index on occurred (events: (occurred, id), keyset), one short DELETE per batch;
 * - without one (event_resources before Prefect 3.7.5), by block ranges: `ctid >= '(a,0)' AND
 *   ctid < '(b,0)'` is a TID range scan (PostgreSQL 14+) that reads just those blocks, so the whole
 *   table is read once, in short batches, instead of once per batch.
 * Nothing updates events, so no row locks are taken beyond the DELETE's own.
 */
import type { PostgresTarget } from '../targets/postgres';
import type { EventsWalk } from './indexes-pg';
import type { Step, StepResult } from './types';

const TX = { lockTimeoutMs: 2_000, statementTimeoutMs: 60_000 };
const OCC_TEXT = (a: string) => `to_char(${a}.occurred AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

interface OccCursor {
  at: string;
  id?: string;
}
interface BlockCursor {
  block: number;
  /** The table's size in blocks when the phase started: pages past it hold only new rows. */
  end: number;
}

export function eventsStepPg(target: PostgresTarget, table: 'events' | 'event_resources', walk: EventsWalk, cutoff: string): Step {
  const phase = table === 'events' ? 'events' : 'event-resources';
  const key = table === 'events' ? 'events' : 'eventResources';
  if (walk === 'blocks') {
    return {
      phase,
      minBatch: 8,
      initialBatch: 128,
      maxBatch: 16_384,
      async run(cursorIn, size, ctx): Promise<StepResult> {
        let cursor = cursorIn as BlockCursor | undefined;
        if (!cursor) {
          const [r] = await target.query<{ blocks: number }>(`SELECT (pg_relation_size($1::regclass) / current_setting('block_size')::int)::int8 AS blocks`, [table]);
          cursor = { block: 0, end: Number(r?.blocks ?? 0) };
        }
        if (cursor.block >= cursor.end) return { done: true, cursorAfter: cursor, delta: {}, units: 0, prepared: false };
        const hi = Math.min(cursor.end, cursor.block + size);
        const cursorAfter: BlockCursor = { block: hi, end: cursor.end };
        return target.write(
          async (q) => {
            const [{ xid } = { xid: '' }] = await q<{ xid: string }>('SELECT txid_current()::text AS xid');
            // Identifiers are the two fixed table names above, never input.
            const r = await q.result(`DELETE FROM ${table} t WHERE t.ctid >= $1::tid AND t.ctid < $2::tid AND t.occurred < $3::timestamptz`, [`(${cursor.block},0)`, `(${hi},0)`, cutoff]);
            const delta = { [key]: r.rowCount, batches: 1 };
            if (r.rowCount > 0) ctx.beforeCommit({ xid, victims: [], delta, cursorAfter, retry: [] });
            return { done: false, cursorAfter, delta, units: hi - cursor.block, prepared: r.rowCount > 0 };
          },
          { signal: ctx.signal, ...TX },
        );
      },
    };
  }
  return {
    phase,
    minBatch: 50,
    initialBatch: 1000,
    maxBatch: 20_000,
    async run(cursorIn, size, ctx): Promise<StepResult> {
      const cursor = cursorIn as OccCursor | undefined;
      const byId = walk === 'occurred-id';
      return target.write(
        async (q) => {
          const [{ xid } = { xid: '' }] = await q<{ xid: string }>('SELECT txid_current()::text AS xid');
          const after = byId
            ? `t.occurred >= $2::timestamptz AND (t.occurred > $2::timestamptz OR t.id > $3::uuid)`
            : `t.occurred >= $2::timestamptz AND $3::text IS NOT NULL`;
          const order = byId ? 't.occurred, t.id' : 't.occurred';
          const rows = await q<{ n: number; deleted: number; last_at: string | null; last_id: string | null }>(
            `WITH page AS (SELECT t.ctid AS tid, t.id, t.occurred FROM ${table} t
                            WHERE t.occurred < $1::timestamptz AND ${after} ORDER BY ${order} LIMIT $4),
                  d AS (DELETE FROM ${table} t WHERE t.ctid = ANY(ARRAY(SELECT tid FROM page)) AND t.occurred < $1::timestamptz RETURNING 1),
                  lst AS (SELECT ${OCC_TEXT('p')} AS last_at, p.id::text AS last_id FROM page p ORDER BY ${order.replace(/t\./g, 'p.')} DESC LIMIT 1)
             SELECT (SELECT count(*) FROM page) AS n, (SELECT count(*) FROM d) AS deleted, (SELECT last_at FROM lst) AS last_at, (SELECT last_id FROM lst) AS last_id`,
            [cutoff, cursor?.at ?? '-infinity', cursor?.id ?? '00000000-0000-0000-0000-000000000000', size],
          );
          const r = rows[0];
          const n = Number(r?.n ?? 0);
          if (!n || !r?.last_at) return { done: true, cursorAfter: cursor, delta: {}, units: 0, prepared: false };
          const cursorAfter: OccCursor = byId ? { at: r.last_at, id: r.last_id ?? undefined } : { at: r.last_at };
          const deleted = Number(r.deleted);
          const delta = { [key]: deleted, batches: 1 };
          if (deleted > 0) ctx.beforeCommit({ xid, victims: [], delta, cursorAfter, retry: [] });
          return { done: false, cursorAfter, delta, units: n, prepared: deleted > 0 };
        },
        { signal: ctx.signal, ...TX },
      );
    },
  };
}
