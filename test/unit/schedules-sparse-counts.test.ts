import { describe, expect, it } from 'vitest';
import { sparseCounts } from '../../main/core/schedules/sparse-counts';

function counter(truth: Record<string, number>) {
  const calls: string[][] = [];
  const countOf = async (ids: string[]): Promise<number> => {
    calls.push(ids);
    return ids.reduce((n, id) => n + (truth[id] ?? 0), 0);
  };
  return { calls, countOf };
}

describe('sparseCounts', () => {
  const ids = Array.from({ length: 1000 }, (_, i) => `d${i}`);

  it('gives every deployment its own count, asking per deployment only inside non-zero groups', async () => {
    const truth: Record<string, number> = { d3: 7, d4: 1, d999: 12, d500: 3 };
    const { calls, countOf } = counter(truth);
    const got = await sparseCounts(ids, countOf, { concurrency: 8 });
    for (const id of ids) expect(got.get(id), id).toBe(truth[id] ?? 0);
    // 40 groups of 25, then the 25 deployments of each of the 3 non-zero groups.
    expect(calls).toHaveLength(40 + 3 * 25);
  });

  it('costs one request per group on a server without backlog', async () => {
    const { calls, countOf } = counter({});
    const got = await sparseCounts(ids, countOf, { concurrency: 8, group: 50 });
    expect([...got.values()].every((n) => n === 0)).toBe(true);
    expect(calls).toHaveLength(20);
  });

  it('is exact when every deployment has a backlog (n + n/group requests)', async () => {
    const truth = Object.fromEntries(ids.map((id, i) => [id, i + 1]));
    const { calls, countOf } = counter(truth);
    const got = await sparseCounts(ids, countOf, { concurrency: 8 });
    for (const id of ids) expect(got.get(id)).toBe(truth[id]);
    expect(calls).toHaveLength(1000 + 40);
  });

  it('uses the group total directly for a group of one, and handles no deployments', async () => {
    const { calls, countOf } = counter({ a: 2 });
    expect(await sparseCounts(['a'], countOf, { concurrency: 2 })).toEqual(new Map([['a', 2]]));
    expect(calls).toHaveLength(1);
    expect(await sparseCounts([], countOf, { concurrency: 2 })).toEqual(new Map());
  });

  it('stops with the error of a failed count', async () => {
    await expect(sparseCounts(ids, async () => { throw new Error('422'); }, { concurrency: 4 })).rejects.toThrow('422');
  });
});
