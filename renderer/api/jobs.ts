/**
 * Live state of long-running jobs of every kind (purges, vacuums, schedule changes, measurements),
 * shared by the jobs tray and the screens that started them. It starts from `jobs.list` (the journal:
 * open jobs of every Housekeeper process and recently finished ones, so a reload or another screen
 * loses nothing) and follows `jobs.progress` / `jobs.finished`, which main throttles to about ten a
 * second. The list is read again after each finish (a stopped purge becomes resumable) and every few
 * seconds for jobs run by another process (a CLI purge sends no events here).
 */
import { useSyncExternalStore } from 'react';
import type { JobFinished, JobProgress, JobView } from '../../shared/domain/jobs';
import { call, on } from './client';

export type JobState = JobView & { result?: unknown };

let jobs = new Map<string, JobState>();
const listeners = new Set<() => void>();
let unsubscribe: (() => void) | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | null = null;
let poll: ReturnType<typeof setInterval> | null = null;
let fetched = false;
export const JOBS_POLL_MS = 5000;

function publish(next: Map<string, JobState>): void {
  jobs = next;
  listeners.forEach((l) => l());
}

function onProgress(p: JobProgress): void {
  const prev = jobs.get(p.jobId);
  // A late progress event must not reopen a job that has ended.
  if (prev && prev.finishedAt && prev.updatedAt >= p.updatedAt) return;
  publish(new Map(jobs).set(p.jobId, { ...prev, ...p, finishedAt: null, error: null, here: true, resumable: false }));
}

function onFinished(f: JobFinished): void {
  const prev = jobs.get(f.jobId);
  publish(new Map(jobs).set(f.jobId, { ...prev, ...f, finishedAt: f.updatedAt, here: false, resumable: prev?.resumable ?? false }));
  scheduleRefresh(300);
}

/** Reads the journal's view; keeps results that only events carry. */
export function refreshJobs(): Promise<void> {
  return call('jobs.list', {}).then(
    (list) => {
      fetched = true;
      const next = new Map(jobs);
      for (const v of list) {
        const prev = next.get(v.jobId);
        // Live events can be newer than the journal row (it is written on the same throttle).
        const fresher = prev && !prev.finishedAt && v.status === prev.status && prev.updatedAt > v.updatedAt ? { done: prev.done, rate: prev.rate, etaSeconds: prev.etaSeconds, phase: prev.phase, message: prev.message } : {};
        next.set(v.jobId, { ...v, ...fresher, ...(prev && 'result' in prev ? { result: prev.result } : {}) });
      }
      publish(next);
    },
    () => undefined,
  );
}

function scheduleRefresh(ms: number): void {
  if (refreshTimer) clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    void refreshJobs();
  }, ms);
}

function start(): void {
  if (unsubscribe) return;
  const offProgress = on('jobs.progress', onProgress);
  const offFinished = on('jobs.finished', onFinished);
  poll = setInterval(() => void refreshJobs(), JOBS_POLL_MS);
  unsubscribe = () => {
    offProgress();
    offFinished();
    if (poll) clearInterval(poll);
    poll = null;
  };
  void refreshJobs();
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

/** Every job the tray knows about, newest first. */
export function useJobs(): JobState[] {
  const map = useSyncExternalStore(subscribe, snapshot);
  return [...map.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** Whether the first `jobs.list` has answered (the tray says "no jobs" only after it). */
export function jobsLoaded(): boolean {
  return fetched;
}

/** One job's latest state, or undefined until the list or its first event arrives. */
export function useJob(jobId: string | null | undefined): JobState | undefined {
  const map = useSyncExternalStore(subscribe, snapshot);
  return jobId ? map.get(jobId) : undefined;
}

/** The job has ended (succeeded, failed, cancelled) or stopped with its process (interrupted). */
export function isFinished(job: Pick<JobState, 'status'>): boolean {
  return job.status !== 'running' && job.status !== 'paused';
}

/** Tray actions. Each resolves once main answered; the store follows through events and the list. */
export const jobActions = {
  pause: (jobId: string) => call('jobs.pause', { jobId }).then(() => scheduleRefresh(100)),
  resume: (jobId: string) => call('jobs.resume', { jobId }).then((r) => {
    scheduleRefresh(100);
    return r;
  }),
  cancel: (jobId: string) => call('jobs.cancel', { jobId }).then(() => scheduleRefresh(100)),
};
