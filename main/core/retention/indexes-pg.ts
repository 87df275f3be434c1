/**
 * Which indexes this Prefect database really has, read from the catalog (valid, non-partial, by
 * their leading columns, not by name): the walk of each phase depends on them, and they differ by
 * Prefect line. `ix_flow_run__end_time_desc` is in every 3.x; `events(occurred, id)` too; but
 * `event_resources(occurred)` only came with migration bad1e352c597 (3.7.5, rebuilt when invalid
 * by c8d5f2a71b3e) and `event_resources(event_id)` with 50737cdaee36. Without the occurred index,
 * Prefect's own event vacuum falls back to a sequential scan on every pass (that migration's own
 * words); Housekeeper walks the table by block ranges instead (TID range scans, PostgreSQL 14+).
 */
import type { IndexNote } from '../../../shared/domain/retention';
import type { Query } from '../targets/postgres';

export interface IndexRow {
  tbl: string;
  idx: string;
  valid: boolean;
  partial: boolean;
  cols: string[];
}

export const INDEXES_SQL = `
SELECT t.relname AS tbl, i.relname AS idx, x.indisvalid AS valid, x.indpred IS NOT NULL AS partial,
       array(SELECT a.attname::text FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord) AS cols
  FROM pg_index x
  JOIN pg_class i ON i.oid = x.indexrelid
  JOIN pg_class t ON t.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE n.nspname = current_schema() AND t.relname = ANY($1::text[])`;

export type EventsWalk = 'occurred-id' | 'occurred' | 'blocks' | 'none';

export interface IndexPlan {
  /** flow_run(end_time …): the runs walk. */
  runsByEndTime: string | null;
  events: EventsWalk;
  eventsIndex: string | null;
  eventResources: EventsWalk;
  eventResourcesIndex: string | null;
  /** log(flow_run_id …) / artifact(flow_run_id …): the orphan walks. */
  logByRun: string | null;
  artifactByRun: string | null;
  notes: IndexNote[];
}

function find(rows: readonly IndexRow[], table: string, lead: readonly string[]): IndexRow | undefined {
  return rows.find((r) => r.tbl === table && r.valid && !r.partial && lead.every((c, i) => r.cols[i] === c));
}

function invalid(rows: readonly IndexRow[], table: string, lead: string): IndexRow | undefined {
  return rows.find((r) => r.tbl === table && !r.valid && r.cols[0] === lead);
}

export async function readIndexes(q: Query): Promise<IndexRow[]> {
  const rows = await q<IndexRow>(INDEXES_SQL, [['flow_run', 'events', 'event_resources', 'log', 'artifact']]);
  return rows.map((r) => ({ ...r, cols: Array.isArray(r.cols) ? r.cols : [] }));
}

export function planIndexes(rows: readonly IndexRow[], pgVersionNum: number): IndexPlan {
  const notes: IndexNote[] = [];
  const blocksOk = pgVersionNum >= 140000;
  const endTime = find(rows, 'flow_run', ['end_time']);
  notes.push({
    table: 'flow_run',
    index: endTime?.idx ?? 'ix_flow_run__end_time_desc',
    present: !!endTime,
    note: endTime ? 'Runs are walked oldest first through this index, keyset (end_time, id).' : 'Missing: runs cannot be walked by age without a full scan per batch.',
  });
  const evId = find(rows, 'events', ['occurred', 'id']);
  const evOcc = evId ?? find(rows, 'events', ['occurred']);
  const events: EventsWalk = evId ? 'occurred-id' : evOcc ? 'occurred' : blocksOk ? 'blocks' : 'none';
  notes.push({
    table: 'events',
    index: evOcc?.idx ?? 'ix_events__occurred_id',
    present: !!evOcc,
    note: evOcc ? 'Old events are walked through this index.' : blocksOk ? 'Missing: events are walked by block ranges (one pass over the table, in short batches).' : 'Missing, and PostgreSQL before 14 cannot walk by block range: events are left alone.',
  });
  const erOcc = find(rows, 'event_resources', ['occurred']);
  const erBad = invalid(rows, 'event_resources', 'occurred');
  const eventResources: EventsWalk = erOcc ? 'occurred' : blocksOk ? 'blocks' : 'none';
  notes.push({
    table: 'event_resources',
    index: erOcc?.idx ?? 'ix_event_resources__occurred',
    present: !!erOcc,
    note: erOcc
      ? 'Old event resources are walked through this index (Prefect 3.7.5+).'
      : `${erBad ? 'Present but INVALID (an interrupted CREATE INDEX CONCURRENTLY; Prefect migration c8d5f2a71b3e rebuilds it)' : 'Missing (added by Prefect 3.7.5, migration bad1e352c597)'}: Prefect's own event trimming scans the whole table on every pass. ${blocksOk ? 'Housekeeper walks it by block ranges instead: one pass over the table, in short batches.' : 'PostgreSQL before 14 cannot walk by block range, so event resources are left alone.'}`,
  });
  const logByRun = find(rows, 'log', ['flow_run_id']);
  const artifactByRun = find(rows, 'artifact', ['flow_run_id']);
  if (!logByRun) notes.push({ table: 'log', index: 'ix_log__flow_run_id', present: false, note: 'Missing: deleting a run\'s logs and finding orphaned logs would scan the table.' });
  return {
    runsByEndTime: endTime?.idx ?? null,
    events,
    eventsIndex: evOcc?.idx ?? null,
    eventResources,
    eventResourcesIndex: erOcc?.idx ?? null,
    logByRun: logByRun?.idx ?? null,
    artifactByRun: artifactByRun?.idx ?? null,
    notes,
  };
}
