/** What each executor (Postgres SQL, SQLite SQL, Prefect API) provides to the shared batch loop. */
export interface DeletedRun {
  id: string;
  /** The flow_run row and its states, when exporting. */
  export?: unknown;
}

export interface BatchResult {
  deleted: DeletedRun[];
  logs: number;
  artifacts: number;
}

export interface BatchOptions {
  signal: AbortSignal;
  /** Write the export of the deleted rows durably before the delete commits (SQL executors). */
  beforeCommit?: (deleted: DeletedRun[]) => void;
  wantExport: boolean;
}

export interface Deleter {
  readonly kind: 'sql' | 'api';
  /** Deletes those of `ids` that still match the plan's predicate, in one short transaction / call. */
  deleteBatch(ids: string[], opts: BatchOptions): Promise<BatchResult>;
  /** Of `ids`, the ones that still exist and still match (so were skipped because locked). */
  stillMatching(ids: string[], signal: AbortSignal): Promise<Set<string>>;
  /** Of `ids`, the ones that still exist at all (resolving batches in flight when a job died). */
  existing(ids: string[], signal: AbortSignal): Promise<Set<string>>;
  /** Runs that match the plan's filter and cutoff now (the verification recount). */
  recount(signal: AbortSignal): Promise<number>;
  /** Largest batch this executor accepts (the API's bulk_delete takes 50). */
  readonly maxBatch: number;
  /** Whether an error is a transient lock/timeout worth a smaller retry. */
  isTransient(e: unknown): boolean;
  close(): Promise<void>;
}
