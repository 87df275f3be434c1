/**
 * After an apply: do the runs the scheduler now creates for each written schedule start at or after
 * the apply and fall on the new schedule's times? Polls the server (the recent-deployments loop
 * fills resumed deployments within seconds; the main loop within loop_seconds). Runs off the new
 * lattice are future runs of the old schedule inserted by a scheduler pass that raced the change
 * (PrefectHQ/prefect#17703): they are deleted, as Prefect itself deletes future runs on any
 * schedule change.
 */
import type { StoredSchedule, Verify } from '../../../shared/domain/schedules';
import { formatInstant, parseInstant } from '../../../shared/schedules/instant';
import { toSchedule } from '../../../shared/schedules/occurrences';
import { AppError } from '../../../shared/errors';
import type { SchedulesApi } from './api';
import { onLattice } from './list';

export interface VerifyTarget {
  deploymentId: string;
  label: string;
  schedule: StoredSchedule;
}

export interface VerifyOptions {
  since: number;
  anchor: number | null;
  timeoutMs: number;
  pollMs?: number;
  signal?: AbortSignal;
  report?: (done: number, total: number) => void;
}

export async function verifyRuns(api: SchedulesApi, targets: VerifyTarget[], o: VerifyOptions): Promise<Verify[]> {
  const results = new Map<string, Verify>();
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    for (const t of targets) {
      if (results.get(t.schedule.id)?.status === 'ok') continue;
      const siblings = targets.filter((x) => x.deploymentId === t.deploymentId).map((x) => x.schedule);
      results.set(t.schedule.id, await checkOne(api, t, siblings, o));
    }
    const done = [...results.values()].filter((v) => v.status === 'ok').length;
    o.report?.(done, targets.length);
    if (done === targets.length || Date.now() >= deadline) break;
    await sleep(o.pollMs ?? 1000, o.signal);
  }
  return targets.map((t) => results.get(t.schedule.id)!);
}

async function checkOne(api: SchedulesApi, t: VerifyTarget, siblings: StoredSchedule[], o: VerifyOptions): Promise<Verify> {
  const base = { scheduleId: t.schedule.id, deploymentId: t.deploymentId, label: t.label };
  const s = toSchedule(t.schedule.schedule);
  // This schedule's runs, however the server lets us tell them (api.ts scheduleRuns).
  const runs = await api.scheduleRuns(t.deploymentId, t.schedule, siblings, new Date(o.since - 1000).toISOString(), o.signal);
  const timed = runs.map((r) => ({ r, at: parseInstant(r.next_scheduled_start_time ?? '') })).filter((x) => !Number.isNaN(x.at));
  const stray = timed.filter((x) => !onLattice(s, x.at));
  let removed = 0;
  for (const x of stray) {
    if (!x.r.auto_scheduled || x.r.run_count !== 0) continue;
    try {
      await api.api.request('DELETE', `/flow_runs/${x.r.id}`, undefined, o.signal ? { signal: o.signal } : {});
      removed++;
    } catch (e) {
      if (!(e instanceof AppError && e.details?.status === 404)) throw e;
    }
  }
  const good = timed.filter((x) => onLattice(s, x.at)).sort((a, b) => a.at - b.at);
  const beforeAnchor = o.anchor === null ? 0 : good.filter((x) => x.at < o.anchor!).length;
  const first = good[0] ? formatInstant(good[0].at, s.timezone ?? 'UTC') : null;
  if (good.length === 0) {
    return { ...base, status: stray.length && removed < stray.length ? 'mismatch' : 'pending', runs: 0, first: null, offLattice: stray.length, beforeAnchor: 0, message: removed ? `Removed ${removed} runs of the old schedule; no new runs yet.` : 'No runs yet: the scheduler has not filled it.' };
  }
  const notes = [stray.length === removed ? 'all on the new times, none before the change' : `${stray.length - removed} not on the new times`];
  if (removed) notes.push(`removed ${removed} runs of the old schedule that a scheduler pass added meanwhile`);
  if (beforeAnchor) notes.push(`${beforeAnchor} before the anchor (an anchor in the future does not delay runs)`);
  return { ...base, status: removed < stray.length ? 'mismatch' : 'ok', runs: good.length, first, offLattice: stray.length - removed, beforeAnchor, message: notes.join('; ') };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AppError('CANCELLED', 'Cancelled by the user.'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AppError('CANCELLED', 'Cancelled by the user.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
