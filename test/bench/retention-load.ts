/**
 * The retention benchmark's probes: a load generator calling the live Prefect API the way a worker
 * and the UI do, and a sampler of a process's memory and CPU time (/proc/<pid>/status and stat).
 *
 * Load: three independent loops, one request in flight each, a short pause between calls so a
 * phase of a minute gives a few hundred samples per endpoint (enough for a p99):
 *   - GET /api/health                                   (load balancers, `prefect server` checks)
 *   - POST /api/flow_runs/filter, newest 50 by expected start (the UI's runs list)
 *   - POST /api/work_pools/<pool>/get_scheduled_flow_runs (a worker's poll)
 * A failed or timed-out call counts as an error and its time is still recorded (a stall is the
 * thing being measured, not noise to drop).
 */
import fs from 'node:fs';

export interface Latencies {
  /** Milliseconds per endpoint. */
  byEndpoint: Record<string, number[]>;
  errors: number;
  seconds: number;
}

export const quantile = (xs: number[], q: number): number => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

export const allOf = (l: Latencies): number[] => Object.values(l.byEndpoint).flat();

export interface LoadGenerator {
  stop(): Promise<Latencies>;
}

const PAUSE_MS = 100;
const TIMEOUT_MS = 30_000;

export function startLoad(apiUrl: string, pool: string): LoadGenerator {
  const byEndpoint: Record<string, number[]> = { health: [], filter: [], poll: [] };
  let errors = 0;
  let stopped = false;
  const t0 = performance.now();
  const call = async (name: string, method: 'GET' | 'POST', path: string, body?: () => unknown): Promise<void> => {
    while (!stopped) {
      const started = performance.now();
      try {
        const res = await fetch(`${apiUrl}${path}`, {
          method,
          headers: body ? { 'content-type': 'application/json' } : {},
          ...(body ? { body: JSON.stringify(body()) } : {}),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        await res.arrayBuffer();
        if (!res.ok) errors++;
      } catch {
        errors++;
      }
      byEndpoint[name]!.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, PAUSE_MS));
    }
  };
  const loops = [
    call('health', 'GET', '/health'),
    call('filter', 'POST', '/flow_runs/filter', () => ({ sort: 'EXPECTED_START_TIME_DESC', limit: 50, offset: 0 })),
    call('poll', 'POST', `/work_pools/${encodeURIComponent(pool)}/get_scheduled_flow_runs`, () => ({
      scheduled_before: new Date(Date.now() + 10_000).toISOString(),
      limit: 10,
    })),
  ];
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return { byEndpoint, errors, seconds: (performance.now() - t0) / 1000 };
    },
  };
}

export interface ProcessSampler {
  /**
   * Peak resident set (VmHWM) in bytes, the RSS samples taken (bytes), and the CPU seconds the
   * process had used (user + system) at the last sample: on a 2-core machine the client's own CPU
   * competes with the Prefect server it is cleaning.
   */
  stop(): { peakBytes: number; samples: number[]; cpuSeconds: number };
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function cpuSecondsOf(pid: number): number | null {
  try {
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

function statusKb(pid: number, field: string): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null; // the process has exited
  }
}

/** Samples VmRSS and CPU time every `everyMs`, and keeps the kernel's own high-water mark (VmHWM) as the peak. */
export function sampleProcess(pid: number, everyMs = 200): ProcessSampler {
  const samples: number[] = [];
  let peak = 0;
  let cpu = 0;
  const tick = (): void => {
    const c = cpuSecondsOf(pid);
    if (c !== null) cpu = c;
    const rss = statusKb(pid, 'VmRSS');
    const hwm = statusKb(pid, 'VmHWM');
    if (rss !== null) samples.push(rss);
    if (hwm !== null) peak = Math.max(peak, hwm);
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return { peakBytes: peak, samples, cpuSeconds: cpu };
    },
  };
}
