import { describe, expect, it } from 'vitest';
import { EVENT_CHANNELS, REQUEST_CHANNELS } from '../../shared/channels';
import { EVENT_NAMES, REQUEST_NAMES } from '../../shared/contract';

// The sandboxed preload uses the dependency-free channel list; it must match the contract exactly.
describe('shared/channels.ts', () => {
  it('lists exactly the contract requests', () => {
    expect([...REQUEST_CHANNELS].sort()).toEqual([...REQUEST_NAMES].sort());
  });
  it('lists exactly the contract events', () => {
    expect([...EVENT_CHANNELS].sort()).toEqual([...EVENT_NAMES].sort());
  });
});
