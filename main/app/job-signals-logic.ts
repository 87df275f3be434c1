/**
 * What the taskbar/dock progress bar and the system notification say about long jobs, from the job
 * runner's events (shared/domain/jobs.ts). Pure; main/app/job-signals.ts applies it to the window.
 * Only the jobs a user waits for show up: purges, schedule changes and VACUUM (job kinds `purge`,
 * `schedules.*`, `vacuum`); short reads such as an exact measurement do not.
 */
import type { JobFinished, JobProgress } from '../../shared/domain/jobs';

export function isSignalled(kind: string): boolean {
  return kind === 'purge' || kind === 'vacuum' || kind.startsWith('schedules.');
}

export function jobLabel(kind: string): string {
  if (kind === 'purge') return 'Purge';
  if (kind === 'vacuum') return 'VACUUM';
  if (kind.startsWith('schedules.')) return 'Schedule change';
  return 'Job';
}

/** setProgressBar's arguments: -1 removes the bar, >1 is indeterminate, otherwise a fraction. */
export interface ProgressSignal {
  value: number;
  mode: 'normal' | 'paused' | 'indeterminate' | 'none';
}

export interface Notice {
  title: string;
  body: string;
}

export class JobSignals {
  #running = new Map<string, JobProgress>();

  progress(p: JobProgress): ProgressSignal {
    if (isSignalled(p.kind)) {
      if (p.status === 'running' || p.status === 'paused') this.#running.set(p.jobId, p);
      else this.#running.delete(p.jobId);
    }
    return this.current();
  }

  finished(f: JobFinished): { progress: ProgressSignal; notice: Notice | null } {
    const watched = isSignalled(f.kind);
    this.#running.delete(f.jobId);
    return { progress: this.current(), notice: watched ? noticeFor(f) : null };
  }

  current(): ProgressSignal {
    const jobs = [...this.#running.values()];
    if (jobs.length === 0) return { value: -1, mode: 'none' };
    const paused = jobs.every((j) => j.status === 'paused');
    if (jobs.some((j) => j.total === null || j.total <= 0)) return { value: 2, mode: 'indeterminate' };
    const total = jobs.reduce((s, j) => s + (j.total ?? 0), 0);
    const done = jobs.reduce((s, j) => s + Math.min(j.done, j.total ?? 0), 0);
    return { value: Math.min(1, Math.max(0, done / total)), mode: paused ? 'paused' : 'normal' };
  }

  /** Jobs that closing the window would stop, for the close question. */
  running(): JobProgress[] {
    return [...this.#running.values()];
  }
}

function count(n: number, total: number | null): string {
  const f = (x: number) => x.toLocaleString('en-US');
  return total !== null && total > 0 ? `${f(n)} of ${f(total)}` : f(n);
}

export function noticeFor(f: JobFinished): Notice {
  const label = jobLabel(f.kind);
  if (f.status === 'succeeded') {
    const what = f.kind === 'purge' ? `${count(f.done, f.total)} runs deleted.` : f.kind === 'vacuum' ? 'The tables were vacuumed.' : 'All changes were applied.';
    return { title: `${label} finished`, body: what };
  }
  if (f.status === 'cancelled') {
    return { title: `${label} stopped`, body: `Stopped after ${count(f.done, f.total)}. ${f.kind === 'purge' ? 'It can be resumed from the Purge screen.' : ''}`.trim() };
  }
  return { title: `${label} failed`, body: f.error?.message ?? 'See the window for details.' };
}

/** The question asked before closing the window with jobs running. */
export function closeQuestion(jobs: readonly JobProgress[]): { message: string; detail: string } {
  const names = [...new Set(jobs.map((j) => (j.kind === 'vacuum' ? 'VACUUM' : jobLabel(j.kind).toLowerCase())))];
  const message = jobs.length === 1 ? `A ${names[0]} is still running.` : `${jobs.length} jobs are still running (${names.join(', ')}).`;
  return {
    message,
    detail:
      'Quitting stops it after the current batch; nothing half-done is left behind. ' +
      'A stopped purge is journaled and can be resumed from the Purge screen the next time you open Housekeeper; ' +
      'an interrupted schedule change can be rolled back or restored from the Schedules screen.',
  };
}
