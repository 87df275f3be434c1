import { describe, expect, it } from 'vitest';
import { serverClockOffset } from '../../main/core/targets/server-clock';

const T = Date.parse('2026-12-04T12:00:00Z');

describe('the server clock from Date headers', () => {
  it('keeps the local clock when the header agrees within its own error', () => {
    expect(serverClockOffset([{ sentAt: T, receivedAt: T + 40, serverDate: T - 1000 }])).toBe(0);
    expect(serverClockOffset([{ sentAt: T, receivedAt: T + 40, serverDate: T + 3000 }])).toBe(0);
  });

  it('follows a server whose clock is minutes off, when the answer was quick', () => {
    const off = serverClockOffset([{ sentAt: T, receivedAt: T + 100, serverDate: T + 120_000 }]);
    expect(off).toBeGreaterThan(119_000);
    expect(off).toBeLessThan(121_000);
    expect(serverClockOffset([{ sentAt: T, receivedAt: T + 100, serverDate: T - 600_000 }])).toBeLessThan(-599_000);
  });

  it('ignores a slow answer: its header may be as stale as the server loop was blocked (the CI failure: 7.7 s behind)', () => {
    expect(serverClockOffset([{ sentAt: T, receivedAt: T + 8000, serverDate: T - 7700 }])).toBe(0);
  });

  it("ignores a quick answer's header that a busy server left 7 s stale (uvicorn refreshes it every tenth tick)", () => {
    expect(serverClockOffset([{ sentAt: T, receivedAt: T + 30, serverDate: T - 7000 }])).toBe(0);
    expect(serverClockOffset([{ sentAt: T, receivedAt: T + 30, serverDate: T - 25_000 }])).toBe(0);
  });

  it('uses the quickest trusted sample, and ignores a missing header', () => {
    const off = serverClockOffset([
      { sentAt: T, receivedAt: T + 3000, serverDate: T - 9000 },
      { sentAt: T + 3000, receivedAt: T + 3050, serverDate: Number.NaN },
      { sentAt: T + 3050, receivedAt: T + 3100, serverDate: T + 3050 + 60_000 },
    ]);
    expect(Math.round(off / 1000)).toBe(60);
    expect(serverClockOffset([])).toBe(0);
  });
});
