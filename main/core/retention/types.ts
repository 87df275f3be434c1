/**
 * The pieces every retention backend (Postgres SQL, SQLite SQL, Prefect API) provides to the shared,
 * journaled phase loop (loop.ts). A step deletes one short batch per call and says where its cursor
 * goes; it never holds the plan's rows in memory: a plan of five million runs is a cutoff, a filter
 * and a cursor walking an index.
 */
import type { Count, IndexNote, RetentionImpact, RetentionPhase, RetentionSampleRow, RetentionTotals, TerminalStateType } from '../../../shared/domain/retention';
import type { RetentionPendingBatch } from '../../store/repos/retention';

/** The plan's predicate with names resolved to ids, frozen at plan time. */
export interface ResolvedRetention {
  /** Runs whose end_time is before this (ISO). */
  cutoff: string;
  stateTypes: TerminalStateType[];
  deploymentIds: string[];
  keepNewest: number;
  /** Events that occurred before this (ISO); null when events are not part of the plan. */
  eventsCutoff: string | null;
  orphans: boolean;
}

/** A batch as it stands just before the server commits it: journaled durably by the loop. */
export interface PreparedBatch {
  xid: string | null;
  victims: string[];
  delta: Partial<RetentionTotals>;
  cursorAfter: unknown;
  retry: string[];
  /** Retry-phase runs this batch settles (deleted or no longer matching). */
  retryDone?: string[];
  /** One export line per deleted run, when exporting (runs phases only). */
  exportLines?: unknown[];
}

export interface StepContext {
  signal: AbortSignal;
  wantExport: boolean;
  /** Called inside the server transaction just before COMMIT; throwing rolls the batch back. */
  beforeCommit(b: PreparedBatch): void;
  /** The retry phase: runs found locked earlier (fewest attempts first). */
  retryIds(limit: number): Array<{ id: string; attempts: number }>;
}

export interface StepResult {
  /** Nothing left in this phase (the cursor reached the end). */
  done: boolean;
  cursorAfter: unknown;
  delta: Partial<RetentionTotals>;
  /** Units of work in this batch (rows of the page), for the batch sizer; 0 when done. */
  units: number;
  /** Whether beforeCommit ran (a batch that deleted nothing commits its cursor directly). */
  prepared: boolean;
  retry?: string[];
  retryDone?: string[];
  retryBump?: string[];
}

export interface Step {
  phase: RetentionPhase;
  minBatch: number;
  initialBatch: number;
  maxBatch: number;
  /** One batch from `cursor` (this phase's own cursor shape; undefined at the start). */
  run(cursor: unknown, size: number, ctx: StepContext): Promise<StepResult>;
}

export interface RetentionExecution {
  /** The phases in order, from the first one of this plan. */
  steps: Step[];
  /** Whether a pending batch left by a killed run committed on the server. */
  committed(pending: RetentionPendingBatch, signal: AbortSignal): Promise<boolean>;
  /**
   * For executors whose batches can commit in part (the API: bulk_delete then the artifacts): what
   * the pending batch did (finishing its idempotent tail), and which victims are gone; null: nothing.
   */
  resolvePending?(pending: RetentionPendingBatch, signal: AbortSignal): Promise<{ delta: Partial<RetentionTotals>; gone: string[] } | null>;
  /** Matching runs and events left after the run (null: not countable cheaply). */
  recount(signal: AbortSignal): Promise<{ runs: number | null; events: number | null }>;
  isTransient(e: unknown): boolean;
  close(): Promise<void>;
}

/** What a plan needs from a backend, whatever it talks to. */
export interface PlanInput {
  cutoff: string;
  eventsCutoff: string | null;
  stateTypes: ResolvedRetention['stateTypes'];
  deployments: string[];
  keepNewest: number;
  orphans: boolean;
}

export interface BackendPlan {
  resolved: ResolvedRetention;
  keepIds: string[];
  runs: Count;
  byState: Array<{ stateType: string; count: number }>;
  oldestEnd: string | null;
  newestEnd: string | null;
  sample: RetentionSampleRow[];
  impact: RetentionImpact;
  bytesEstimate: number | null;
  kept: number;
  indexNotes: IndexNote[];
  notes: string[];
}

export interface RetentionBackend {
  kind: 'postgres' | 'sqlite' | 'api';
  executor: 'sql' | 'api';
  /** Limits and caveats of this path, for the plan. */
  notes: string[];
  serverNow(signal?: AbortSignal): Promise<Date>;
  plan(input: PlanInput, signal?: AbortSignal): Promise<BackendPlan>;
  execution(r: ResolvedRetention, keep: readonly string[]): Promise<RetentionExecution>;
  close(): Promise<void>;
}
