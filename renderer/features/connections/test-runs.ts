/**
 * The latest test of each saved connection in this window, so a row keeps its result while the user
 * moves around, and a connection added from a discovered setup is tested straight away.
 */
import { useSyncExternalStore } from 'react';
import type { TestReport } from '../../../shared/domain/connection';
import { call, type ClientError } from '../../api/client';
import { toClientError } from '../../api/errors';

export interface TestRun {
  running: boolean;
  report: TestReport | null;
  error: ClientError | null;
  /** Open the report under the row without a click (a test the user did not start from the row). */
  reveal: boolean;
}

let runs = new Map<string, TestRun>();
const listeners = new Set<() => void>();

function put(id: string, run: TestRun): void {
  runs = new Map(runs).set(id, run);
  listeners.forEach((l) => l());
}

export async function runSavedTest(id: string, opts: { reveal?: boolean } = {}): Promise<void> {
  const prev = runs.get(id);
  const reveal = opts.reveal ?? false;
  put(id, { running: true, report: prev?.report ?? null, error: null, reveal });
  try {
    put(id, { running: false, report: await call('connections.test', { id }), error: null, reveal });
  } catch (e) {
    put(id, { running: false, report: null, error: toClientError(e), reveal });
  }
}

/** Saving from the form keeps the form's last report for the row (when it tested the same draft). */
export function rememberTest(id: string, report: TestReport): void {
  put(id, { running: false, report, error: null, reveal: false });
}

export function forgetTest(id: string): void {
  if (!runs.has(id)) return;
  runs = new Map(runs);
  runs.delete(id);
  listeners.forEach((l) => l());
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function useTestRun(id: string): TestRun | undefined {
  return useSyncExternalStore(subscribe, () => runs).get(id);
}
