/**
 * The shared batch engine's pure logic (main/core/batches/engine.ts): rounds, batch numbering across
 * rounds (retention's phases), cancel / lease / pause before every batch, transient failures (backoff,
 * settle, re-read, give up after 8), settle retries, kill-point names, the sizer per phase. Batches
 * here are plain functions (unit tests only); the real executors run in test/integration.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../shared/errors';
import { BatchEngine, killPointName, MAX_TRANSIENT_RETRIES, NOTHING_LEFT, p99, phaseSizer, type EngineOptions } from '../../main/core/batches/engine';
import { BatchSizer } from '../../main/core/batches/batch-size';
import type { Logger } from '../../main/core/log/logger';

const quiet: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined, child: () => quiet };
class Transient extends Error {}

function engine(over: Partial<EngineOptions> = {}, signal = new AbortController().signal): { e: BatchEngine; settles: boolean[] } {
  const settles: boolean[] = [];
  const e = new BatchEngine({
    signal,
    isTransient: (x) => x instanceof Transient,
    settle: async (retrying) => {
      settles.push(retrying);
    },
    killTag: 'retention',
    log: quiet,
    ...over,
  });
  return { e, settles };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('BatchEngine rounds', () => {
  it('runs batches until nothing is left; an empty pick is not counted as a batch', async () => {
    const { e } = engine();
    let left = 5;
    const seen: Array<[number, number]> = [];
    await e.run({
      sizer: new BatchSizer(200, 1, 2, 2),
      attempt: async (size, n) => {
        if (left === 0) return NOTHING_LEFT;
        const k = Math.min(size, left);
        left -= k;
        seen.push([n, k]);
        return k;
      },
      committed: () => true,
    });
    expect(seen).toEqual([[1, 2], [2, 2], [3, 1]]);
    expect(e.batchNo).toBe(3);
  });

  it('numbers batches on across rounds (a phase that ends with its last batch counts it)', async () => {
    const { e } = engine();
    const numbers: number[] = [];
    for (const batches of [2, 3]) {
      let i = 0;
      await e.run({
        sizer: new BatchSizer(),
        attempt: async (_s, n) => {
          numbers.push(n);
          return ++i;
        },
        committed: (k) => k < batches,
      });
    }
    expect(numbers).toEqual([1, 2, 3, 4, 5]);
  });

  it('checks cancel, then the lease, then the pause point before every batch', async () => {
    const order: string[] = [];
    const ac = new AbortController();
    const { e } = engine({ leaseCheck: () => order.push('lease'), pausePoint: async () => void order.push('pause') }, ac.signal);
    let n = 0;
    await expect(
      e.run({
        sizer: new BatchSizer(),
        attempt: async () => {
          order.push('batch');
          if (++n === 2) ac.abort();
          return n;
        },
        committed: () => true,
      }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(order).toEqual(['lease', 'pause', 'batch', 'lease', 'pause', 'batch']);
  });

  it('a lost lease stops the round before its next batch is sent', async () => {
    let held = true;
    const { e } = engine({
      leaseCheck: () => {
        if (!held) throw new AppError('CONFLICT', 'taken over', { details: { reason: 'PLAN_IN_USE' } });
      },
    });
    const sent: number[] = [];
    await expect(
      e.run({
        sizer: new BatchSizer(),
        attempt: async (_s, n) => {
          sent.push(n);
          held = false;
          return n;
        },
        committed: () => true,
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT', details: { reason: 'PLAN_IN_USE' } });
    expect(sent).toEqual([1]);
  });
});

describe('BatchEngine transient failures', () => {
  it('halves the batch, settles what the failed batch may have committed, re-reads, and goes on', async () => {
    vi.useFakeTimers();
    const { e, settles } = engine();
    const sizes: number[] = [];
    let retried = 0;
    const sizer = new BatchSizer(200, 10, 1000, 400);
    const p = e.run({
      sizer,
      attempt: async (size) => {
        sizes.push(size);
        if (sizes.length <= 2) throw new Transient('lock timeout');
        return sizes.length === 3 ? 1 : NOTHING_LEFT;
      },
      committed: () => true,
      retried: () => void retried++,
    });
    await vi.runAllTimersAsync();
    await p;
    expect(sizes).toEqual([400, 200, 100, 100]);
    expect(settles).toEqual([true, true]);
    expect(retried).toBe(2);
  });

  it(`gives up after ${MAX_TRANSIENT_RETRIES} transient failures in a row, and at once on any other error`, async () => {
    vi.useFakeTimers();
    const { e } = engine();
    let tries = 0;
    const p = e.run({
      sizer: new BatchSizer(),
      attempt: async () => {
        tries++;
        throw new Transient('again');
      },
      committed: () => true,
    });
    const settled = p.then(
      () => null,
      (x: unknown) => x,
    );
    await vi.runAllTimersAsync();
    expect(await settled).toBeInstanceOf(Transient);
    expect(tries).toBe(MAX_TRANSIENT_RETRIES + 1);

    const { e: e2, settles } = engine();
    await expect(e2.run({ sizer: new BatchSizer(), attempt: async () => Promise.reject(new Error('syntax error')), committed: () => true })).rejects.toThrow('syntax error');
    expect(settles).toEqual([]);
  });

  it('a transient failure does not retry once the job is cancelled', async () => {
    const ac = new AbortController();
    const { e, settles } = engine({}, ac.signal);
    await expect(
      e.run({
        sizer: new BatchSizer(),
        attempt: async () => {
          ac.abort();
          throw new Transient('cancelled statement');
        },
        committed: () => true,
      }),
    ).rejects.toBeInstanceOf(Transient);
    expect(settles).toEqual([]);
  });

  it('settle (start or resume) retries transient errors and passes others on', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const { e } = engine({
      settle: async () => {
        if (++calls < 3) throw new Transient('connection reset');
      },
    });
    const p = e.settle();
    await vi.runAllTimersAsync();
    await p;
    expect(calls).toBe(3);
    const { e: e2 } = engine({ settle: async () => Promise.reject(new Error('permission denied')) });
    await expect(e2.settle()).rejects.toThrow('permission denied');
  });
});

describe('the kill-point hook', () => {
  afterEach(() => {
    delete process.env.HOUSEKEEPER_TEST_KILL_AT;
    vi.restoreAllMocks();
  });

  async function phases(e: BatchEngine, hits: number[]): Promise<void> {
    for (const name of ['runs', 'events']) {
      let i = 0;
      await e.run({
        name,
        sizer: new BatchSizer(),
        attempt: async () => {
          e.killPoint('before-commit');
          return ++i;
        },
        committed: () => {
          hits.push(e.batchNo);
          return i < 3;
        },
      });
    }
  }

  it('fires at the Nth batch overall, or at the Nth batch of a named round, and nowhere else', async () => {
    const kills: number[] = [];
    const hits: number[] = [];
    let batch = 0;
    vi.spyOn(process, 'kill').mockImplementation(() => {
      kills.push(batch);
      return true;
    });
    const { e } = engine();
    process.env.HOUSEKEEPER_TEST_KILL_AT = 'retention/events:after-commit:2';
    const orig = e.killPoint.bind(e);
    e.killPoint = (p) => {
      batch = e.batchNo;
      orig(p);
    };
    await phases(e, hits);
    expect(hits).toEqual([1, 2, 3, 4, 5, 6]);
    expect(kills).toEqual([5]);

    kills.length = 0;
    process.env.HOUSEKEEPER_TEST_KILL_AT = 'retention:before-commit:4';
    const { e: e2 } = engine();
    const orig2 = e2.killPoint.bind(e2);
    e2.killPoint = (p) => {
      batch = e2.batchNo;
      orig2(p);
    };
    await phases(e2, []);
    expect(kills).toEqual([4]);
  });
});

describe('the kill-point hook, in a round that sends empty batches first', () => {
  afterEach(() => {
    delete process.env.HOUSEKEEPER_TEST_KILL_AT;
    vi.restoreAllMocks();
  });

  it("counts only the round's batches that sent a delete (a walk without an index meets empty ranges)", async () => {
    for (const [at, want] of [['retention/event-resources:before-commit:1', 4], ['retention/event-resources:after-commit:2', 5], ['retention:after-commit:2', 2]] as const) {
      const kills: number[] = [];
      const { e } = engine();
      vi.spyOn(process, 'kill').mockImplementation(() => {
        kills.push(e.batchNo);
        return true;
      });
      process.env.HOUSEKEEPER_TEST_KILL_AT = at;
      let i = 0;
      await e.run({
        name: 'event-resources',
        sizer: new BatchSizer(),
        attempt: async () => {
          i++;
          if (i >= 4) e.killPoint('before-commit'); // ranges 1-3 hold nothing old: no delete sent
          return i;
        },
        committed: () => i < 6,
      });
      expect(kills, at).toEqual([want]);
      vi.restoreAllMocks();
    }
  });
});

describe('engine helpers', () => {
  it('names kill points as HOUSEKEEPER_TEST_KILL_AT spells them (purge untagged, retention tagged)', () => {
    expect(killPointName('', 'before-commit', 3)).toBe('before-commit:3');
    expect(killPointName('retention', 'after-commit', 12)).toBe('retention:after-commit:12');
  });

  it('a phase sizer starts at its initial size clamped under the maximum, never below the minimum', () => {
    expect(phaseSizer(200, 10, 5000, 50).size).toBe(50);
    expect(phaseSizer(200, 10, 5, 50).size).toBe(10);
    expect(phaseSizer(200, 5, 5, 50).size).toBe(5);
    const s = phaseSizer(200, 100, 400, 50); // min above max: the max wins
    s.backOff();
    expect(s.size).toBe(50);
  });

  it('p99 is whole milliseconds, null before the first batch', () => {
    expect(p99([])).toBeNull();
    expect(p99([1.2, 3.7, 2])).toBe(4);
  });
});
