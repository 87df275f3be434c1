/**
 * The Prefect server's clock from the HTTP Date header, without trusting a stale one.
 *
 * Why not just read the header: uvicorn stamps it once a second from its event loop, so the header
 * trails the server's real time by up to a second, and by however long that loop was blocked (a busy
 * 3.4 server runs its scheduler in the same loop; 7 s seen under load). A request that arrives while
 * the loop is blocked waits as long, so a sample with a short round trip cannot carry a long-stale
 * header. Only such samples are used, and only when they disagree with the local clock by more than
 * the header's own error could explain; otherwise the local clock is the better "now".
 */

export interface ClockSample {
  /** Local clock (ms) just before the request and when the answer came. */
  sentAt: number;
  receivedAt: number;
  /** The Date header, ms since the epoch (NaN when missing or unparsable). */
  serverDate: number;
}

/** A round trip this short means the server's loop was not blocked while it answered. */
export const MAX_TRUSTED_RTT_MS = 1000;
/** Below this disagreement the header's whole-second resolution and staleness explain it. */
export const SKEW_THRESHOLD_MS = 5000;

/**
 * The offset (ms) to add to the local clock to get the server's, or 0 when no sample proves one.
 * The trusted sample with the shortest round trip wins.
 */
export function serverClockOffset(samples: readonly ClockSample[]): number {
  const trusted = samples
    .filter((s) => Number.isFinite(s.serverDate) && s.receivedAt - s.sentAt <= MAX_TRUSTED_RTT_MS)
    .sort((a, b) => a.receivedAt - a.sentAt - (b.receivedAt - b.sentAt));
  const best = trusted[0];
  if (!best) return 0;
  // The header was stamped somewhere inside the round trip, and truncated to its second: half a
  // second later than it says is its middle.
  const offset = best.serverDate + 500 - (best.sentAt + best.receivedAt) / 2;
  return Math.abs(offset) < SKEW_THRESHOLD_MS ? 0 : offset;
}
