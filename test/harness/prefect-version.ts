/**
 * The one place the Prefect version used by the harness is pinned. The venv cache path, the
 * `/api/admin/version` assertion and the demo all go through here, so bumping Prefect is a
 * one-line change.
 *
 * Override per run with PREFECT_VERSION: an exact release (`3.4.25`) or a minor line (`3.4`, resolved
 * to that line's newest patch on the package index, see prefect-releases.ts). Everything that needs
 * the exact version awaits `resolvedPrefectVersion()`; `PREFECT_VERSION` is only what was asked for.
 */
import { isMinorLine, resolveRelease } from './prefect-releases';

/** The release `npm test` runs against (the newest line). */
export const PINNED_PREFECT_VERSION = '3.9.1';

/** What this run asked for: an exact release or a minor line. */
export const PREFECT_VERSION = (process.env.PREFECT_VERSION ?? '').trim() || PINNED_PREFECT_VERSION;

/** Exact releases need no index lookup unless a venv has to be built (venv.ts asks for the upload time). */
const EXACT = /^\d+\.\d+\.\d+$/;

/** The exact release for `spec` (default: this run's PREFECT_VERSION). */
export async function resolvedPrefectVersion(spec = PREFECT_VERSION): Promise<string> {
  if (EXACT.test(spec)) return spec;
  if (!isMinorLine(spec)) {
    throw new Error(`PREFECT_VERSION=${spec} is neither a Prefect 3 release (3.4.25) nor a minor line (3.4)`);
  }
  return (await resolveRelease(spec)).version;
}

/** The oldest line Housekeeper supports (main/core/targets/prefect-version.ts MIN_PREFECT_VERSION). */
export const OLDEST_LINE = '3.0';

/**
 * The lines `npm test` runs the compat subset on besides the pinned one: the oldest supported line,
 * and 3.4 (current when the community thread that started Housekeeper was written, Sept. 2025).
 */
export const CI_COMPAT_LINES = [OLDEST_LINE, '3.4'];
