/**
 * One stated timeout per request (issue #13 item 13). The window and the web page show it while they
 * wait ("up to 60 s"), main gives up and cancels the work when it passes (dispatch), and the work's
 * own timeouts (a Prefect call, a statement) are shorter, so whatever answers first says the same
 * thing the screen promised. Long work (deleting, applying, measuring) is never a request: it is a
 * job with its own progress and cancel; the request that starts it only checks and starts.
 */
import type { RequestName } from './contract';

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Requests that read a lot from the server before they can answer. */
const LONGER: Partial<Record<RequestName, number>> = {
  'inspect.run': 90_000,
  'purge.plan': 120_000,
  'purge.targets': 60_000,
  'retention.plan': 120_000,
  'retention.context': 60_000,
  'retention.maintenance': 60_000,
  'schedules.list': 60_000,
  'schedules.simulate': 60_000,
  'schedules.plan': 120_000,
  'schedules.apply': 60_000,
  'connections.test': 60_000,
  'connections.discover': 60_000,
  'profiles.drift': 60_000,
  'health.check': 15_000,
};

export function requestTimeoutMs(name: RequestName): number {
  return LONGER[name] ?? DEFAULT_REQUEST_TIMEOUT_MS;
}
