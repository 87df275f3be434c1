/**
 * The Prefect server's clock from the HTTP Date header, without trusting a stale one.
 *
 * Why not just read the header: uvicorn refreshes it on every tenth tick of its 0.1 s main loop
 * (Server.on_tick), so it trails the server's real time by a second when the loop is free, and by
 * ten times the loop's latency when it is busy: a 3.4 server runs its services in the same loop,
 * and answered quickly with a header 7 s stale under CI load. A slow answer may be staler still, so
 * only quick answers are used, and only a disagreement larger than any such staleness (30 s) moves
 * "now" to the server's clock: that catches a wrong clock on either machine, which is what this is
 * for; below it the local clock is the better "now".
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
/** Below this disagreement the header's resolution and a busy server's staleness can explain it. */
export const SKEW_THRESHOLD_MS = 30_000;

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

/**
 * "Now" on the Prefect server behind `baseUrl` (ms since the epoch), from the Date header of
 * `/health`: up to three tries for one quick answer, then serverClockOffset's rule. The API has no
 * clock endpoint; every feature that plans through the API (schedules, purge, retention) asks here.
 */
export async function apiServerNow(baseUrl: string, signal?: AbortSignal): Promise<number> {
  const samples: ClockSample[] = [];
  for (let i = 0; i < 3; i++) {
    const sentAt = Date.now();
    const res = await fetch(`${baseUrl}/health`, signal ? { signal } : {}).catch(() => null);
    if (!res) break;
    await res.body?.cancel().catch(() => undefined);
    const receivedAt = Date.now();
    const date = res.headers.get('date');
    samples.push({ sentAt, receivedAt, serverDate: date ? Date.parse(date) : Number.NaN });
    if (receivedAt - sentAt <= MAX_TRUSTED_RTT_MS) break;
  }
  return Date.now() + serverClockOffset(samples);
}
