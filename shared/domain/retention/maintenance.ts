/**
 * After a retention: what the tables look like, and what gives the disk back. Plain VACUUM makes the
 * deleted rows' space reusable without blocking Prefect; only a rewrite shrinks the files: pg_repack
 * (online; brief exclusive locks) when its extension and client are installed, else VACUUM FULL
 * (exclusive lock for the whole rewrite, after a typed confirmation).
 */
import { z } from 'zod';

export const RETENTION_TABLES = [
  'flow_run',
  'flow_run_state',
  'task_run',
  'task_run_state',
  'log',
  'artifact',
  'artifact_collection',
  'flow_run_input',
  'events',
  'event_resources',
] as const;
export const RetentionTableSchema = z.enum(RETENTION_TABLES);
export type RetentionTable = z.infer<typeof RetentionTableSchema>;

export const REPACK_LOCKS =
  'pg_repack copies the table while Prefect keeps reading and writing it. It takes an ACCESS EXCLUSIVE lock twice, each for a moment: at the start (to add the trigger that records changes made during the copy) and at the end (to swap in the new files); in between it holds a SHARE UPDATE EXCLUSIVE lock, which blocks only VACUUM, ANALYZE and schema changes. Housekeeper runs it with --no-kill-backend: when a Prefect session holds the table, pg_repack waits up to --wait-timeout and then gives up instead of cancelling that session. It needs free disk for a full copy of the table and its indexes.';

export const VACUUM_FULL_LOCKS =
  'VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock held for the whole rewrite: every query on the table, reads included, waits until it ends. The Prefect API, the scheduler and the workers stall on it for minutes on a big table. It needs free disk for the new copy. Run it in a maintenance window; Housekeeper gives up after 5 s if it cannot get the lock, so it never queues in front of Prefect for long.';

export const TableStateSchema = z.object({
  table: z.string(),
  totalBytes: z.number(),
  heapBytes: z.number(),
  liveRows: z.number(),
  deadRows: z.number(),
  lastVacuum: z.string().nullable(),
  /** Estimated bytes only a rewrite returns to the OS (null: unknown). */
  freeBytes: z.number().nullable(),
  verdict: z.enum(['fine', 'vacuum', 'rewrite']),
  reason: z.string(),
});
export type TableState = z.infer<typeof TableStateSchema>;

export const RepackStatusSchema = z.object({
  /** Installed extension version in this database (null: not created). */
  extension: z.string().nullable(),
  /** The server has the extension's files (CREATE EXTENSION would work). */
  available: z.boolean(),
  client: z.object({ path: z.string(), version: z.string() }).nullable(),
  superuser: z.boolean(),
  usable: z.boolean(),
  reason: z.string(),
  install: z.array(z.string()),
  locks: z.string(),
});
export type RepackStatus = z.infer<typeof RepackStatusSchema>;

export const MaintenanceViewSchema = z.object({
  backend: z.enum(['postgres', 'sqlite', 'api']),
  tables: z.array(TableStateSchema),
  repack: RepackStatusSchema.nullable(),
  vacuumFullLocks: z.string(),
  sqlite: z.object({ file: z.string(), bytes: z.number(), freeBytes: z.number(), diskFreeBytes: z.number() }).nullable(),
  notes: z.array(z.string()),
});
export type MaintenanceView = z.infer<typeof MaintenanceViewSchema>;

const MIB = 1024 * 1024;
/** Same thresholds as the Overview's verdict (main/core/inspect/verdict.ts): half the table and 64 MiB. */
export function tableVerdict(heapBytes: number, freeBytes: number | null, deadRows: number, liveRows: number): { verdict: TableState['verdict']; reason: string } {
  if (heapBytes < 8 * MIB) return { verdict: 'fine', reason: 'Small: not worth a maintenance action.' };
  const deadShare = deadRows / Math.max(1, deadRows + liveRows);
  if (freeBytes !== null && freeBytes >= 64 * MIB && freeBytes >= heapBytes * 0.5) {
    return { verdict: 'rewrite', reason: 'At least half the file is free or dead space: vacuum makes it reusable, only a rewrite (pg_repack, or VACUUM FULL) shrinks the file.' };
  }
  if (deadShare >= 0.1) return { verdict: 'vacuum', reason: `${Math.round(deadShare * 100)} % of the rows are dead: VACUUM makes the space reusable.` };
  return { verdict: 'fine', reason: 'Little dead or free space.' };
}
