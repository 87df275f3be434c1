/**
 * The journaled batch loop shared by purge (a frozen list of run ids) and retention (phases of
 * cursors walking Prefect's indexes). What is the same for both lives here; what a batch is and how
 * it is journaled stays with each feature:
 * - before each batch: cancel check, the cross-process lease re-checked (lease.ts), pause point;
 * - a transient failure (lock timeout, dropped connection) halves the batch, waits with backoff and
 *   settles what the failed batch may have committed before trying again (at most 8 times running);
 * - settling a batch left pending by a killed run is retried on transient errors too;
 * - the adaptive batch size (batch-size.ts) and the kill-point test hook.
 * A kill at any point resumes with exact totals because each feature journals its pending batch
 * just before the server's COMMIT and settles it on the next start (see purge/run-batches.ts and
 * retention/loop.ts for what "settle" means to each).
 */
import { AppError } from '../../../shared/errors';
import type { Logger } from '../log/logger';
import { BatchSizer, percentile } from './batch-size';

export const MAX_TRANSIENT_RETRIES = 8;

/** A batch function's answer when there was nothing left to do (no batch was sent). */
export const NOTHING_LEFT: unique symbol = Symbol('nothing-left');

export function abortIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof AppError ? signal.reason : new AppError('CANCELLED', 'Cancelled by the user.');
}

/** Resolves after `ms`, or at once when the signal aborts (the caller checks the signal next). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}

/** Backoff before the nth retry of a failed batch (n from 1) and before the nth retry of a settle (n from 0). */
export const batchBackoffMs = (n: number): number => 100 * 2 ** n;
export const settleBackoffMs = (n: number): number => 250 * 2 ** Math.min(n, 5);

/**
 * The name of a kill point as HOUSEKEEPER_TEST_KILL_AT spells it: purge uses "before-commit:N",
 * retention "retention:before-commit:N" (tag ''), so one variable can aim at either.
 */
export function killPointName(tag: string, point: 'before-commit' | 'after-commit', batchNo: number): string {
  return `${tag ? `${tag}:` : ''}${point}:${batchNo}`;
}

/**
 * TEST HOOK (integration tests only, never set in production): HOUSEKEEPER_TEST_KILL_AT=<name>
 * SIGKILLs this process at that point of its Nth batch, to prove that the journal settles exactly.
 * "before-commit": the batch is journaled, the server has not committed; "after-commit": the server
 * committed, the local journal has not heard. A round's own count can be named too:
 * "retention/events:after-commit:1" is the first batch of retention's events phase that sent a
 * delete (BatchEngine.killPoint).
 */
export function testKillPoint(tag: string, point: 'before-commit' | 'after-commit', batchNo: number, round?: { name: string; batchNo: number }): void {
  const at = process.env.HOUSEKEEPER_TEST_KILL_AT;
  if (!at) return;
  if (at === killPointName(tag, point, batchNo) || (round && at === killPointName(`${tag}/${round.name}`, point, round.batchNo))) process.kill(process.pid, 'SIGKILL');
}

/** p99 of batch durations in whole milliseconds (null before the first batch). */
export function p99(batchMs: readonly number[]): number | null {
  const v = percentile(batchMs, 99);
  return v === null ? null : Math.round(v);
}

/** A sizer for one phase: `initial` and `min` clamped into [.., max]. */
export function phaseSizer(targetMs: number, min: number, initial: number, max: number): BatchSizer {
  return new BatchSizer(targetMs, Math.min(min, max), max, Math.min(initial, max));
}

export interface EngineOptions {
  signal: AbortSignal;
  pausePoint?: () => Promise<void>;
  /** Re-checked before every batch: throws when this process no longer holds the plan (lease.ts). */
  leaseCheck?: () => void;
  isTransient(e: unknown): boolean;
  /** Settles a batch that a killed run (retrying false) or a failed attempt (true) left pending. */
  settle(retrying: boolean): Promise<void>;
  /** Kill-point tag ('' for purge, 'retention'). */
  killTag: string;
  log: Logger;
}

export interface BatchRound<R> {
  /** The round's name for the kill-point hook (retention: its phase). */
  name?: string;
  sizer: BatchSizer;
  /**
   * Sends one batch of at most `size` units (the feature journals it before its COMMIT and calls
   * `killPoint('before-commit')` there). NOTHING_LEFT: nothing was sent, the round is over.
   */
  attempt(size: number, batchNo: number): Promise<R | typeof NOTHING_LEFT>;
  /** Journals a committed batch; false ends the round. */
  committed(result: R, elapsedMs: number): Promise<boolean> | boolean;
  /** After a transient failure was settled, before the next try (re-read what settle changed). */
  retried?(): void;
}

/** Runs rounds of batches; the batch count runs on across rounds (retention's phases). */
export class BatchEngine {
  #batchNo = 0;
  /** The current round, with the number of its batches that sent a delete (see killPoint). */
  #round: { name: string; batchNo: number } | undefined;
  #sentThisBatch = false;

  constructor(private readonly o: EngineOptions) {}

  get batchNo(): number {
    return this.#batchNo;
  }

  /**
   * The kill-point hook at `point` of the current batch. A round's own count ("retention/events:
   * after-commit:1") counts only the batches that reached before-commit: a walk over a table without
   * an index (event_resources on SQLite before 3.9) can send empty batches first, and a kill aimed
   * at "the first batch of the phase" means the first one with a delete in flight.
   */
  killPoint(point: 'before-commit' | 'after-commit'): void {
    if (point === 'before-commit' && !this.#sentThisBatch) {
      this.#sentThisBatch = true;
      if (this.#round) this.#round.batchNo++;
    }
    testKillPoint(this.o.killTag, point, this.#batchNo, this.#sentThisBatch ? this.#round : undefined);
  }

  /** Settles what a stopped run left (a start or a resume), retrying transient errors. */
  async settle(retrying = false): Promise<void> {
    const { signal } = this.o;
    for (let attempt = 0; ; attempt++) {
      abortIfCancelled(signal);
      try {
        await this.o.settle(retrying);
        return;
      } catch (e) {
        if (!this.o.isTransient(e) || attempt >= MAX_TRANSIENT_RETRIES) throw e;
        await sleep(settleBackoffMs(attempt), signal);
      }
    }
  }

  /** Batches until the round says it is over. */
  async run<R>(round: BatchRound<R>): Promise<void> {
    const { signal, sizer } = { signal: this.o.signal, sizer: round.sizer };
    this.#round = round.name === undefined ? undefined : { name: round.name, batchNo: 0 };
    let transient = 0;
    for (;;) {
      abortIfCancelled(signal);
      this.o.leaseCheck?.();
      await this.o.pausePoint?.();
      this.#batchNo++;
      this.#sentThisBatch = false;
      const t0 = performance.now();
      let r: R | typeof NOTHING_LEFT;
      try {
        r = await round.attempt(sizer.size, this.#batchNo);
      } catch (e) {
        if (!signal.aborted && this.o.isTransient(e) && transient < MAX_TRANSIENT_RETRIES) {
          transient++;
          sizer.backOff();
          this.o.log.info(`batch failed transiently (${(e as Error).message}); retrying with ${sizer.size}`);
          await sleep(batchBackoffMs(transient), signal);
          // A lock timeout rolled the batch back; a dropped connection may have lost the answer to a
          // COMMIT that went through: settle before the next try.
          await this.settle(true);
          round.retried?.();
          continue;
        }
        throw e;
      }
      if (r === NOTHING_LEFT) {
        this.#batchNo--;
        return;
      }
      this.killPoint('after-commit');
      transient = 0;
      if (!(await round.committed(r, performance.now() - t0))) return;
    }
  }
}
