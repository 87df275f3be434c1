/**
 * Live state of long-running jobs (purges, vacuums, schedule rebuilds). Main throttles
 * `jobs.progress` to about ten a second and always delivers `jobs.finished`, so the store simply
 * keeps the latest payload per job id. One subscription is shared by every component that asks.
 */
import { useSyncExternalStore } from 'react';
import type { JobFinished, JobProgress } from '../../shared/domain/jobs';
import { call, on } from './client';

export type JobState = JobProgress | JobFinished;

let jobs = new Map<string, JobState>();
const listeners = new Set<() => void>();
let unsubscribe: (() => void) | null = null;

function set(state: JobState): void {
  const prev = jobs.get(state.jobId);
  // A late progress event must not overwrite the final state.
  if (prev && 'error' in prev && !('error' in state)) return;
  jobs = new Map(jobs).set(state.jobId, state);
  listeners.forEach((l) => l());
}

function start(): void {
  if (unsubscribe) return;
  const offProgress = on('jobs.progress', set);
  const offFinished = on('jobs.finished', set);
  unsubscribe = () => {
    offProgress();
    offFinished();
  };
  // Jobs already running when the window opened (or reloaded).
  call('jobs.list', {}).then(
    (list) => list.forEach((j) => !jobs.has(j.jobId) && set(j)),
    () => undefined,
  );
}

function subscribe(listener: () => void): () => void {
  start();
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && unsubscribe) {
      unsubscribe();
      unsubscribe = null;
    }
  };
}

const snapshot = () => jobs;

/** Every job this window knows about, newest first. */
export function useJobs(): JobState[] {
  const map = useSyncExternalStore(subscribe, snapshot);
  return [...map.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** One job's latest state, or undefined until its first event arrives. */
export function useJob(jobId: string | null | undefined): JobState | undefined {
  const map = useSyncExternalStore(subscribe, snapshot);
  return jobId ? map.get(jobId) : undefined;
}

export function isFinished(job: JobState): job is JobFinished {
  return 'error' in job;
}
