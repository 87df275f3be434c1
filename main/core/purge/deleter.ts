/** What each executor (Postgres SQL, SQLite SQL, Prefect API) provides to the shared batch loop. */
export interface DeletedRun {
  id: string;
  /** The flow_run row (and its states, SQL executors), when exporting. */
  export?: unknown;
}

export interface BatchResult {
  deleted: DeletedRun[];
  logs: number;
  artifacts: number;
  /** Runs left for a later batch without counting an attempt (API: a limited deployment's slots). */
  deferred?: string[];
}

/** The batch as it stands just before the server commits it. */
export interface PreparedBatch {
  /** The runs whose deletion is about to commit (with their export rows when exporting). */
  victims: DeletedRun[];
  /** Their logs and artifacts that go with them (logs null: not countable through the API). */
  logs: number | null;
  artifacts: number;
}

export interface BatchOptions {
  signal: AbortSignal;
  /**
   * Called once the victims are locked (SQL) or claimed (API), before the server commits their
   * deletion: the loop writes the export and journals the pending batch durably here. Throwing
   * aborts the batch (the SQL transaction rolls back; the API executor deletes nothing).
   */
  beforeCommit?: (batch: PreparedBatch) => void;
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
  /**
   * Logs and artifacts that still belong to `ids` (settling a batch whose commit we did not see:
   * what it deleted is what was counted before it minus what is left). Logs null: not countable.
   */
  children(ids: string[], signal: AbortSignal): Promise<{ logs: number | null; artifacts: number }>;
  /**
   * API only, in place of `existing` when settling a pending batch: first finishes the deletion of
   * the victims that are still there and still hold this plan's claim (a batch whose answer was
   * lost), then returns the ones still there. Settling must not hand such a run back as pending: an
   * earlier DELETE of it may still be queued on the server, land later, and the run would then look
   * deleted by someone else.
   */
  existingAfterFinishing?(ids: string[], signal: AbortSignal): Promise<Set<string>>;
  /** Runs that match the plan's filter and cutoff now (the verification recount). */
  recount(signal: AbortSignal): Promise<number>;
  /** Largest batch this executor accepts (the API's bulk_delete takes 50). */
  readonly maxBatch: number;
  /** Batch duration the adaptive size aims at (default 200 ms, the SQL lock budget). */
  readonly targetBatchMs?: number;
  /** Whether an error is a transient lock/timeout worth a smaller retry. */
  isTransient(e: unknown): boolean;
  close(): Promise<void>;
}
