/** The API executor deletes the artifacts of one key one after another (Prefect repoints "latest" without a lock). */
import { describe, expect, it } from 'vitest';
import { artifactLanes } from '../../main/core/purge/backend-api';

describe('artifactLanes', () => {
  it('puts every artifact of a key in one lane, in order, and each unkeyed artifact alone', () => {
    const lanes = artifactLanes([
      { id: 'a1', key: 'k1' },
      { id: 'u1', key: null },
      { id: 'b1', key: 'k2' },
      { id: 'a2', key: 'k1' },
      { id: 'u2', key: null },
      { id: 'a3', key: 'k1' },
    ]);
    expect(lanes).toEqual([['a1', 'a2', 'a3'], ['u1'], ['b1'], ['u2']]);
    expect(lanes.flat().sort()).toEqual(['a1', 'a2', 'a3', 'b1', 'u1', 'u2']);
    expect(artifactLanes([])).toEqual([]);
  });
});
